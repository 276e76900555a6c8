"""Read models for the station screens: the waiting lines and a clerk's own day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .. import config_cache
from ..domain import hours as office_hours
from ..models import Office, Ticket
from .lookup import current_seq, get_or_404, run_prebuilt
from .parking import counter_lists
from .points import points_on
from .serializers import waiting_line
from .steps import steps_served
from .urgent import marks as urgent_marks

# How many waiting tickets of each line the counter screen shows (the rest is a count): the lines are sent to
# every screen of the office after each fact, so their cost must not grow with the queue.
LINE_SHOWN = 12


def waiting_tickets(session: Session, office_id: int, now: datetime,
                    shown: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """Return each service's waiting tickets in calling order, with code and priority (only the first `shown`
    of each line when given: the order is worked out from the whole line, the rows read for those only)."""
    return _lines(session, office_id, now, shown)[0]


def _lines(session: Session, office_id: int, now: datetime,
           shown: int | None) -> tuple[dict[int, list[dict[str, Any]]], dict[int, int]]:
    """Each service's line (its first `shown`) and each line's length."""
    office = get_or_404(session, Office, office_id)
    lines: dict[int, list[dict[str, Any]]] = {}
    lengths: dict[int, int] = {}
    for service in office.services:
        entries = waiting_line(session, office, service.id, now)
        lengths[service.id] = len(entries)
        entries = entries[:shown]
        rows = {row.id: row for row in session.execute(
            select(Ticket.id, Ticket.code, Ticket.priority, Ticket.transfer_count)
            .where(Ticket.id.in_([e.ticket_id for e in entries])))} if entries else {}
        urgency = urgent_marks(session, list(rows))  # pending or signed off (docs/urgent.md)
        lines[service.id] = [
            {"id": e.ticket_id, "code": rows[e.ticket_id].code, "priority": rows[e.ticket_id].priority,
             "transferred": rows[e.ticket_id].transfer_count > 0, "returned": e.returned,
             "appointment": _slot(e.appointment_at, office.timezone), "ready": e.is_ready(now),
             "urgent": urgency.get(e.ticket_id)}
            for e in entries
        ]
    return lines, lengths


def office_lines(session: Session, office_id: int, now: datetime) -> dict[str, Any]:
    """What every counter screen of the office shows alike: the lines (the first `LINE_SHOWN` of each, and each
    line's length), the parked tickets and the missed calls.

    Every fact in the office makes each of its counter screens ask for this again, so it is worked out once per
    process for each of the office's sequence numbers (`seq`, raised in the same transaction as every change a
    fact tells) and clock minute (the order and the appointments' and parked tickets' times move with the
    clock): the other screens get the same answer. It is read after the number, so it is never older than it.
    """
    seq = current_seq(session, office_id)
    minute = now.replace(second=0, microsecond=0)

    def load() -> dict[str, Any]:
        lines, lengths = _lines(session, office_id, now, LINE_SHOWN)
        return {
            "waiting": {str(k): v for k, v in lines.items()},
            "waiting_total": {str(k): n for k, n in lengths.items()},
            **counter_lists(session, office_id, now),  # parked tickets and missed calls (docs/queue.md)
        }

    return config_cache.remembered_at(session, ("counter_screen", office_id), (seq, minute), load)


def _slot(at: datetime | None, timezone: str) -> str | None:
    """A booked turn's slot as the office's wall clock ("10:30"), None for a walk-in."""
    return None if at is None else office_hours.local_now(at, timezone).strftime("%H:%M")


_CLERK_DAY = select(Ticket.status, Ticket.started_at, Ticket.finished_at).where(
    Ticket.clerk_id == bindparam("staff_id"), Ticket.service_day == bindparam("day"),
    Ticket.status.in_(["done", "no_show"]))


def clerk_today(session: Session, staff_id: int, office_id: int, now: datetime) -> dict[str, Any]:
    """Return the clerk's figures for the office's service day: served, no-shows, mean minutes, points."""
    office = config_cache.office(session, office_id) or get_or_404(session, Office, office_id)
    day = office_hours.service_day(now, office.timezone)
    rows = run_prebuilt(session, _CLERK_DAY, {"staff_id": staff_id, "day": day}).all()
    minutes = [(end - start).total_seconds() / 60 for status, start, end in rows if status == "done" and start and end]
    minutes += steps_served(session, staff_id, office_id, day)  # steps of visits that went on (docs/steps.md)
    return {
        "day": day.isoformat(),
        "served": len(minutes),
        "no_show": sum(1 for status, _s, _e in rows if status == "no_show"),
        "mean_minutes": round(sum(minutes) / len(minutes), 1) if minutes else None,
        **points_on(session, staff_id, office_id, day),  # credited and held, from the points ledger
    }
