"""Urgent cases (docs/urgent.md): every request for urgency, who asked, why, and who signed it off or refused it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base

if TYPE_CHECKING:
    from .office import Service, Staff
    from .tickets import Ticket


class UrgentCase(Base):
    """One request for urgency on one ticket. Inserted when asked (or marked by a supervisor, then already
    approved); its decision is written once, pending -> approved or declined, and never again."""

    __tablename__ = "urgent_cases"
    __table_args__ = (Index("ix_urgent_cases_office_at", "office_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    desk_ticket: Mapped[bool] = mapped_column(default=False)  # the ticket was issued for this case at the desk
    reason: Mapped[str] = mapped_column(String(24))  # a code of ptsp.domain.urgent.REASONS
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12))  # pending, approved, declined
    requested_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    requested_at: Mapped[datetime] = mapped_column()
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship()
    service: Mapped[Service] = relationship()
    requester: Mapped[Staff] = relationship(foreign_keys=[requested_by])
    decider: Mapped[Staff | None] = relationship(foreign_keys=[decided_by])
