"""Complaints of a set of offices, for the manager's pages and the API (read side)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Complaint, ComplaintEvent, Staff
from ..services import feedback
from .filters import in_agency


def complaint_list(session: Session, office_ids: list[int], now: datetime, status: str | None = None,
                   agency_id: int | None = None) -> list[dict]:
    """Return the complaints of the offices, open and overdue first, with their events.

    For one agency: the complaints about its services (a resident's complaint about a ticket carries the
    ticket's service); a complaint about no service is the office's, for its office-wide managers."""
    query = (select(Complaint).where(Complaint.office_id.in_(office_ids), in_agency(Complaint.service_id, agency_id))
             .order_by(Complaint.received_at.desc()))
    if status:
        query = query.where(Complaint.status == status)
    complaints = list(session.scalars(query))
    events: dict[int, list[ComplaintEvent]] = {}
    if complaints:
        for event in session.scalars(select(ComplaintEvent).where(
                ComplaintEvent.complaint_id.in_([c.id for c in complaints])).order_by(ComplaintEvent.id)):
            events.setdefault(event.complaint_id, []).append(event)
    staff_ids = {e.staff_id for evs in events.values() for e in evs if e.staff_id}
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all()) \
        if staff_ids else {}
    views = [feedback.complaint_view(c, events.get(c.id, []), now, names) for c in complaints]
    return sorted(views, key=lambda v: (v["status"] == "done", not v["overdue"]))
