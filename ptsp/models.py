"""Tables. Ticket rows hold current state; `ticket_events` is the append-only truth."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Store instants as naive UTC (portable to SQLite) and hand back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # city, kecamatan, kelurahan, mpp
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    timezone: Mapped[str] = mapped_column(String(32), default="Asia/Jakarta")
    hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_ticket_minutes: Mapped[int] = mapped_column(default=30)
    starvation_minutes: Mapped[int] = mapped_column(default=30)
    max_calls: Mapped[int] = mapped_column(default=3)
    on_recall_limit: Mapped[str] = mapped_column(String(16), default="requeue")
    target_wait_minutes: Mapped[int] = mapped_column(default=15)
    complaint_channel: Mapped[str | None] = mapped_column(String(200))
    running_text: Mapped[str | None] = mapped_column(Text)  # scrolls along the lobby display

    parent: Mapped[Office | None] = relationship(remote_side=[id])
    services: Mapped[list[Service]] = relationship(back_populates="office", order_by="Service.prefix")
    counters: Mapped[list[Counter]] = relationship(back_populates="office", order_by="Counter.number")


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

    office: Mapped[Office] = relationship(back_populates="services")


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("office_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    number: Mapped[int] = mapped_column()
    name: Mapped[str | None] = mapped_column(String(100))

    office: Mapped[Office] = relationship(back_populates="counters")
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
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    office: Mapped[Office | None] = relationship()
    supervisor: Mapped[Staff | None] = relationship(remote_side=[id])

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


class TicketNumber(Base):
    """The atomic numbering row per (office, service, local day)."""

    __tablename__ = "ticket_numbers"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column()


class OfficeSequence(Base):
    """Per-office sequence of published facts, so clients can tell what they missed."""

    __tablename__ = "office_sequences"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    seq: Mapped[int] = mapped_column()


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("office_id", "issued_service_id", "service_day", "number"),
        Index("ix_tickets_queue", "office_id", "status", "service_id", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    service_day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column()
    code: Mapped[str] = mapped_column(String(8))
    priority: Mapped[str] = mapped_column(String(16), default="regular")
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[datetime] = mapped_column()
    queued_at: Mapped[datetime] = mapped_column()
    called_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    call_count: Mapped[int] = mapped_column(default=0)
    round_calls: Mapped[int] = mapped_column(default=0)  # calls since it last joined a queue
    transfer_count: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str | None] = mapped_column(String(32))
    public_token: Mapped[str] = mapped_column(String(64), unique=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))

    office: Mapped[Office] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship()


class TicketEvent(Base):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_office_at", "office_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column()
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CounterSession(Base):
    """One stretch of a counter being open or on break; `ended_at` is null while it lasts."""

    __tablename__ = "counter_sessions"
    __table_args__ = (Index("ix_counter_sessions_current", "counter_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    state: Mapped[str] = mapped_column(String(8))  # open, break
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    staff: Mapped[Staff] = relationship(foreign_keys=[staff_id])


class ProcessedCommand(Base):
    """A counter command already run, by the client's request id, so a repeat returns the same answer."""

    __tablename__ = "processed_commands"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(32))
    status: Mapped[int] = mapped_column()
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(index=True)


class DisplayPresence(Base):
    """The last heartbeat and acknowledged call of each lobby display."""

    __tablename__ = "display_presence"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    connected_at: Mapped[datetime | None] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()
    last_seq: Mapped[int] = mapped_column(default=0)
    last_ack_ticket: Mapped[int | None] = mapped_column()
    last_ack_at: Mapped[datetime | None] = mapped_column()


# ---------------------------------------------------------------------------
# Points, resident feedback (SKM) and complaints (issue 5)
# ---------------------------------------------------------------------------


