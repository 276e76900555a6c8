import re

import numpy as np
import pytest
import zxingcpp
from markupsafe import Markup

from printers.html_render import qr_svg, render_html
from printers.layout import ticket_layout


def test_text_from_the_database_is_escaped(make_ticket):
    ticket = make_ticket(office_name='<script>alert("x")</script> & Co', service_name="A&B <i>")
    html = str(render_html(ticket_layout(ticket, 48)))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "A&amp;B &lt;i&gt;" in html


def test_fragment_is_markup_so_templates_do_not_escape_it_twice(make_ticket):
    assert isinstance(render_html(ticket_layout(make_ticket(), 32)), Markup)


def symbol(svg: str) -> list[list[bool]]:
    """Draw an inline QR SVG's path of horizontal strokes back into its grid of dark modules."""
    side = int(re.fullmatch(r'<svg viewBox="0 0 (\d+) \1" class="ticket-qr-code">.*', svg, flags=re.S)[1])
    grid = [[False] * side for _ in range(side)]
    x = y = 0.0
    for command, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", re.search(r' d="([^"]+)"', svg)[1]):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                grid[int(y)][column] = True
            x += float(first)
    return grid


def decode(grid: list[list[bool]], scale: int = 4):
    pixels = np.array([[0 if dark else 255 for dark in row for _ in range(scale)]
                       for row in grid for _ in range(scale)], dtype=np.uint8)
    return zxingcpp.read_barcode(pixels, formats=zxingcpp.BarcodeFormat.QRCode)


def test_qr_is_an_inline_svg_of_the_status_url(make_ticket):
    url = "https://antrean.example.go.id/t/abc?x=1&y=<2>"
    html = str(render_html(ticket_layout(make_ticket(status_url=url), 32)))

    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 1
    assert "<title>https://antrean.example.go.id/t/abc?x=1&amp;y=&lt;2&gt;</title>" in svgs[0]
    assert decode(symbol(svgs[0])).text == url


@pytest.mark.parametrize("token", ["q7Xk2mWp9sLd", "x" * 24, "Ab3_x-9QzK1mNpRsTuVwXy-_09"])
def test_the_qr_reads_back_to_its_link_with_error_correction_m_inside_a_quiet_zone(token):
    url = f"https://antrean.example.go.id/t/{token}"
    grid = symbol(str(qr_svg(url)))
    side = len(grid)
    assert (side - 8 - 17) % 4 == 0, "a QR symbol is 17 + 4 x version modules, plus four on each side"
    edge = [*grid[:4], *grid[-4:], *([row[:4] for row in grid]), *([row[-4:] for row in grid])]
    assert not any(any(row) for row in edge)
    read = decode(grid)
    assert (read.valid, read.text, read.ec_level) == (True, url, "M")


def test_lines_carry_their_size_emphasis_and_language(make_ticket):
    html = str(render_html(ticket_layout(make_ticket(language="en"), 32)))
    assert html.startswith('<div class="ticket" lang="en" style="--ticket-columns: 32">')
    assert '<p class="ticket-line ticket-align-center ticket-size-4 ticket-bold">B-007</p>' in html
    assert html.count('<hr class="ticket-separator">') == 2
    assert html.endswith('<div class="ticket-cut" aria-hidden="true"></div></div>')
