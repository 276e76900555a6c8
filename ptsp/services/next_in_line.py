"""Reading who may be called next from the database: the heads of the waiting lines, row-locked, and a
counter's latest run of appointment calls (the rule itself is `ptsp.domain.calling_order`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, literal, select, union_all
from sqlalchemy.orm import Session

from ..domain.calling_order import Priority, QueueEntry
from ..models import AppointmentSettings, Counter, Ticket, TicketEvent, counter_services
from ..models.tickets import AT_A_COUNTER
from .lookup import run_prebuilt
from .parked_line import returned_heads


def appointments_max_run(session: Session, office_id: int) -> int:
    """The office's most appointments called in a row at a counter while walk-ins wait (default 2)."""
    found = session.scalar(select(AppointmentSettings.max_run).where(AppointmentSettings.office_id == office_id))
    return int(AppointmentSettings.__table__.c.max_run.default.arg) if found is None else found


def queue_heads(session: Session, office_id: int, day: date, service_ids: list[int],
                 now: datetime, counter_id: int | None = None) -> list[QueueEntry]:
    """Return the oldest waiting priority ticket and the oldest regular one, of the walk-ins and of the
    appointments whose slot has begun (oldest by the time each became ready), row-locked.

    Only these four can be next (see domain.calling_order). On PostgreSQL the rows are
    claimed with FOR UPDATE SKIP LOCKED, so clerks calling at once take
    different tickets instead of waiting on each other; on SQLite the whole
    transaction already holds the write lock (BEGIN IMMEDIATE). Only today's
    tickets count: one left over from a day that was never expired is not
    called ahead of today's residents.
    """
    ready_at = case((Ticket.queued_at > Ticket.appointment_at, Ticket.queued_at), else_=Ticket.appointment_at)
    classes = (
        (Ticket.appointment_id.is_(None), Ticket.queued_at),
        (and_(Ticket.appointment_id.is_not(None), Ticket.appointment_at <= now), ready_at),
    )
    heads = []
    for kind, order in classes:
        for regular in (False, True):
            tier = Ticket.priority == "regular" if regular else Ticket.priority != "regular"
            stmt = (
                select(Ticket.id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at)
                .where(
                    Ticket.office_id == office_id,
                    Ticket.service_day == day,
                    Ticket.status == "waiting",
                    Ticket.service_id.in_(service_ids),
                    tier,
                    kind,
                    Ticket.return_counter_id.is_(None),
                )
                .order_by(order, Ticket.id)
                .limit(1)
            )
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            row = session.execute(stmt).first()
            if row:
                heads.append(QueueEntry(row.id, Priority(row.priority), row.queued_at, row.appointment_at))
    if counter_id is not None:
        heads += returned_heads(session, office_id, day, service_ids, counter_id)
    return heads


def appointment_run(session: Session, counter_id: int, since: datetime, max_run: int) -> int:
    """How many of the counter's latest calls since `since` (at most `max_run` looked at) were appointments,
    counted back to the latest walk-in call."""
    rows = session.execute(
        select(Ticket.appointment_id)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(TicketEvent.counter_id == counter_id, TicketEvent.kind == "called", TicketEvent.at >= since)
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        .limit(max_run)
    ).all()
    run = 0
    for (appointment_id,) in rows:
        if appointment_id is None:
            break
        run += 1
    return run


