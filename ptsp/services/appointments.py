"""Booking use cases: what is free, book, look up, cancel, reschedule (docs/appointments.md).

No account and no name: a booking is known by its code. The phone number is optional, only for alerts, and
only with the resident's consent; the limits against brokers (calo) count bookings per keyed hash of the phone
and of the booking page's device cookie, never the raw values. Each function takes a session and `now`; the
caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.appointments import (
    LIVE_STATUSES,
    BookingStatus,
    blocked_until,
    day_slots,
    new_code,
    read_code,
    slot_capacities,
)
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, OfficeClosed
from ..models import Agency, Appointment, AppointmentSettings, Office, Service
from . import office_calendar

CONSENT_TEXT = ("Saya setuju nomor ini dipakai hanya untuk pemberitahuan antrean janji ini dan dihapus "
                "setelah kunjungan.")
_PHONE = re.compile(r"^(?:\+?62|0)8\d{7,12}$")
MAX_RESCHEDULES = 3


def settings_for(session: Session, office_id: int) -> AppointmentSettings:
    """The office's booking settings, or the defaults (a row not added to the session)."""
    found = session.get(AppointmentSettings, office_id)
    if found is not None:
        return found
    defaults = {c.name: c.default.arg for c in AppointmentSettings.__table__.columns if c.default is not None}
    return AppointmentSettings(office_id=office_id, **defaults)


def office_by_slug(session: Session, slug: str) -> Office:
    office = session.scalar(select(Office).where(Office.slug == slug))
    if office is None:
        raise NotFound("booking_office_unknown", office=slug[:64])
    return office


def bookable_services(office: Office, agency: str | None = None) -> list[Service]:
    """The office's services open to booking (active, a booked share above zero), of one agency if asked."""
    chosen = [s for s in office.services if s.active and s.booking_share > 0
              and (s.agency is None or s.agency.active)]
    if agency:
        chosen = [s for s in chosen if s.agency is not None and s.agency.code.lower() == agency.lower()]
    return chosen


def agencies_with_bookings(office: Office) -> list[Agency]:
    offered = {s.agency_id for s in bookable_services(office)}
    return [a for a in office.agencies if a.active and a.id in offered]


def key_of(pepper: bytes, kind: str, value: str | None) -> str | None:
    """A keyed hash of a phone number or device id: the limits compare these, never the raw values."""
    if not value:
        return None
    return hmac.new(pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normal_phone(raw: str | None) -> str | None:
    """An Indonesian mobile number as `08…`, or None for an empty field; anything else is refused."""
    if raw is None or not raw.strip():
        return None
    digits = re.sub(r"[\s\-().]", "", raw.strip())
    if not _PHONE.match(digits):
        raise InvalidInput("phone_invalid")
    return "0" + digits.removeprefix("+").removeprefix("62").removeprefix("0")


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    local: time
    capacity: int
    taken: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.taken)


