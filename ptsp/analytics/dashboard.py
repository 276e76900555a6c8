"""The manager dashboard's figures: the live state of each office and today's service level.

Service level (see docs/dashboard.md): of today's tickets whose outcome against the target is known, the
share first called within the office's `target_wait_minutes` of being issued. A ticket counts once it
has been called, or once it has waited (or waited until it was cancelled or expired) longer than the
target without a call; a ticket still inside the target and not yet called is not counted yet.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..i18n import SOURCE_LANGUAGE, current_language
from ..models import Counter, CounterSession, Office, Service, Ticket, TicketEvent
from ..services import presence
from ..services.lookup import current_seq
from ..services.serializers import iso
from .bookings import day_bookings, no_show_percent, phone_tickets
from .filters import in_agency


def service_name(service: Service) -> str:
    """The service's name as the office entered it for the request's language: its English name on
    pages in any language but Indonesian (when one was entered), its Indonesian name otherwise."""
    if current_language() != SOURCE_LANGUAGE and service.name_en:
        return service.name_en
    return service.name_id


def first_calls(office_ids: list[int], since: datetime | None = None) -> Any:
    """A subquery of each ticket's first `called` event: (ticket_id, first_call)."""
    stmt = select(TicketEvent.ticket_id, func.min(TicketEvent.at).label("first_call")).where(
        TicketEvent.office_id.in_(office_ids), TicketEvent.kind == "called"
    )
    if since is not None:
        stmt = stmt.where(TicketEvent.at >= since)
    return stmt.group_by(TicketEvent.ticket_id).subquery()


def service_level(session: Session, office: Office, day: date, now: datetime, agency_id: int | None = None
                  ) -> dict[str, Any]:
    """Return today's service level of an office: counted tickets, those called in time, and the percentage."""
    target = timedelta(minutes=office.target_wait_minutes)
    start = datetime.combine(day, datetime.min.time(), office_hours.local_now(now, office.timezone).tzinfo)
    calls = first_calls([office.id], since=start - timedelta(days=1))
    rows = session.execute(
        select(Ticket.issued_at, Ticket.status, Ticket.finished_at, calls.c.first_call)
        .outerjoin(calls, calls.c.ticket_id == Ticket.id)
        .where(Ticket.office_id == office.id, Ticket.service_day == day, in_agency(Ticket.service_id, agency_id))
    )
    counted = within = 0
    for issued_at, status, finished_at, first_call in rows:
        if first_call is not None:
            counted += 1
            within += first_call - issued_at <= target
        else:
            end = finished_at if status in ("cancelled", "expired") and finished_at else now
            counted += end - issued_at > target
    return {
        "target_minutes": office.target_wait_minutes,
        "counted": counted,
        "within": within,
        "percent": round(100 * within / counted, 1) if counted else None,
    }


def _minutes(delta: timedelta) -> float:
    return round(delta.total_seconds() / 60, 1)


def _services(session: Session, office: Office, day: date, now: datetime, agency_id: int | None
              ) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Ticket.service_id, Ticket.status, func.count(), func.min(Ticket.issued_at))
        .where(Ticket.office_id == office.id, Ticket.service_day == day)
        .group_by(Ticket.service_id, Ticket.status)
    )
    booked = day_bookings(session, office, day, now, agency_id)
    by_service: dict[int, dict[str, Any]] = {}
    for service_id, status, count, oldest in rows:
        entry = by_service.setdefault(service_id, {"counts": {}, "oldest": None})
        entry["counts"][status] = count
        if status == "waiting":
            entry["oldest"] = oldest
    result = []
    for service in office.services:
        if agency_id is not None and service.agency_id != agency_id:
            continue
        entry = by_service.get(service.id, {"counts": {}, "oldest": None})
        oldest = entry["oldest"]
        result.append({
            "id": service.id, "prefix": service.prefix, "name": service_name(service),
            "active": service.active, "waiting": entry["counts"].get("waiting", 0),
            "in_service": entry["counts"].get("called", 0) + entry["counts"].get("serving", 0),
            "done": entry["counts"].get("done", 0),
            "longest_wait_minutes": _minutes(now - oldest) if oldest else None,
            "bookings": booked.get(service.id, {"booked": 0, "checked_in": 0, "late": 0, "no_show": 0,
                                                "pending": 0}),
        })
    return result


