"""The kiosk station (see the README: built in its own issue)."""
