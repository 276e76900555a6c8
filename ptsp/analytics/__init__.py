"""Read side: queries over tickets, events and devices for managers' pages."""