def urgent_heads(session: Session, office_id: int, day: date, service_ids: list[int]) -> list[QueueEntry]:
    """Return the waiting urgent ticket signed off first (docs/urgent.md), row-locked like `queue_heads`: it goes
    before every head `queue_heads` finds."""
    stmt = (
        select(Ticket.id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at, Ticket.urgent_at)
        .where(Ticket.office_id == office_id, Ticket.service_day == day, Ticket.status == "waiting",
               Ticket.service_id.in_(service_ids), Ticket.urgent_at.is_not(None))
        .order_by(Ticket.urgent_at, Ticket.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    row = session.execute(stmt).first()
    return [QueueEntry(row.id, Priority(row.priority), row.queued_at, row.appointment_at, row.urgent_at)] if row else []


def call_heads(session: Session, counter: Counter, day: date, now: datetime) -> tuple[list[QueueEntry], int | None]:
    """Every head a counter's call-next chooses from, of the services it serves: `queue_heads` (with the
    counter's returned parked ticket) then `urgent_heads`, in that order; and on SQLite the ticket the counter
    has called or is serving, if any (the caller checks it before on PostgreSQL: None here).

    On SQLite, where the transaction already holds the write lock (BEGIN IMMEDIATE), the six reads, the
    counter's services and its current ticket are one statement (`_all_heads`, built once); PostgreSQL claims
    each head with FOR UPDATE SKIP LOCKED, which a UNION cannot carry, so it reads them one by one.
    """
    if session.get_bind().dialect.name != "sqlite":
        service_ids = [s.id for s in counter.services]
        return (queue_heads(session, counter.office_id, day, service_ids, now, counter.id)
                + urgent_heads(session, counter.office_id, day, service_ids)), None
    rows = run_prebuilt(session, _all_heads(), {"office_id": counter.office_id, "day": day, "now": now,
                                                "counter_id": counter.id}).all()
    heads, busy = [], None
    for row in sorted(rows, key=lambda r: r.part):
        if row.part == _BUSY_PART:
            busy = row.id
            continue
        urgent, returned = row.part == _URGENT_PART, row.part == _RETURNED_PART
        heads.append(QueueEntry(row.id, Priority(row.priority), row.queued_at, row.appointment_at,
                                row.urgent_at if urgent else None, returned=returned))
    return heads, busy


_RETURNED_PART, _URGENT_PART, _BUSY_PART = 4, 5, 6
_HEADS: list[Any] = []


def _all_heads() -> Any:
    """The one statement of `call_heads` on SQLite: each head a LIMIT 1 subquery (as `queue_heads`, then
    `returned_heads`, then `urgent_heads` read them), tagged with its part, joined by UNION ALL."""
    if _HEADS:
        return _HEADS[0]
    line = (Ticket.office_id == bindparam("office_id"), Ticket.service_day == bindparam("day"),
            Ticket.status == "waiting", Ticket.service_id.in_(
                select(counter_services.c.service_id).where(counter_services.c.counter_id == bindparam("counter_id"))))
    now = bindparam("now", type_=Ticket.appointment_at.type)
    ready_at = case((Ticket.queued_at > Ticket.appointment_at, Ticket.queued_at), else_=Ticket.appointment_at)
    parts: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    for kind, order in ((Ticket.appointment_id.is_(None), Ticket.queued_at),
                        (and_(Ticket.appointment_id.is_not(None), Ticket.appointment_at <= now), ready_at)):
        for regular in (False, True):
            tier = Ticket.priority == "regular" if regular else Ticket.priority != "regular"
            parts.append(((*line, tier, kind, Ticket.return_counter_id.is_(None)), (order, Ticket.id)))
    parts.append(((*line, Ticket.return_counter_id == bindparam("counter_id")), (Ticket.queued_at, Ticket.id)))
    parts.append(((*line, Ticket.urgent_at.is_not(None)), (Ticket.urgent_at, Ticket.id)))
    parts.append(((Ticket.counter_id == bindparam("counter_id"), AT_A_COUNTER),
                  (Ticket.id,)))  # the counter's current ticket, which refuses the call (tickets._prepare_call)
    members = []
    for number, (where, order_by) in enumerate(parts):
        head = (select(literal(number).label("part"), Ticket.id, Ticket.priority, Ticket.queued_at,
                       Ticket.appointment_at, Ticket.urgent_at)
                .where(*where).order_by(*order_by).limit(1).subquery(f"head{number}"))
        members.append(select(*head.c))
    _HEADS.append(union_all(*members))
    return _HEADS[0]
