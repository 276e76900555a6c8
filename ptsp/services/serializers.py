"""Plain-dict views of rows, shared by the API, socket payloads and snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, literal, or_, select, true
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.calling_order import Priority, QueueEntry, order_queue
from ..domain.estimate import estimated_wait_minutes, mean_service_minutes
from ..domain.hours import local_now
from ..models import Counter, CounterSession, Office, Service, Ticket, counter_services
from ..models.tickets import FINISHED
from .lookup import run_prebuilt
from .parked_line import returned_ahead


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def service_view(service: Service) -> dict[str, Any]:
    return {
        "id": service.id,
        "prefix": service.prefix,
        "name": {"id": service.name_id, "en": service.name_en},
        "standard_minutes": service.standard_minutes,
        "active": service.active,
        "daily_quota": service.daily_quota,
    }


def ticket_view(ticket: Ticket) -> dict[str, Any]:
    """Describe a ticket without its public token (safe to broadcast to a lobby)."""
    return {
        "id": ticket.id,
        "code": ticket.code,
        "number": ticket.number,
        "office": ticket.office_id,
        "service": ticket.service_id,
        "issued_service": ticket.issued_service_id,
        "service_day": ticket.service_day.isoformat(),
        "priority": ticket.priority,
        "status": ticket.status,
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at),
        "counter": ticket.counter_id,
        "counter_number": ticket.counter.number if ticket.counter_id and ticket.counter else None,
        "clerk": ticket.clerk_id,
        "call_count": ticket.call_count,
        "transfer_count": ticket.transfer_count,
        "outcome": ticket.outcome,
        "appointment": ticket.appointment_id is not None,
        "appointment_at": iso(ticket.appointment_at),
        "urgent": ticket.urgent_at is not None,  # signed off as urgent (docs/urgent.md)
        "parked_until": iso(ticket.parked_until),
        "return_counter": ticket.return_counter_id,
        "next_steps": list(ticket.next_steps or []),
    }


def waiting_line(session: Session, office: Office, service_id: int, now: datetime) -> list[QueueEntry]:
    """Return one service's waiting tickets in calling order (as if the counter had called no appointment just
    before), then the appointments checked in early, by their slot: they are not called before it."""
    rows = session.execute(
        select(Ticket.id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at, Ticket.urgent_at,
               Ticket.return_counter_id).where(
            Ticket.office_id == office.id,
            Ticket.service_day == office_hours.service_day(now, office.timezone),
            Ticket.service_id == service_id,
            Ticket.status == "waiting",
        )
    )
    entries = [QueueEntry(i, Priority(p), q, a, u, returned=r is not None) for i, p, q, a, u, r in rows]
    early = sorted((e for e in entries if not e.is_ready(now)), key=lambda e: (e.ready_at, e.ticket_id))
    return order_queue(entries, now, timedelta(minutes=office.starvation_minutes)) + early


# The wait estimate's two reads run with every issue and status read: built once, with bound parameters
# (building and hashing a statement cost about as much CPU as running it, docs/benchmarks.md).
_OPEN_COUNTERS = (
    select(CounterSession.counter_id)
    .join(counter_services, counter_services.c.counter_id == CounterSession.counter_id)
    .where(
        counter_services.c.service_id == bindparam("service_id"),
        CounterSession.ended_at.is_(None),
        CounterSession.state == "open",
    )
    .distinct()
)
_RECENT_SERVICES = (
    select(Ticket.started_at, Ticket.finished_at)
    .where(
        Ticket.service_id == bindparam("service_id"),
        FINISHED,
        Ticket.finished_at >= bindparam("since"),
    )
    .order_by(Ticket.finished_at.desc())
    .limit(20)
)


# Both in one statement for an estimate: the count as a column beside each of the recent services (one row of
# NULL times when there are none), a round trip less on every issue and status read.
_RECENT = _RECENT_SERVICES.subquery("recent")
_ESTIMATE = (
    select(
        select(func.count()).select_from(_OPEN_COUNTERS.subquery("open_counters")).scalar_subquery(),
        _RECENT.c.started_at, _RECENT.c.finished_at,
    )
    .select_from(select(literal(1).label("one")).subquery("one").outerjoin(_RECENT, true()))
)


def open_counter_count(session: Session, service_id: int) -> int:
    """Count counters serving `service_id` that are open now (not on break, not closed)."""
    return len(session.scalars(_OPEN_COUNTERS, {"service_id": service_id}).all())


def recent_service_minutes(session: Session, service_id: int, now: datetime) -> list[float]:
    """Return the durations of the last 20 completed services of a kind, within a week."""
    rows = session.execute(_RECENT_SERVICES, {"service_id": service_id, "since": now - timedelta(days=7)})
    return [(end - start).total_seconds() / 60 for start, end in rows if start and end]


def wait_estimate(session: Session, service: Service, people_ahead: int, now: datetime) -> int | None:
    """Estimate the wait for a ticket with `people_ahead` in `service` (see domain.estimate)."""
    rows = run_prebuilt(session, _ESTIMATE, {"service_id": service.id, "since": now - timedelta(days=7)}).all()
    recent = sorted(((end, start) for _open, start, end in rows if start and end), reverse=True)
    minutes = mean_service_minutes([(end - start).total_seconds() / 60 for end, start in recent],
                                   service.standard_minutes)
    return estimated_wait_minutes(people_ahead, minutes, rows[0][0] or 0)


def people_ahead(session: Session, ticket: Ticket, now: datetime) -> int:
    """Count the waiting tickets called before this one, in the order of `domain.calling_order.sort_key`.

    One COUNT instead of loading and sorting the whole line: a promoted ticket (priority, or a
    regular one past the starvation limit) has only earlier promoted tickets ahead; any other
    ticket has every promoted ticket and the earlier unpromoted ones ahead. A parked ticket back in line
    has only the returned tickets of its counter that came back before it ahead (docs/queue.md).
    """
    if ticket.return_counter_id is not None:
        return returned_ahead(session, ticket)
    limit = now - timedelta(minutes=ticket.office.starvation_minutes)
    promoted = or_(Ticket.priority != Priority.REGULAR.value, Ticket.queued_at <= limit)
    earlier = or_(Ticket.queued_at < ticket.queued_at,
                  and_(Ticket.queued_at == ticket.queued_at, Ticket.id < ticket.id))
    own_promoted = ticket.priority != Priority.REGULAR.value or ticket.queued_at <= limit
    ahead = and_(promoted, earlier) if own_promoted else or_(promoted, earlier)
    # Urgent tickets (docs/urgent.md) go first, in the order they were signed off.
    if ticket.urgent_at is not None:
        ahead = and_(Ticket.urgent_at.is_not(None), or_(Ticket.urgent_at < ticket.urgent_at, and_(
            Ticket.urgent_at == ticket.urgent_at, Ticket.id < ticket.id)))
    else:
        ahead = or_(ahead, Ticket.urgent_at.is_not(None))
    return session.scalar(
        select(func.count()).select_from(Ticket).where(
            Ticket.office_id == ticket.office_id,
            Ticket.service_day == ticket.service_day,
            Ticket.service_id == ticket.service_id,
            Ticket.status == "waiting",
            Ticket.id != ticket.id,
            ahead,
        )
    ) or 0


def ticket_position(session: Session, ticket: Ticket, now: datetime, ahead: int | None = None) -> dict[str, Any]:
    """Return people ahead and estimated wait for a waiting ticket (None otherwise).

    `ahead` may be passed by a caller that already knows it (a just-issued regular ticket is last).
    """
    if ticket.status != "waiting":
        return {"position": None, "people_ahead": 0, "estimated_wait_minutes": None}
    if ahead is None:
        ahead = people_ahead(session, ticket, now)
    return {
        "position": ahead + 1,
        "people_ahead": ahead,
        "estimated_wait_minutes": wait_estimate(session, ticket.service, ahead, now),
    }


def counter_view(counter: Counter, current: CounterSession | None) -> dict[str, Any]:
    return {
        "id": counter.id,
        "number": counter.number,
        "name": counter.name,
        "services": [s.id for s in counter.services],
        "state": current.state if current else "closed",
        "staff": current.staff_id if current else None,
        "staff_name": current.staff.name if current else None,
        "since": iso(current.started_at) if current else None,
    }


def office_view(office: Office, now: datetime) -> dict[str, Any]:
    return {
        "id": office.id,
        "slug": office.slug,
        "name": office.name,
        "kind": office.kind,
        "parent": office.parent_id,
        "timezone": office.timezone,
        "local_time": local_now(now, office.timezone).isoformat(),
        "hours": office.hours,
        "last_ticket_minutes": office.last_ticket_minutes,
        "running_text": office.running_text,
    }
