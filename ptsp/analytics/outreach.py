"""Jemput bola, read side: the office's list of visit requests, and the officer-hours visits take away from the
counters, for the planning pages (docs/outreach.md, docs/planning.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import outreach as rules
from ..domain.hours import WEEKDAYS
from ..models import OutreachEvent, OutreachRequest, Service, Staff
from .filters import in_agency


def _local(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return instant.astimezone(zone).strftime("%d-%m-%Y %H:%M") if instant is not None else None


def request_list(session: Session, office_ids: list[int], zones: dict[int, str], now: datetime,
                 agency_id: int | None = None) -> list[dict[str, Any]]:
    """The requests of the offices (of one agency's services, when given), open ones first, overdue first among
    them, with their events; personal data included (the page is the office's supervisors' and managers')."""
    query = (select(OutreachRequest).where(OutreachRequest.office_id.in_(office_ids),
                                           in_agency(OutreachRequest.service_id, agency_id))
             .order_by(OutreachRequest.received_at.desc()).limit(500))
    requests = list(session.scalars(query))
    events: dict[int, list[OutreachEvent]] = defaultdict(list)
    if requests:
        for event in session.scalars(select(OutreachEvent).where(
                OutreachEvent.request_id.in_([r.id for r in requests])).order_by(OutreachEvent.id)):
            events[event.request_id].append(event)
    staff_ids = {r.officer_id for r in requests if r.officer_id} | {
        e.staff_id for evs in events.values() for e in evs if e.staff_id}
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all()) \
        if staff_ids else {}
    services = dict(session.execute(select(Service.id, Service.name_id).where(
        Service.id.in_({r.service_id for r in requests}))).all()) if requests else {}
    views = [_view(r, events[r.id], names, services, ZoneInfo(zones[r.office_id]), now) for r in requests]
    return sorted(views, key=lambda v: (v["status"] in rules.CLOSED, not v["overdue"]))


def _view(request: OutreachRequest, events: list[OutreachEvent], names: dict[int, str], services: dict[int, str],
          zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {
        "id": request.id, "office": request.office_id, "code": request.code, "channel": request.channel,
        "status": request.status, "service": services.get(request.service_id, "?"), "on_behalf": request.on_behalf,
        "name": request.name, "contact": request.contact, "place": request.place, "reason": request.reason,
        "officer": request.officer_id, "officer_name": names.get(request.officer_id or 0),
        "visit_at": _local(request.scheduled_at, zone), "travel_minutes": request.travel_minutes,
        "received_at": _local(request.received_at, zone), "due_at": _local(request.due_at, zone),
        "overdue": rules.overdue(request.first_response_at, request.due_at, now),
        "purged": request.purged_at is not None,
        "events": [{"status": e.status, "at": _local(e.at, zone), "staff_name": names.get(e.staff_id or 0),
                    "note": e.note, "data": dict(e.data or {})} for e in events],
    }


def my_visits(session: Session, staff_id: int, zones: dict[int, str]) -> list[dict[str, Any]]:
    """The visits assigned to one officer that wait for their report, soonest first."""
    rows = session.scalars(select(OutreachRequest).where(OutreachRequest.officer_id == staff_id,
                                                         OutreachRequest.status == "scheduled")
                           .order_by(OutreachRequest.scheduled_at))
    return [{"id": r.id, "place": r.place, "name": r.name, "contact": r.contact, "reason": r.reason,
             "service": session.get_one(Service, r.service_id).name_id,
             "visit_at": _local(r.scheduled_at, ZoneInfo(zones.get(r.office_id, "Asia/Jakarta")))} for r in rows]


def outreach_hours(session: Session, office_id: int, timezone: str, days: list[date],
                   agency_id: int | None = None) -> dict[tuple[str, int], float]:
    """Average officer-hours away on visits per open day, by weekday and local hour.

    A visit counts from its time for its service's standard minutes plus the travel minutes of the round trip
    (the travel reported, then as confirmed), spread over the hours it covers; visits not yet made count as
    planned with no travel. Cancelled requests count nothing. Hours on days not in `days` are left out."""
    if not days:
        return {}
    zone = ZoneInfo(timezone)
    first = datetime.combine(min(days), datetime.min.time(), zone)
    last = datetime.combine(max(days) + timedelta(days=1), datetime.min.time(), zone)
    rows = session.execute(
        select(OutreachRequest.scheduled_at, OutreachRequest.travel_minutes, Service.standard_minutes)
        .join(Service, Service.id == OutreachRequest.service_id)
        .where(OutreachRequest.office_id == office_id, OutreachRequest.status != "cancelled",
               OutreachRequest.scheduled_at >= first, OutreachRequest.scheduled_at < last,
               in_agency(OutreachRequest.service_id, agency_id)))
    open_days = set(days)
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for at, travel, standard in rows:
        if at is None:  # not in the query's range: never
            continue
        for day, hour, hours in spread(at.astimezone(zone), standard + (travel or 0.0)):
            if day in open_days:
                totals[(WEEKDAYS[day.weekday()], hour)] += hours
    per_weekday: defaultdict[str, int] = defaultdict(int)
    for day in open_days:
        per_weekday[WEEKDAYS[day.weekday()]] += 1
    return {key: round(total / per_weekday[key[0]], 3) for key, total in totals.items()}


def spread(start: datetime, minutes: float) -> list[tuple[date, int, float]]:
    """Split a stretch of `minutes` from a local `start` into (day, hour, hours) pieces by clock hour."""
    pieces = []
    end = start + timedelta(minutes=minutes)
    at = start
    while at < end:
        boundary = at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        upto = min(boundary, end)
        pieces.append((at.date(), at.hour, (upto - at).total_seconds() / 3600))
        at = upto
    return pieces
