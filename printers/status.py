"""Real-time printer status: the DLE EOT questions and how to read the answers."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER

# Every DLE EOT answer byte has bits 1 and 4 set and bits 0 and 7 clear (Epson
# ESC/POS reference); anything else is noise or a printer that does not speak it.
_FIXED_MASK = 0b1001_0011
_FIXED_BITS = 0b0001_0010
_OFFLINE = 0b0000_1000  # DLE EOT 1, bit 3
_NEAR_END = 0b0000_1100  # DLE EOT 4, bits 2-3: roll paper near-end sensor
_PAPER_OUT = 0b0110_0000  # DLE EOT 4, bits 5-6: roll paper end sensor

PRINTER_STATUS_REQUEST = RT_STATUS_ONLINE
PAPER_STATUS_REQUEST = RT_STATUS_PAPER


class PrinterStatus(StrEnum):
    """What a printer says about itself before a job."""

    OK = "ok"
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


def is_status_byte(value: int) -> bool:
    """Tell whether a byte has the fixed bits of a DLE EOT answer."""
    return value & _FIXED_MASK == _FIXED_BITS


def interpret_status(printer_byte: int, paper_byte: int) -> PrinterStatus:
    """Turn the answers to DLE EOT 1 and DLE EOT 4 into one status.

    Epson sets both bits of a sensor pair together; a printer that sets only one
    is read as reporting the condition, since printing onto no paper loses a ticket.
    """
    if not (is_status_byte(printer_byte) and is_status_byte(paper_byte)):
        return PrinterStatus.UNKNOWN
    if paper_byte & _PAPER_OUT:
        return PrinterStatus.PAPER_OUT
    if printer_byte & _OFFLINE:
        return PrinterStatus.OFFLINE
    if paper_byte & _NEAR_END:
        return PrinterStatus.PAPER_NEAR_END
    return PrinterStatus.OK


def query_status(exchange: Callable[[bytes], int]) -> PrinterStatus:
    """Ask the printer and paper questions through ``exchange`` and read the answers.

    ``exchange`` sends one request and returns the single answer byte; it raises a
    PrintError when the printer does not answer in time.
    """
    printer_byte = exchange(PRINTER_STATUS_REQUEST)
    paper_byte = exchange(PAPER_STATUS_REQUEST)
    return interpret_status(printer_byte, paper_byte)
