"""Use cases on real databases: days, timezones, transfers, recalls, expiry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from ptsp.domain.errors import OfficeClosed
from ptsp.models import Office, Staff, TicketEvent
from ptsp.services import counters, tickets
from ptsp.services.accounts import supervisors_of
from ptsp.services.actors import SYSTEM, Actor


@pytest.fixture
def session(app, world):
    session = app.extensions["ptsp.sessions"]()
    yield session
    session.close()


def kiosk(world, office=None) -> Actor:
    return Actor("device", None, "kiosk", office or world.office)


def clerk(session, username: str) -> Actor:
    staff = session.scalar(select(Staff).where(Staff.username == username))
    return Actor("staff", staff.id, staff.role, staff.office_id)


def issue(session, world, clock, prefix="A", priority="regular", office=None, service=None):
    ticket, _ = tickets.issue(session, office_id=office or world.office, service_id=service or world.services[prefix],
                              priority=priority, actor=kiosk(world, office), now=clock())
    session.commit()
    return ticket


def test_numbering_restarts_at_local_midnight_not_utc_midnight(session, world, clock):
    # Office hours must allow the late evening for this test.
    office = session.get(Office, world.office)
    office.hours = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    office.last_ticket_minutes = 0
    session.commit()
    clock.now = datetime(2026, 11, 23, 16, 50, tzinfo=UTC)  # 23:50 WIB Monday
    before = [issue(session, world, clock).code for _ in range(2)]
    clock.advance(minutes=15)  # 00:05 WIB Tuesday, still Monday in UTC
    after = issue(session, world, clock)
    assert before == ["A-001", "A-002"]
    assert after.code == "A-001"
    assert after.service_day.isoformat() == "2026-11-24"


def test_wita_office_opens_by_its_own_clock(session, world, clock):
    clock.now = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30 WIB (closed) = 08:30 WITA (open)
    with pytest.raises(OfficeClosed):
        issue(session, world, clock)
    session.rollback()
    ticket = issue(session, world, clock, office=world.other_office, service=world.other_service)
    assert ticket.code == "A-001"
    assert ticket.service_day.isoformat() == "2026-11-23"


def test_transferred_ticket_keeps_its_place_and_priority(session, world, clock):
    first_c = issue(session, world, clock, "C")
    clock.advance(minutes=1)
    moved = issue(session, world, clock, "A", priority="elderly")
    clock.advance(minutes=1)
    later_c = [issue(session, world, clock, "C") for _ in range(2)]
    c1 = clerk(session, "clerk1")
    counters.open_counter(session, counter_id=world.counters[1], actor=c1, now=clock())
    called = tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock())
    assert called.id == moved.id  # priority first
    tickets.start(session, ticket_id=moved.id, actor=c1, now=clock.advance(minutes=1))
    tickets.transfer(session, ticket_id=moved.id, to_service_id=world.services["C"], reason="perlu surat",
                     actor=c1, now=clock.advance(minutes=5))
    session.commit()
    assert moved.status == "waiting" and moved.priority == "elderly" and moved.transfer_count == 1
    order = [tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock()).id]
    for _ in range(3):
        tickets.no_show(session, ticket_id=order[-1], actor=c1, now=clock())
        order.append(tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock()).id)
    assert order == [moved.id, first_c.id, *[t.id for t in later_c]]


def test_regular_transferred_ticket_goes_ahead_of_newer_tickets_in_the_new_queue(session, world, clock):
    a = issue(session, world, clock, "A")
    clock.advance(minutes=2)
    newer = issue(session, world, clock, "C")
    c1 = clerk(session, "clerk1")
    counters.open_counter(session, counter_id=world.counters[1], actor=c1, now=clock())
    assert tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock()).id == a.id
    tickets.transfer(session, ticket_id=a.id, to_service_id=world.services["C"], reason="salah layanan",
                     actor=c1, now=clock.advance(minutes=3))
    assert tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock()).id == a.id
    assert newer.status == "waiting"


@pytest.mark.parametrize(("policy", "final"), [("requeue", "waiting"), ("no_show", "no_show")])
def test_recall_limit_applies_the_office_policy(session, world, clock, policy, final):
    session.get(Office, world.office).on_recall_limit = policy
    ticket = issue(session, world, clock)
    c1 = clerk(session, "clerk1")
    counters.open_counter(session, counter_id=world.counters[1], actor=c1, now=clock())
    tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock())
    tickets.recall(session, counter_id=world.counters[1], actor=c1, now=clock.advance(minutes=1))
    tickets.recall(session, counter_id=world.counters[1], actor=c1, now=clock.advance(minutes=1))
    assert ticket.status == "called" and ticket.call_count == 3
    tickets.recall(session, counter_id=world.counters[1], actor=c1, now=clock.advance(minutes=1))
    session.commit()
    assert ticket.status == final
    kinds = list(session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
                                 .order_by(TicketEvent.id)))
    assert kinds == ["issued", "called", "recalled", "recalled", "requeued" if policy == "requeue" else "no_show"]


def test_expire_closes_whatever_is_open_after_closing_time(session, world, clock):
    waiting = issue(session, world, clock)
    called = issue(session, world, clock)
    c1 = clerk(session, "clerk1")
    counters.open_counter(session, counter_id=world.counters[1], actor=c1, now=clock())
    tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock())
    session.commit()
    assert tickets.expire(session, office_id=world.office, actor=SYSTEM, now=clock()) == 0  # still open
    clock.now = datetime(2026, 11, 23, 9, 1, tzinfo=UTC)  # 16:01 WIB
    assert tickets.expire(session, office_id=world.office, actor=SYSTEM, now=clock()) == 2
    session.commit()
    assert {waiting.status, called.status} == {"expired"}


def test_supervisor_chain_reaches_two_levels_up(session, world):
    staff = session.scalar(select(Staff).where(Staff.username == "clerk1"))
    assert [s.username for s in supervisors_of(staff)] == ["sup", "manager"]


def test_a_ticket_left_from_yesterday_is_not_called_ahead_of_today(session, world, clock):
    stale = issue(session, world, clock)
    clock.advance(days=1)  # Tuesday 09:00 WIB; nobody ran `ptsp expire`
    today = issue(session, world, clock)
    c1 = clerk(session, "clerk1")
    counters.open_counter(session, counter_id=world.counters[1], actor=c1, now=clock())
    assert tickets.call_next(session, counter_id=world.counters[1], actor=c1, now=clock()).id == today.id
    assert stale.status == "waiting"
    assert tickets.expire(session, office_id=world.office, actor=SYSTEM, now=clock()) == 1
    assert stale.status == "expired"
