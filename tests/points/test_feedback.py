"""Rating page, counter tablet and complaints through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ptsp.models import Complaint, ComplaintEvent, PointsLedgerEntry, Rating
from ptsp.services.accounts import make_device_token
from tests.conftest import login, pair
from tests.points.helpers import Office

ALL_NINE = {f"u{i}": str(1 + i % 4) for i in range(1, 10)}


def counts(app) -> tuple[int, int, int, int]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))
                     for model in (Rating, Complaint, ComplaintEvent, PointsLedgerEntry))


@pytest.fixture
def office(app, world, clock):
    return Office(app, world, clock)


@pytest.fixture
def served(office):
    desk = office.desk("clerk1", 1)
    office.issue("A")
    return desk.serve(8)


def test_rating_page_records_one_rating_with_the_nine_elements_and_no_personal_data(app, office, served):
    page = app.test_client().get(f"/t/{office.tokens[served['id']]}/nilai")
    assert page.status_code == 200 and 'name="quick"' in page.get_data(as_text=True)
    assert "lapor.go.id" in page.get_data(as_text=True)
    response = office.rate(served, 3, **ALL_NINE)
    assert response.status_code == 303 and response.headers["Location"].endswith("/nilai?ok=1")
    with app.extensions["ptsp.read_sessions"]() as session:
        rating = session.scalar(select(Rating))
        assert (rating.quick, rating.u1, rating.u9, rating.channel) == (3, 2, 2, "status_page")
        assert rating.counter_id == office.world.counters[1] and rating.staff_id is not None
        assert set(Rating.__table__.columns.keys()) >= {"u1", "u9"}
        assert not {"name", "phone", "email", "nik"} & set(Rating.__table__.columns.keys())
    thanks = app.test_client().get(f"/t/{office.tokens[served['id']]}/nilai?ok=1").get_data(as_text=True)
    assert "Terima kasih" in thanks and 'name="quick"' not in thanks


def test_second_rating_of_a_ticket_is_refused_and_changes_nothing(app, office, served):
    assert office.rate(served, 4).status_code == 303
    before = counts(app)
    again = office.rate(served, 1, complaint="lagi")
    assert again.status_code == 409 and "sudah dinilai" in again.get_data(as_text=True)
    assert counts(app) == before


def test_rating_before_the_service_is_done_is_refused(app, office):
    waiting = office.issue("A")
    page = app.test_client().get(f"/t/{office.tokens[waiting['id']]}/nilai").get_data(as_text=True)
    assert "setelah layanan selesai" in page and 'name="quick"' not in page
    response = office.rate(waiting, 4)
    assert response.status_code == 409
    assert counts(app) == (0, 0, 0, 0)


@pytest.mark.parametrize(("form", "message"), [
    ({}, "Pilih penilaian"),
    ({"quick": "5"}, "harus 1-4"),
    ({"quick": "x"}, "harus 1-4"),
    ({"quick": "3", "u1": "4"}, "kesembilan unsur"),
    ({"quick": "3", **ALL_NINE, "u5": "0"}, "harus 1-4"),
    ({"quick": "3", "complaint": "x" * 2001}, "paling panjang"),
])
def test_bad_rating_input_is_refused_with_a_message_and_changes_nothing(app, office, served, form, message):
    before = counts(app)
    response = app.test_client().post(f"/t/{office.tokens[served['id']]}/nilai", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app) == before


def test_unknown_ticket_token_is_404(app, world):
    assert app.test_client().get("/t/nope/nilai").status_code == 404
    assert app.test_client().post("/t/nope/nilai", data={"quick": "4"}).status_code == 404


def test_complaint_from_the_rating_page_lands_in_the_office_list_with_a_24_hour_deadline(app, office, served, clock):
    office.rate(served, 1, complaint="Petugas meminta uang tambahan")
    manager = app.test_client()
    login(manager, "sup")
    [complaint] = manager.get("/api/v1/complaints").get_json()["complaints"]
    assert complaint["text"] == "Petugas meminta uang tambahan" and complaint["status"] == "received"
    assert complaint["due_at"] == (clock() + timedelta(hours=24)).isoformat()
    assert complaint["overdue"] is False and complaint["events"][0]["staff"] is None
    resident = app.test_client().get(f"/t/{office.tokens[served['id']]}/nilai").get_data(as_text=True)
    assert "Diterima" in resident and "24-11-2026 09:09 WIB" in resident  # rated at 09:09 WIB, due 24 h later
    clock.advance(hours=25)
    assert manager.get("/api/v1/complaints").get_json()["complaints"][0]["overdue"] is True


def test_complaint_moves_through_its_statuses_in_order_naming_who_and_when(app, office, served, clock):
    office.rate(served, 2, complaint="Lama sekali")
    sup = app.test_client()
    login(sup, "sup")
    cid = sup.get("/api/v1/complaints").get_json()["complaints"][0]["id"]
    for status, note in (("verifying", None), ("handling", "dicek rekaman"), ("done", "Sudah dijawab ke warga")):
        clock.advance(hours=1)
        response = sup.post(f"/api/v1/complaints/{cid}/status", json={"status": status, "note": note})
        assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [e["status"] for e in body["events"]] == ["received", "verifying", "handling", "done"]
    assert body["events"][-1]["note"] == "Sudah dijawab ke warga" and body["events"][-1]["staff"] is not None
    assert body["closed_at"] is not None and body["overdue"] is False
    resident = app.test_client().get(f"/t/{office.tokens[served['id']]}/nilai").get_data(as_text=True)
    assert f"Pengaduan Anda no. {cid}" in resident and "Sudah dijawab ke warga" in resident


@pytest.mark.parametrize(("user", "body", "status", "error"), [
    ("sup", {"status": "done", "note": "langsung"}, 409, "invalid_transition"),
    ("sup", {"status": "archived"}, 422, "invalid_input"),
    ("sup", {"status": "verifying", "extra": 1}, 422, "invalid_input"),
    ("sup", {"status": 3}, 422, "invalid_input"),
    ("clerk1", {"status": "verifying"}, 403, "forbidden"),
    ("other", {"status": "verifying"}, 403, "forbidden"),
])
def test_bad_complaint_moves_are_refused_and_change_nothing(app, office, served, user, body, status, error):
    office.rate(served, 2, complaint="Antrean kacau")
    client = app.test_client()
    login(client, user)
    with app.extensions["ptsp.read_sessions"]() as session:
        cid = session.scalar(select(Complaint.id))
    before = counts(app)
    response = client.post(f"/api/v1/complaints/{cid}/status", json=body)
    assert response.status_code == status
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert counts(app) == before


def test_closing_a_complaint_needs_the_answer(app, office, served):
    office.rate(served, 2, complaint="Antrean kacau")
    sup = app.test_client()
    login(sup, "sup")
    cid = sup.get("/api/v1/complaints").get_json()["complaints"][0]["id"]
    for status in ("verifying", "handling"):
        assert sup.post(f"/api/v1/complaints/{cid}/status", json={"status": status}).status_code == 200
    response = sup.post(f"/api/v1/complaints/{cid}/status", json={"status": "done"})
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"


def test_unknown_complaint_is_404(app, world):
    sup = app.test_client()
    login(sup, "sup")
    response = sup.post("/api/v1/complaints/99/status", json={"status": "verifying"})
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


@pytest.fixture
def tablet(app, world, clock):
    from ptsp.models import Office as OfficeRow

    with app.extensions["ptsp.sessions"]() as session:
        office = session.get(OfficeRow, world.office)
        _device, token = make_device_token(session, office=office, kind="tablet", name="tablet-1", now=clock())
        session.commit()
    return token


def test_counter_tablet_offers_the_last_completed_ticket_once(app, office, served, tablet, clock):
    client = app.test_client()
    pair(client, tablet, "tablet")
    page = client.get("/feedback/tablet?counter=1").get_data(as_text=True)
    assert served["code"] in page and 'name="quick"' in page and tablet not in page
    response = client.post("/feedback/tablet", data={"counter": "1", "ticket": str(served["id"]), "quick": "4"})
    assert response.status_code == 303 and "token" not in response.headers["Location"]
    with app.extensions["ptsp.read_sessions"]() as session:
        rating = session.scalar(select(Rating))
        assert (rating.channel, rating.quick, rating.device_id is not None) == ("tablet", 4, True)
    idle = client.get("/feedback/tablet?counter=1").get_data(as_text=True)
    assert served["code"] not in idle and 'name="quick"' not in idle


def test_counter_tablet_stops_offering_a_ticket_after_fifteen_minutes(app, office, served, tablet, clock):
    clock.advance(minutes=16)
    client = app.test_client()
    pair(client, tablet, "tablet")
    page = client.get("/feedback/tablet?counter=1").get_data(as_text=True)
    assert 'name="quick"' not in page


@pytest.mark.parametrize(("paired", "query", "status"), [
    (None, "counter=1", 401), ("kiosk", "counter=1", 401), ("tablet", "counter=9", 422), ("tablet", "counter=x", 422),
    ("tablet", "token={tablet}&counter=1", 400), (None, "token=nope&counter=1", 400)])
def test_counter_tablet_refuses_unpaired_browsers_tokens_in_urls_and_bad_counters(app, world, tablet, paired, query,
                                                                                    status):
    client = app.test_client()
    if paired:
        pair(client, {"tablet": tablet, "kiosk": world.kiosk}[paired], paired)
    answer = client.get("/feedback/tablet?" + query.format(tablet=tablet))
    assert answer.status_code == status
    if status in (400, 401):  # the pairing page says how to pair, and never echoes a token
        assert "#token=" in answer.get_data(as_text=True) and tablet not in answer.get_data(as_text=True)


def test_counter_tablet_cannot_rate_a_ticket_it_is_not_offering(app, office, served, tablet):
    office.issue("A")
    other = office.desks["clerk1"].serve(7)
    before = counts(app)
    client = app.test_client()
    pair(client, tablet, "tablet")
    response = client.post("/feedback/tablet", data={"counter": "1", "ticket": str(served["id"]), "quick": "4"})
    assert response.status_code == 422 and other["code"] in response.get_data(as_text=True)
    assert counts(app) == before
