"""Parked tickets and late residents (docs/queue.md) on real databases: parking and return, the deadline, points
earned once over the parts of service, and the late re-insert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ptsp.analytics.anomalies import _tallies
from ptsp.domain.errors import CounterNotOpen, DomainError, Forbidden, InvalidInput, InvalidTransition
from ptsp.models import Office, PointsLedgerEntry, Ticket, TicketEvent
from ptsp.park_watch import lapse_round
from ptsp.services import counters, parking, points, tickets
from ptsp.services.actors import SYSTEM
from ptsp.services.resident import own_view
from ptsp.services.serializers import people_ahead, waiting_line
from tests.test_services import clerk, issue


@pytest.fixture
def session(app, world):
    session = app.extensions["ptsp.sessions"]()
    yield session
    session.close()


def open_at(session, world, clock, number, username):
    actor = clerk(session, username)
    counters.open_counter(session, counter_id=world.counters[number], actor=actor, now=clock())
    session.commit()
    return actor


def serve_to(session, world, clock, number, actor, minutes=0.0):
    """Call the next ticket at a counter and start serving it; `minutes` later return it."""
    ticket = tickets.call_next(session, counter_id=world.counters[number], actor=actor, now=clock())
    tickets.start(session, ticket_id=ticket.id, actor=actor, now=clock())
    session.commit()
    clock.advance(minutes=minutes)
    return ticket


def kinds(session, ticket):
    return list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
                                .order_by(TicketEvent.id)))


def refused(session, exc_type, command):
    with pytest.raises(exc_type) as caught:
        command()
    session.rollback()
    return caught.value


# -- parking and return ------------------------------------------------------------------------------------

def test_a_parked_ticket_frees_the_counter_and_returns_to_the_front_of_that_counters_line(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    two = open_at(session, world, clock, 2, "clerk2")
    first = issue(session, world, clock, "A")
    others = [issue(session, world, clock, "A") for _ in range(3)]
    serve_to(session, world, clock, 1, one, minutes=4)
    elderly = issue(session, world, clock, "A", priority="elderly")  # came after the first was called
    assert first.status == "serving"
    parked = parking.park(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    assert (parked.status, parked.counter_id, parked.return_counter_id) == ("parked", world.counters[1],
                                                                            world.counters[1])
    assert parked.parked_until == clock() + timedelta(minutes=30)
    # The counter is free: it calls the next resident (the elderly one, priority) while the first photocopies.
    assert tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock()).id == elderly.id
    tickets.no_show(session, ticket_id=elderly.id, actor=one, now=clock())
    session.commit()
    clock.advance(minutes=10)
    back = parking.return_parked(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    assert (back.status, back.counter_id, back.return_counter_id, back.parked_until) == (
        "waiting", None, world.counters[1], None)
    assert people_ahead(session, back, clock()) == 0
    # Counter 2 serves A too but does not take counter 1's returned resident; counter 1 calls it first.
    assert tickets.call_next(session, counter_id=world.counters[2], actor=two, now=clock()).id == others[0].id
    again = tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    assert again.id == first.id and again.return_counter_id is None
    session.commit()
    assert kinds(session, first) == ["issued", "called", "started", "parked", "returned", "called"]


def test_a_returned_ticket_goes_ahead_of_the_priority_tier_at_its_counter(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    first = issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=3)
    parking.park(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    clock.advance(minutes=5)
    priority = [issue(session, world, clock, "C", priority=p) for p in ("pregnant", "disabled")]
    parking.return_parked(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    line = waiting_line(session, session.get(Office, world.office), world.services["A"], clock())
    assert [e.ticket_id for e in line][:1] == [first.id] and line[0].returned
    assert tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock()).id == first.id
    session.rollback()
    assert {t.status for t in priority} == {"waiting"}


def test_only_a_ticket_being_served_at_the_clerks_own_counter_is_parked_and_only_once(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    two = open_at(session, world, clock, 2, "clerk2")
    first = issue(session, world, clock, "A")
    called = tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    session.commit()
    # Called but not yet served: parking it would dodge a no-show.
    assert refused(session, InvalidTransition, lambda: parking.park(
        session, ticket_id=called.id, actor=one, now=clock())).reason == "park_needs_serving"
    tickets.start(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    refused(session, DomainError, lambda: parking.park(session, ticket_id=first.id, actor=two, now=clock()))
    parking.park(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    # A parked ticket cannot be completed, called by the counter's order elsewhere, or parked again.
    refused(session, InvalidTransition, lambda: tickets.complete(
        session, ticket_id=first.id, outcome="selesai", actor=one, now=clock()))
    refused(session, InvalidTransition, lambda: parking.park(session, ticket_id=first.id, actor=one, now=clock()))
    parking.return_parked(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    serve_to(session, world, clock, 1, one, minutes=2)
    assert refused(session, InvalidTransition, lambda: parking.park(
        session, ticket_id=first.id, actor=one, now=clock())).reason == "park_limit_reached"


def test_only_the_clerk_at_the_parking_counter_brings_a_ticket_back(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    two = open_at(session, world, clock, 2, "clerk2")
    first = issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=2)
    parking.park(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    refused(session, (Forbidden, CounterNotOpen, InvalidTransition), lambda: parking.return_parked(
        session, ticket_id=first.id, actor=two, now=clock()))
    assert session.get(Ticket, first.id).status == "parked"
    waiting = issue(session, world, clock, "A")
    assert refused(session, InvalidTransition, lambda: parking.return_parked(
        session, ticket_id=waiting.id, actor=one, now=clock())).reason == "ticket_not_parked"


# -- the deadline ------------------------------------------------------------------------------------------

def test_the_return_deadline_is_inclusive_and_after_it_the_round_makes_a_no_show(app, session, world, clock):
    office = session.get(Office, world.office)
    office.park_minutes = 20
    session.commit()
    one = open_at(session, world, clock, 1, "clerk1")
    late, on_time = issue(session, world, clock, "A"), issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=1)
    parking.park(session, ticket_id=late.id, actor=one, now=clock())
    session.commit()
    serve_to(session, world, clock, 1, one, minutes=1)
    parking.park(session, ticket_id=on_time.id, actor=one, now=clock())
    session.commit()
    deadline = on_time.parked_until
    clock.now = deadline  # exactly at the second ticket's deadline: still returnable; the first is a minute late
    error = refused(session, InvalidTransition, lambda: parking.return_parked(
        session, ticket_id=late.id, actor=one, now=clock()))
    assert error.reason == "park_deadline_passed" and error.params["until"] == "09:21"
    parking.return_parked(session, ticket_id=on_time.id, actor=one, now=clock())
    session.commit()
    with app.app_context():
        assert lapse_round(clock()) == 1
        assert lapse_round(clock()) == 0  # a second round (or process) finds nothing left
    session.expire_all()
    lapsed = session.get(Ticket, late.id)
    assert (lapsed.status, lapsed.return_counter_id) == ("no_show", None)
    event = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == late.id)
                            .order_by(TicketEvent.id.desc())).first()
    assert (event.kind, event.data["reason"], event.counter_id) == ("no_show", "park_deadline", world.counters[1])
    assert session.get(Ticket, on_time.id).status == "waiting"


def test_a_parked_ticket_left_at_closing_expires_with_the_day(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    first = issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=1)
    parking.park(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    clock.now = clock.now.replace(hour=10)  # 17:00 WIB: the office closed at 16:00
    assert tickets.expire(session, office_id=world.office, actor=SYSTEM, now=clock()) == 1
    session.commit()
    assert session.get(Ticket, first.id).status == "expired"


# -- points: once, at the final completion, over both parts of the service ----------------------------------

def test_a_parked_ticket_earns_points_once_for_both_parts_of_its_service(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    first = issue(session, world, clock, "A")  # standard 10 minutes
    serve_to(session, world, clock, 1, one, minutes=3)
    parking.park(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    assert session.scalars(select(PointsLedgerEntry)).all() == []  # parking earns nothing
    clock.advance(minutes=25)  # the photocopy shop: not service
    parking.return_parked(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    serve_to(session, world, clock, 1, one, minutes=4)
    tickets.complete(session, ticket_id=first.id, outcome="selesai", actor=one, now=clock())
    session.commit()
    lines = session.scalars(select(PointsLedgerEntry).where(PointsLedgerEntry.ticket_id == first.id)).all()
    assert [(line.kind, line.points) for line in lines] == [("award", 7.0)]  # 3 + 4 minutes, not 32
    assert "7.0 menit" in lines[0].reason
    refused(session, InvalidTransition, lambda: tickets.complete(
        session, ticket_id=first.id, outcome="selesai", actor=one, now=clock()))
    assert points.sync_ticket(session, session.get(Ticket, first.id)) == []
    assert points.recompute(session).matches


def test_a_short_second_part_alone_does_not_hold_a_parked_tickets_points(session, world, clock):
    """The short-service hold reads the whole service (both parts): a quick finish after a return is honest."""
    one = open_at(session, world, clock, 1, "clerk1")
    first = issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=8)
    parking.park(session, ticket_id=first.id, actor=one, now=clock())
    clock.advance(minutes=5)
    parking.return_parked(session, ticket_id=first.id, actor=one, now=clock())
    session.commit()
    serve_to(session, world, clock, 1, one, minutes=1)
    tickets.complete(session, ticket_id=first.id, outcome="selesai", actor=one, now=clock())
    session.commit()
    kinds_written = session.scalars(select(PointsLedgerEntry.kind).where(PointsLedgerEntry.ticket_id == first.id))
    assert list(kinds_written) == ["award"]
    assert points.recompute(session).matches


def test_the_anomaly_flags_leave_a_ticket_served_in_parts_out_of_the_short_services(session, world, clock):
    """Its last part alone (1 of 9 minutes) is no short service: the flag's measure skips it, a plain one counts."""
    one = open_at(session, world, clock, 1, "clerk1")
    parked = issue(session, world, clock, "A")  # standard 10 minutes
    plain = issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=8)
    parking.park(session, ticket_id=parked.id, actor=one, now=clock())
    parking.return_parked(session, ticket_id=parked.id, actor=one, now=clock())
    session.commit()
    serve_to(session, world, clock, 1, one, minutes=1)
    tickets.complete(session, ticket_id=parked.id, outcome="selesai", actor=one, now=clock())
    serve_to(session, world, clock, 1, one, minutes=1)
    tickets.complete(session, ticket_id=plain.id, outcome="selesai", actor=one, now=clock())
    session.commit()
    day = session.get(Ticket, plain.id).service_day
    short = _tallies(session, world.office, day, day)["short_services"]
    assert (short.hits[one.id], short.cases[one.id]) == (1, 1)  # the plain one only


