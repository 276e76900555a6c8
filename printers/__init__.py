"""Ticket printing: the layout, its ESC/POS and HTML renderings, and the printer backends.

This package never touches the database or the web framework: it takes plain
ticket facts and gives back bytes, HTML or a print result.
"""

import printers.escpos_cache  # noqa: F401  (first: python-escpos must find its cache folder when imported)
from printers.backends import Printer, printer_from_config
from printers.errors import PaperOut, PrinterOffline, PrintError, PrintTimeout
from printers.escpos_render import render_escpos
from printers.html_render import render_html
from printers.job import PrintResult, print_ticket
from printers.layout import TicketPrintData, ticket_layout
from printers.status import PrinterStatus

__all__ = [
    "PaperOut",
    "PrintError",
    "PrintResult",
    "PrintTimeout",
    "Printer",
    "PrinterOffline",
    "PrinterStatus",
    "TicketPrintData",
    "print_ticket",
    "printer_from_config",
    "render_escpos",
    "render_html",
    "ticket_layout",
]
