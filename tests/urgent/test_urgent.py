"""Urgent cases (docs/urgent.md): asked by a clerk, in effect only once a supervisor signs off; then called next,
a desk ticket outside the quota and after the cut-off; refused for a neighbour's supervisor, the asker, a replay
and a closed ticket; every request and decision kept for review, and no bonus points."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from ptsp.extensions import socketio
from ptsp.models import Office as OfficeRow
from ptsp.models import PointsLedgerEntry, Service, Staff, Ticket, UrgentCase
from ptsp.services.accounts import add_staff
from tests.conftest import bearer, login
from tests.points.helpers import Office
from tests.test_agency_scope import PASSWORDS, client_of, mpp  # noqa: F401  (the fixture)


@pytest.fixture
def office(app, world, clock):
    return Office(app, world, clock)


def person(app, username: str):
    client = app.test_client()
    login(client, username, PASSWORDS.get(username))
    return client


def wib(hour: int, minute: int) -> datetime:
    """A time of the test Monday, 23 November 2026, in WIB."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=ZoneInfo("Asia/Jakarta"))


def ask(client, **body):
    return client.post("/api/v1/urgent", json={"reason": "burial", "note": "Pemakaman pukul 14.00", **body})


def decide(client, case_id: int, approve: bool = True, note: str | None = None):
    return client.post(f"/api/v1/urgent/{case_id}/decision", json={"approve": approve, "note": note})


def cases(app) -> list[UrgentCase]:
    with app.extensions["ptsp.read_sessions"]() as session:
        rows = list(session.scalars(select(UrgentCase).order_by(UrgentCase.id)))
        session.expunge_all()
        return rows


def snapshot(app) -> tuple[int, int, list]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return (session.scalar(select(func.count()).select_from(UrgentCase)),
                session.scalar(select(func.count()).select_from(Ticket)),
                list(session.execute(select(Ticket.id, Ticket.urgent_at, Ticket.status))))


def test_a_clerks_request_changes_nothing_until_a_supervisor_signs_it_off(app, office, clock):
    first, second = office.issue("A"), office.issue("A")
    clock.advance(minutes=1)
    urgent = office.issue("A")
    desk = office.desk("clerk1", 1)
    answer = ask(desk.client, ticket=urgent["id"])
    assert answer.status_code == 201, answer.get_json()
    case = answer.get_json()
    assert (case["state"], case["urgent"], case["decided_by"]) == ("pending", False, None)
    lines = desk.client.get("/counter/state").get_json()["waiting"]
    marked = {t["code"]: t["urgent"] for t in lines[str(office.world.services["A"])]}
    assert marked == {first["code"]: None, second["code"]: None, urgent["code"]: "pending"}
    assert desk.call()["id"] == first["id"]  # without a sign-off the line keeps its order
    desk.act(first, "start")
    desk.act(first, "complete", outcome="selesai")
    supervisor = person(app, "sup")
    signed = decide(supervisor, case["id"], note="Dicek: surat kematian dari RS")
    assert signed.status_code == 200, signed.get_json()
    assert (signed.get_json()["state"], signed.get_json()["urgent"]) == ("approved", True)
    assert desk.call()["id"] == urgent["id"]  # called next, ahead of the older ticket
    row = cases(app)[0]
    assert (row.requested_by, row.reason, row.decision_note) == (_id(app, "clerk1"), "burial",
                                                                  "Dicek: surat kematian dari RS")
    assert row.decided_by == _id(app, "sup") and row.decided_at == clock()


def _id(app, username: str) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalar(select(Staff.id).where(Staff.username == username))


def test_urgent_goes_ahead_of_priority_and_urgent_among_themselves_by_sign_off(app, office, clock):
    priority = app.test_client().post("/api/v1/tickets", headers=bearer(office.world.kiosk), json={
        "office": office.world.office, "service": office.world.services["A"], "priority": "elderly"}).get_json()
    early, late = office.issue("C"), office.issue("A")
    supervisor = person(app, "sup")
    assert ask(supervisor, ticket=late["id"]).get_json()["state"] == "approved"  # a supervisor's mark is the sign-off
    clock.advance(seconds=30)
    assert ask(supervisor, ticket=early["id"], reason="medical").get_json()["state"] == "approved"
    desk = office.desk("clerk1", 1)
    called = [desk.serve(3)["id"] for _ in range(3)]
    assert called == [late["id"], early["id"], priority["id"]]


