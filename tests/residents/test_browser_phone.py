"""Chromium end to end: a phone takes a ticket at /ambil/<office> and lands on its status page; the status page's
"Beri tahu saya" as far as headless Chromium's push support allows; the door poster.

What headless Chromium cannot show: it has no push service (Chromium's push goes through Google's FCM, which a
headless browser without Google API keys and without network cannot reach), so `pushManager.subscribe` is
refused. The test checks that the page registers the service worker, asks for the permission, and says so
readably when the subscription is refused or the permission is denied, with the page still working. Delivery and
its signature are tested against a loopback push service in test_notifiers.py and test_alerts.py.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import LiveServer, PageSession

pytestmark = pytest.mark.browser

PHONE = (390, 844)


@pytest.fixture
def live(tmp_path, server_template) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path, server_template)
    with sqlite3.connect(tmp_path / "server.db") as db:
        db.execute("UPDATE offices SET phone_tickets = 1, alert_webhook_url = 'http://127.0.0.1:9/wa' "
                   "WHERE slug = 'kel-test'")
    server.start()
    yield server
    server.stop()


def rows(live: LiveServer, sql: str) -> list[tuple]:
    with sqlite3.connect(live.tmp_path / "server.db") as db:
        return db.execute(sql).fetchall()


def test_a_phone_takes_a_ticket_and_lands_on_its_status_page(live, page_factory, shot):
    page = page_factory(*PHONE)
    page.goto(f"{live.base}/ambil/kel-test")
    assert page.locator("#state").get_attribute("data-state") == "open"
    shot(page, "phone-ticket-390x844", full_page=True)
    page.locator(".service", has_text="Perizinan").locator("button.take").click()
    page.wait_for_url("**/t/*")
    code = page.locator("#code").inner_text()
    assert code == "B-001"
    page.wait_for_function("document.querySelector('#panel h1') !== null")
    assert page.locator("#notify").is_visible()
    shot(page, "phone-status-390x844", full_page=True)
    assert rows(live, "SELECT code, source FROM tickets") == [("B-001", "phone")]
    page.goto(f"{live.base}/ambil/kel-test")
    assert "B-001" in page.locator("#mine").inner_text()
    page.locator(".service", has_text="Perizinan").locator("button.take").click()
    assert "B-001" in page.locator("#error").inner_text()  # one live ticket per phone and service
    assert len(rows(live, "SELECT id FROM tickets")) == 1
    for size in ((1366, 768), (1920, 1080)):
        wide = page_factory(*size)
        wide.goto(f"{live.base}/ambil/kel-test")
        shot(wide, f"phone-ticket-{size[0]}x{size[1]}")


def test_search_narrows_the_list_and_says_when_nothing_matches(live, page_factory):
    with sqlite3.connect(live.tmp_path / "server.db") as db:  # a larger catalogue, as in an MPP
        office = db.execute("SELECT id FROM offices WHERE slug = 'kel-test'").fetchone()[0]
        for n in range(8):
            db.execute("INSERT INTO services (office_id, prefix, name_id, name_en, standard_minutes, active, "
                       "fee_rupiah, requirements) VALUES (?, ?, ?, ?, 10, 1, 0, '[]')",
                       (office, f"S{n}", f"Layanan uji {n}", f"Test service {n}"))
    page = page_factory(*PHONE)
    page.goto(f"{live.base}/ambil/kel-test")
    page.fill("#search", "perizinan")
    assert page.locator(".service:visible").count() == 1
    page.fill("#search", "tidak ada yang cocok")
    assert page.locator(".service:visible").count() == 0 and page.locator("#no-match").is_visible()


def test_the_status_page_subscribes_as_far_as_headless_chromium_allows(live, page_factory, browser, shot):
    ticket = live.issue("A")
    url = ticket["status_url"]
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, locale="id-ID")
    try:
        context.grant_permissions(["notifications"], origin=live.base)
        page = context.new_page()
        page.goto(url)
        page.click("#notify")
        deadline_state = None
        for _ in range(100):
            deadline_state = page.evaluate("window.ptspAlerts && {...window.ptspAlerts}")
            if deadline_state and (deadline_state["subscribed"] or deadline_state["error"]):
                break
            page.wait_for_timeout(100)
        registered = page.evaluate("navigator.serviceWorker.getRegistration('/t/').then(r => !!r && r.scope)")
        assert registered == f"{live.base}/t/"
        assert deadline_state["registered"] is True and deadline_state["permission"] == "granted"
        if deadline_state["subscribed"]:  # a Chromium with a push service: the server keeps the subscription
            assert len(rows(live, "SELECT id FROM alert_subscriptions WHERE channel = 'webpush'")) == 1
        else:  # headless Chromium: no push service; the page says so and keeps working
            print("push subscription refused by this Chromium:", deadline_state["error"])
            assert page.locator("#notify-state").get_attribute("class") == "notify-state bad"
            assert "Biarkan halaman ini terbuka" in page.locator("#notify-state").inner_text()
            assert rows(live, "SELECT id FROM alert_subscriptions") == []
        shot(page, "status-alerts-390x844", full_page=True)

        page.click("#phone-send")  # no consent yet
        assert "persetujuan" in page.locator("#phone-state").inner_text()
        page.fill("#phone", "0812 3456 7890")
        page.check("#consent")
        page.click("#phone-send")
        page.wait_for_selector("#phone-state:has-text('Nomor disimpan')")
        assert rows(live, "SELECT phone FROM alert_subscriptions WHERE channel = 'webhook'") == [("+6281234567890",)]
        assert page.locator("#phone").input_value() == ""
        shot(page, "status-alerts-phone-390x844", full_page=True)
    finally:
        context.close()


def test_a_denied_permission_is_said_plainly(live, page_factory):
    ticket = live.issue("A")
    page = page_factory(*PHONE)  # no permission granted: headless Chromium denies the prompt
    page.goto(ticket["status_url"])
    page.click("#notify")
    page.wait_for_selector("#notify-state.bad")
    text = page.locator("#notify-state").inner_text()
    assert "ditolak" in text or "Biarkan halaman ini terbuka" in text
    assert rows(live, "SELECT id FROM alert_subscriptions") == []
    assert page.locator("#code").inner_text() == ticket["code"]


def test_the_door_poster_prints_the_qr_of_the_phone_page(live, page_factory, shot):
    session = PageSession()
    assert session.post(f"{live.base}/api/v1/auth/login", json={"username": "sup", "password": "password-s"},
                        timeout=5).status_code == 200
    index = session.get(f"{live.base}/manager/", timeout=5).text
    assert 'href="/manager/poster/kel-test"' in index  # the offices list links the poster of an office offering it
    answer = session.get(f"{live.base}/manager/poster/kel-test", timeout=5)
    assert answer.status_code == 200 and f"{live.base}/ambil/kel-test" in answer.text and "<svg" in answer.text
    assert session.get(f"{live.base}/manager/poster/kel-lain", timeout=5).status_code == 404  # not this manager's
    assert requests.get(f"{live.base}/manager/poster/kel-test", timeout=5, allow_redirects=False).status_code == 302
    for size in ((1366, 768), (1920, 1080)):
        page = page_factory(*size)
        page.context.add_cookies([{"name": c.name, "value": c.value, "url": live.base} for c in session.cookies])
        page.goto(f"{live.base}/manager/poster/kel-test")
        shot(page, f"poster-{size[0]}x{size[1]}", full_page=True)
    page.pdf(path=str(live.tmp_path / "poster.pdf"), format="A4")
