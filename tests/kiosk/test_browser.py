"""Headless Chromium: the kiosk flow, its closed states, and the status page reacting to a call.

Screenshots go to the test's tmp_path, or to $PTSP_SCREENSHOTS/kiosk/ for a person to look at.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.conftest import SETUP, PageSession, free_port, pair_page


def open_kiosk(server, page_factory, width: int, height: int, query: str = ""):
    page = page_factory(width, height)
    pair_page(page, server.base, f"/kiosk/{query}", server.kiosk)
    return page


def clerk_session(server, counter_number: int) -> tuple[requests.Session, int]:
    session = PageSession()
    assert session.post(f"{server.base}/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"},
                        timeout=5).status_code == 200
    office = next(o for o in session.get(f"{server.base}/api/v1/offices", timeout=5).json() if o["slug"] == "kel-test")
    queue = session.get(f"{server.base}/api/v1/offices/{office['id']}/queue", timeout=5).json()
    counter = next(c["id"] for c in queue["counters"] if c["number"] == counter_number)
    assert session.post(f"{server.base}/api/v1/counters/{counter}/open", timeout=5).status_code == 200
    return session, counter


def reload_hours(server, tmp_path: Path, hours: dict, last_ticket_minutes: int = 0) -> None:
    data = json.loads(json.dumps(SETUP))
    data["offices"][1]["hours"] = hours
    data["offices"][1]["last_ticket_minutes"] = last_ticket_minutes
    path = tmp_path / "hours.json"
    path.write_text(json.dumps(data))
    server.cli("setup", "load", str(path))


def test_kiosk_tap_a_service_see_the_ticket_and_return_to_the_start(server, page_factory, shot):
    server.cli("printer", "set", "--office", "kel-test", "--kiosk", "k", "--setting", "preview")
    page = open_kiosk(server, page_factory, 1080, 1920, "?return=3")
    page.wait_for_selector("#services button.svc")
    assert page.locator("#services button.svc").count() == 3
    assert "Silakan pilih layanan" in page.inner_text("#start h1")
    shot(page, "kiosk-portrait-start")

    page.click(".prio[data-priority=elderly]")
    page.click("#services button.svc[data-service] >> nth=0")
    page.wait_for_selector("#ticket:not([hidden])")
    assert page.inner_text("#t-code") == "A-001"
    assert page.locator("#t-qr svg").count() == 1
    assert page.inner_text("#t-ahead") == "0"
    assert "Prioritas: Lansia" in page.inner_text("#t-priority")
    assert "Tiket dicetak" in page.inner_text("#t-print")
    shot(page, "kiosk-portrait-ticket")
    page.wait_for_selector("#start:not([hidden])", timeout=8000)  # back to the start by itself
    assert page.evaluate("ptspKiosk.state.priority") is None
    page.wait_for_function("document.querySelector('#services .svc').innerText.includes('Menunggu: 1')")

    page.click(".lang-switch a[data-lang=en]")
    page.wait_for_selector("#services button.svc")
    assert page.inner_text("#start h1") == "Please choose a service"
    assert "Waiting: 1" in page.inner_text("#services .svc >> nth=0")

    land = open_kiosk(server, page_factory, 1920, 1080, "?return=30")
    land.wait_for_selector("#services button.svc")
    shot(land, "kiosk-landscape-start")
    land.click("#services button.svc >> nth=2")
    land.wait_for_selector("#ticket:not([hidden])")
    assert land.inner_text("#t-code") == "C-001"
    shot(land, "kiosk-landscape-ticket")
    land.click("#done")
    land.wait_for_selector("#start:not([hidden])")

    # The printer is switched off: the ticket still comes, on screen, with a plain request to photograph it.
    off = f"network:127.0.0.1:{free_port()}"
    server.cli("printer", "set", "--office", "kel-test", "--kiosk", "k", "--setting", off)
    land.click("#services button.svc >> nth=0")
    land.wait_for_selector("#ticket:not([hidden])")
    assert land.inner_text("#t-code") == "A-002"
    assert "FOTO layar ini" in land.inner_text("#t-print")
    assert land.locator("#t-qr svg").count() == 1
    shot(land, "kiosk-print-failed")
    land.click("#done")

    server.cli("printer", "set", "--office", "kel-test", "--kiosk", "k", "--setting", "preview")
    preview = page_factory(1250, 1100)
    pair_page(preview, server.base, "/kiosk/preview", server.kiosk)
    assert preview.locator(".ticket").count() == 3  # the jobs of this kiosk's printer, failed one included
    assert preview.locator(".ticket .ticket-qr svg").count() == 3
    shot(preview, "printed-ticket-preview")


def test_kiosk_says_plainly_when_it_cannot_issue_and_recovers(server, page_factory, tmp_path, shot):
    page = open_kiosk(server, page_factory, 1080, 1920)
    page.wait_for_selector("#services button.svc")

    for _ in range(5):
        server.issue("B")
    page.wait_for_function("document.querySelectorAll('#services .svc:disabled').length === 1")
    assert "Kuota hari ini habis" in page.inner_text("#services .svc:disabled")
    shot(page, "kiosk-quota-reached")

    reload_hours(server, tmp_path, {})
    page.evaluate("ptspKiosk.refresh()")
    page.wait_for_selector("#closed[data-kind=closed]:not([hidden])")
    assert "Kantor sedang tutup" in page.inner_text("#closed-title")
    shot(page, "kiosk-closed")

    now = datetime.now(ZoneInfo("Asia/Jakarta"))
    if (now + timedelta(minutes=40)).date() == now.date():
        day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[now.weekday()]
        closes = (now + timedelta(minutes=20)).strftime("%H:%M")
        reload_hours(server, tmp_path, {day: [["00:00", closes]]}, last_ticket_minutes=30)
        page.evaluate("ptspKiosk.refresh()")
        page.wait_for_selector("#closed[data-kind=cutoff]:not([hidden])")
        assert "Pengambilan nomor sudah ditutup" in page.inner_text("#closed-title")
        shot(page, "kiosk-cutoff")

    all_day = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    reload_hours(server, tmp_path, all_day)
    page.evaluate("ptspKiosk.refresh()")
    page.wait_for_selector("#start:not([hidden])")

    server.stop()
    page.wait_for_selector("#closed[data-kind=offline]:not([hidden])", timeout=12_000)
    assert "tidak terhubung ke server" in page.inner_text("#closed-title").lower()
    shot(page, "kiosk-offline")
    server.start()
    page.wait_for_selector("#start:not([hidden])", timeout=15_000)


def test_kiosk_tap_while_the_server_is_gone_shows_the_offline_state_not_a_spinner(server, page_factory):
    page = open_kiosk(server, page_factory, 1920, 1080)
    page.wait_for_selector("#services button.svc")
    server.stop()
    page.evaluate("ptspKiosk.issue(1)")
    page.wait_for_selector("#closed[data-kind=offline]:not([hidden])", timeout=10_000)
    assert page.evaluate("document.body.classList.contains('busy')") is False


@pytest.mark.parametrize("size", [(390, 844)])
def test_status_page_reacts_when_its_ticket_is_called_and_catches_up_after_a_reconnect(
    server, page_factory, size, shot
):
    first, second = server.issue("A"), server.issue("A")
    page = page_factory(*size)
    page.goto(first["status_url"])
    page.wait_for_function("window.ptspStatus && ptspStatus.fetches > 0")
    assert page.inner_text("#position") == "1"
    other = page_factory(*size)
    other.goto(second["status_url"])
    other.wait_for_function("ptspStatus.fetches > 0")
    assert (other.inner_text("#position"), other.inner_text("#ahead")) == ("2", "1")
    shot(other, "status-waiting")

    clerk, counter = clerk_session(server, 1)
    other.evaluate("ptspStatus.socket.disconnect()")  # the phone sleeps
    called = clerk.post(f"{server.base}/api/v1/counters/{counter}/call-next", timeout=5).json()["ticket"]
    assert called["id"] == first["id"]
    page.wait_for_selector("#panel[data-status=called]")
    assert "Loket 1" in page.inner_text("#called-counter")
    alerts = page.evaluate("ptspStatus.alerts")
    assert len(alerts) == 1 and alerts[0]["counter"] == 1
    page.wait_for_timeout(5000)  # let the attention pulse finish before the picture
    shot(page, "status-called")

    assert clerk.post(f"{server.base}/api/v1/tickets/{first['id']}/start", timeout=5).status_code == 200
    assert clerk.post(f"{server.base}/api/v1/tickets/{first['id']}/complete", json={}, timeout=5).status_code == 200
    page.wait_for_selector("#panel[data-status=done] a#rate")
    assert page.get_attribute("#rate", "href") == f"/t/{first['status_url'].rsplit('/', 1)[1]}/nilai"
    assert "Beri penilaian" in page.inner_text("#rate")
    shot(page, "status-done")
    clerk.post(f"{server.base}/api/v1/counters/{counter}/call-next", timeout=5)

    assert other.inner_text("#panel").count("Menunggu") == 1  # asleep: it has not heard yet
    other.evaluate("ptspStatus.socket.connect()")  # the phone wakes
    other.wait_for_selector("#panel[data-status=called]")
    assert "Loket 1" in other.inner_text("#called-counter")
    assert len(other.evaluate("ptspStatus.alerts")) == 1

    page.click(".lang-switch a[data-lang=en]")
    page.wait_for_selector("#panel[data-status=done] a#rate")
    assert "Rate this service" in page.inner_text("#rate")
    page.click(".lang-switch a[data-lang=id]")

    response = page.goto(f"{server.base}/t/not-a-ticket")  # a wrong or cut-off QR link
    assert response.status == 404
    assert "Tiket tidak ditemukan" in page.inner_text("h1")
    shot(page, "status-unknown")


def test_kiosk_waiting_counts_follow_a_steady_stream_of_tickets(server, page_factory):
    # A busy office issues and calls several tickets a second; the kiosk's counts must follow while that
    # goes on, not only once it stops (a debounced refresh would wait for a quiet moment).
    page = open_kiosk(server, page_factory, 1080, 1920)
    page.wait_for_selector("#services button.svc")
    waiting = "ptspKiosk.state.data.services.find((s) => s.prefix === 'A').waiting"
    seen = []
    for _ in range(25):
        server.issue("A")
        page.wait_for_timeout(100)
        seen.append(page.evaluate(waiting))
    assert seen[12] >= 5, f"counts shown while tickets kept coming: {seen}"
    page.wait_for_function(f"{waiting} === 25")


def test_a_tap_that_straddles_a_refresh_still_issues_the_ticket(server, page_factory):
    # In a busy office the list refreshes several times a second (every fact in the office). A resident's
    # finger is down for a tenth of a second or more: a refresh between the finger going down and coming up
    # must not swallow the tap, so the cards are updated in place, never replaced.
    page = open_kiosk(server, page_factory, 1080, 1920, "?return=30")
    page.wait_for_selector("#services button.svc")
    page.evaluate("window.firstCard = document.querySelector('#services button.svc')")
    server.issue("A")  # the count on the card changes, so the refresh has something to write
    box = page.locator("#services button.svc >> nth=0").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.evaluate("ptspKiosk.refresh()")  # resolves once the new state is drawn
    assert "Menunggu: 1" in page.inner_text("#services .svc >> nth=0")
    assert page.evaluate("window.firstCard === document.querySelector('#services button.svc')"), "card replaced"
    page.mouse.up()
    page.wait_for_selector("#ticket:not([hidden])", timeout=5000)
    assert page.inner_text("#t-code") == "A-002"
