"""Read side: figures for the manager pages, computed from tickets, their events and counter sessions."""
