"""Complaints of a set of offices, for the manager's pages and the API (read side)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.complaints import first_response_summary
from ..domain.referrals import Quarter
from ..models import Agency, Complaint, ComplaintEvent, Office, Service, Staff
from ..services import feedback
from ..services.actors import Actor, agency_scope
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


def agency_summary(session: Session, views: list[dict]) -> list[dict]:
    """Per agency (None: services of no agency, and complaints about no service): how many complaints, how many
    missed the 1x24-hour first response, and the mean hours to the first response of those answered."""
    service_ids = {v["service"] for v in views if v["service"] is not None}
    agency_of: dict[int, int | None] = dict(session.execute(
        select(Service.id, Service.agency_id).where(Service.id.in_(service_ids))).all()) if service_ids else {}
    names = dict(session.execute(select(Agency.id, Agency.name).where(
        Agency.id.in_({a for a in agency_of.values() if a is not None})).order_by(Agency.id)).all())
    groups: dict[int | None, dict] = {}
    for view in views:
        agency = agency_of.get(view["service"]) if view["service"] is not None else None
        row = groups.setdefault(agency, {"agency": agency, "name": names.get(agency) if agency else None,
                                         "count": 0, "overdue": 0, "answered": 0, "hours": 0.0})
        row["count"] += 1
        row["overdue"] += bool(view["overdue"])
        if view["first_response_at"]:
            row["answered"] += 1
            row["hours"] += (datetime.fromisoformat(view["first_response_at"])
                             - datetime.fromisoformat(view["received_at"])).total_seconds() / 3600
    out = sorted(groups.values(), key=lambda r: (r["name"] is None, r["name"] or ""))
    for row in out:
        row["mean_hours"] = round(row["hours"] / row["answered"], 1) if row["answered"] else None
    return out


def intake_services(session: Session, actor: Actor, office_ids: list[int]) -> list[tuple[int, int, str]]:
    """The services the desk may file a complaint about: (office, service id, name), of the reader's own agency
    when they are limited to one."""
    own = agency_scope(actor)
    query = select(Service).where(Service.office_id.in_(office_ids), Service.active.is_(True),
                                  in_agency(Service.id, own)).order_by(Service.office_id, Service.prefix)
    return [(s.office_id, s.id, f"{s.prefix} · {s.name_id}") for s in session.scalars(query)]


def quarterly_complaints(session: Session, scope: set[int] | None, quarter: Quarter, now: datetime,
                         agency_id: int | None = None) -> list[dict[str, Any]]:
    """Per agency, the complaints received in a quarter (by the receiving office's local calendar, as the referral
    ranking): how many, answered, 1x24-hour first-response breaches, median and p90 hours to the first response.

    The agency is the complaint's service's; a complaint about no service, or a service of no agency, is the
    office's own row (agency None), shown to office-wide readers only (`in_agency`)."""
    start, end = quarter.bounds("Asia/Jakarta")
    query = (select(Complaint.received_at, Complaint.due_at, Complaint.first_response_at, Service.agency_id,
                    Office.timezone)
             .join(Office, Office.id == Complaint.office_id)
             .outerjoin(Service, Service.id == Complaint.service_id)
             .where(Complaint.received_at >= start - timedelta(days=1), Complaint.received_at < end + timedelta(days=1),
                    in_agency(Complaint.service_id, agency_id)))
    if scope is not None:
        query = query.where(Complaint.office_id.in_(scope))
    cases: dict[int | None, list[tuple[datetime, datetime, datetime | None]]] = {}
    for received, due, first, agency, timezone in session.execute(query):
        if Quarter.of(received, timezone) == quarter:
            cases.setdefault(agency, []).append((received, due, first))
    names = dict(session.execute(select(Agency.id, Agency.name).where(
        Agency.id.in_([a for a in cases if a is not None]))).all()) if cases else {}
    rows = [{"agency": agency, "agency_name": names.get(agency) if agency is not None else None,
             **first_response_summary(found, now)} for agency, found in cases.items()]
    return sorted(rows, key=lambda r: (r["agency_name"] is None, r["agency_name"] or ""))
