"""Render a layout to an HTML fragment for the on-screen ticket and the demo preview."""

from __future__ import annotations

import re

import zxingcpp
from markupsafe import Markup

from printers.model import Block, Cut, Layout, QrBlock, Separator, TextLine


def render_html(layout: Layout) -> Markup:
    """Render a layout to a safe HTML fragment, the QR code as inline SVG."""
    parts = [_render_block(block) for block in layout.blocks]
    return Markup(
        '<div class="ticket" lang="{lang}" style="--ticket-columns: {cols}">{body}</div>'
    ).format(lang=layout.language, cols=layout.width_chars, body=Markup("").join(parts))


# The QR code is drawn by zxing-cpp (its encoder is Zint's, in C++): segno, pure Python, took about 1 ms of the
# kiosk's issue even with one fixed mask, a fifth of the REST issue it is measured against (docs/benchmarks.md).
_QR = zxingcpp.BarcodeFormat.QRCode
_DARK = re.compile(rb"\x00+")  # a run of dark modules in one row of zxing-cpp's image (0 dark, 255 light)


def qr_svg(payload: str) -> Markup:
    """Draw a QR code for ``payload`` (error correction M) as an inline SVG that scales with its box.

    The symbol is one path of horizontal strokes, a row's runs of dark modules, inside a quiet zone of four
    modules; only a viewBox is given, so CSS sets the size.
    """
    image = zxingcpp.create_barcode(payload, _QR, ec_level="M").to_image(add_quiet_zones=True)
    side = image.shape[1]  # the quiet zone is light, so no run crosses from one row into the next
    strokes, row, pen = [], -1, 0
    modules = memoryview(image).tobytes()  # type: ignore[arg-type]  # a buffer, though its stub does not say so
    for run in _DARK.finditer(modules):
        start, end = run.span()
        y, x = divmod(start, side)
        strokes.append(f"M{x} {y}.5h{end - start}" if y != row else f"m{x - pen} 0h{end - start}")
        row, pen = y, x + end - start
    return Markup(
        '<svg viewBox="0 0 {side} {side}" class="ticket-qr-code"><title>{title}</title>'
        '<path class="qrline" stroke="#000" d="{path}"/></svg>'
    ).format(side=side, title=payload, path="".join(strokes))


def _render_block(block: Block) -> Markup:
    match block:
        case TextLine(text=text, align=align, bold=bold, size=size):
            classes = f"ticket-line ticket-align-{align.value} ticket-size-{size}"
            if bold:
                classes += " ticket-bold"
            # An empty line keeps its height on screen as it does on paper.
            return Markup('<p class="{}">{}</p>').format(classes, text or Markup("&nbsp;"))
        case QrBlock(payload=payload):
            return Markup('<div class="ticket-qr">{}</div>').format(qr_svg(payload))
        case Separator():
            return Markup('<hr class="ticket-separator">')
        case Cut():
            return Markup('<div class="ticket-cut" aria-hidden="true"></div>')
        case _:
            raise TypeError(f"not a layout block: {block!r}")