# -- the late re-insert ------------------------------------------------------------------------------------

def places(session, world, n):
    session.get(Office, world.office).late_reinsert_places = n
    session.commit()


def line_ids(session, world, prefix="A", clock=None):
    office = session.get(Office, world.office)
    return [e.ticket_id for e in waiting_line(session, office, world.services[prefix], clock())]


def test_a_resident_who_missed_their_call_is_re_inserted_n_places_ahead_of_the_back(session, world, clock):
    places(session, world, 2)
    one = open_at(session, world, clock, 1, "clerk1")
    missed = issue(session, world, clock, "A")
    queue = []
    for _ in range(5):
        clock.advance(minutes=1)
        queue.append(issue(session, world, clock, "A"))
    tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    tickets.no_show(session, ticket_id=missed.id, actor=one, now=clock())
    session.commit()
    number, code = missed.number, missed.code
    clock.advance(minutes=3)
    back = parking.reinsert(session, counter_id=world.counters[1], ticket_id=missed.id, actor=one, now=clock())
    session.commit()
    order = line_ids(session, world, clock=clock)
    assert order == [t.id for t in queue[:3]] + [missed.id] + [t.id for t in queue[3:]]
    assert (back.status, back.number, back.code, back.finished_at, back.reinsert_count) == (
        "waiting", number, code, None, 1)
    assert people_ahead(session, back, clock()) == 3 == own_view(session, back, back.public_token, clock())[
        "people_ahead"]
    assert queue[2].queued_at < back.queued_at < queue[3].queued_at
    assert kinds(session, missed)[-2:] == ["no_show", "reinserted"]


