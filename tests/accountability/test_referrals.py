"""Referrals to departments: the 1x24-hour response rule (across midnight, in WITA), progress, ranking, REST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ptsp.analytics.referrals import list_referrals, quarterly_ranking
from ptsp.domain.errors import InvalidTransition
from ptsp.domain.referrals import Quarter, breached
from ptsp.models import Office, Referral, ReferralEvent, TicketEvent
from ptsp.services.actors import Actor
from ptsp.services.referrals import add_department, refer, report_progress
from tests.accountability.history import History
from tests.conftest import bearer, login


def peek(db, statement):
    """Read one value and end the transaction, so the app's own requests are not locked out (SQLite)."""
    value = db.scalar(statement)
    db.rollback()
    return value


def office(db, slug: str) -> Office:
    return db.scalar(select(Office).where(Office.slug == slug))


def clerk(history: History, username: str) -> Actor:
    staff = history.staff(username)
    return Actor("staff", staff.id, staff.role, staff.office_id)


@pytest.fixture
def dinas(db, clock):
    """Two departments of the kecamatan (open to its kelurahan) and one of the WITA office."""
    made = {}
    for slug, where in (("dukcapil", "kec-test"), ("pu", "kec-test"), ("dinsos-lain", "kel-lain")):
        made[slug] = add_department(db, office=office(db, where), slug=slug, name=slug.upper(), now=clock())
    db.commit()
    return made


def served_ticket(client, world, clock) -> dict:
    """Issue a ticket at the kiosk and have clerk1 call and start it at counter 1, through the API."""
    ticket = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"]},
                         headers=bearer(world.kiosk)).get_json()
    login(client, "clerk1")
    counter = world.counters[1]
    assert client.post(f"/api/v1/counters/{counter}/open", json={}).status_code == 200
    assert client.post(f"/api/v1/counters/{counter}/call-next", json={}).status_code == 200
    assert client.post(f"/api/v1/tickets/{ticket['id']}/start", json={}).status_code == 200
    return ticket


def test_clerk_refers_a_case_and_the_department_reports_progress_with_its_token(client, world, clock, db, dinas):
    ticket = served_ticket(client, world, clock)
    departments = client.get("/api/v1/departments").get_json()
    assert {d["slug"] for d in departments} == {"dukcapil", "pu"}  # not the other region's
    dept, token = dinas["dukcapil"]
    response = client.post("/api/v1/referrals", json={"ticket": ticket["id"], "department": dept.id,
                                                      "note": "Data NIK ganda, perlu verifikasi"})
    assert response.status_code == 201, response.get_json()
    referral = response.get_json()
    assert referral["status"] == "referred"
    assert datetime.fromisoformat(referral["due_at"]) == clock() + timedelta(hours=24)
    assert peek(db, select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket["id"],
                                                    TicketEvent.kind == "referred")) == "referred"
    client.post("/api/v1/auth/logout")
    clock.advance(hours=3)
    steps = ["received", "verification", "in_progress", "done"]  # field check skipped: allowed
    for step in steps:
        answer = client.post(f"/api/v1/referrals/{referral['id']}/progress", json={"status": step},
                             headers=bearer(token))
        assert answer.status_code == 200, answer.get_json()
        clock.advance(hours=1)
    final = answer.get_json()
    assert [e["status"] for e in final["events"]] == ["referred", *steps]
    assert final["response_hours"] == 3.0 and final["breached"] is False and final["closed_at"]
    again = client.post(f"/api/v1/referrals/{referral['id']}/progress", json={"status": "done"},
                        headers=bearer(token))
    assert again.status_code == 409 and again.get_json()["error"] == "invalid_transition"
    mine = client.get("/api/v1/department/referrals", headers=bearer(token)).get_json()
    assert [r["id"] for r in mine["referrals"]] == [referral["id"]]


def test_another_departments_token_cannot_see_or_move_a_referral(client, world, clock, db, dinas):
    ticket = served_ticket(client, world, clock)
    dept, _token = dinas["dukcapil"]
    referral = client.post("/api/v1/referrals", json={"ticket": ticket["id"], "department": dept.id,
                                                      "note": "x"}).get_json()
    client.post("/api/v1/auth/logout")
    _other, other_token = dinas["pu"]
    for response in (
        client.get(f"/api/v1/referrals/{referral['id']}", headers=bearer(other_token)),
        client.post(f"/api/v1/referrals/{referral['id']}/progress", json={"status": "received"},
                    headers=bearer(other_token)),
    ):
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    anonymous = client.post(f"/api/v1/referrals/{referral['id']}/progress", json={"status": "received"})
    assert anonymous.status_code == 401
    kiosk = client.post(f"/api/v1/referrals/{referral['id']}/progress", json={"status": "received"},
                        headers=bearer(world.kiosk))
    assert kiosk.status_code == 401
    assert peek(db, select(Referral.status)) == "referred"


