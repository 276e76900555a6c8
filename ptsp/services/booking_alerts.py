"""The `booking_near` alert: a booking that left a phone number (with consent) is reminded once, through the
office's own gateway, `lead` minutes before its slot (docs/alerts.md, docs/appointments.md). No I/O here:
`ptsp.alert_runner.booking_round` sends what `due_booking_alerts` claims.

A reminder is claimed in `alerts_sent` like the ticket alerts, keyed by (booking id, `booking_near`, the slot's
start in minutes since the epoch): a repeat of the round never sends it twice, and a booking moved to another
slot is reminded again for its new slot. The text names the office and the slot's time only: never the booking
code (the resident's key, which anyone holding it could use to cancel), the service, nor the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, delete, exists, not_, select
from sqlalchemy.orm import Session

from ..domain.alerts import Alert, AlertEvent
from ..domain.appointments import BookingStatus
from ..domain.errors import InvalidInput
from ..models import AlertSent, Appointment, Office
from .alerts import _claim, normalise_phone

DEFAULT_LEAD_MINUTES = 60
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class BookingDue:
    """A reminder claimed for sending: the office whose gateway sends it, the number and the alert."""

    office_id: int
    phone: str
    alert: Alert


def slot_mark(starts_at: datetime) -> int:
    """The slot's start as whole minutes since 1970 (UTC): the `n` of its `alerts_sent` row."""
    aware = starts_at if starts_at.tzinfo else starts_at.replace(tzinfo=UTC)
    return int((aware - EPOCH).total_seconds() // 60)


def _candidates(now: datetime, lead_minutes: int) -> Select[Appointment, Office]:
    """Bookings still `booked` whose slot starts within `lead_minutes` (and has not started), with a number given
    with consent, at an office that has a gateway."""
    return (select(Appointment, Office)
            .join(Office, Office.id == Appointment.office_id)
            .where(Appointment.status == BookingStatus.BOOKED.value, Appointment.phone.is_not(None),
                   Appointment.phone_consent.is_(True), Appointment.starts_at > now,
                   Appointment.starts_at <= now + timedelta(minutes=lead_minutes),
                   Office.alert_webhook_url.is_not(None), Office.alert_webhook_url != "")
            .order_by(Appointment.starts_at, Appointment.id))


def any_due(session: Session, now: datetime, lead_minutes: int) -> bool:
    """Whether a round has anything to claim (read first: a read session takes no writer lock on SQLite)."""
    if lead_minutes <= 0:
        return False
    slots = {booking.id: slot_mark(booking.starts_at)
             for booking, _ in session.execute(_candidates(now, lead_minutes)).all()}
    if not slots:
        return False
    sent = {(booking_id, n) for booking_id, n in session.execute(select(AlertSent.ticket_id, AlertSent.n).where(
        AlertSent.event == AlertEvent.BOOKING_NEAR.value, AlertSent.ticket_id.in_(slots)))}
    return any((booking_id, mark) not in sent for booking_id, mark in slots.items())


def due_booking_alerts(session: Session, now: datetime, lead_minutes: int = DEFAULT_LEAD_MINUTES
                       ) -> list[BookingDue]:
    """Claim the reminders due now (none already sent); the caller commits before sending."""
    if lead_minutes <= 0:
        return []
    due = []
    for booking, office in session.execute(_candidates(now, lead_minutes)).all():
        try:
            phone = normalise_phone(booking.phone or "")
        except InvalidInput:
            continue  # taken by the booking page's own rule; one the gateway's rule refuses is not sent
        mark = slot_mark(booking.starts_at)
        if not _claim(session, booking.id, AlertEvent.BOOKING_NEAR, mark, now):
            continue
        slot = booking.slot_start.strftime("%H:%M")
        due.append(BookingDue(office.id, phone, Alert(AlertEvent.BOOKING_NEAR, "", office.name, slot_time=slot,
                                                      key=f"booking-{booking.id}-{mark}")))
    return due


def forget_booking_marks(session: Session, now: datetime) -> int:
    """Delete the reminder marks no booking can need again: its slot has started, or the booking is gone or no
    longer `booked`. Return how many were deleted."""
    live = exists().where(Appointment.id == AlertSent.ticket_id, Appointment.status == BookingStatus.BOOKED.value,
                          Appointment.starts_at > now)
    result = session.execute(delete(AlertSent).where(and_(AlertSent.event == AlertEvent.BOOKING_NEAR.value,
                                                          not_(live))).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
