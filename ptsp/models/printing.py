"""Ticket printers and their print jobs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .office import Device, Office
    from .tickets import Ticket


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

    office: Mapped[Office] = relationship()
    kiosk: Mapped[Device] = relationship(foreign_keys=[device_id])
    agent: Mapped[Device | None] = relationship(foreign_keys=[agent_id])


class PrintJob(Base):
    """One ticket to put on paper. (ticket, reprint) is unique: the first print is
    reprint 0, and only staff asking for a reprint make another row."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        UniqueConstraint("ticket_id", "reprint"),
        Index("ix_print_jobs_printer_status", "printer_id", "status"),
        Index("ix_print_jobs_status", "status"),  # the retry round's failed and pending jobs (migration 0027)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))  # None: a test print
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

    ticket: Mapped[Ticket | None] = relationship()
    printer: Mapped[TicketPrinter] = relationship()


# ---------------------------------------------------------------------------
# Accountability (issue 6): departments and referrals, discipline of service.
# ---------------------------------------------------------------------------
