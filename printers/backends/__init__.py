"""Printer backends, one module per connection type, chosen by a setting string.

Settings (``:nostatus`` skips the DLE EOT status check for models that cannot answer it)::

    network:HOST[:PORT][:nostatus]     network:192.168.1.50:9100
    usb:VENDOR:PRODUCT[:nostatus]      usb:0x0416:0x5011
    serial:DEVICE[:BAUD][:nostatus]    serial:/dev/ttyUSB0:19200
    cups:QUEUE                         cups:Kiosk_Printer
    file:PATH                          file:/dev/usb/lp0
    preview[:KEEP]                     preview:20
"""

from __future__ import annotations

import re
from typing import Protocol

from printers.backends.cups import CupsPrinter
from printers.backends.file import FilePrinter
from printers.backends.network import NetworkPrinter
from printers.backends.preview import PreviewPrinter
from printers.backends.serial import SerialPrinter
from printers.backends.usb import UsbPrinter
from printers.status import PrinterStatus

__all__ = [
    "CupsPrinter",
    "FilePrinter",
    "NetworkPrinter",
    "PreviewPrinter",
    "Printer",
    "SerialPrinter",
    "UsbPrinter",
    "printer_from_config",
]

_NETWORK = re.compile(r"(?P<host>\[[^\]]+\]|[^:\[\]]+)(?::(?P<port>\d{1,5}))?")
_USB_ID = re.compile(r"(?:0x)?[0-9a-fA-F]{1,4}")
_SERIAL = re.compile(r"(?P<device>[^:]+)(?::(?P<baud>\d+))?")
_CUPS_QUEUE = re.compile(r"[^\s/#-][^\s/#]*")


class Printer(Protocol):
    """What the print job needs from any printer; each call opens and closes the device."""

    name: str

    def send(self, data: bytes, timeout: float) -> None:
        """Deliver one job within ``timeout`` seconds or raise a PrintError."""
        ...

    def status(self, timeout: float) -> PrinterStatus:
        """Report the printer's state within ``timeout`` seconds or raise a PrintError."""
        ...


def printer_from_config(setting: str) -> Printer:
    """Build the printer a setting string names, or raise ValueError saying what is wrong."""
    kind, _, rest = setting.strip().partition(":")
    if kind == "network":
        rest, query = _status_flag(rest)
        match = _NETWORK.fullmatch(rest)
        if not match:
            raise ValueError(f"expected network:HOST[:PORT], got {setting!r}")
        host = match["host"].strip("[]")
        port = int(match["port"] or 9100)
        if not 0 < port < 65536:
            raise ValueError(f"port out of range in {setting!r}")
        return NetworkPrinter(host, port, query_status=query)
    if kind == "usb":
        rest, query = _status_flag(rest)
        ids = rest.split(":")
        if len(ids) != 2 or not all(_USB_ID.fullmatch(part) for part in ids):
            raise ValueError(f"expected usb:VENDOR:PRODUCT in hex, got {setting!r}")
        return UsbPrinter(int(ids[0], 16), int(ids[1], 16), query_status=query)
    if kind == "serial":
        rest, query = _status_flag(rest)
        match = _SERIAL.fullmatch(rest)
        if not match:
            raise ValueError(f"expected serial:DEVICE[:BAUD], got {setting!r}")
        return SerialPrinter(match["device"], int(match["baud"] or 9600), query_status=query)
    if kind == "cups":
        if not _CUPS_QUEUE.fullmatch(rest):
            raise ValueError(f"expected cups:QUEUE with a CUPS queue name, got {setting!r}")
        return CupsPrinter(rest)
    if kind == "file":
        if not rest:
            raise ValueError(f"expected file:PATH, got {setting!r}")
        return FilePrinter(rest)
    if kind == "preview":
        if rest and not rest.isdigit():
            raise ValueError(f"expected preview[:KEEP], got {setting!r}")
        return PreviewPrinter(int(rest or 20))
    raise ValueError(
        f"unknown printer setting {setting!r}: "
        "use network:, usb:, serial:, cups:, file: or preview"
    )


def _status_flag(rest: str) -> tuple[str, bool]:
    if rest.endswith(":nostatus"):
        return rest.removesuffix(":nostatus"), False
    return rest, True
