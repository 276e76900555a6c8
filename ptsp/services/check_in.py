"""Check-in of a booking at the kiosk (docs/appointments.md, "Check-in at the kiosk").

The resident types the booking code or scans its QR code (a hand scanner types the code or the booking's URL).
Within the window around the slot the kiosk issues an appointment ticket, which waits for its slot if the
resident came early; after the window, on the same day, the booking becomes an ordinary walk-in ticket under
the kiosk's usual rules. Either way the booking is spent: it cannot be used twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.appointments import BookingStatus, CheckIn, check_in_timing
from ..domain.errors import Gone, InvalidTransition
from ..models import Office, PrintJob, Ticket
from .actors import Actor
from .appointments import close_missed, find, settings_for
from .printing import printer_for_device, queue_job
from .tickets import Booked, issue


@dataclass(frozen=True)
class CheckedIn:
    ticket: Ticket
    position: dict[str, Any]
    job: PrintJob | None
    timing: CheckIn  # EARLY, ON_TIME or LATE (a walk-in ticket)


def check_in(session: Session, *, office: Office, text: str, actor: Actor, status_url: Callable[[str], str],
             now: datetime) -> CheckedIn:
    """Check a booking in from what the kiosk read; the caller commits."""
    booking = find(session, office, text)
    close_missed(session, office.id, now)
    session.refresh(booking, with_for_update=True)  # two kiosks reading one code: one ticket
    today = office_hours.service_day(now, office.timezone)
    if booking.status == BookingStatus.CANCELLED.value:
        raise Gone("booking_cancelled")
    if booking.status == BookingStatus.NO_SHOW.value and booking.day != today:
        raise Gone("booking_missed")
    # Recorded as a no-show once its window closed, a booking of today still lets a late resident in (a walk-in).
    if booking.status not in (BookingStatus.BOOKED.value, BookingStatus.NO_SHOW.value):
        raise InvalidTransition("booking_already_used")
    if booking.day != today:
        raise InvalidTransition("booking_other_day", day=booking.day.isoformat())
    conf = settings_for(session, office.id)
    timing = check_in_timing(booking.starts_at, now, conf.early_minutes, conf.late_minutes)
    if timing is CheckIn.TOO_EARLY:
        opens = office_hours.local_now(booking.starts_at - timedelta(minutes=conf.early_minutes), office.timezone)
        raise InvalidTransition("check_in_too_early", at=opens.strftime("%H:%M"))
    booked = None if timing is CheckIn.LATE else Booked(booking.id, booking.starts_at)
    ticket, position = issue(session, office_id=office.id, service_id=booking.service_id, actor=actor, now=now,
                             booking=booked)
    booking.status = (BookingStatus.CONVERTED_WALK_IN if booked is None else BookingStatus.CHECKED_IN).value
    booking.checked_in_at, booking.ticket_id = now, ticket.id
    printer = printer_for_device(session, actor.device_id)
    job = queue_job(session, ticket, printer, status_url(ticket.public_token), now) if printer is not None else None
    return CheckedIn(ticket, position, job, timing)
