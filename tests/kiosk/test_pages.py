"""Kiosk and status pages over HTTP: who may open them, open and closed states, bad input, wrong tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from ptsp.models import Office, Service
from tests.conftest import bearer, login, pair
from tests.kiosk.conftest import issue, jobs, ticket_count, use_printer


def kiosk_state(client, world) -> dict:
    response = client.get("/kiosk/state", headers=bearer(world.kiosk))
    assert response.status_code == 200
    return response.get_json()


def test_kiosk_page_needs_a_paired_kiosk(client, world):
    assert client.get("/kiosk/").status_code == 401
    assert "belum terdaftar" in client.get("/kiosk/").get_data(as_text=True)
    pair(client, world.display, "display")
    assert client.get("/kiosk/").status_code == 401  # a display's cookie is no kiosk's
    pair(client, world.kiosk, "kiosk")
    page = client.get("/kiosk/")
    assert page.status_code == 200
    assert "Silakan pilih layanan" in page.get_data(as_text=True)
    assert client.get("/kiosk/state").status_code == 200  # the cookie answers for the page's fetches
    assert client.get("/kiosk/state", headers=bearer(world.display)).status_code == 403
    client.delete_cookie("ptsp_device_kiosk")
    assert client.get("/kiosk/state").get_json()["error"] == "unauthorized"


def test_kiosk_lists_open_services_with_waiting_and_quota(client, world):
    issue(client, world, "B")
    issue(client, world, "B")
    state = kiosk_state(client, world)
    assert state["state"] == "open"
    assert state["office"]["name"] == "Kelurahan Uji" and state["office"]["local_time"] == "09:00"
    services = {s["prefix"]: s for s in state["services"]}
    assert set(services) == {"A", "B", "C"}
    assert (services["B"]["waiting"], services["B"]["quota_left"], services["B"]["available"]) == (2, 3, True)
    assert (services["A"]["waiting"], services["A"]["quota_left"]) == (0, None)
    assert state["printer"] is None


def test_quota_reached_service_is_shown_unavailable(client, world):
    for _ in range(5):
        assert issue(client, world, "B").status_code == 201
    refused = issue(client, world, "B", path="/kiosk/issue")
    assert refused.status_code == 409 and refused.get_json()["error"] == "quota_reached"
    b = next(s for s in kiosk_state(client, world)["services"] if s["prefix"] == "B")
    assert (b["available"], b["quota_left"]) == (False, 0)


def test_inactive_service_is_not_listed(app, client, world):
    with app.extensions["ptsp.sessions"]() as session:
        session.execute(update(Service).where(Service.id == world.services["C"]).values(active=False))
        session.commit()
    assert [s["prefix"] for s in kiosk_state(client, world)["services"]] == ["A", "B"]


@pytest.mark.parametrize(("advance", "expected"), [
    ({"hours": -2}, "closed"),  # 07:00, before opening
    ({"hours": 6, "minutes": 40}, "cutoff"),  # 15:40, past the 15:30 last ticket
    ({"hours": 7, "minutes": 30}, "closed"),  # 16:30, after closing
    ({"days": 5}, "closed"),  # Saturday
    ({"hours": 3, "minutes": 30}, "open"),  # 12:30, a break: tickets are still taken
])
def test_kiosk_says_when_it_is_closed(client, world, clock, advance, expected):
    clock.advance(**advance)
    state = kiosk_state(client, world)
    assert state["state"] == expected
    response = issue(client, world, "A", path="/kiosk/issue")
    if expected == "open":
        assert response.status_code == 201
    else:
        assert response.status_code == 409 and response.get_json()["error"] == "office_closed"
    if expected == "cutoff":
        assert (state["last_ticket_at"], state["closes_at"]) == ("15:30", "16:00")


def test_kiosk_issue_shows_the_ticket_with_its_qr_and_print_outcome(app, client, world):
    use_printer(app, world, "preview")
    response = issue(client, world, "A", priority="pregnant", path="/kiosk/issue")
    assert response.status_code == 201
    body = response.get_json()
    assert body["ticket"]["code"] == "A-001" and body["ticket"]["priority"] == "pregnant"
    assert body["people_ahead"] == 0 and body["service_name"] == {"id": "KTP", "en": "ID card"}
    assert "qr_svg" not in body and "/t/" in body["status_url"]  # the screen draws its QR from this link
    assert body["print"]["status"] == "printed"
    pair(client, world.kiosk, "kiosk")
    preview = client.get("/kiosk/preview").get_data(as_text=True)
    assert "A-001" in preview and "Prioritas: Ibu hamil" in preview and "<svg" in preview
    assert app.extensions["ptsp.printers"]["preview"].jobs()  # the bytes went to the preview printer


@pytest.mark.parametrize(("body", "status", "error"), [
    ({"office": 0, "service": 1}, 422, "invalid_input"),
    ({"office": "1", "service": 1}, 422, "invalid_input"),
    ({"service": 1}, 422, "invalid_input"),
    ({"office": 1, "service": 1, "priority": "vip"}, 422, "invalid_input"),
    ({"office": 1, "service": 1, "name": "Budi"}, 422, "invalid_input"),  # no personal data accepted
])
def test_bad_kiosk_issue_is_refused_and_changes_nothing(app, client, world, body, status, error):
    use_printer(app, world, "preview")
    response = client.post("/kiosk/issue", json=body, headers=bearer(world.kiosk))
    assert response.status_code == status
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert (ticket_count(app), jobs(app)) == (0, [])


def test_kiosk_issue_refuses_other_offices_and_broken_json(app, client, world):
    other = client.post("/kiosk/issue", json={"office": world.other_office, "service": world.other_service},
                        headers=bearer(world.kiosk))
    assert other.status_code == 403
    assert other.get_json() == {"error": "forbidden",
                                "message": "Kios ini hanya untuk kantornya sendiri"}
    broken = client.post("/kiosk/issue", data="{", content_type="application/json", headers=bearer(world.kiosk))
    assert broken.status_code == 400 and broken.get_json()["error"] == "malformed_json"
    assert ticket_count(app) == 0


def test_status_page_for_unknown_token_is_a_clear_404_page(client):
    for token in ("nope", "x" * 65, "%00"):
        page = client.get(f"/t/{token}")
        assert page.status_code == 404
        text = page.get_data(as_text=True)
        assert "Tiket tidak ditemukan" in text and "Ticket not found" not in text and "Traceback" not in text
    assert "Ticket not found" in client.get("/t/nope?lang=en").get_data(as_text=True)
    assert client.get("/t/nope/state").get_json() == {
        "error": "not_found", "message": "Tiket tidak ditemukan; periksa kode QR Anda"}
    assert client.get("/t/nope/state?lang=en").get_json()["message"] == "Ticket not found; check your QR code"


def test_status_page_shows_place_and_after_service_links_to_rating(app, client, world, clock):
    first = issue(client, world, "A").get_json()
    second = issue(client, world, "A").get_json()
    token = second["status_url"].rsplit("/", 1)[1]
    page = client.get(f"/t/{token}")
    assert page.status_code == 200 and "A-002" in page.get_data(as_text=True)
    state = client.get(f"/t/{token}/state").get_json()
    assert (state["status"], state["position"], state["people_ahead"]) == ("waiting", 2, 1)
    assert state["rating_url"] == f"/t/{token}/nilai"
    assert "public_token" not in state and first["id"] != state["id"]

    login(client, "clerk1")
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    client.post(f"/api/v1/tickets/{first['id']}/complete", json={})
    client.post(f"/api/v1/tickets/{first['id']}/start")
    client.post(f"/api/v1/tickets/{first['id']}/complete", json={})
    client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    called = client.get(f"/t/{token}/state").get_json()
    assert (called["status"], called["counter_number"]) == ("called", 1)


def test_status_page_of_an_expired_ticket_says_so(app, client, world, clock):
    ticket = issue(client, world, "A").get_json()
    token = ticket["status_url"].rsplit("/", 1)[1]
    clock.advance(days=1)
    from ptsp.services import tickets
    from ptsp.services.actors import SYSTEM

    with app.extensions["ptsp.sessions"]() as session:
        assert tickets.expire(session, office_id=world.office, actor=SYSTEM, now=clock()) == 1
        session.commit()
    page = client.get(f"/t/{token}")
    assert page.status_code == 200
    assert client.get(f"/t/{token}/state").get_json()["status"] == "expired"
    assert 'data-status="expired"' in page.get_data(as_text=True)


def test_office_without_hours_today_is_closed(app, client, world):
    with app.extensions["ptsp.sessions"]() as session:
        session.execute(update(Office).where(Office.id == world.office).values(hours={}))
        session.commit()
    state = kiosk_state(client, world)
    assert (state["state"], state["opens_at"]) == ("closed", None)


def test_failed_print_still_gives_the_kiosk_the_ticket_and_its_qr_to_photograph(app, client, world):
    from tests.conftest import free_port

    use_printer(app, world, f"network:127.0.0.1:{free_port()}")
    response = issue(client, world, "A", path="/kiosk/issue")
    assert response.status_code == 201
    body = response.get_json()
    assert body["print"]["status"] == "failed" and "refused" in body["print"]["last_error"]
    assert body["ticket"]["code"] == "A-001" and body["status_url"]  # the screen draws its QR from this
    assert ticket_count(app) == 1
