"""Retention of what a booking holds about a resident (UU 27/2022; docs/appointments.md, "Privacy").

- The phone number and the consent text go once the booking's day is over (or at once when it is cancelled):
  the number was only for alerts about that visit.
- The keyed hashes of phone and device (`phone_key`, `device_key`), which the limits against brokers compare,
  go with the day too, except on a no-show, whose hashes stay for the office's `block_days` so that the block
  can rest on them, and then go.

Counts stay (bookings, check-ins, no-shows per office and service). A second run changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from ..domain.appointments import BookingStatus
from ..models import Appointment, AppointmentSettings, Office


@dataclass(frozen=True)
class BookingPurge:
    phones: int  # bookings whose phone number was removed
    keys: int  # bookings whose limit hashes were removed


def purge_bookings(session: Session, *, today: date, dry_run: bool = False) -> BookingPurge:
    """Blank phones of bookings before `today` (or cancelled) and the limit hashes past their use; the caller
    commits. `today` is the UTC day: a day behind any Indonesian office's own, so nothing of today goes."""
    past = Appointment.day < today
    phones = list(session.scalars(select(Appointment.id).where(
        or_(past, Appointment.status == BookingStatus.CANCELLED.value),
        or_(Appointment.phone.is_not(None), Appointment.consent_text.is_not(None)))))
    keyed = or_(Appointment.phone_key.is_not(None), Appointment.device_key.is_not(None))
    blocks = dict(session.execute(select(AppointmentSettings.office_id, AppointmentSettings.block_days)).all())
    default = int(AppointmentSettings.__table__.c.block_days.default.arg)
    missed = [BookingStatus.NO_SHOW.value, BookingStatus.BOOKED.value]
    key_ids: list[int] = []
    for office_id in session.scalars(select(Office.id)):
        lapsed = Appointment.day < today - timedelta(days=blocks.get(office_id, default))
        key_ids += session.scalars(select(Appointment.id).where(
            Appointment.office_id == office_id, keyed,
            or_(and_(past, Appointment.status.not_in(missed)), lapsed)))
    if not dry_run:
        # A booking still `booked` on a past day was missed: recorded as such before its keys are judged.
        session.execute(update(Appointment).where(past, Appointment.status == BookingStatus.BOOKED.value)
                        .values(status=BookingStatus.NO_SHOW.value).execution_options(synchronize_session=False))
        if phones:
            session.execute(update(Appointment).where(Appointment.id.in_(phones))
                            .values(phone=None, consent_text=None).execution_options(synchronize_session=False))
        if key_ids:
            session.execute(update(Appointment).where(Appointment.id.in_(key_ids))
                            .values(phone_key=None, device_key=None).execution_options(synchronize_session=False))
    return BookingPurge(len(phones), len(key_ids))