def _bookable(session: Session, office: Office, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.office_id != office.id or service not in bookable_services(office):
        raise InvalidInput("service_not_bookable", service=service_id)
    return service


def day_slot_list(session: Session, office: Office, service: Service, day: date, now: datetime,
                  exclude: int | None = None) -> list[Slot]:
    """One day's slots of a service with their capacity and bookings; [] on a closed day. Slots that start
    before `now` are left out. `exclude` is a booking not to count (the one being rescheduled)."""
    # Imported here: the planning stack (numpy, scipy) loads with the first slot list, not with every process
    # that imports the kiosk package (the `ptsp` database commands start without it, tests/test_cli.py).
    from .appointment_capacity import hour_plans

    if office_calendar.closed_day(session, office.id, day) is not None:
        return []
    conf = settings_for(session, office.id)
    week = office_hours.parse_week(office.hours)
    hours = office_hours.hours_on(week, day, office.timezone, office.last_ticket_minutes)
    starts = day_slots(hours, conf.slot_minutes)
    weekday = office_hours.WEEKDAYS[day.weekday()]
    today = office_hours.service_day(now, office.timezone)
    plan = hour_plans(session, office, today).get(weekday, {}).get(service.prefix, {})
    zone = ZoneInfo(office.timezone)
    local_starts = [s.astimezone(zone) for s in starts]
    capacities = slot_capacities(local_starts, conf.slot_minutes, plan, service.standard_minutes,
                                 service.booking_share)
    taken = _taken(session, service.id, day, exclude)
    return [Slot(s, s.astimezone(zone).time(), cap, taken.get(s.astimezone(zone).time(), 0))
            for s, cap in zip(starts, capacities, strict=True) if s > now]


def _taken(session: Session, service_id: int, day: date, exclude: int | None) -> dict[time, int]:
    query = (select(Appointment.slot_start, func.count()).where(
        Appointment.service_id == service_id, Appointment.day == day, Appointment.status.in_(LIVE_STATUSES))
        .group_by(Appointment.slot_start))
    if exclude is not None:
        query = query.where(Appointment.id != exclude)
    return {slot: count for slot, count in session.execute(query)}


def booking_days(session: Session, office: Office, now: datetime) -> list[tuple[date, str | None]]:
    """The days a resident may choose, today first, each with why it is closed (None when open)."""
    conf = settings_for(session, office.id)
    today = office_hours.service_day(now, office.timezone)
    end = today + timedelta(days=conf.days_ahead)
    closed = office_calendar.closed_days(session, office.id, today, end)
    week = office_hours.parse_week(office.hours)
    days: list[tuple[date, str | None]] = []
    for offset in range(conf.days_ahead):
        day = today + timedelta(days=offset)
        if day in closed:
            days.append((day, closed[day].name))
        elif not week.get(office_hours.WEEKDAYS[day.weekday()]):
            days.append((day, ""))
        else:
            days.append((day, None))
    return days


def _check_day(session: Session, office: Office, day: date, now: datetime) -> None:
    conf = settings_for(session, office.id)
    today = office_hours.service_day(now, office.timezone)
    if not today <= day < today + timedelta(days=conf.days_ahead):
        raise InvalidInput("booking_day_out_of_range", days=conf.days_ahead)
    closed = office_calendar.closed_day(session, office.id, day)
    if closed is not None:
        raise OfficeClosed("office_closed_holiday", name=closed.name, kind=closed.kind, day=day.isoformat())


def _free_slot(session: Session, office: Office, service: Service, day: date, at: time, now: datetime,
               exclude: int | None = None) -> Slot:
    _check_day(session, office, day, now)
    # Serialise bookings of one service: the last place of a slot goes to one resident only.
    session.execute(select(Service.id).where(Service.id == service.id).with_for_update())
    slot = next((s for s in day_slot_list(session, office, service, day, now, exclude) if s.local == at), None)
    if slot is None:
        raise InvalidInput("slot_unknown", day=day.isoformat(), time=at.strftime("%H:%M"))
    if slot.left <= 0:
        raise OfficeClosed("slot_full", time=at.strftime("%H:%M"))
    return slot


def close_missed(session: Session, office_id: int, now: datetime) -> int:
    """Mark as no-show every booking of the office still `booked` after its check-in window; return how many."""
    conf = settings_for(session, office_id)
    result = session.execute(update(Appointment).where(
        Appointment.office_id == office_id, Appointment.status == BookingStatus.BOOKED.value,
        Appointment.starts_at < now - timedelta(minutes=conf.late_minutes),
    ).values(status=BookingStatus.NO_SHOW.value).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def _check_limits(session: Session, office_id: int, day: date, keys: list[str], now: datetime,
                  exclude: int | None = None) -> None:
    conf = settings_for(session, office_id)
    holder = or_(Appointment.phone_key.in_(keys), Appointment.device_key.in_(keys))
    missed = list(session.scalars(select(Appointment.starts_at).where(
        holder, Appointment.status == BookingStatus.NO_SHOW.value)))
    until = blocked_until(missed, now, conf.no_show_limit, conf.block_days)
    if until is not None:
        raise Forbidden("booking_blocked_no_show", until=until.date().isoformat())
    query = select(func.count()).select_from(Appointment).where(
        holder, Appointment.office_id == office_id, Appointment.day == day,
        Appointment.status.in_([*LIVE_STATUSES, BookingStatus.NO_SHOW.value]))
    if exclude is not None:
        query = query.where(Appointment.id != exclude)
    if (session.scalar(query) or 0) >= conf.max_per_day:
        raise Forbidden("booking_limit_per_day", max=conf.max_per_day)


def book(session: Session, *, office: Office, service_id: int, day: date, at: time, phone: str | None,
         consent: bool, device: str, pepper: bytes, now: datetime) -> Appointment:
    """Book a slot. `device` is the booking page's cookie id; `pepper` keys the hashes of phone and device."""
    service = _bookable(session, office, service_id)
    number = normal_phone(phone)
    if number is not None and not consent:
        raise InvalidInput("phone_consent_required")
    if not device:
        raise InvalidInput("booking_device_missing")
    close_missed(session, office.id, now)
    slot = _free_slot(session, office, service, day, at, now)
    phone_key, device_key = key_of(pepper, "phone", number), key_of(pepper, "device", device)
    _check_limits(session, office.id, day, [k for k in (phone_key, device_key) if k], now)
    code = new_code()
    while session.scalar(select(Appointment.id).where(Appointment.code == code)) is not None:
        code = new_code()
    booking = Appointment(
        office_id=office.id, service_id=service.id, day=day, slot_start=at, starts_at=slot.starts_at, code=code,
        status=BookingStatus.BOOKED.value, phone=number, phone_consent=number is not None,
        consent_text=CONSENT_TEXT if number is not None else None, phone_key=phone_key, device_key=device_key,
        created_at=now, reschedules=0, office=office, service=service,
    )
    session.add(booking)
    session.flush()
    return booking


def find(session: Session, office: Office, text: str) -> Appointment:
    """The office's booking with the code in `text` (the code or its URL); NotFound for anything else."""
    code = read_code(text)
    booking = None if code is None else session.scalar(select(Appointment).where(Appointment.code == code))
    if booking is None or booking.office_id != office.id:
        raise NotFound("booking_not_found")
    return booking


def _changeable(session: Session, booking: Appointment, now: datetime) -> None:
    close_missed(session, booking.office_id, now)
    session.refresh(booking)
    if booking.status != BookingStatus.BOOKED.value or booking.starts_at <= now:
        raise InvalidTransition("booking_not_changeable", status=booking.status)


def cancel(session: Session, *, office: Office, code: str, now: datetime) -> Appointment:
    """Cancel a booking before its slot; the place goes back to the pool."""
    booking = find(session, office, code)
    _changeable(session, booking, now)
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED.value, now
    return booking


def reschedule(session: Session, *, office: Office, code: str, day: date, at: time, now: datetime) -> Appointment:
    """Move a booking to another free slot of its service, keeping its code; the old place goes back."""
    booking = find(session, office, code)
    _changeable(session, booking, now)
    if booking.reschedules >= MAX_RESCHEDULES:
        raise Forbidden("booking_reschedule_limit", max=MAX_RESCHEDULES)
    slot = _free_slot(session, office, booking.service, day, at, now, exclude=booking.id)
    keys = [k for k in (booking.phone_key, booking.device_key) if k]
    if day != booking.day and keys:
        _check_limits(session, office.id, day, keys, now, exclude=booking.id)
    booking.day, booking.slot_start, booking.starts_at = day, at, slot.starts_at
    booking.reschedules += 1
    return booking


def booking_view(booking: Appointment) -> dict[str, Any]:
    """What the booking page shows: no phone number, no name; the service's requirements."""
    service = booking.service
    return {
        "code": booking.code, "status": booking.status, "day": booking.day.isoformat(),
        "time": booking.slot_start.strftime("%H:%M"),
        "zone": office_hours.zone_label(booking.office.timezone),
        "service": {"id": service.id, "prefix": service.prefix, "name": {"id": service.name_id, "en": service.name_en},
                    "requirements": list(service.requirements or [])},
        "office": {"slug": booking.office.slug, "name": booking.office.name},
        "phone_given": booking.phone is not None,
    }
