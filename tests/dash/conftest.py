"""A small hand-built day at the test office, made through the real use cases, for exact figures."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from ptsp.models import Staff
from ptsp.services import counters, tickets
from ptsp.services.actors import Actor


def staff_actor(session, username: str) -> Actor:
    staff = session.scalar(select(Staff).where(Staff.username == username))
    return Actor("staff", staff.id, staff.role, staff.office_id)


@dataclass
class Day:
    tickets: dict[str, int]


def build_monday(app, world, clock) -> Day:
    """Monday 23 Nov 2026 from 09:00 WIB to 09:30 WIB (see the docstring of each step).

    09:00 issue A-001, A-002, C-001, C-002; clerk1 opens counter 1.
    09:05 C-002 is cancelled by staff (waited 5 min: not counted for the service level).
    09:05 call A-001 (waited 5 min), start; 09:15 complete (10 min of service).
    09:20 call A-002 (waited 20 min), 09:21 start; 09:30 complete (9 min).
    09:28 issue B-001 (still waiting at 09:30, 2 min: not counted yet).
    At 09:30 C-001 has waited 30 min without a call: counted as missed.
    """
    session = app.extensions["ptsp.sessions"]()
    kiosk = Actor("device", None, "kiosk", world.office)
    clerk = staff_actor(session, "clerk1")
    made = {}

    def issue(prefix):
        ticket, _ = tickets.issue(session, office_id=world.office, service_id=world.services[prefix], actor=kiosk,
                                  now=clock())
        made[ticket.code] = ticket.id
        session.commit()

    try:
        for prefix in ("A", "A", "C", "C"):
            issue(prefix)
        counters.open_counter(session, counter_id=world.counters[1], actor=clerk, now=clock())
        session.commit()
        clock.advance(minutes=5)
        tickets.cancel(session, ticket_id=made["C-002"], actor=clerk, now=clock())
        first = tickets.call_next(session, counter_id=world.counters[1], actor=clerk, now=clock())
        assert first.code == "A-001"
        tickets.start(session, ticket_id=first.id, actor=clerk, now=clock())
        session.commit()
        clock.advance(minutes=10)
        tickets.complete(session, ticket_id=first.id, outcome="selesai", actor=clerk, now=clock())
        session.commit()
        clock.advance(minutes=5)
        second = tickets.call_next(session, counter_id=world.counters[1], actor=clerk, now=clock())
        assert second.code == "A-002"
        session.commit()
        clock.advance(minutes=1)
        tickets.start(session, ticket_id=second.id, actor=clerk, now=clock())
        session.commit()
        clock.advance(minutes=7)
        issue("B")
        clock.advance(minutes=2)
        tickets.complete(session, ticket_id=second.id, outcome="selesai", actor=clerk, now=clock())
        session.commit()
    finally:
        session.close()
    return Day(made)


@pytest.fixture
def monday(app, world, clock) -> Day:
    return build_monday(app, world, clock)