def test_the_asker_a_clerk_a_replay_and_a_closed_ticket_are_refused_and_change_nothing(app, office, clock):
    ticket, other = office.issue("A"), office.issue("C")
    clerk = person(app, "clerk1")
    case = ask(clerk, ticket=ticket["id"]).get_json()
    before = snapshot(app)
    assert decide(clerk, case["id"]).status_code == 403  # a clerk signs nothing off, not even a colleague's
    assert decide(person(app, "clerk2"), case["id"]).status_code == 403
    assert ask(person(app, "clerk2"), ticket=ticket["id"]).status_code == 409  # one open request per ticket
    assert decide(person(app, "sup"), case["id"], approve=False).status_code == 422  # a refusal says why
    assert snapshot(app) == before
    supervisor = person(app, "sup")
    own = ask(supervisor, ticket=other["id"]).get_json()
    assert own["decided_by"] == own["requested_by"] == _id(app, "sup")
    assert decide(supervisor, case["id"], approve=False, note="Bukan darurat").get_json()["state"] == "declined"
    before = snapshot(app)
    replay = decide(supervisor, case["id"])  # the same decision sent again, or the other one
    assert replay.status_code == 409 and "sudah diputuskan" in replay.get_json()["message"]
    assert decide(person(app, "manager"), case["id"]).status_code == 409
    assert snapshot(app) == before
    # A new request after a refusal is a new row (and counts again for review); a closed ticket takes none.
    again = ask(clerk, ticket=ticket["id"]).get_json()
    assert clerk.post(f"/api/v1/tickets/{ticket['id']}/cancel").status_code == 200
    before = snapshot(app)
    closed = decide(supervisor, again["id"])
    assert closed.status_code == 409 and "tidak sedang menunggu" in closed.get_json()["message"]
    assert ask(clerk, ticket=ticket["id"]).status_code in (409,)
    assert snapshot(app) == before


def test_a_supervisor_of_a_neighbour_office_cannot_sign_off(app, office, clock):
    with app.extensions["ptsp.sessions"]() as session:
        add_staff(session, username="sup.lain", name="Pengawas Lain", password="password-sl", role="supervisor",
                  office=session.get(OfficeRow, office.world.other_office))
        session.commit()
    ticket = office.issue("A")
    case = ask(person(app, "clerk1"), ticket=ticket["id"]).get_json()
    neighbour = app.test_client()
    login(neighbour, "sup.lain", "password-sl")
    before = snapshot(app)
    assert decide(neighbour, case["id"]).status_code == 403
    assert ask(neighbour, ticket=ticket["id"]).status_code == 403
    assert ask(neighbour, service=office.world.services["A"]).status_code in (403, 422)
    assert snapshot(app) == before


def test_an_agency_supervisor_signs_off_only_their_agency(app, world, mpp):  # noqa: F811
    kiosk = app.test_client()
    with app.extensions["ptsp.read_sessions"]() as session:
        by_prefix = {s.prefix: s.id for s in session.scalars(select(Service).where(Service.office_id == mpp.office))}
    made = [kiosk.post("/api/v1/tickets", headers=bearer(world.kiosk),
                       json={"office": mpp.office, "service": by_prefix[p]}).get_json() for p in ("A", "C")]
    dukcapil, samsat = made
    clerk = person(app, "clerk3")
    own, other = (ask(clerk, ticket=t["id"]).get_json() for t in made)
    before = snapshot(app)
    assert decide(person(app, "sup.a"), other["id"]).status_code == 403  # SAMSAT's ticket: not their agency
    assert decide(person(app, "mgr.b"), own["id"]).status_code == 403
    assert snapshot(app) == before
    assert decide(person(app, "sup.a"), own["id"]).get_json()["urgent"] is True
    assert decide(person(app, "mgr.mpp"), other["id"]).get_json()["urgent"] is True  # office-wide manager
    assert {dukcapil["id"], samsat["id"]} == {c.ticket_id for c in cases(app) if c.state == "approved"}
    review = person(app, "mgr.b").get("/manager/urgent").get_data(as_text=True)  # Samsat's manager: their agency
    assert samsat["code"] in review and dukcapil["code"] not in review
    whole = person(app, "mgr.mpp").get("/manager/urgent").get_data(as_text=True)
    assert samsat["code"] in whole and dukcapil["code"] in whole