def test_a_requeued_resident_is_re_inserted_and_a_short_line_puts_them_in_front(session, world, clock):
    places(session, world, 3)
    office = session.get(Office, world.office)
    office.max_calls, office.on_recall_limit = 1, "requeue"
    session.commit()
    one = open_at(session, world, clock, 1, "clerk1")
    missed = issue(session, world, clock, "A")
    clock.advance(minutes=1)
    later = issue(session, world, clock, "A")
    tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    clock.advance(minutes=2)
    assert tickets.recall(session, counter_id=world.counters[1], actor=one, now=clock()).status == "waiting"
    session.commit()
    assert line_ids(session, world, clock=clock) == [later.id, missed.id]  # requeued at the back
    parking.reinsert(session, counter_id=world.counters[1], ticket_id=missed.id, actor=one, now=clock())
    session.commit()
    assert line_ids(session, world, clock=clock) == [missed.id, later.id]  # fewer than 3 wait: the front


def test_re_insert_refusals_change_nothing(session, world, clock):
    one = open_at(session, world, clock, 1, "clerk1")
    open_at(session, world, clock, 3, "clerk3")
    missed, waiting = issue(session, world, clock, "A"), issue(session, world, clock, "A")
    tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    tickets.no_show(session, ticket_id=missed.id, actor=one, now=clock())
    session.commit()

    def reinsert(ticket, counter=1, actor=one):
        return lambda: parking.reinsert(session, counter_id=world.counters[counter], ticket_id=ticket.id,
                                        actor=actor, now=clock())

    assert refused(session, InvalidTransition, reinsert(missed)).reason == "reinsert_not_offered"  # 0: off
    places(session, world, 2)
    assert refused(session, InvalidTransition, reinsert(waiting)).reason == "reinsert_not_missed"
    assert refused(session, InvalidInput, reinsert(missed, 3, clerk(session, "clerk3"))).reason == (
        "counter_does_not_serve_ticket")
    refused(session, DomainError, reinsert(missed, 1, clerk(session, "clerk2")))  # not at counter 1
    assert session.get(Ticket, missed.id).status == "no_show"
    parking.reinsert(session, counter_id=world.counters[1], ticket_id=missed.id, actor=one, now=clock())
    session.commit()
    tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    session.commit()
    tickets.no_show(session, ticket_id=session.scalar(select(Ticket.id).where(Ticket.status == "called")),
                    actor=one, now=clock())
    session.commit()
    assert session.get(Ticket, missed.id).status == "no_show"  # it was at the front, called and missed again
    assert refused(session, InvalidTransition, reinsert(missed)).reason == "reinsert_limit_reached"
    clock.advance(days=1)
    assert refused(session, InvalidTransition, reinsert(missed)).reason == "reinsert_not_today"