def _counters(session: Session, office: Office, agency_id: int | None) -> list[dict[str, Any]]:
    """The office's counters; for one agency, its own counters and those serving one of its services."""
    current = {
        s.counter_id: s for s in session.scalars(
            select(CounterSession).where(CounterSession.office_id == office.id, CounterSession.ended_at.is_(None)))
    }
    active = {
        t.counter_id: t for t in session.scalars(
            select(Ticket).where(Ticket.office_id == office.id, Ticket.status.in_(["called", "serving"])))
    }
    counters = session.scalars(select(Counter).where(Counter.office_id == office.id).order_by(Counter.number))
    result = []
    for counter in counters:
        if agency_id is not None and counter.agency_id != agency_id \
                and not any(s.agency_id == agency_id for s in counter.services):
            continue
        run = current.get(counter.id)
        ticket = active.get(counter.id)
        result.append({
            "id": counter.id, "number": counter.number, "name": counter.name,
            "services": [s.prefix for s in counter.services],
            "state": run.state if run else "closed",
            "staff_name": run.staff.name if run else None,
            "since": iso(run.started_at) if run else None,
            "reason": run.reason if run and run.state == "break" else None,
            "ticket": {"code": ticket.code, "status": ticket.status} if ticket else None,
        })
    return result


def office_live(session: Session, office: Office, now: datetime, agency_id: int | None = None) -> dict[str, Any]:
    """Return one office's live figures for the dashboard (of one agency's services and counters, when given)."""
    seq = current_seq(session, office.id)  # read first: a fact after this one triggers another refresh
    day = office_hours.service_day(now, office.timezone)
    hours = office_hours.hours_on(office_hours.parse_week(office.hours), day, office.timezone,
                                  office.last_ticket_minutes)
    services = _services(session, office, day, now, agency_id)
    counters = _counters(session, office, agency_id)
    bookings: dict[str, Any] = {key: sum(s["bookings"][key] for s in services)
                for key in ("booked", "checked_in", "late", "no_show", "pending")}
    bookings["no_show_percent"] = no_show_percent(bookings)
    waits = [s["longest_wait_minutes"] for s in services if s["longest_wait_minutes"] is not None]
    totals = dict(session.execute(
        select(Ticket.status, func.count()).where(Ticket.office_id == office.id, Ticket.service_day == day,
                                                  in_agency(Ticket.service_id, agency_id))
        .group_by(Ticket.status)).all())
    return {
        "id": office.id, "name": office.name, "kind": office.kind, "timezone": office.timezone,
        "zone": office_hours.TIMEZONES.get(office.timezone, office.timezone),
        "local_time": office_hours.local_now(now, office.timezone).strftime("%H:%M"),
        "open_now": office_hours.is_open(hours, now), "seq": seq,
        "waiting": sum(s["waiting"] for s in services),
        "longest_wait_minutes": max(waits) if waits else None,
        "issued_today": sum(totals.values()), "done_today": totals.get("done", 0),
        "no_show_today": totals.get("no_show", 0),
        "phone_today": phone_tickets(session, office, day, agency_id),
        "bookings_today": bookings,
        "counters_open": sum(c["state"] == "open" for c in counters),
        "counters_break": sum(c["state"] == "break" for c in counters),
        "counters_closed": sum(c["state"] == "closed" for c in counters),
        "service_level": service_level(session, office, day, now, agency_id), "agency": agency_id,
        "services": services, "counters": counters,
        "displays": presence.displays(session, office.id, now),
    }


def live_dashboard(session: Session, offices: list[Office], now: datetime,
                   printers: list[dict[str, Any]], agency_id: int | None = None) -> dict[str, Any]:
    """Return the live figures of the offices that serve residents (those with services), and their printers."""
    serving = [o for o in offices if o.services]
    views = [office_live(session, office, now, agency_id) for office in serving]
    for view in views:
        view["printers"] = [p for p in printers if p.get("office_id") == view["id"]]
    return {"generated_at": iso(now), "offices": views, "printers": printers}
