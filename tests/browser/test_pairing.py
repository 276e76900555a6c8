"""In Chromium against a real `ptsp run` with its access log on: stations pair once from `#token=` and no address
the server or a proxy sees ever holds a token again (docs/security.md, "Device pairing and tokens out of URLs")."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.stations import counter_page
from tests.conftest import LiveServer, ServerTemplate, pair_page


@pytest.fixture
def logged(tmp_path: Path, server_template: ServerTemplate) -> Iterator[LiveServer]:
    """A live server that writes one access-log line per request (what a proxy in front would keep too)."""
    live = LiveServer(tmp_path, server_template)
    live.env["PTSP_ACCESS_LOG"] = "1"
    live.start()
    yield live
    live.stop()


def record(page: Any) -> list[str]:
    """Every address this page's browser asks for: documents, fetches, media, Socket.IO polls and websockets."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.on("websocket", lambda socket: seen.append(socket.url))
    return seen


def device_cookie(page: Any, kind: str) -> dict[str, Any]:
    return next(c for c in page.context.cookies() if c["name"] == f"ptsp_device_{kind}")


def test_kiosk_and_display_pair_from_the_fragment_and_no_request_carries_a_token(logged, page_factory, shot):
    server = logged
    display = page_factory(1920, 1080)
    display_urls = record(display)
    pair_page(display, server.base, "/display/", server.display)
    display.wait_for_function("window.ptspDisplay && window.ptspDisplay.live.seq !== null")  # its socket, by cookie
    kiosk = page_factory(1080, 1920)
    kiosk_urls = record(kiosk)
    pair_page(kiosk, server.base, "/kiosk/", server.kiosk)
    kiosk.wait_for_selector("#services button.svc")
    kiosk.wait_for_selector("#connection.conn-on")
    kiosk.click("#services .svc >> nth=0")
    kiosk.wait_for_selector("#ticket:not([hidden])")
    code = kiosk.inner_text("#t-code")
    shot(kiosk, "paired-kiosk-ticket")

    clerk = counter_page(server, page_factory, "clerk1", 1)
    clerk.wait_for_selector("#lines button.ticket")
    clerk.keyboard.press("n")
    display.wait_for_function(f"document.getElementById('latest-code').textContent === '{code}'")
    # The call's speech, as the display asks for it: by cookie, the text alone in the address.
    spoken = display.evaluate("fetch(Announcer.speechUrl('Nomor antrian A nol nol satu')).then(r => r.status)")
    assert spoken == 200
    shot(display, "paired-display-call")

    for page, kind, token in ((display, "display", server.display), (kiosk, "kiosk", server.kiosk)):
        cookie = device_cookie(page, kind)
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and token not in cookie["value"]
        assert "ptsp_device" not in page.evaluate("document.cookie")  # no script on the page can read it
        assert page.evaluate("location.href") == f"{server.base}/{kind}/"  # the fragment is gone
    urls = display_urls + kiosk_urls
    assert any("/display/speech.wav?text=" in url for url in urls)
    assert any("/socket.io/" in url for url in urls) and any("/kiosk/issue" in url for url in urls)
    sent = [url.split("#")[0] for url in urls]  # what goes on the wire: never the fragment
    assert not [url for url in sent if server.kiosk in url or server.display in url or "token=" in url]
    log = server.log()
    assert "GET /display/speech.wav?text=" in log and "POST /kiosk/issue" in log
    assert "POST /api/v1/devices/pair" in log and "GET /socket.io/" in log
    assert server.kiosk not in log and server.display not in log and "token=" not in log


def test_an_old_token_address_is_refused_readably_and_pairs_nothing(server, page_factory, shot):
    page = page_factory(1080, 1920)
    response = page.goto(f"{server.base}/kiosk/?token={server.kiosk}")
    assert response.status == 400
    text = page.inner_text("body")
    assert "Kios ini belum terdaftar" in text and "tidak diterima lagi" in text and "/kiosk/#token=" in text
    assert server.kiosk not in page.content()  # not echoed, not even in the language switch's links
    assert not [c for c in page.context.cookies() if c["name"].startswith("ptsp_device")]
    shot(page, "kiosk-token-in-url-refused")
    page.click(".lang-switch a[data-lang=en]")  # the switch's link leaves the token behind
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "This kiosk is not registered" in page.inner_text("h1") and "token" not in page.evaluate("location.search")


def test_an_unpaired_station_says_how_to_pair_and_a_wrong_token_says_why(server, page_factory):
    page = page_factory()
    response = page.goto(f"{server.base}/display/")
    assert response.status == 401 and "Layar ini belum terdaftar" in page.inner_text("h1")
    assert "/display/#token=" in page.inner_text("#pair-help")
    page.goto(f"{server.base}/display/#token={server.kiosk}")  # a kiosk's token on the display
    page.wait_for_function("window.ptspPairRefused === true")
    assert "bukan 'display'" in page.inner_text("#pair-status") and not page.evaluate("location.hash")
    assert not [c for c in page.context.cookies() if c["name"].startswith("ptsp_device")]


def test_a_revoked_kiosk_loses_its_page_its_fetches_and_its_socket(server, page_factory):
    kiosk = page_factory(1080, 1920)
    pair_page(kiosk, server.base, "/kiosk/", server.kiosk)
    kiosk.wait_for_selector("#connection.conn-on")
    with sqlite3.connect(server.tmp_path / "server.db") as db:
        db.execute("UPDATE devices SET revoked_at = CURRENT_TIMESTAMP WHERE kind = 'kiosk'")
    assert kiosk.evaluate("fetch('/kiosk/state').then(r => r.status)") == 401
    connects = kiosk.evaluate("""() => new Promise((resolve) => {
        const socket = io({ auth: { device: "kiosk" }, reconnection: false });
        socket.on("connect", () => resolve("connected"));
        socket.on("connect_error", () => resolve("refused"));
    })""")
    assert connects == "refused"
    response = kiosk.reload()
    assert response.status == 401 and "Kios ini belum terdaftar" in kiosk.inner_text("h1")


def test_the_rating_tablet_pairs_the_same_way(server, page_factory):
    token = server.cli("device", "add", "--office", "kel-test", "--kind", "tablet", "--name", "tablet-9")
    tablet = page_factory(1024, 768)
    urls = record(tablet)
    assert tablet.goto(f"{server.base}/feedback/tablet?counter=1").status == 401
    assert "Tablet penilaian ini belum terdaftar" in tablet.inner_text("h1")
    pair_page(tablet, server.base, "/feedback/tablet?counter=1", token)
    assert "Loket 1" in tablet.inner_text(".ticket")
    assert tablet.evaluate("location.href") == f"{server.base}/feedback/tablet?counter=1"
    assert device_cookie(tablet, "tablet")["httpOnly"]
    assert not [url for url in urls if token in url.split("#")[0]]

