"""Rows of the CSV exports: tickets and their events, by office and local dates, times in the office's zone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..domain.hours import local_now
from ..domain.skm import FIELDS
from ..models import Counter, Office, PointsLedgerEntry, Rating, Service, Staff, Ticket, TicketEvent
from .filters import in_agency
from .skm import local_bounds

TICKET_COLUMNS = (
    "ticket_id", "office", "service_day", "code", "number", "issued_service", "service", "priority", "status",
    "issued_at", "called_at", "started_at", "finished_at", "counter", "clerk", "call_count", "transfer_count",
    "outcome",
)
EVENT_COLUMNS = ("event_id", "ticket_id", "office", "service_day", "code", "kind", "at", "counter", "staff",
                 "device", "data")
POINTS_COLUMNS = ("id", "office", "day", "clerk", "ticket", "service", "kind", "points", "held", "reason",
                  "event_ids", "rating_id", "acted_by", "at_utc")
RATING_COLUMNS = ("id", "office", "ticket", "service", "counter", "clerk", "channel", "quick", *FIELDS, "at_utc")


def _local(value: datetime | None, zone: str) -> str:
    return local_now(value, zone).isoformat() if value else ""


def ticket_rows(session: Session, office_ids: list[int], first: date, last: date, agency_id: int | None = None
                ) -> Iterator[tuple]:
    """Yield the header, then one row per ticket of the offices on the local days first..last."""
    issued, current = aliased(Service), aliased(Service)
    stmt = (
        select(Ticket, Office.slug, Office.timezone, issued.prefix, current.prefix, Counter.number, Staff.username)
        .join(Office, Office.id == Ticket.office_id)
        .join(issued, issued.id == Ticket.issued_service_id)
        .join(current, current.id == Ticket.service_id)
        .outerjoin(Counter, Counter.id == Ticket.counter_id)
        .outerjoin(Staff, Staff.id == Ticket.clerk_id)
        .where(Ticket.office_id.in_(office_ids), Ticket.service_day >= first, Ticket.service_day <= last,
               in_agency(Ticket.service_id, agency_id))
        .order_by(Ticket.office_id, Ticket.service_day, Ticket.issued_at, Ticket.id)
        .execution_options(yield_per=1000)
    )
    yield TICKET_COLUMNS
    for t, slug, zone, issued_prefix, prefix, counter, clerk in session.execute(stmt):
        yield (t.id, slug, t.service_day.isoformat(), t.code, t.number, issued_prefix, prefix, t.priority, t.status,
               _local(t.issued_at, zone), _local(t.called_at, zone), _local(t.started_at, zone),
               _local(t.finished_at, zone), counter or "", clerk or "", t.call_count, t.transfer_count,
               t.outcome or "")


def event_rows(session: Session, office_ids: list[int], first: date, last: date, agency_id: int | None = None
               ) -> Iterator[tuple]:
    """Yield the header, then every event of the tickets of the offices on the local days first..last."""
    stmt = (
        select(TicketEvent, Ticket.service_day, Ticket.code, Office.slug, Office.timezone, Counter.number,
               Staff.username)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .join(Office, Office.id == TicketEvent.office_id)
        .outerjoin(Counter, Counter.id == TicketEvent.counter_id)
        .outerjoin(Staff, Staff.id == TicketEvent.staff_id)
        .where(Ticket.office_id.in_(office_ids), Ticket.service_day >= first, Ticket.service_day <= last,
               in_agency(Ticket.service_id, agency_id))
        .order_by(TicketEvent.office_id, TicketEvent.at, TicketEvent.id)
        .execution_options(yield_per=1000)
    )
    yield EVENT_COLUMNS
    for e, day, code, slug, zone, counter, staff in session.execute(stmt):
        yield (e.id, e.ticket_id, slug, day.isoformat(), code, e.kind, _local(e.at, zone), counter or "",
               staff or "", e.device_id or "", json.dumps(e.data or {}, ensure_ascii=False, sort_keys=True))


def points_rows(session: Session, office_ids: list[int], first: date, last: date, agency_id: int | None = None
                ) -> Iterator[tuple]:
    """Yield the header, then the ledger lines of the offices on the local days first..last."""
    stmt = (
        select(PointsLedgerEntry, Office.slug, Staff.username, Ticket.code, Service.prefix)
        .join(Office, Office.id == PointsLedgerEntry.office_id)
        .join(Staff, Staff.id == PointsLedgerEntry.staff_id)
        .outerjoin(Ticket, Ticket.id == PointsLedgerEntry.ticket_id)  # a jemput bola visit's line has none
        .join(Service, Service.id == PointsLedgerEntry.service_id)
        .where(PointsLedgerEntry.office_id.in_(office_ids), PointsLedgerEntry.service_day >= first,
               PointsLedgerEntry.service_day <= last, in_agency(PointsLedgerEntry.service_id, agency_id))
        .order_by(PointsLedgerEntry.id)
    )
    yield POINTS_COLUMNS
    for line, slug, username, code, prefix in session.execute(stmt):
        code = code if line.ticket_id is not None else f"jemput-bola-{line.outreach_id}"
        yield (line.id, slug, line.service_day.isoformat(), username, code, prefix, line.kind, line.points,
               line.held, line.reason, " ".join(map(str, line.event_ids)), line.rating_id or "",
               line.acted_by or "", line.at.isoformat())


def rating_rows(session: Session, office_ids: list[int], first: date, last: date, agency_id: int | None = None
                ) -> Iterator[tuple]:
    """Yield the header, then every rating given in the offices between the local days first..last."""
    yield RATING_COLUMNS
    for office in session.scalars(select(Office).where(Office.id.in_(office_ids)).order_by(Office.id)):
        since, until = local_bounds(office.timezone, first, last)
        rows = session.execute(
            select(Rating, Ticket.code, Service.prefix, Counter.number, Staff.username)
            .join(Ticket, Ticket.id == Rating.ticket_id).join(Service, Service.id == Rating.service_id)
            .outerjoin(Counter, Counter.id == Rating.counter_id).outerjoin(Staff, Staff.id == Rating.staff_id)
            .where(Rating.office_id == office.id, Rating.at >= since, Rating.at < until,
                   in_agency(Rating.service_id, agency_id)).order_by(Rating.id)
        )
        for rating, code, prefix, counter, username in rows:
            yield (rating.id, office.slug, code, prefix, counter or "", username or "", rating.channel,
                   rating.quick, *[getattr(rating, f) or "" for f in FIELDS], rating.at.isoformat())
