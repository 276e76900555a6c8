"""Reading parked tickets' places from the database (docs/queue.md): a returned ticket's head at its counter, the
line a late resident is re-inserted into. The rules are `ptsp.domain.parking` and `ptsp.domain.calling_order`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.calling_order import Priority, QueueEntry
from ..models import Ticket


def returned_heads(session: Session, office_id: int, day: date, service_ids: list[int],
                   counter_id: int) -> list[QueueEntry]:
    """The oldest parked ticket back in line at this counter (of the services it serves), row-locked as the
    other heads are; an empty list when none waits."""
    stmt = (
        select(Ticket.id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at)
        .where(Ticket.office_id == office_id, Ticket.service_day == day, Ticket.status == "waiting",
               Ticket.return_counter_id == counter_id, Ticket.service_id.in_(service_ids))
        .order_by(Ticket.queued_at, Ticket.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = session.execute(stmt).first()
    if row is None:
        return []
    return [QueueEntry(row.id, Priority(row.priority), row.queued_at, row.appointment_at, returned=True)]


def regular_line(session: Session, ticket: Ticket) -> list[tuple[datetime, int]]:
    """The order keys (queue time, id), oldest first, of the regular walk-ins waiting in the ticket's service
    today (itself, priority tickets, appointments and returned parked tickets left out): the line a late resident
    rejoins."""
    return [(queued_at, ticket_id) for queued_at, ticket_id in session.execute(
        select(Ticket.queued_at, Ticket.id)
        .where(Ticket.office_id == ticket.office_id, Ticket.service_day == ticket.service_day,
               Ticket.service_id == ticket.service_id, Ticket.status == "waiting", Ticket.id != ticket.id,
               Ticket.priority == Priority.REGULAR.value, Ticket.appointment_id.is_(None),
               Ticket.return_counter_id.is_(None))
        .order_by(Ticket.queued_at, Ticket.id)
    )]


def returned_ahead(session: Session, ticket: Ticket) -> int:
    """How many returned tickets wait before this returned one at its counter."""
    return len(session.scalars(
        select(Ticket.id)
        .where(Ticket.office_id == ticket.office_id, Ticket.service_day == ticket.service_day,
               Ticket.status == "waiting", Ticket.return_counter_id == ticket.return_counter_id,
               Ticket.id != ticket.id,
               (Ticket.queued_at < ticket.queued_at) | ((Ticket.queued_at == ticket.queued_at) &
                                                         (Ticket.id < ticket.id)))
    ).all())
