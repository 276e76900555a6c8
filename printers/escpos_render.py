"""Render a layout to ESC/POS bytes through python-escpos."""

from __future__ import annotations

import functools
import threading
import unicodedata
from collections.abc import Callable

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from printers.model import Align, Block, Cut, Layout, QrBlock, Separator, TextLine

# WPC1252 (ESC t 16) holds every Latin letter Indonesian names use plus the
# typographic punctuation people paste in (’ “ ” – — …), and even the cheap
# 58 mm printers in python-escpos's profiles carry it.
DEFAULT_CODEPAGE = "CP1252"

# One character stands in for one, so a folded line keeps the width it was laid out for.
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00a0": " ",
}


def render_escpos(
    layout: Layout, *, codepage: str = DEFAULT_CODEPAGE, profile: str | None = None
) -> bytes:
    """Render a layout to ESC/POS bytes in one fixed code page, with a native QR code.

    The code page is fixed for the whole ticket, so each block's bytes depend on the block alone: the blocks
    every ticket shares (the office, the service, the fixed wording, the rules) are rendered once per process.
    """
    return b"".join(
        [_start(codepage, profile)]
        + [_block_bytes(block, layout.width_chars, codepage, profile) for block in layout.blocks]
    )


@functools.lru_cache(maxsize=16)
def _start(codepage: str, profile: str | None) -> bytes:
    """Reset the printer and select the code page."""
    printer = Dummy(profile=profile)
    printer.hw("INIT")
    printer.charcode(_Pages.name(printer, codepage))
    return printer.output


def _block_bytes(block: Block, width_chars: int, codepage: str, profile: str | None) -> bytes:
    if isinstance(block, QrBlock):  # the one block that is new on every ticket: not worth keeping
        return _PAGES.render(block, width_chars, codepage, profile)
    return _shared_block_bytes(block, width_chars, codepage, profile)


@functools.lru_cache(maxsize=1024)
def _shared_block_bytes(block: Block, width_chars: int, codepage: str, profile: str | None) -> bytes:
    return _PAGES.render(block, width_chars, codepage, profile)


class _Pages:
    """One python-escpos Dummy per code page and profile for the whole process, with the code page already
    selected and its encoder's character map built, so a block renders to its own bytes without a new printer
    and encoder. Rendering never waits on I/O, so the lock is only ever held for a block's rendering (a
    greenlet under gevent, where each request has its own, keeps the same printers)."""

    def __init__(self) -> None:
        self.printers: dict[tuple[str, str | None], tuple[Dummy, Callable[[str], bool]]] = {}
        self.lock = threading.Lock()

    @staticmethod
    def name(printer: Dummy, codepage: str) -> str:
        return str(printer.magic.encoder.get_encoding_name(codepage))

    def _printer(self, codepage: str, profile: str | None) -> tuple[Dummy, Callable[[str], bool]]:
        if (codepage, profile) not in self.printers:
            printer = Dummy(profile=profile)
            name = self.name(printer, codepage)
            printer.charcode(name)
            self.printers[codepage, profile] = printer, functools.partial(printer.magic.encoder.can_encode, name)
        return self.printers[codepage, profile]

    def render(self, block: Block, width_chars: int, codepage: str, profile: str | None) -> bytes:
        with self.lock:
            printer, can_encode = self._printer(codepage, profile)
            printer.clear()
            _render_block(printer, block, width_chars, can_encode)
            return printer.output


_PAGES = _Pages()


def fold_text(text: str, can_encode: Callable[[str], bool]) -> str:
    """Replace what the code page cannot print with its nearest printable character.

    Control characters become spaces, so text from the database can never smuggle
    a printer command into the job.
    """
    folded = []
    for char in text:
        if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            folded.append(" ")
        elif can_encode(char):
            folded.append(char)
        else:
            folded.append(_nearest(char, can_encode))
    return "".join(folded)


def qr_module_dots(width_chars: int) -> int:
    """Choose the QR module size in printer dots for the paper width."""
    return 6 if width_chars <= 32 else 8


def _nearest(char: str, can_encode: Callable[[str], bool]) -> str:
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    base = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    )
    if len(base) == 1 and can_encode(base):
        return base
    return "?"


def _render_block(
    printer: Dummy, block: Block, width_chars: int, can_encode: Callable[[str], bool]
) -> None:
    match block:
        case TextLine(text=text, align=align, bold=bold, size=size):
            printer.set(align=align.value, bold=bold, custom_size=True, width=size, height=size)
            printer.textln(fold_text(text, can_encode))
        case QrBlock(payload=payload):
            printer.set(align=Align.CENTER.value)
            printer.qr(payload, ec=QR_ECLEVEL_M, size=qr_module_dots(width_chars), native=True)
        case Separator():
            printer.set(
                align=Align.LEFT.value, bold=False, custom_size=True, width=1, height=1
            )
            printer.textln("-" * width_chars)
        case Cut():
            printer.cut()
        case _:
            raise TypeError(f"not a layout block: {block!r}")
