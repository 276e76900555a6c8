"""Offices and who works in them: agencies, services, counters, staff, devices, departments, discipline
settings, the office's own closure days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # city, kecamatan, kelurahan, mpp
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    timezone: Mapped[str] = mapped_column(String(32), default="Asia/Jakarta")
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Gaps of `hours` the office declares closed (the Friday prayer), per weekday [from, to, reason]; every
    # other gap is a staff break during which the office stays open (ptsp/domain/hours.py).
    closures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_ticket_minutes: Mapped[int] = mapped_column(default=30)
    starvation_minutes: Mapped[int] = mapped_column(default=30)
    max_calls: Mapped[int] = mapped_column(default=3)
    on_recall_limit: Mapped[str] = mapped_column(String(16), default="requeue")
    target_wait_minutes: Mapped[int] = mapped_column(default=15)
    complaint_channel: Mapped[str | None] = mapped_column(String(200))
    running_text: Mapped[str | None] = mapped_column(Text)  # scrolls along the lobby display
    # Residents beyond the hall (docs/alerts.md): tickets from a phone at /ambil/<slug>, the place in line
    # that sends a "N orang lagi" alert, and the office's WhatsApp/SMS gateway for alerts by phone number.
    phone_tickets: Mapped[bool] = mapped_column(default=False)
    alert_position: Mapped[int] = mapped_column(default=3)
    alert_webhook_url: Mapped[str | None] = mapped_column(String(500))
    alert_webhook_secret: Mapped[str | None] = mapped_column(String(200))
    # Parked tickets and late residents (docs/queue.md): minutes a parked resident has to come back, and how many
    # places ahead of the back of the line a resident who missed their call is re-inserted (0: not offered).
    park_minutes: Mapped[int] = mapped_column(default=30)
    late_reinsert_places: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Office | None] = relationship(remote_side=[id])
    services: Mapped[list[Service]] = relationship(back_populates="office", order_by="Service.prefix")
    counters: Mapped[list[Counter]] = relationship(back_populates="office", order_by="Counter.number")
    agencies: Mapped[list[Agency]] = relationship(back_populates="office",
                                                  order_by="(Agency.sort_order, Agency.name)")


class Agency(Base):
    """An agency (instansi) housed in an office: Dukcapil, Imigrasi, Samsat... in a Mal Pelayanan Publik.

    It holds services and counters (their nullable `agency_id`); staff may be scoped to one. An office
    without agencies works as one implicit agency: every service and counter with `agency_id` NULL.
    """

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))  # short name, unique in the office: "DUKCAPIL", "SAMSAT"
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # "WhatsApp Pengaduan Dukcapil 0812-…": shown to residents of its services instead of the office's channel
    complaint_channel: Mapped[str | None] = mapped_column(String(200))

    office: Mapped[Office] = relationship(back_populates="agencies")


counter_services = Table(
    "counter_services",
    Base.metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("office_id", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    prefix: Mapped[str] = mapped_column(String(2))
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    standard_minutes: Mapped[float] = mapped_column(default=10.0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    daily_quota: Mapped[int | None] = mapped_column()
    # The published service standard (docs/kiosk.md, "The service standard"): what to bring, one line each; the
    # official fee in rupiah (0 = free) and the regulation that sets it; the standard completion time in working
    # days (0 = finished the same day, None = not published).
    requirements: Mapped[list[str]] = mapped_column(JSON, default=list)
    fee_rupiah: Mapped[int] = mapped_column(default=0)
    fee_basis: Mapped[str | None] = mapped_column(Text)
    completion_days: Mapped[int | None] = mapped_column()
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # The most of a slot's capacity that bookings may take (0 = not bookable), docs/appointments.md.
    booking_share: Mapped[float] = mapped_column(default=0.5, server_default="0.5")
    # The services a visit for this one goes through next, in order (docs/steps.md): a kiosk ticket carries them.
    route: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")

    office: Mapped[Office] = relationship(back_populates="services")
    agency: Mapped[Agency | None] = relationship()


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("office_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    number: Mapped[int] = mapped_column()
    name: Mapped[str | None] = mapped_column(String(100))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # False: closed for good by an administrator; kept (with its history) but offered to no clerk and no plan.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    office: Mapped[Office] = relationship(back_populates="counters")
    agency: Mapped[Agency | None] = relationship()
    services: Mapped[list[Service]] = relationship(secondary=counter_services, order_by=Service.prefix)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # clerk, supervisor, manager, admin
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # A supervisor or manager of one agency of the office (NULL: the whole office), see services.actors.agency_scope.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Raised by logout, a password change or reset and deactivation: a login cookie carries the epoch it was
    # made under, and one from an older epoch no longer authenticates anyone (every session of the account ends).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set by an administrator's password reset: the temporary password only opens the page that sets a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    office: Mapped[Office | None] = relationship()
    supervisor: Mapped[Staff | None] = relationship(remote_side=[id])
    agency: Mapped[Agency | None] = relationship()

    # Flask-Login protocol, kept here so the user object is the model itself.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class AccountEvent(Base):
    """Who did what to an account or a device, and when: the append-only log of revocations and resets."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column()
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: the `ptsp` command
    actor: Mapped[str] = mapped_column(String(80))  # "staff:<username>" or "cli"
    kind: Mapped[str] = mapped_column(String(32))  # device_revoked, staff_deactivated, password_reset, ...
    target_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    target_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AuditEntry(Base):
    """One change made through the administration pages: who, when, in which office, to what, before and after.

    Written by the use case in the same transaction as the change itself (`ptsp/services/audit.py`).
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_office_id_id", "office_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column()
    actor_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: the `ptsp` command
    actor: Mapped[str] = mapped_column(String(80))  # "staff:<username>" or "cli"
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    entity: Mapped[str] = mapped_column(String(32))  # staff, device
    entity_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(32))  # created, updated, deactivated, password_reset, ...
    before: Mapped[dict[str, Any] | None] = mapped_column()
    after: Mapped[dict[str, Any] | None] = mapped_column()


class Device(Base):
    """A kiosk, lobby display or print agent, known by a hashed bearer token."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(16))  # kiosk, display, agent
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    office: Mapped[Office] = relationship()


