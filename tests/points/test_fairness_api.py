"""Issue 14 through the API: who issued a ticket and for whom, a staff-session rating, flags on the leaderboard."""

from __future__ import annotations

from sqlalchemy import select

from ptsp.models import PointsLedgerEntry, Rating, Ticket, TicketEvent
from tests.conftest import bearer, login
from tests.points.helpers import Office, set_rules


def read(app, stmt):
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.execute(stmt).all()


def test_staff_issue_records_the_issuer_and_the_walk_in_mark(app, world):
    clerk = app.test_client()
    login(clerk, "clerk1")
    body = {"office": world.office, "service": world.services["A"]}
    marked = clerk.post("/api/v1/tickets", json={**body, "walk_in": True}).get_json()
    plain = clerk.post("/api/v1/tickets", json=body).get_json()
    kiosk = app.test_client().post("/api/v1/tickets", headers=bearer(world.kiosk), json={**body, "walk_in": True})
    assert kiosk.status_code == 201
    rows = dict((t.id, (t.issued_by is not None, t.walk_in)) for (t,) in read(app, select(Ticket)))
    assert rows == {marked["id"]: (True, True), plain["id"]: (True, False), kiosk.get_json()["id"]: (False, False)}
    data = {tid: d for tid, d in read(app, select(TicketEvent.ticket_id, TicketEvent.data)
                                      .where(TicketEvent.kind == "issued"))}
    assert data[marked["id"]]["walk_in"] is True and data[plain["id"]]["walk_in"] is False
    assert "walk_in" not in data[kiosk.get_json()["id"]]


def test_walk_in_must_be_a_boolean_and_a_refusal_changes_nothing(app, world):
    clerk = app.test_client()
    login(clerk, "clerk1")
    response = clerk.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"],
                                                    "walk_in": "ya"})
    assert response.status_code == 422 and response.get_json()["error"] == "invalid_input"
    assert read(app, select(Ticket)) == []


def test_a_rating_from_a_browser_with_a_staff_session_is_kept_but_earns_no_bonus(app, world, clock):
    set_rules(app, rating_min_count=1)
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    office.issue("A")
    ticket = desk.serve(10)
    token = office.tokens[ticket["id"]]
    assert desk.client.post(f"/t/{token}/nilai", data={"quick": 4}).status_code == 303
    [(rating,)] = read(app, select(Rating))
    assert rating.staff_session_id is not None and rating.quick == 4
    kinds = [k for (k,) in read(app, select(PointsLedgerEntry.kind))]
    assert kinds == ["award"]
    office.issue("A")
    second = desk.serve(10)
    assert office.rate(second, 4).status_code == 303  # the resident's own phone: the bonus
    assert sorted(k for (k,) in read(app, select(PointsLedgerEntry.kind))) == ["award", "award", "bonus"]


def test_leaderboard_rows_carry_flags(app, world, clock):
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    office.issue("A")
    desk.serve(10)
    manager = app.test_client()
    login(manager, "manager")
    board = manager.get(f"/api/v1/points/leaderboard?office={world.office}").get_json()
    rows = board["ranked"] + board["unranked"]
    assert rows and all(row["flags"] == [] for row in rows)
    page = manager.get(f"/manager/leaderboard?office={world.office}").get_data(as_text=True)
    assert "Perlu dicek" in page


def test_a_share_is_unusual_only_with_counts_a_gap_and_a_small_p_value():
    from ptsp.analytics.anomalies import unusual

    assert unusual(12, 20, 4, 40)  # 60 % against 10 %
    assert not unusual(9, 9, 0, 40)  # nine cases: small numbers raise nothing
    assert not unusual(12, 20, 4, 9)  # the rest of the office too few to compare with
    assert not unusual(5, 20, 4, 40)  # 25 % against 10 %: p ~ 0.04, not unusual enough
    assert not unusual(40, 200, 60, 400)  # 20 % against 15 %: certain, but under the 15-point gap
