"""The display station (see the README: built in its own issue)."""