class PairingCode(Base):
    """A short code an unpaired station shows, until an administrator enters it (docs/security.md).

    Only hashes are kept: of the code (looked up when an administrator types it) and of the station's secret
    (the HttpOnly cookie of the browser that asked, which alone may collect the device credential).
    """

    __tablename__ = "pairing_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # the station that asked: kiosk, display, tablet
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()  # an administrator entered it
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    collected_at: Mapped[datetime | None] = mapped_column()  # the station received its cookie

    device: Mapped[Device | None] = relationship()


class Department(Base):
    """A department (dinas) that takes cases the counter cannot finish.

    It belongs to an office; clerks of that office and of every office below it may refer to it.
    The department acts through its own bearer token (`ptsp_dinas_…`), which reaches only its referrals.
    """

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    response_hours: Mapped[int] = mapped_column(default=24)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()

    office: Mapped[Office] = relationship()


class DisciplineSettings(Base):
    """Per-office thresholds of the discipline rules; an office without a row uses the defaults."""

    __tablename__ = "discipline_settings"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    ready_minutes: Mapped[int] = mapped_column(default=15)
    late_grace_minutes: Mapped[int] = mapped_column(default=0)
    break_minutes_per_day: Mapped[int] = mapped_column(default=60)
    break_minutes_each: Mapped[int | None] = mapped_column()
    idle_minutes: Mapped[int] = mapped_column(default=10)
    uncovered_minutes: Mapped[int] = mapped_column(default=5)
    # Per rule kind, findings under this many minutes are kept but neither listed nor notified.
    tolerance_minutes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class OfficeClosedDay(Base):
    """A whole local day the office is closed (besides national holidays and cuti bersama), with its reason; or,
    with `stays_open`, a cuti bersama day the office stays open on (an override of the national calendar).

    Read through `ptsp.services.office_calendar`; the rules are in `ptsp/domain/office_calendar.py`.
    """

    __tablename__ = "office_closed_days"
    __table_args__ = (UniqueConstraint("office_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # office-local
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    stays_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ConfigVersion(Base):
    """One row: a number raised in the same transaction as any change to the rows each process caches (offices,
    agencies, services, closure days, devices), so a process knows its copies are current (ptsp/config_cache.py)."""

    __tablename__ = "config_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
