"""The neutral layout model shared by the ESC/POS and HTML renderers."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Align(StrEnum):
    """Horizontal alignment of a line; values match python-escpos's names."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextLine:
    """One printed line; ``size`` multiplies both width and height (1 to 8)."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 8:
            raise ValueError(f"text size must be 1 to 8, got {self.size}")
        if "\n" in self.text:
            raise ValueError("a TextLine holds one line; split the text first")


@dataclass(frozen=True)
class QrBlock:
    """A QR code, centred, encoding ``payload``."""

    payload: str


@dataclass(frozen=True)
class Separator:
    """A horizontal rule across the paper."""


@dataclass(frozen=True)
class Cut:
    """Feed the paper out and cut it."""


Block = TextLine | QrBlock | Separator | Cut


@dataclass(frozen=True)
class Layout:
    """A ticket as a sequence of blocks for paper ``width_chars`` normal characters wide."""

    width_chars: int
    language: str
    blocks: tuple[Block, ...]