def test_the_fact_reaches_displays_without_the_reason_and_moves_the_residents_line(app, office):
    ticket, behind = office.issue("A"), office.issue("A")
    display = socketio.test_client(app, auth={"token": office.world.display})
    phone = socketio.test_client(app, auth={"ticket": office.tokens[behind["id"]]})
    display.get_received()
    phone.get_received()
    answer = ask(person(app, "clerk1"), ticket=ticket["id"], note="Rahasia keluarga: pemakaman")
    assert answer.status_code == 201
    heard = [r["args"][0] for r in display.get_received() if r["name"] == "urgent_changed"]
    assert len(heard) == 1 and heard[0]["urgent"] == {"id": answer.get_json()["id"], "state": "pending"}
    assert "Rahasia" not in json.dumps(heard) and "burial" not in json.dumps(heard)
    assert [r["args"][0]["services"] for r in phone.get_received() if r["name"] == "line_moved"] == [
        [office.world.services["A"]]]

def test_a_signed_off_desk_ticket_is_issued_past_the_quota_and_the_cut_off_a_clerks_is_not(app, office, clock):
    for _ in range(5):
        office.issue("B")  # Perizinan's daily quota is 5
    clerk, supervisor = person(app, "clerk2"), person(app, "sup")
    before = snapshot(app)
    refused = ask(clerk, service=office.world.services["B"])
    assert refused.status_code == 409 and refused.get_json()["error"] == "quota_reached"
    assert snapshot(app) == before  # the normal refusal stands, nothing stored
    issued = ask(supervisor, service=office.world.services["B"], reason="travel", note="Berangkat haji sore ini")
    assert issued.status_code == 201, issued.get_json()
    assert (issued.get_json()["state"], issued.get_json()["desk_ticket"], issued.get_json()["code"]) == (
        "approved", True, "B-006")
    clock.now = wib(15, 45)  # past the 15:30 last-ticket time, before 16:00 closing
    assert ask(clerk, service=office.world.services["A"]).get_json()["error"] == "office_closed"
    late = ask(supervisor, service=office.world.services["A"])
    assert late.status_code == 201 and late.get_json()["urgent"] is True
    assert ask(clerk, service=office.world.services["A"]).status_code == 409
    clock.now = wib(16, 5)  # closed: nobody would serve it
    before = snapshot(app)
    assert ask(supervisor, service=office.world.services["A"]).get_json()["error"] == "office_closed"
    clock.now = wib(10, 0) + timedelta(days=5)  # Saturday, a closed day
    assert ask(supervisor, service=office.world.services["A"]).get_json()["error"] == "office_closed"
    assert snapshot(app) == before


def test_a_clerks_desk_ticket_within_hours_waits_for_the_sign_off(app, office, clock):
    clerk = person(app, "clerk1")
    case = ask(clerk, service=office.world.services["C"], reason="distress", note="Ibu lansia sesak napas")
    assert case.status_code == 201
    assert (case.get_json()["state"], case.get_json()["urgent"], case.get_json()["desk_ticket"]) == (
        "pending", False, True)


def test_an_urgent_ticket_earns_the_normal_points_never_a_bonus(app, office, clock):
    plain, urgent = office.issue("A"), office.issue("A")
    assert ask(person(app, "sup"), ticket=urgent["id"]).status_code == 201
    desk = office.desk("clerk1", 1)
    assert desk.serve(10)["id"] == urgent["id"]
    assert desk.serve(10)["id"] == plain["id"]
    with app.extensions["ptsp.read_sessions"]() as session:
        earned = dict(session.execute(select(PointsLedgerEntry.ticket_id, func.sum(PointsLedgerEntry.points))
                                      .group_by(PointsLedgerEntry.ticket_id)).all())
    assert earned[urgent["id"]] == earned[plain["id"]] > 0


