"""Booked turns on the manager's pages: a day's bookings, check-ins and no-shows per service, and the booking
no-show rate over a range of days (docs/dashboard.md, "Bookings").

A booking's outcome is read, never written: one still `booked` whose check-in window has closed counts as a
no-show here even before `close_missed` has recorded it. A booking cancelled by the resident is left out;
one that came late and got a walk-in ticket (`converted_walk_in`) came, so it is not a no-show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.appointments import BookingStatus
from ..domain.hours import local_now
from ..models import Appointment, AppointmentSettings, Office, Service, Ticket
from .filters import in_agency

DEFAULT_LATE_MINUTES = 15  # an office without booking settings (AppointmentSettings' default)


def _late_minutes(session: Session, office_ids: list[int]) -> dict[int, int]:
    rows = session.execute(select(AppointmentSettings.office_id, AppointmentSettings.late_minutes)
                           .where(AppointmentSettings.office_id.in_(office_ids)))
    found = {office_id: late for office_id, late in rows}
    return {office_id: found.get(office_id, DEFAULT_LATE_MINUTES) for office_id in office_ids}


def outcome(status: str, starts_at: datetime, late_minutes: int, now: datetime) -> str | None:
    """What a booking comes to on the manager's pages: `checked_in`, `late` (came after its window, served as
    a walk-in), `no_show`, `pending` (its window not closed yet) or None (cancelled: not counted)."""
    if status == BookingStatus.CANCELLED.value:
        return None
    if status == BookingStatus.CHECKED_IN.value:
        return "checked_in"
    if status == BookingStatus.CONVERTED_WALK_IN.value:
        return "late"
    if status == BookingStatus.NO_SHOW.value or starts_at < now - timedelta(minutes=late_minutes):
        return "no_show"
    return "pending"


def _empty() -> dict[str, int]:
    return {"booked": 0, "checked_in": 0, "late": 0, "no_show": 0, "pending": 0}


def no_show_percent(counts: dict[str, int]) -> float | None:
    """No-shows among the bookings whose outcome is known (checked in, late or no-show); None when none is."""
    settled = counts["checked_in"] + counts["late"] + counts["no_show"]
    return round(100 * counts["no_show"] / settled, 1) if settled else None


def day_bookings(session: Session, office: Office, day: date, now: datetime, agency_id: int | None = None
                 ) -> dict[int, dict[str, int]]:
    """One office's bookings of one local day, per service id: booked (not cancelled), checked in, late,
    no-show and pending."""
    late = _late_minutes(session, [office.id])[office.id]
    rows = session.execute(
        select(Appointment.service_id, Appointment.status, Appointment.starts_at)
        .where(Appointment.office_id == office.id, Appointment.day == day,
               in_agency(Appointment.service_id, agency_id)))
    result: dict[int, dict[str, int]] = defaultdict(_empty)
    for service_id, status, starts_at in rows:
        kind = outcome(status, starts_at, late, now)
        if kind is None:
            continue
        entry = result[service_id]
        entry["booked"] += 1
        entry[kind] += 1
    return dict(result)


def phone_tickets(session: Session, office: Office, day: date, agency_id: int | None = None) -> int:
    """How many of the office's tickets of the day residents took on their phones (`source` "phone")."""
    return int(session.scalar(
        select(func.count()).select_from(Ticket)
        .where(Ticket.office_id == office.id, Ticket.service_day == day, Ticket.source == "phone",
               in_agency(Ticket.service_id, agency_id))) or 0)


def no_show_rate(session: Session, offices: list[Office], first: date, last: date, now: datetime,
                 agency_id: int | None = None) -> dict[str, Any]:
    """The booking no-show rate of local days `first`..`last` (inclusive), over all the offices and per office."""
    ids = [o.id for o in offices]
    late = _late_minutes(session, ids)
    rows = session.execute(
        select(Appointment.office_id, Appointment.status, Appointment.starts_at)
        .where(Appointment.office_id.in_(ids), Appointment.day >= first, Appointment.day <= last,
               in_agency(Appointment.service_id, agency_id)))
    per_office: dict[int, dict[str, int]] = {o.id: _empty() for o in offices}
    total = _empty()
    for office_id, status, starts_at in rows:
        kind = outcome(status, starts_at, late[office_id], now)
        if kind is None:
            continue
        for entry in (per_office[office_id], total):
            entry["booked"] += 1
            entry[kind] += 1
    return {
        **total, "percent": no_show_percent(total),
        "offices": [{"id": o.id, "name": o.name, **per_office[o.id], "percent": no_show_percent(per_office[o.id])}
                    for o in offices if per_office[o.id]["booked"]],
    }


BOOKING_COLUMNS = ("booking_id", "office", "day", "slot", "service", "status", "outcome", "checked_in_at",
                   "ticket")


def booking_rows(session: Session, office_ids: list[int], first: date, last: date, agency_id: int | None = None,
                 *, now: datetime) -> Iterator[tuple]:
    """Yield the header, then one row per booking of the offices on the local days first..last: its slot, service,
    status and outcome (as on the dashboard), check-in time in the office's zone and ticket code. Never the
    booking code (the resident's key) nor the phone."""
    late = _late_minutes(session, office_ids)
    stmt = (
        select(Appointment, Office.slug, Office.timezone, Service.prefix, Ticket.code)
        .join(Office, Office.id == Appointment.office_id)
        .join(Service, Service.id == Appointment.service_id)
        .outerjoin(Ticket, Ticket.id == Appointment.ticket_id)
        .where(Appointment.office_id.in_(office_ids), Appointment.day >= first, Appointment.day <= last,
               in_agency(Appointment.service_id, agency_id))
        .order_by(Appointment.office_id, Appointment.day, Appointment.slot_start, Appointment.id)
    )
    yield BOOKING_COLUMNS
    for booking, slug, zone, prefix, ticket_code in session.execute(stmt):
        kind = outcome(booking.status, booking.starts_at, late[booking.office_id], now)
        yield (booking.id, slug, booking.day.isoformat(), booking.slot_start.strftime("%H:%M"), prefix,
               booking.status, kind or "", local_now(booking.checked_in_at, zone).isoformat()
               if booking.checked_in_at else "", ticket_code or "")
