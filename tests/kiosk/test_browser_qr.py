"""Headless Chromium: the ticket screen's QR code is drawn by the kiosk's browser (vendor/qrcode.js) from the
ticket's status URL, reads back to that URL, and its absence leaves the rest of the ticket on screen."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from tests.conftest import pair_page


def issue_on(page, service: int = 0) -> dict:
    page.wait_for_selector("#services button.svc")
    page.click(f"#services button.svc[data-service] >> nth={service}")
    page.wait_for_selector("#ticket:not([hidden])")
    return page.evaluate("ptspKiosk.state.ticket")


@pytest.mark.parametrize(("width", "height"), [(1080, 1920), (1920, 1080)])
def test_the_screen_qr_is_drawn_in_the_browser_and_reads_back_to_the_status_url(
        server, page_factory, shot, width, height):
    page = page_factory(width, height)
    pair_page(page, server.base, "/kiosk/?return=60", server.kiosk)
    answer = issue_on(page)
    assert "qr_svg" not in answer  # the server drew nothing for the screen
    box = page.locator("#t-qr")
    assert box.locator("svg").count() == 1 and box.bounding_box()["width"] >= 300
    image = Image.open(io.BytesIO(box.screenshot()))
    found = zxingcpp.read_barcode(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None and found.text == answer["status_url"]
    assert found.ec_level == "M"
    assert answer["status_url"].startswith(server.base) and page.inner_text("#t-code") == answer["ticket"]["code"]
    shot(page, f"kiosk-qr-{width}x{height}")


def test_without_the_qr_library_the_ticket_still_shows(server, page_factory, shot):
    page = page_factory(1080, 1920)
    page.route("**/static/vendor/qrcode.js", lambda route: route.abort())
    pair_page(page, server.base, "/kiosk/?return=60", server.kiosk)
    answer = issue_on(page)
    assert page.evaluate("typeof qrcode") == "undefined"
    assert page.inner_text("#t-code") == answer["ticket"]["code"] == "A-001"
    assert page.locator("#t-qr svg").count() == 0 and not page.locator(".t-qr-row").is_visible()
    assert page.locator("#t-ahead").is_visible() and page.locator("#done").is_visible()
    shot(page, "kiosk-qr-missing")
