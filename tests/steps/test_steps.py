"""A visit of several steps (docs/steps.md), through the real API on real databases: the route a kiosk ticket
carries, a clerk's plan, each step's points, the queued time kept, and what cannot be farmed or hidden."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ptsp.analytics import pingpong
from ptsp.models import PointsLedgerEntry, Service, Staff, Ticket, TicketEvent
from ptsp.services.points import recompute
from tests.conftest import login
from tests.points.helpers import Office


@pytest.fixture
def office(app, world, clock) -> Office:
    return Office(app, world, clock)


def set_route(app, world, prefix: str, route: list[str]) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        service = session.get(Service, world.services[prefix])
        service.route = [world.services[p] for p in route]
        session.commit()


def read(app, query):
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.execute(query).all()


def who(app) -> dict[str, int]:
    return dict(read(app, select(Staff.username, Staff.id)))


def lines(app) -> list[tuple]:
    return read(app, select(PointsLedgerEntry.ticket_id, PointsLedgerEntry.step, PointsLedgerEntry.kind,
                            PointsLedgerEntry.staff_id, PointsLedgerEntry.service_id, PointsLedgerEntry.points,
                            PointsLedgerEntry.held).order_by(PointsLedgerEntry.id))


def status(client, office: Office, ticket: dict) -> dict:
    response = client.get(f"/api/v1/status/{office.tokens[ticket['id']]}")
    assert response.status_code == 200
    return response.get_json()


def test_a_kiosk_ticket_goes_through_its_services_route_as_one_ticket(app, world, clock, office, client):
    set_route(app, world, "A", ["C", "B"])
    ticket = office.issue("A")
    assert ticket["next_steps"] == [world.services["C"], world.services["B"]]
    clock.advance(minutes=1)
    newer_c = office.issue("C")  # came later than the visit: the visit's next step goes ahead of it
    one, two, three = office.desk("clerk1", 1), office.desk("clerk2", 2), office.desk("clerk3", 3)
    assert one.serve(10)["id"] == ticket["id"]
    state = status(client, office, ticket)
    assert state["status"] == "waiting" and state["service"] == world.services["C"] and state["code"] == "A-001"
    assert [s["state"] for s in state["steps"]] == ["done", "current", "next"]
    assert [s["service"]["en"] for s in state["steps"]] == ["ID card", "Letters", "Licensing"]
    assert two.serve(5)["id"] == ticket["id"]  # kept its original queued time: before the newer C ticket
    assert three.serve(20)["id"] == ticket["id"]
    state = status(client, office, ticket)
    assert state["status"] == "done" and [s["state"] for s in state["steps"]] == ["done", "done", "done"]
    staff = who(app)
    assert lines(app) == [
        (ticket["id"], 0, "award", staff["clerk1"], world.services["A"], 10.0, 0.0),
        (ticket["id"], 1, "award", staff["clerk2"], world.services["C"], 5.0, 0.0),
        (ticket["id"], 2, "award", staff["clerk3"], world.services["B"], 20.0, 0.0),
    ]
    row = read(app, select(Ticket.transfer_count, Ticket.code, Ticket.queued_at, Ticket.issued_at)
               .where(Ticket.id == ticket["id"]))[0]
    assert row.transfer_count == 0 and row.code == "A-001" and row.queued_at == row.issued_at
    assert two.call()["id"] == newer_c["id"]
    figures = {name: desk.client.get("/counter/state").get_json()["figures"] for name, desk in
               (("clerk1", one), ("clerk2", two), ("clerk3", three))}
    assert [(f["served"], f["mean_minutes"], f["points"]) for f in figures.values()] == [
        (1, 10.0, 10.0), (1, 5.0, 5.0), (1, 20.0, 20.0)]  # each step counts as served at its own counter
    with app.extensions["ptsp.read_sessions"]() as session:
        report = recompute(session)
        assert report.matches, [d.describe() for d in report.differences]
        assert report.points == 35.0
        day = clock().date()
        _total, _per, found = pingpong.cases(session, world.office, day, day, max_handoffs=1)
    assert found == []  # three services, two counters' worth of moves, one handoff allowed: still no ping-pong


def test_a_clerk_plans_the_remaining_steps_from_the_counter(app, world, clock, office):
    ticket = office.issue("A")
    assert ticket["next_steps"] == []
    one = office.desk("clerk1", 1)
    called = one.call()
    planned = one.act(called, "steps", services=[world.services["B"], world.services["C"]])
    assert planned["ticket"]["next_steps"] == [world.services["B"], world.services["C"]]
    one.act(called, "start")
    clock.advance(minutes=4)
    answer = one.act(called, "complete", outcome="selesai")["ticket"]
    assert answer["status"] == "waiting" and answer["service"] == world.services["B"]
    assert answer["next_steps"] == [world.services["C"]]
    kinds = [k for (k,) in read(app, select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket["id"])
                                .order_by(TicketEvent.id))]
    assert kinds == ["issued", "called", "steps_planned", "started", "step_completed"]


MESSAGES = {"step_service_repeated": "sudah ada dalam kunjungan ini", "too_many_steps": "paling banyak 6 langkah",
            "unknown_target_service": "tidak tersedia di kantor ini"}


def more_services(app, world, count: int) -> list[int]:
    with app.extensions["ptsp.sessions"]() as session:
        extra = [Service(office_id=world.office, prefix=f"Z{i}", name_id=f"Z{i}", name_en=f"Z{i}")
                 for i in range(count)]
        session.add_all(extra)
        session.commit()
        return [s.id for s in extra]


@pytest.mark.parametrize(("plan", "reason"), [
    (["A"], "step_service_repeated"),  # its own, current service again: no second credit for the same work
    (["C", "C"], "step_service_repeated"),
    (["B", "C", "Z", "Z", "Z", "Z"], "too_many_steps"),  # the current step and six more
    (["other"], "unknown_target_service"),  # another office's service
])
def test_a_plan_that_repeats_a_service_or_is_too_long_is_refused_and_changes_nothing(
        app, world, office, plan, reason):
    ticket = office.issue("A")
    one = office.desk("clerk1", 1)
    called = one.call()
    extra = iter(more_services(app, world, 4))
    ids = [world.other_service if p == "other" else next(extra) if p == "Z" else world.services[p] for p in plan]
    if reason == "too_many_steps":  # five after the current one is the most: allowed
        response = one.client.post(f"/api/v1/tickets/{called['id']}/steps", json={"services": ids[:5]})
        assert response.status_code == 200, response.get_json()
    response = one.client.post(f"/api/v1/tickets/{called['id']}/steps", json={"services": ids})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == "invalid_input"
    assert MESSAGES[reason] in response.get_json()["message"]
    planned = read(app, select(TicketEvent.data).where(TicketEvent.ticket_id == ticket["id"],
                                                       TicketEvent.kind == "steps_planned"))
    assert [row.data["services"] for row in planned] == ([ids[:5]] if reason == "too_many_steps" else [])


def test_only_the_clerk_at_the_tickets_counter_may_plan_its_steps(app, world, office):
    office.issue("A")
    one = office.desk("clerk1", 1)
    called = one.call()
    other = app.test_client()
    login(other, "clerk2")
    response = other.post(f"/api/v1/tickets/{called['id']}/steps", json={"services": [world.services["B"]]})
    assert response.status_code == 403
    waiting = office.issue("C")
    response = one.client.post(f"/api/v1/tickets/{waiting['id']}/steps", json={"services": [world.services["B"]]})
    assert response.status_code == 409  # not called: a waiting ticket has no counter to plan from


def test_a_step_the_clerk_planned_and_served_themselves_is_held_for_a_supervisor(app, world, clock, office):
    office.issue("A")
    two = office.desk("clerk2", 2)  # counter 2 serves A, B and C: a clerk could plan work for themselves
    called = two.call()
    two.act(called, "steps", services=[world.services["C"]])
    two.act(called, "start")
    clock.advance(minutes=10)
    two.act(called, "complete")
    again = two.call()
    assert again["id"] == called["id"] and again["service"] == world.services["C"]
    two.act(again, "start")
    clock.advance(minutes=5)
    two.act(again, "complete")
    staff = who(app)
    assert lines(app) == [
        (called["id"], 0, "award", staff["clerk2"], world.services["A"], 10.0, 0.0),
        (called["id"], 1, "hold", staff["clerk2"], world.services["C"], 0.0, 5.0),
    ]
    sup = app.test_client()
    login(sup, "sup")
    response = sup.post(f"/api/v1/points/holds/{called['id']}/confirm", json={"reason": "memang perlu surat"})
    assert response.status_code == 200, response.get_json()
    assert lines(app)[-1][1:4] == (1, "release", staff["clerk2"])
    with app.extensions["ptsp.read_sessions"]() as session:
        report = recompute(session)
    assert report.matches, [d.describe() for d in report.differences]


def test_an_unplanned_transfer_within_a_visit_still_counts_and_a_bounce_is_still_ping_pong(app, world, clock,
                                                                                           office):
    set_route(app, world, "A", ["B"])
    ticket = office.issue("A")
    one, three = office.desk("clerk1", 1), office.desk("clerk3", 3)
    called = one.call()
    one.act(called, "start")
    clock.advance(minutes=3)
    one.act(called, "transfer", service=world.services["C"], reason="salah loket")
    again = one.call()
    one.act(again, "transfer", service=world.services["A"], reason="ternyata KTP")  # A → C → A: a bounce
    again = one.call()
    one.act(again, "start")
    clock.advance(minutes=10)
    one.act(again, "complete")
    assert three.serve(20)["id"] == ticket["id"]
    row = read(app, select(Ticket.transfer_count, Ticket.status).where(Ticket.id == ticket["id"]))[0]
    assert row == (2, "done")
    with app.extensions["ptsp.read_sessions"]() as session:
        day = clock().date()
        _total, _per, found = pingpong.cases(session, world.office, day, day)
    assert [(c.ticket_id, c.reasons) for c in found] == [(ticket["id"], ["service_bounce"])]


def test_a_plan_cannot_send_the_resident_back_to_a_service_the_visit_has_left(app, world, office):
    office.issue("A")
    one = office.desk("clerk1", 1)
    called = one.call()
    one.act(called, "transfer", service=world.services["C"], reason="salah loket")
    again = one.call()
    response = one.client.post(f"/api/v1/tickets/{again['id']}/steps", json={"services": [world.services["A"]]})
    assert response.status_code == 422 and MESSAGES["step_service_repeated"] in response.get_json()["message"]


def test_a_transfer_to_a_planned_steps_service_takes_that_step_off_the_plan(app, world, office):
    set_route(app, world, "A", ["C", "B"])
    office.issue("A")
    one = office.desk("clerk1", 1)
    called = one.call()
    moved = one.act(called, "transfer", service=world.services["B"], reason="langsung perizinan")["ticket"]
    assert moved["next_steps"] == [world.services["C"]] and moved["transfer_count"] == 1
