"""Parked tickets and late residents: the use cases (docs/queue.md; rules in `ptsp.domain.parking`).

`park` (a ticket being served; the resident fetches a missing document), `return_parked` ("kembali": back at
the front of the line of the counter that parked it, within the office's `park_minutes`), `lapse_overdue` (the
minute round: a parked ticket past its deadline becomes a no-show) and `reinsert` (a resident who missed their
call rejoins `late_reinsert_places` places ahead of the back of the line). Each takes a session and `now`, logs
an event and queues a fact; the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import facts
from ..domain import hours as office_hours
from ..domain.errors import InvalidInput, InvalidTransition
from ..domain.lifecycle import Action, Status, next_status
from ..domain.parking import (
    MAX_REINSERTS,
    MISSED_CALL,
    park_deadline,
    reinsert_queued_at,
    require_parkable,
    require_reinsertable,
    returnable,
)
from ..models import Office, Ticket, TicketEvent, counter_services
from .actors import Actor
from .counters import lock_counter, require_attending
from .lookup import get_or_404, publish, record, waiting_counts
from .parked_line import regular_line
from .serializers import iso, ticket_view


def _publish(session: Session, ticket: Ticket, fact: facts.Fact) -> None:
    publish(session, ticket.office_id, fact, {
        "ticket": ticket_view(ticket), "waiting": waiting_counts(session, ticket.office_id, ticket.service_day)})


def _clock(at: datetime, office: Office) -> str:
    return office_hours.local_now(at, office.timezone).strftime("%H:%M")


def park(session: Session, *, ticket_id: int, actor: Actor, now: datetime) -> Ticket:
    """Park a ticket being served at the clerk's own counter until the office's deadline; the counter is free."""
    ticket = get_or_404(session, Ticket, ticket_id)
    if ticket.counter_id is None or ticket.status != Status.SERVING:
        raise InvalidTransition("park_needs_serving", ticket=ticket.code)
    counter = lock_counter(session, ticket.counter_id)
    require_attending(session, counter, actor)
    require_parkable(ticket.code, ticket.park_count)
    ticket.status = next_status(ticket.status, Action.PARK).value
    ticket.parked_until = park_deadline(now, ticket.office.park_minutes)
    ticket.return_counter_id = counter.id
    ticket.park_count += 1
    record(session, ticket, "parked", actor, now, until=iso(ticket.parked_until))
    _publish(session, ticket, facts.TICKET_PARKED)
    return ticket


def return_parked(session: Session, *, ticket_id: int, actor: Actor, now: datetime) -> Ticket:
    """"Kembali": the parked resident is back; the ticket waits at the front of its counter's line."""
    ticket = get_or_404(session, Ticket, ticket_id)
    if ticket.status != Status.PARKED or ticket.return_counter_id is None:
        raise InvalidTransition("ticket_not_parked", ticket=ticket.code)
    counter = lock_counter(session, ticket.return_counter_id)
    require_attending(session, counter, actor)  # only at the counter that parked it
    if not returnable(ticket.parked_until, now):
        raise InvalidTransition("park_deadline_passed", ticket=ticket.code,
                                until=_clock(ticket.parked_until or now, ticket.office))
    ticket.status = next_status(ticket.status, Action.RETURN).value
    ticket.counter_id = ticket.counter = ticket.clerk_id = None
    ticket.parked_until = ticket.started_at = None
    ticket.round_calls = 0
    record(session, ticket, "returned", actor, now, counter_id=counter.id)
    _publish(session, ticket, facts.TICKET_RETURNED)
    return ticket


def lapse_overdue(session: Session, *, office_id: int, actor: Actor, now: datetime) -> int:
    """Close the office's parked tickets past their deadline as no-shows (their resident did not come back)."""
    stmt = select(Ticket).where(
        Ticket.office_id == office_id, Ticket.status == Status.PARKED.value, Ticket.parked_until < now,
    ).order_by(Ticket.id)
    if session.get_bind().dialect.name == "postgresql":  # another process's round skips what this one closes
        stmt = stmt.with_for_update(skip_locked=True)
    overdue = session.scalars(stmt).all()
    for ticket in overdue:
        ticket.status = next_status(ticket.status, Action.NO_SHOW).value
        ticket.finished_at = now
        record(session, ticket, "no_show", actor, now, counter_id=ticket.return_counter_id, reason="park_deadline")
        ticket.return_counter_id = None
        _publish(session, ticket, facts.TICKET_NO_SHOW)
    return len(overdue)


