"""Headless Chromium against a real `ptsp run`: rate a ticket, file a complaint, handle it, confirm points."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import PageSession, pair_page


def staff(server, username: str, password: str) -> requests.Session:
    session = PageSession()
    response = session.post(f"{server.base}/api/v1/auth/login", json={"username": username, "password": password},
                            timeout=5)
    assert response.status_code == 200, response.text
    return session


def serve_one(server) -> dict:
    """Clerk 1 serves one ticket in seconds: far under the standard, so its points are held."""
    clerk = staff(server, "clerk1", "password-1")
    office = server.kiosk_get("/offices")[0]["id"]
    counter = next(c for c in server.kiosk_get(f"/offices/{office}/queue")["counters"] if c["number"] == 1)
    assert clerk.post(f"{server.base}/api/v1/counters/{counter['id']}/open", timeout=5).status_code == 200
    ticket = server.issue("A")
    called = clerk.post(f"{server.base}/api/v1/counters/{counter['id']}/call-next", timeout=5).json()["ticket"]
    assert called["id"] == ticket["id"]
    for verb, body in (("start", None), ("complete", {"outcome": "selesai"})):
        response = clerk.post(f"{server.base}/api/v1/tickets/{ticket['id']}/{verb}", json=body, timeout=5)
        assert response.status_code == 200, response.text
    return ticket


def manager_login(page, server, username="manager", password="password-m") -> None:
    page.goto(f"{server.base}/manager/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.fixture
def served(server):
    return serve_one(server)


def test_resident_rates_and_complains_and_the_office_handles_it(server, page_factory, served, shot):
    token = served["status_url"].rsplit("/", 1)[1]
    resident = page_factory(412, 915)
    resident.goto(f"{server.base}/t/{token}/nilai")
    resident.click("label.face-4")
    resident.click("details.skm summary")
    for i in range(1, 10):
        resident.check(f"input[name=u{i}][value='{4 if i % 2 else 3}']")
    resident.fill("textarea[name=complaint]", "Ruang tunggu panas, mohon kipas angin")
    shot(resident, "rate-filled", full_page=True)
    resident.click("button[type=submit]")
    resident.wait_for_selector("text=Terima kasih atas penilaian Anda!")
    shot(resident, "rate-thanks", full_page=True)
    resident.goto(f"{server.base}/t/{token}/nilai")
    assert resident.locator("form.rate").count() == 0  # one rating per ticket

    manager = page_factory()
    manager_login(manager, server)
    manager.goto(f"{server.base}/manager/complaints")
    row = manager.locator("tr[data-complaint]", has_text="Ruang tunggu panas")
    assert "Diterima" in row.inner_text() and manager.locator("a[href='https://www.lapor.go.id']").count() == 1
    row.locator("input.note").fill("Dicek ke ruang tunggu")
    row.locator("button[data-move=verifying]").click()
    manager.wait_for_selector("tr[data-complaint] button[data-move=handling]")
    assert "Dicek ke ruang tunggu" in manager.locator("tr[data-complaint]").inner_text()
    shot(manager, "complaints", full_page=True)

    manager.goto(f"{server.base}/manager/ikm?group=counter")
    ikm_row = manager.locator("#ikm tbody tr").first
    assert "Loket 1" in ikm_row.inner_text() and "(1)" in ikm_row.inner_text()
    assert "88.89" in ikm_row.inner_text()  # five 4s and four 3s: (5x4 + 4x3) / 9 x 25 = 88.89, grade A
    shot(manager, "ikm", full_page=True)


def test_supervisor_confirms_held_points_on_the_leaderboard_and_the_chart_is_drawn(server, page_factory, served, shot):
    page = page_factory()
    manager_login(page, server, "sup", "password-s")
    page.goto(f"{server.base}/manager/leaderboard")
    page.wait_for_function("window.Chart && Chart.getChart(document.getElementById('trend'))")
    assert page.evaluate("Chart.getChart(document.getElementById('trend')).data.datasets.length") == 1
    hold = page.locator("#holds tr[data-ticket]", has_text=served["code"])
    assert "menunggu konfirmasi supervisor" in hold.inner_text()
    hold.locator("button[data-decide=confirm]").click()
    page.wait_for_selector("#holds .result.ok")
    assert "dilepas" in hold.locator(".result").inner_text()  # the page's words, not the ledger's kind
    page.reload()
    assert "Clerk Satu" in page.locator("#unranked").inner_text()  # one transaction: listed, not ranked
    assert page.locator("#holds tr[data-ticket]").count() == 0
    shot(page, "leaderboard", full_page=True)


def test_clerk_is_refused_the_manager_pages_in_the_browser(server, page_factory):
    page = page_factory()
    manager_login(page, server, "clerk1", "password-1")
    assert page.locator("[role=alert]").count() == 1
    response = page.goto(f"{server.base}/manager/leaderboard")
    assert page.url.startswith(f"{server.base}/manager/login")
    assert response.status == 200


def test_counter_tablet_shows_the_last_ticket_and_takes_its_rating(server, page_factory, served, shot):
    token = server.cli("device", "add", "--office", "kel-test", "--kind", "tablet", "--name", "tablet-1")
    page = page_factory(1024, 768)
    pair_page(page, server.base, "/feedback/tablet?counter=1", token)
    assert served["code"] in page.locator(".ticket").inner_text()
    shot(page, "tablet", full_page=True)
    page.click("label.face-3")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Terima kasih atas penilaian Anda!")
    assert page.locator("form.rate").count() == 0