def test_the_counter_lists_show_parked_tickets_and_missed_calls(session, world, clock):
    places(session, world, 2)
    one = open_at(session, world, clock, 1, "clerk1")
    parked, missed = issue(session, world, clock, "A"), issue(session, world, clock, "A")
    serve_to(session, world, clock, 1, one, minutes=2)
    parking.park(session, ticket_id=parked.id, actor=one, now=clock())
    tickets.call_next(session, counter_id=world.counters[1], actor=one, now=clock())
    tickets.no_show(session, ticket_id=missed.id, actor=one, now=clock())
    session.commit()
    lists = parking.counter_lists(session, world.office, clock())
    assert lists["parked"] == [{"id": parked.id, "code": parked.code, "service": world.services["A"],
                                "counter": world.counters[1], "until": "09:32", "overdue": False}]
    assert [m["id"] for m in lists["missed"]] == [missed.id] and lists["reinsert_places"] == 2
    view = own_view(session, parked, parked.public_token, clock())
    assert (view["status"], view["counter_number"], view["parked_until"]) == ("parked", 1, "09:32")


def test_the_rest_routes_park_return_and_re_insert_and_refuse_bad_input_with_a_message(app, client, world, clock):
    from tests.conftest import bearer, login

    with app.extensions["ptsp.sessions"]() as s:
        s.get(Office, world.office).late_reinsert_places = 2
        s.commit()
    login(client, "clerk1")
    counter = world.counters[1]
    assert client.post(f"/api/v1/counters/{counter}/open").status_code == 200
    made = [client.post("/api/v1/tickets", headers=bearer(world.kiosk), json={
        "office": world.office, "service": world.services["A"]}).get_json() for _ in range(2)]
    first = client.post(f"/api/v1/counters/{counter}/call-next").get_json()["ticket"]
    assert client.post(f"/api/v1/tickets/{first['id']}/start").status_code == 200
    parked = client.post(f"/api/v1/tickets/{first['id']}/park")
    assert parked.status_code == 200 and parked.get_json()["ticket"]["status"] == "parked"
    assert parked.get_json()["ticket"]["parked_until"]
    again = client.post(f"/api/v1/tickets/{first['id']}/park")
    assert again.status_code == 409 and set(again.get_json()) == {"error", "message"}
    back = client.post(f"/api/v1/tickets/{first['id']}/return")
    assert back.get_json()["ticket"]["return_counter"] == counter
    second = made[1]
    called = client.post(f"/api/v1/counters/{counter}/call-next").get_json()["ticket"]
    assert called["id"] == first["id"]  # the returned ticket first
    for bad in ({"ticket": "x"}, {"ticket": 0}, {}, {"ticket": 2**40}):
        refused = client.post(f"/api/v1/counters/{counter}/reinsert", json=bad)
        assert refused.status_code == 422 and refused.get_json()["error"] == "invalid_input", bad
    not_missed = client.post(f"/api/v1/counters/{counter}/reinsert", json={"ticket": second["id"]})
    assert not_missed.status_code == 409 and "terlewat" in not_missed.get_json()["message"]
