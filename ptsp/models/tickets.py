"""Tickets and the queue's bookkeeping. Ticket rows hold current state; `ticket_events` is the append-only truth."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .office import Counter, Office, Service, Staff


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
    # At least the office's number of alert subscriptions: raised by a database trigger with each one (migration
    # 0028), set back by the alert clean-up's minute round; returned with each new sequence number, so a fact tells
    # the alert task whether anyone in the office may want an alert.
    subscriptions: Mapped[int] = mapped_column(default=0, server_default="0")


_WAITING, _PARKED = "status = 'waiting'", "status = 'parked'"
_AT_A_COUNTER, _FINISHED = "status IN ('called', 'serving')", "status = 'done'"


def _partial(where: str) -> dict[str, Any]:
    """An index's WHERE, the same on both databases."""
    return {"sqlite_where": text(where), "postgresql_where": text(where)}


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("office_id", "issued_service_id", "service_day", "number"),
        Index("ix_tickets_queue", "office_id", "status", "service_id", "queued_at"),
        # Migration 0027: no read of a request or of a round of the minute walks the table's history
        # (docs/architecture.md, "Reads that stay cheap as the office ages"; tests/test_query_plans.py).
        # Partial indexes hold only the rows they are about, and a ticket's row enters and leaves each at most
        # once; a query uses one only with its status written into the SQL (WAITING, PARKED, AT_A_COUNTER,
        # FINISHED below).
        # The waiting counts every fact carries, from the index alone (the status kept for SQLite 3.40); and, from
        # the index alone too, the heads call-next chooses from (their priority, times, appointment, return
        # counter and urgent sign-off: migration 0029).
        Index("ix_tickets_waiting", "office_id", "service_day", "service_id", "status", "priority", "queued_at",
              "appointment_id", "appointment_at", "return_counter_id", "urgent_at", **_partial(_WAITING)),
        # A counter's current ticket, asked by every call, recall, break and close.
        Index("ix_tickets_counter", "counter_id", **_partial(_AT_A_COUNTER)),
        # The last services of a kind, for every wait estimate (an issue, a resident's status page).
        Index("ix_tickets_recent", "service_id", "finished_at", **_partial(_FINISHED)),
        # The day's last calls, for every office snapshot (a display connecting, the office's queue).
        Index("ix_tickets_called", "office_id", "service_day", "called_at"),
        # A clerk's tickets of the day, for the counter screen's figures after every fact of the office.
        Index("ix_tickets_clerk_day", "clerk_id", "service_day"),
        # The phones' keys still set (open tickets), the parked tickets.
        Index("ix_tickets_phone_device", "phone_device", **_partial("phone_device IS NOT NULL")),
        Index("ix_tickets_parked", "office_id", "parked_until", **_partial(_PARKED)),
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
    # Who issued it when staff did (None from a kiosk), and whether they marked it "on behalf of a walk-in
    # resident"; the same facts are in the `issued` event, which the points rules read (docs/points.md).
    issued_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    # "phone" for a ticket a resident took at /ambil/<slug> (None: a kiosk, staff or the API), and that phone's
    # device key (SHA-256 of its cookie) while the ticket is open: one live ticket per device and service.
    source: Mapped[str | None] = mapped_column(String(16))
    phone_device: Mapped[str | None] = mapped_column(String(64))  # indexed while set: ix_tickets_phone_device
    # A booked turn checked in at the kiosk: its booking and its slot's start, before which it is not called
    # (docs/appointments.md, "Calling order").
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    appointment_at: Mapped[datetime | None] = mapped_column()
    # When a supervisor signed off its urgency (docs/urgent.md): called before every other ticket from then on.
    urgent_at: Mapped[datetime | None] = mapped_column()
    # Parked ("berkas kurang", docs/queue.md): the deadline to come back, the counter whose line it returns to
    # the front of (kept while it waits after "kembali", cleared when called), and how often it was parked and
    # re-inserted after a missed call (each limited per ticket).
    parked_until: Mapped[datetime | None] = mapped_column()
    return_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    park_count: Mapped[int] = mapped_column(default=0)
    reinsert_count: Mapped[int] = mapped_column(default=0)
    # A visit of several steps (docs/steps.md): the services still planned after the current one, in order.
    next_steps: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")

    office: Mapped[Office] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])


# The terms a query carries, written into its SQL (not bound), for the database to use the partial indexes of
# waiting, parked, called or serving, and finished tickets (migration 0027; docs/architecture.md).
WAITING = Ticket.status == literal_column("'waiting'")
PARKED = Ticket.status == literal_column("'parked'")
AT_A_COUNTER = Ticket.status.in_([literal_column("'called'"), literal_column("'serving'")])
FINISHED = Ticket.status == literal_column("'done'")


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
    __table_args__ = (
        Index("ix_counter_sessions_current", "counter_id", "ended_at"),
        # Only the open stretches (one per open counter at most): a clerk's open counters, the open counters of
        # a service in each wait estimate, without reading every stretch ever recorded (migration 0027).
        Index("ix_counter_sessions_open", "counter_id", "state", "staff_id", **_partial("ended_at IS NULL")),
        # The stretches of an office that end after a time or still run (analytics.timeline.counter_stretches).
        Index("ix_counter_sessions_ending", "office_id", "ended_at"),
    )

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