def test_first_report_must_acknowledge_and_progress_only_moves_forward(db, dinas, history, clock):
    ticket = history.ticket("A", "09:00", ("called", "09:05", 1))
    dept, _ = dinas["dukcapil"]
    referral = refer(db, ticket_id=ticket.id, department_id=dept.id, note="n", actor=clerk(history, "clerk1"),
                     now=clock())
    with pytest.raises(InvalidTransition):
        report_progress(db, referral_id=referral.id, status="in_progress", note=None, department=dept, now=clock())
    report_progress(db, referral_id=referral.id, status="received", note=None, department=dept, now=clock())
    report_progress(db, referral_id=referral.id, status="field_check", note=None, department=dept, now=clock())
    with pytest.raises(InvalidTransition):
        report_progress(db, referral_id=referral.id, status="verification", note=None, department=dept, now=clock())


def _wita_referral(db, dinas, when: datetime) -> Referral:
    lain = History(db, "kel-lain", day=date(2026, 11, 23))
    ticket = lain.ticket("A", "23:00", ("called", "23:10", 1))
    dept, _ = dinas["dinsos-lain"]
    return refer(db, ticket_id=ticket.id, department_id=dept.id, note="kasus", actor=clerk(lain, "other"), now=when)


@pytest.mark.parametrize(("answered", "late"), [("23:29", False), ("23:30", False), ("23:31", True)])
def test_response_deadline_runs_24_clock_hours_across_midnight_in_wita(db, dinas, answered, late):
    lain = History(db, "kel-lain")
    referred = lain.at("23:30")  # Monday 23:30 WITA = 15:30 UTC
    referral = _wita_referral(db, dinas, referred)
    assert referral.due_at == lain.at("23:30", date(2026, 11, 24))
    reply = lain.at(answered, date(2026, 11, 24))
    report_progress(db, referral_id=referral.id, status="received", note=None, department=dinas["dinsos-lain"][0],
                    now=reply)
    db.commit()
    assert breached(referral.due_at, referral.responded_at, reply + timedelta(days=5)) is late
    listed = list_referrals(db, None, reply + timedelta(days=5), breached_only=True)
    assert [r["id"] for r in listed] == ([referral.id] if late else [])


def test_unanswered_referral_becomes_a_breach_the_minute_after_its_deadline(db, dinas):
    lain = History(db, "kel-lain")
    referral = _wita_referral(db, dinas, lain.at("23:30"))
    db.commit()
    just_before = lain.at("23:29", date(2026, 11, 24))
    after = lain.at("23:31", date(2026, 11, 24))
    assert list_referrals(db, None, just_before, breached_only=True) == []
    overdue = list_referrals(db, None, after, breached_only=True)
    assert [(r["id"], r["overdue_open"]) for r in overdue] == [(referral.id, True)]


def test_quarterly_ranking_orders_departments_by_breach_rate_then_response_time(db, dinas, history):
    fast, slow = dinas["dukcapil"][0], dinas["pu"][0]
    day = date(2026, 10, 5)
    actor = clerk(history, "clerk1")
    for i, (dept, hours) in enumerate([(fast, 2), (fast, 4), (slow, 1), (slow, 30)]):
        ticket = history.ticket("A", "09:00", ("called", "09:05", 1), day=day + timedelta(days=i))
        start = history.at("10:00", day + timedelta(days=i))
        referral = refer(db, ticket_id=ticket.id, department_id=dept.id, note="n", actor=actor, now=start)
        report_progress(db, referral_id=referral.id, status="received", note=None, department=dept,
                        now=start + timedelta(hours=hours))
    db.commit()
    ranking = quarterly_ranking(db, None, Quarter(2026, 4), datetime(2026, 12, 1, tzinfo=UTC))
    assert [(r["department_name"], r["referrals"], r["breaches"], r["breach_rate"], r["median_response_hours"])
            for r in ranking] == [("DUKCAPIL", 2, 0, 0.0, 3.0), ("PU", 2, 1, 0.5, 15.5)]
    assert quarterly_ranking(db, None, Quarter(2026, 3), datetime(2026, 12, 1, tzinfo=UTC)) == []


