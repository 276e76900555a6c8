"""Read models for the station screens: the waiting lines and a clerk's own day."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..models import Office, Ticket
from .lookup import get_or_404
from .points import points_on
from .serializers import waiting_line
from .steps import steps_served
from .urgent import marks as urgent_marks


def waiting_tickets(session: Session, office_id: int, now: datetime) -> dict[int, list[dict[str, Any]]]:
    """Return each service's waiting tickets in calling order, with code and priority."""
    office = get_or_404(session, Office, office_id)
    lines: dict[int, list[dict[str, Any]]] = {}
    for service in office.services:
        entries = waiting_line(session, office, service.id, now)
        rows = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_([e.ticket_id for e in entries])))}
        urgency = urgent_marks(session, list(rows))  # pending or signed off (docs/urgent.md)
        lines[service.id] = [
            {"id": e.ticket_id, "code": rows[e.ticket_id].code, "priority": rows[e.ticket_id].priority,
             "transferred": rows[e.ticket_id].transfer_count > 0, "returned": e.returned,
             "appointment": _slot(e.appointment_at, office.timezone), "ready": e.is_ready(now),
             "urgent": urgency.get(e.ticket_id)}
            for e in entries
        ]
    return lines


def _slot(at: datetime | None, timezone: str) -> str | None:
    """A booked turn's slot as the office's wall clock ("10:30"), None for a walk-in."""
    return None if at is None else office_hours.local_now(at, timezone).strftime("%H:%M")


def clerk_today(session: Session, staff_id: int, office_id: int, now: datetime) -> dict[str, Any]:
    """Return the clerk's figures for the office's service day: served, no-shows, mean minutes, points."""
    office = get_or_404(session, Office, office_id)
    day = office_hours.service_day(now, office.timezone)
    rows = session.execute(
        select(Ticket.status, Ticket.started_at, Ticket.finished_at).where(
            Ticket.clerk_id == staff_id, Ticket.service_day == day, Ticket.status.in_(["done", "no_show"])
        )
    ).all()
    minutes = [(end - start).total_seconds() / 60 for status, start, end in rows if status == "done" and start and end]
    minutes += steps_served(session, staff_id, office_id, day)  # steps of visits that went on (docs/steps.md)
    return {
        "day": day.isoformat(),
        "served": len(minutes),
        "no_show": sum(1 for status, _s, _e in rows if status == "no_show"),
        "mean_minutes": round(sum(minutes) / len(minutes), 1) if minutes else None,
        **points_on(session, staff_id, office_id, day),  # credited and held, from the points ledger
    }
