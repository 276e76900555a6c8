"""Headless Chromium: each station in Indonesian and, through the one switch, in English, including the
text its scripts write (numbers, counter labels, the wait); the switch keeps the page's query."""

from __future__ import annotations

from typing import Any

from tests.browser.stations import counter_page, display_page
from tests.conftest import pair_page


def switch(page: Any, lang: str, ready: str) -> None:
    """Tap the language switch and wait until the page is back and `ready` holds."""
    before = page.evaluate("location.pathname + location.search")
    page.click(f".lang-switch a[data-lang={lang}]")
    page.wait_for_function(f"document.documentElement.lang === '{lang}'")
    page.wait_for_function(ready)
    assert page.evaluate("location.pathname + location.search") == before


def test_every_station_speaks_indonesian_then_english_through_the_switch(server, page_factory, shot):
    ticket = server.issue("A")
    server.issue("A")

    kiosk = page_factory(1920, 1080, locale="en-US")  # the browser's language does not choose the page's
    pair_page(kiosk, server.base, "/kiosk/", server.kiosk)
    kiosk.wait_for_selector("#services .svc")
    first = kiosk.inner_text("#services .svc >> nth=0")
    assert "Menunggu: 2 orang" in first and "KTP" in first and "Waiting" not in first
    shot(kiosk, "kiosk-landscape-id")
    switch(kiosk, "en", "document.querySelector('#services .svc')")
    first = kiosk.inner_text("#services .svc >> nth=0")
    assert "Waiting: 2" in first and "ID card" in first and "Menunggu" not in first
    assert "Estimated wait" in first
    shot(kiosk, "kiosk-landscape-en")

    status = page_factory(390, 844)
    status.goto(ticket["status_url"])
    status.wait_for_function("window.ptspStatus && ptspStatus.fetches > 0")
    assert "Menunggu dipanggil" in status.inner_text("#panel") and "urutan Anda" in status.inner_text("#panel")
    shot(status, "status-phone-id")
    switch(status, "en", "window.ptspStatus && ptspStatus.fetches > 0")
    panel = status.inner_text("#panel")
    assert "Waiting to be called" in panel and "your place" in panel and "Menunggu" not in panel
    assert status.inner_text("#service") == "ID card"
    shot(status, "status-phone-en")

    clerk = counter_page(server, page_factory, "clerk1", 1)
    assert clerk.inner_text("#counter-state") == "buka"
    assert "Tidak ada tiket aktif" in clerk.inner_text("#current-info")
    switch(clerk, "en", "window.ptspCounter && ptspCounter.live.seq !== null")
    clerk.wait_for_function("document.getElementById('counter-state').textContent === 'open'")
    assert clerk.inner_text("#current-info") == "No active ticket"
    assert "Call next" in clerk.inner_text("#call-next")
    clerk.keyboard.press("n")
    clerk.wait_for_function(f"document.getElementById('current-code').textContent === '{ticket['code']}'")
    assert "called ×1" in clerk.inner_text("#current-info") and "ID card" in clerk.inner_text("#current-info")
    shot(clerk, "counter-en")

    display = display_page(server, page_factory)
    display.wait_for_function("document.getElementById('latest-counter').textContent === 'Loket 1'")
    assert "Panggilan terakhir" in display.inner_text("aside")
    switch(display, "en", "window.ptspDisplay && ptspDisplay.live.seq !== null")
    display.wait_for_function("document.getElementById('latest-counter').textContent === 'Counter 1'")
    aside = display.inner_text("aside")
    assert "Recent calls" in aside and "A · ID card" in aside and "Loket" not in display.inner_text("main")
    date = display.inner_text("#date")
    assert any(day in date for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
    shot(display, "display-en")
    switch(display, "id", "window.ptspDisplay && ptspDisplay.live.seq !== null")
    assert any(day in display.inner_text("#date") for day in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu",
                                                              "Minggu"))
    shot(display, "display-id")
