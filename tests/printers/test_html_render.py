import re

import segno
from markupsafe import Markup

from printers.html_render import QR_MASK, qr_svg, render_html
from printers.layout import ticket_layout


def test_text_from_the_database_is_escaped(make_ticket):
    ticket = make_ticket(office_name='<script>alert("x")</script> & Co', service_name="A&B <i>")
    html = str(render_html(ticket_layout(ticket, 48)))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in html
    assert "A&amp;B &lt;i&gt;" in html


def test_fragment_is_markup_so_templates_do_not_escape_it_twice(make_ticket):
    assert isinstance(render_html(ticket_layout(make_ticket(), 32)), Markup)


def test_qr_is_an_inline_svg_of_the_status_url(make_ticket):
    url = "https://antrean.example.go.id/t/abc?x=1&y=<2>"
    html = str(render_html(ticket_layout(make_ticket(status_url=url), 32)))

    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S)
    assert len(svgs) == 1
    side = segno.make_qr(url, error="m").symbol_size(scale=1, border=4)[0]
    assert f'viewBox="0 0 {side} {side}"' in svgs[0]
    assert "<title>https://antrean.example.go.id/t/abc?x=1&amp;y=&lt;2&gt;</title>" in svgs[0]
    assert "<path" in svgs[0]


def test_lines_carry_their_size_emphasis_and_language(make_ticket):
    html = str(render_html(ticket_layout(make_ticket(language="en"), 32)))
    assert html.startswith('<div class="ticket" lang="en" style="--ticket-columns: 32">')
    assert '<p class="ticket-line ticket-align-center ticket-size-4 ticket-bold">B-007</p>' in html
    assert html.count('<hr class="ticket-separator">') == 2
    assert html.endswith('<div class="ticket-cut" aria-hidden="true"></div></div>')


def test_the_qr_uses_one_fixed_mask_and_the_same_symbol_size():
    """The mask is fixed (no scoring of all eight, docs/benchmarks.md); the symbol keeps its version and error
    level, and the drawing is segno's for exactly that mask."""
    url = "https://antrean.example.go.id/t/" + "x" * 24
    fixed, chosen = segno.make_qr(url, error="m", mask=QR_MASK), segno.make_qr(url, error="m")
    assert (fixed.mask, fixed.version, fixed.error) == (QR_MASK, chosen.version, chosen.error)
    expected = fixed.svg_inline(scale=1, border=4, omitsize=True, svgclass="ticket-qr-code", title=url)
    assert str(qr_svg(url)) == expected
