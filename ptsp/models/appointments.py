"""Appointments (booked turns) and each office's booking settings (docs/appointments.md)."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .office import Office, Service


class Appointment(Base):
    """One booked slot: no account and no name; the booking code is the only key a resident holds.

    `phone` is optional, only for alerts, kept with the consent text the resident agreed to and blanked after the
    visit (`ptsp.services.appointment_retention`); `phone_key` and `device_key` are keyed hashes used for the
    limits against brokers (calo) and cleared when the no-show block that may rest on them has lapsed.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_slot", "office_id", "service_id", "day", "slot_start"),
        Index("ix_appointments_phone_key", "phone_key"),
        Index("ix_appointments_device_key", "device_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)  # office-local
    slot_start: Mapped[time] = mapped_column(Time)  # office-local wall clock
    starts_at: Mapped[datetime] = mapped_column()  # the same instant in UTC
    code: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="booked")
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_text: Mapped[str | None] = mapped_column(Text)
    phone_key: Mapped[str | None] = mapped_column(String(64))
    device_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column()
    reschedules: Mapped[int] = mapped_column(default=0)
    # The ticket issued at check-in. No foreign key: the ticket already points here (`tickets.appointment_id`),
    # and a pair of keys each way would make the two tables impossible to empty or restore in any order.
    ticket_id: Mapped[int | None] = mapped_column()

    office: Mapped[Office] = relationship()
    service: Mapped[Service] = relationship()


class AppointmentSettings(Base):
    """Per-office booking settings; an office without a row uses these defaults (set-up file `appointments`)."""

    __tablename__ = "appointment_settings"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    slot_minutes: Mapped[int] = mapped_column(default=30)
    days_ahead: Mapped[int] = mapped_column(default=14)
    early_minutes: Mapped[int] = mapped_column(default=30)  # check-in opens this long before the slot
    late_minutes: Mapped[int] = mapped_column(default=15)  # and closes this long after it
    max_per_day: Mapped[int] = mapped_column(default=2)  # bookings per phone and per device for one day
    no_show_limit: Mapped[int] = mapped_column(default=2)  # no-shows within `block_days` that block
    block_days: Mapped[int] = mapped_column(default=30)
    max_run: Mapped[int] = mapped_column(default=2)  # appointments called in a row while walk-ins wait
