"""Referrals to departments and discipline violations."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .office import Department, Office
    from .tickets import Ticket


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
    # Set when a later scan no longer finds it (the fuller history does not support it); the row stays, for
    # the notices and answers attached to it, but is hidden from lists. Cleared if it is found again.
    withdrawn_at: Mapped[datetime | None] = mapped_column()

    # Notices and the answer stay with a withdrawn row; they go only if the row itself is deleted (retention).
    notices: Mapped[list[ViolationNotice]] = relationship(back_populates="violation", cascade="all, delete-orphan",
                                                          order_by="ViolationNotice.level")
    answer: Mapped[ViolationAnswer | None] = relationship(back_populates="violation", cascade="all, delete-orphan")


class ViolationNotice(Base):
    """A violation brought to one superior: level 1 the clerk's supervisor, level 2 that supervisor's supervisor.

    Read, acknowledged (with a note) by that recipient only. `delivered_at` and the delivery columns follow the
    optional webhook (ptsp/discipline_webhook.py); without a webhook they stay empty.
    """

    __tablename__ = "violation_notices"
    __table_args__ = (
        UniqueConstraint("violation_id", "recipient_id"),
        Index("ix_violation_notices_recipient_read", "recipient_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    level: Mapped[int] = mapped_column()  # 1 supervisor, 2 the supervisor's supervisor
    created_at: Mapped[datetime] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column()
    delivery_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    delivery_error: Mapped[str | None] = mapped_column(String(300))

    violation: Mapped[Violation] = relationship(back_populates="notices")


class ViolationAnswer(Base):
    """The named clerk's answer to a violation: one per violation, editable until a superior acknowledges it."""

    __tablename__ = "violation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id", ondelete="CASCADE"), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column()  # written, or last edited

    violation: Mapped[Violation] = relationship(back_populates="answer")
