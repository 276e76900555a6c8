"""The state a display, counter or status page needs after (re)connecting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.announce import announcement_text
from ..models import Counter, Office, Ticket
from .counters import current_session
from .lookup import current_seq, get_or_404, waiting_counts
from .serializers import counter_view, office_view, service_view, ticket_view


def _current_view(ticket: Ticket, counter: Counter) -> dict[str, Any]:
    recall = ticket.round_calls > 1
    return {**ticket_view(ticket),
            "announcement": announcement_text(ticket.code, counter.number, counter.name, recall=recall)}


def _current_tickets(session: Session, office_id: int) -> dict[int, Ticket]:
    """Map each counter to the ticket it has called or is serving, however long ago it was called."""
    rows = session.scalars(
        select(Ticket)
        .where(Ticket.office_id == office_id, Ticket.counter_id.is_not(None),
               Ticket.status.in_(("called", "serving")))
        .order_by(Ticket.called_at, Ticket.id)
    )
    # the latest call wins should a counter ever hold two
    return {t.counter_id: t for t in rows if t.counter_id is not None}


def office_snapshot(session: Session, office_id: int, now: datetime, recent: int = 10) -> dict[str, Any]:
    """Return the office's queues, counters, current and recent calls, and its sequence number.

    The sequence number is read first: a fact published while the snapshot is
    built has a higher number and is still delivered, so nothing is missed.
    """
    seq = current_seq(session, office_id)
    office = get_or_404(session, Office, office_id)
    day = office_hours.service_day(now, office.timezone)
    counts = waiting_counts(session, office_id, day)
    counters = session.scalars(select(Counter).where(Counter.office_id == office_id, Counter.active.is_(True))
                               .order_by(Counter.number))
    current = _current_tickets(session, office_id)
    recent_calls = session.scalars(
        select(Ticket)
        .where(Ticket.office_id == office_id, Ticket.service_day == day, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc(), Ticket.id.desc())
        .limit(recent)
    ).all()
    return {
        "seq": seq,
        "office": office_view(office, now),
        "services": [
            {**service_view(s), "waiting": counts.get(s.id, 0)} for s in office.services
        ],
        "counters": [
            {
                **counter_view(c, current_session(session, c.id)),
                "current": _current_view(current[c.id], c) if c.id in current else None,
            }
            for c in counters
        ],
        "recent_calls": [ticket_view(t) for t in recent_calls],
    }
