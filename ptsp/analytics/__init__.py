"""Read side: figures computed from tickets, events and counter sessions; never writes."""