def test_bad_input_is_refused_with_a_message_and_changes_nothing(app, office):
    ticket = office.issue("A")
    clerk = person(app, "clerk1")
    before = snapshot(app)
    for body in ({"ticket": ticket["id"], "reason": "friend"}, {"ticket": ticket["id"], "reason": "other"},
                 {"reason": "burial"}, {"ticket": ticket["id"], "service": 1, "reason": "burial"},
                 {"ticket": ticket["id"], "reason": "burial", "note": "x" * 301}, {"ticket": "1", "reason": "burial"}):
        answer = clerk.post("/api/v1/urgent", json=body)
        assert answer.status_code == 422, (body, answer.get_json())
        assert answer.get_json()["message"]
    assert clerk.post("/api/v1/urgent/2147483647/decision", json={"approve": True}).status_code == 404
    kiosk = app.test_client()
    assert kiosk.post("/api/v1/urgent", headers=bearer(office.world.kiosk),
                      json={"ticket": ticket["id"], "reason": "burial"}).status_code == 403
    assert snapshot(app) == before


def test_the_manager_page_lists_pending_requests_signs_off_and_reviews_with_counts(app, office, clock):
    tickets = [office.issue("A") for _ in range(3)]
    for ticket, clerk in zip(tickets, ("clerk1", "clerk1", "clerk2"), strict=True):
        assert ask(person(app, clerk), ticket=ticket["id"], reason="other", note="Teman sendiri").status_code == 201
    supervisor = person(app, "sup")
    page = supervisor.get("/manager/urgent")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="card urgent-request"') == 3 and "Teman sendiri" in html and 'id="nav-urgent"' in html
    first = cases(app)[0]
    answer = supervisor.post(f"/manager/urgent/{first.id}/decision", data={"decision": "approve", "note": "ok"})
    assert answer.status_code == 302 and "done=approved" in answer.headers["Location"]
    refused = supervisor.post(f"/manager/urgent/{first.id}/decision", data={"decision": "approve"})  # a replay
    assert refused.status_code == 409 and "sudah diputuskan" in refused.get_data(as_text=True)
    second = cases(app)[1]
    assert supervisor.post(f"/manager/urgent/{second.id}/decision",
                           data={"decision": "decline", "note": "Bukan darurat"}).status_code == 302
    fragment = supervisor.get("/manager/urgent/pending").get_data(as_text=True)
    assert fragment.count('class="card urgent-request"') == 1
    review = supervisor.get("/manager/urgent").get_data(as_text=True)
    askers = review.split('id="urgent-askers"')[1].split("</table>")[0]
    assert "<td>Clerk Satu</td><td class=\"num\">2</td><td class=\"num\">1</td>" in askers.replace("\n", "")
    assert person(app, "clerk1").get("/manager/urgent").status_code == 403  # clerks do not review themselves


def test_the_supervisors_desk_form_issues_past_the_quota_and_bad_input_changes_nothing(app, office, clock):
    for _ in range(5):
        office.issue("B")
    supervisor = person(app, "sup")
    before = snapshot(app)
    for form in ({"service": "x", "reason": "burial"}, {"service": "99999999999", "reason": "burial"},
                 {"service": str(office.world.services["B"]), "reason": "teman"},
                 {"service": str(office.world.other_service), "reason": "burial"}):
        answer = supervisor.post("/manager/urgent/desk", data=form)
        assert answer.status_code in (403, 409, 422), (form, answer.status_code)
        assert 'role="alert"' in answer.get_data(as_text=True)
    assert snapshot(app) == before
    answer = supervisor.post("/manager/urgent/desk", data={"service": str(office.world.services["B"]),
                                                            "reason": "burial", "note": "Pemakaman 13.00"})
    assert answer.status_code == 302
    assert [(c.state, c.desk_ticket) for c in cases(app)] == [("approved", True)]