def test_a_referral_at_half_past_midnight_wita_on_1_october_counts_in_the_fourth_quarter(db, dinas):
    lain = History(db, "kel-lain", day=date(2026, 10, 1))
    ticket = lain.ticket("A", "00:10", ("called", "00:20", 1))
    dept = dinas["dinsos-lain"][0]
    when = lain.at("00:30")
    assert when.astimezone(UTC).date() == date(2026, 9, 30)
    refer(db, ticket_id=ticket.id, department_id=dept.id, note="n", actor=clerk(lain, "other"), now=when)
    db.commit()
    later = datetime(2027, 1, 5, tzinfo=UTC)
    assert [r["referrals"] for r in quarterly_ranking(db, None, Quarter(2026, 4), later)] == [1]
    assert quarterly_ranking(db, None, Quarter(2026, 3), later) == []
    assert quarterly_ranking(db, {dept.office_id + 100}, Quarter(2026, 4), later) == []  # out of scope


@pytest.mark.parametrize(("body", "status", "error"), [
    ({"department": 1, "note": "x"}, 422, "invalid_input"),
    ({"ticket": "1", "department": 1, "note": "x"}, 422, "invalid_input"),
    ({"ticket": 1, "department": 1, "note": ""}, 422, "invalid_input"),
    ({"ticket": 1, "department": 1, "note": "x", "extra": 1}, 422, "invalid_input"),
    ({"ticket": 999999, "department": 1, "note": "x"}, 404, "not_found"),
    ({"ticket": 1, "department": 3, "note": "x"}, 422, "invalid_input"),  # another region's department
    ({"ticket": 1, "department": 999, "note": "x"}, 422, "invalid_input"),
])
def test_bad_referral_is_refused_with_json_and_changes_nothing(client, world, clock, db, dinas, body, status, error):
    ticket = served_ticket(client, world, clock)
    body = {k: (ticket["id"] if k == "ticket" and v == 1 else v) for k, v in body.items()}
    if body.get("department") == 1:
        body["department"] = dinas["dukcapil"][0].id
    elif body.get("department") == 3:
        body["department"] = dinas["dinsos-lain"][0].id
    before = peek(db, select(func.count()).select_from(TicketEvent))
    response = client.post("/api/v1/referrals", json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert peek(db, select(func.count()).select_from(Referral)) == 0
    assert peek(db, select(func.count()).select_from(ReferralEvent)) == 0
    assert peek(db, select(func.count()).select_from(TicketEvent)) == before


def test_waiting_ticket_malformed_json_and_other_office_are_refused(client, world, clock, db, dinas):
    waiting = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["B"]},
                          headers=bearer(world.kiosk)).get_json()
    dept = dinas["dukcapil"][0].id
    login(client, "clerk1")
    response = client.post("/api/v1/referrals", json={"ticket": waiting["id"], "department": dept, "note": "x"})
    assert response.status_code == 409 and response.get_json()["error"] == "invalid_transition"
    broken = client.post("/api/v1/referrals", data="{", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["error"] == "malformed_json"
    client.post("/api/v1/auth/logout")
    login(client, "other")
    response = client.post("/api/v1/referrals", json={"ticket": waiting["id"], "department": dept, "note": "x"})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert peek(db, select(func.count()).select_from(Referral)) == 0


@pytest.mark.parametrize("query", ["office=abc", "office=0", "status=lost", "breached=maybe", "department=-1"])
def test_bad_list_filters_are_refused(client, world, query):
    login(client, "sup")
    response = client.get(f"/api/v1/referrals?{query}")
    assert response.status_code == 422 and set(response.get_json()) == {"error", "message"}


def test_bad_progress_body_and_bad_quarter_are_refused(client, world, clock, db, dinas):
    ticket = served_ticket(client, world, clock)
    dept, token = dinas["dukcapil"]
    referral = client.post("/api/v1/referrals", json={"ticket": ticket["id"], "department": dept.id,
                                                      "note": "x"}).get_json()
    bad = client.post(f"/api/v1/referrals/{referral['id']}/progress", json={"status": "lost"}, headers=bearer(token))
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_input"
    assert client.get("/api/v1/referrals/ranking?quarter=2026Q5").status_code == 422
    assert peek(db, select(Referral.status)) == "referred"
    assert peek(db, select(func.count()).select_from(ReferralEvent)) == 1
