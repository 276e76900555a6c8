"""Render a layout to an HTML fragment for the on-screen ticket and the demo preview."""

from __future__ import annotations

import segno
from markupsafe import Markup

from printers.model import Block, Cut, Layout, QrBlock, Separator, TextLine


def render_html(layout: Layout) -> Markup:
    """Render a layout to a safe HTML fragment, the QR code as inline SVG."""
    parts = [_render_block(block) for block in layout.blocks]
    return Markup(
        '<div class="ticket" lang="{lang}" style="--ticket-columns: {cols}">{body}</div>'
    ).format(lang=layout.language, cols=layout.width_chars, body=Markup("").join(parts))


# Any of the eight masks makes a valid symbol that every reader decodes; letting segno score all eight to pick
# the best took two thirds of the kiosk's QR (about 4 of 6 ms per ticket here, docs/benchmarks.md). A status
# link is a random token, so no mask leaves the large blocks or false finder patterns the scoring avoids.
QR_MASK = 2


def qr_svg(payload: str) -> Markup:
    """Draw a QR code for ``payload`` as an inline SVG that scales with its box."""
    code = segno.make_qr(payload, error="m", mask=QR_MASK)
    # segno escapes the title itself; omitsize leaves only a viewBox so CSS sets the size.
    svg = code.svg_inline(scale=1, border=4, omitsize=True, svgclass="ticket-qr-code",
                          title=payload)
    return Markup(svg)


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