def _last_event(session: Session, ticket_id: int) -> str | None:
    return session.scalar(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id)
                          .order_by(TicketEvent.id.desc()).limit(1))


def reinsert(session: Session, *, counter_id: int, ticket_id: int, actor: Actor, now: datetime) -> Ticket:
    """A resident who missed their call is back: rejoin the office's `late_reinsert_places` places ahead of the
    back of their service's line, by the clerk of a counter that serves it, on the ticket's own day."""
    counter = lock_counter(session, counter_id)
    require_attending(session, counter, actor)
    ticket = get_or_404(session, Ticket, ticket_id)
    served = session.scalar(select(counter_services.c.service_id).where(
        counter_services.c.counter_id == counter.id, counter_services.c.service_id == ticket.service_id))
    if ticket.office_id != counter.office_id or served is None:
        raise InvalidInput("counter_does_not_serve_ticket", counter=counter.number, ticket=ticket.code)
    office = counter.office
    if ticket.service_day != office_hours.service_day(now, office.timezone):
        raise InvalidTransition("reinsert_not_today", ticket=ticket.code)
    places = office.late_reinsert_places
    require_reinsertable(ticket.code, _last_event(session, ticket.id), ticket.reinsert_count, places)
    ticket.status = next_status(ticket.status, Action.REINSERT).value
    ticket.queued_at = reinsert_queued_at(regular_line(session, ticket), places, now, ticket.id)
    ticket.counter_id = ticket.counter = ticket.clerk_id = None
    ticket.finished_at = ticket.started_at = ticket.parked_until = None
    ticket.round_calls = 0
    ticket.reinsert_count += 1
    record(session, ticket, "reinserted", actor, now, counter_id=counter.id, places=places)
    _publish(session, ticket, facts.TICKET_REINSERTED)
    return ticket


# -- the counter screen's lists ------------------------------------------------------------------------------

def counter_lists(session: Session, office_id: int, now: datetime) -> dict[str, Any]:
    """What the counter screen lists besides the lines: parked tickets, missed calls, the re-insert places."""
    office = get_or_404(session, Office, office_id)
    return {"parked": parked_list(session, office, now), "missed": missed_list(session, office, now),
            "reinsert_places": office.late_reinsert_places}


def parked_list(session: Session, office: Office, now: datetime) -> list[dict[str, Any]]:
    """The office's parked tickets of today, by counter and deadline: what each counter screen lists."""
    rows = session.scalars(select(Ticket).where(
        Ticket.office_id == office.id, Ticket.status == Status.PARKED.value,
        Ticket.service_day == office_hours.service_day(now, office.timezone),
    ).order_by(Ticket.parked_until, Ticket.id)).all()
    return [{"id": t.id, "code": t.code, "service": t.service_id, "counter": t.return_counter_id,
             "until": _clock(t.parked_until, office) if t.parked_until else None,
             "overdue": not returnable(t.parked_until, now)} for t in rows]


def missed_list(session: Session, office: Office, now: datetime, limit: int = 12) -> list[dict[str, Any]]:
    """Today's tickets whose resident missed their call and may still be re-inserted, latest first (none when
    the office does not offer re-inserts)."""
    if office.late_reinsert_places <= 0:
        return []
    day = office_hours.service_day(now, office.timezone)
    candidates = session.scalars(select(Ticket).where(
        Ticket.office_id == office.id, Ticket.service_day == day, Ticket.reinsert_count < MAX_REINSERTS,
        (Ticket.status == Status.NO_SHOW.value) |
        ((Ticket.status == Status.WAITING.value) & (Ticket.call_count > 0) & Ticket.return_counter_id.is_(None)),
    ).order_by(Ticket.id.desc()).limit(4 * limit)).all()
    found = [t for t in candidates if _last_event(session, t.id) in MISSED_CALL][:limit]
    return [{"id": t.id, "code": t.code, "service": t.service_id, "status": t.status} for t in found]