class PointsLedgerEntry(Base):
    """Append-only: one line of a clerk's points, written by the use cases, never updated.

    `points` is the change to the clerk's credited balance, `held` the change to
    what waits for a supervisor; `event_ids` are the ticket events behind the line.
    """

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("ticket_id", "kind"),
        Index("ix_points_ledger_office_day", "office_id", "service_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    service_day: Mapped[date] = mapped_column(Date)  # the office-local day the work was done
    kind: Mapped[str] = mapped_column(String(16))  # award, hold, release, reject, bonus
    points: Mapped[float] = mapped_column()
    held: Mapped[float] = mapped_column(default=0.0)
    reason: Mapped[str] = mapped_column(Text)
    event_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    acted_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # the supervisor of a release/reject
    at: Mapped[datetime] = mapped_column()


class Rating(Base):
    """A resident's rating of one completed ticket: quick 1-4 and, optionally, the nine SKM elements."""

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_office_at", "office_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # the clerk who completed the ticket
    channel: Mapped[str] = mapped_column(String(16))  # status_page, tablet
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    quick: Mapped[int] = mapped_column()
    u1: Mapped[int | None] = mapped_column()
    u2: Mapped[int | None] = mapped_column()
    u3: Mapped[int | None] = mapped_column()
    u4: Mapped[int | None] = mapped_column()
    u5: Mapped[int | None] = mapped_column()
    u6: Mapped[int | None] = mapped_column()
    u7: Mapped[int | None] = mapped_column()
    u8: Mapped[int | None] = mapped_column()
    u9: Mapped[int | None] = mapped_column()
    at: Mapped[datetime] = mapped_column()


class Complaint(Base):
    """A resident's complaint, to be answered within 1x24 hours of `received_at`."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_office_status", "office_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    channel: Mapped[str] = mapped_column(String(16))  # status_page, tablet
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # received, verifying, handling, done
    received_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()


class ComplaintEvent(Base):
    """Append-only: each status a complaint reached, who moved it and when."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # null: the resident, on receipt
    at: Mapped[datetime] = mapped_column()


# ---------------------------------------------------------------------------
# Kiosk printing (issue 3): each kiosk's printer and its print jobs.
# ---------------------------------------------------------------------------


class TicketPrinter(Base):
    """The printer a kiosk prints on, how to reach it, and its last known state.

    `setting` is a printers.printer_from_config string (network:, usb:, serial:,
    cups:, file:, preview) for a printer the server drives, or null when the
    kiosk PC's print agent (`agent_id`) drives it.
    """

    __tablename__ = "printers"

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), unique=True)  # the kiosk
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    setting: Mapped[str | None] = mapped_column(String(200))
    width_chars: Mapped[int] = mapped_column(default=32)  # 32 on 58 mm paper, 48 on 80 mm
    codepage: Mapped[str] = mapped_column(String(16), default="CP1252")
    language: Mapped[str] = mapped_column(String(2), default="id")
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    paper: Mapped[str] = mapped_column(String(8), default="unknown")  # ok, low, out, unknown
    last_error: Mapped[str | None] = mapped_column(Text)
    last_seen_at: Mapped[datetime | None] = mapped_column()


class PrintJob(Base):
    """One ticket to put on paper. (ticket, reprint) is unique: the first print is
    reprint 0, and only staff asking for a reprint make another row."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        UniqueConstraint("ticket_id", "reprint"),
        Index("ix_print_jobs_printer_status", "printer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printers.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, printing, printed, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    may_have_printed: Mapped[bool] = mapped_column(Boolean, default=False)
    reprint: Mapped[int] = mapped_column(default=0)
    status_url: Mapped[str] = mapped_column(String(300))  # the QR target, fixed when the job is made
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    printed_at: Mapped[datetime | None] = mapped_column()

    ticket: Mapped[Ticket] = relationship()
    printer: Mapped[TicketPrinter] = relationship()


# ---------------------------------------------------------------------------
# Accountability (issue 6): departments and referrals, discipline of service.
# ---------------------------------------------------------------------------


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


class Referral(Base):
    """A case referred from a counter to a department; `due_at` is the 1x24-hour response deadline."""

    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_department_at", "department_id", "referred_at"),
        Index("ix_referrals_office_at", "office_id", "referred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    referred_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # referred, received, ..., done, returned
    referred_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    responded_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()

    department: Mapped[Department] = relationship()
    office: Mapped[Office] = relationship()
    ticket: Mapped[Ticket | None] = relationship()


class ReferralEvent(Base):
    """Append-only log of a referral: its creation and each progress report."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


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


class Violation(Base):
    """One detected breach of service discipline; (office, day, kind, key) makes re-detection idempotent."""

    __tablename__ = "violations"
    __table_args__ = (UniqueConstraint("office_id", "day", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(24))  # late_opening, uncovered_service, long_break, idle_clerk
    key: Mapped[str] = mapped_column(String(120))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime] = mapped_column()
    minutes: Mapped[float] = mapped_column()
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detected_at: Mapped[datetime] = mapped_column()
