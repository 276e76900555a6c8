"""The points ledger, residents' ratings and complaints."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PointsLedgerEntry(Base):
    """Append-only: one line of a clerk's points, written by the use cases, never updated.

    `points` is the change to the clerk's credited balance, `held` the change to
    what waits for a supervisor; `event_ids` are the ticket events behind the line.
    """

    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("ticket_id", "step", "kind"),
        UniqueConstraint("outreach_id", "kind"),
        Index("ix_points_ledger_office_day", "office_id", "service_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))  # null for a jemput bola visit
    # A jemput bola visit's line (docs/outreach.md): `event_ids` are then its outreach_events.
    outreach_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_requests.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    service_day: Mapped[date] = mapped_column(Date)  # the office-local day the work was done
    kind: Mapped[str] = mapped_column(String(16))  # award, hold, release, reject, bonus
    # Which step of a visit of several steps the line is for (0: the first, and the only one of most visits).
    step: Mapped[int] = mapped_column(default=0, server_default="0")
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
    # The staff member whose login session the rating's browser carried: such a rating earns no bonus.
    staff_session_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
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
    # status_page, tablet (with a rating); web (the public complaint page); phone, whatsapp, letter, in_person (desk)
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # received, verifying, field_check, handling, done
    received_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()  # the 1x24-hour first response is due
    updated_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    first_response_at: Mapped[datetime | None] = mapped_column()  # when it first moved past "received"
    # The resident's tracking code (ptsp.domain.complaints.new_code); null for complaints filed before issue 17.
    code: Mapped[str | None] = mapped_column(String(12), unique=True)
    contact: Mapped[str | None] = mapped_column(String(120))  # optional, given with consent; cleared by retention
    lapor_number: Mapped[str | None] = mapped_column(String(40))  # the SP4N-LAPOR! tracking number, once forwarded


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
