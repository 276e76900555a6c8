"""Ticket printing: the layout, its ESC/POS and HTML renderings, and the printer backends.

This package never touches the database or the web framework: it takes plain
ticket facts and gives back bytes, HTML or a print result.
"""
