"""Jemput bola (issue 17): requests for a home or hospital visit, and their append-only stages (docs/outreach.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class OutreachRequest(Base):
    """A visit to a resident who cannot come: the service, the place, a contact, an officer and a time.

    `name`, `contact`, `place` and `reason` are personal data kept only while the request needs them: emptied by
    `ptsp retention purge` a short time after it is done or cancelled (`purged_at` says when). What managers count
    (office, service, channel, stages and times, officer, travel minutes) stays.
    """

    __tablename__ = "outreach_requests"
    __table_args__ = (Index("ix_outreach_office_status", "office_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    code: Mapped[str] = mapped_column(String(12), unique=True)  # the tracking code (domain.complaints.new_code)
    channel: Mapped[str] = mapped_column(String(16))  # web (the public page), phone, whatsapp, letter, in_person
    status: Mapped[str] = mapped_column(String(16))  # received, confirmed, scheduled, visited, done, cancelled
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)  # asked by family or a carer
    name: Mapped[str] = mapped_column(String(120))
    contact: Mapped[str] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(300))  # a home address or "RSUD ..., ruang ..."
    reason: Mapped[str] = mapped_column(Text)  # why the resident cannot come
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    scheduled_at: Mapped[datetime | None] = mapped_column()
    travel_minutes: Mapped[float | None] = mapped_column()  # as reported, then as confirmed
    received_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()  # the 1x24-hour first response is due
    first_response_at: Mapped[datetime | None] = mapped_column()  # when it first moved past "received"
    updated_at: Mapped[datetime] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()  # done or cancelled
    purged_at: Mapped[datetime | None] = mapped_column()  # personal data removed


class OutreachEvent(Base):
    """Append-only: each stage a request reached, who moved it, when, and what came with it (officer, time,
    travel minutes); the points of a visit are computed from these (services.outreach_points)."""

    __tablename__ = "outreach_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("outreach_requests.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)  # emptied with the request's personal data
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # null: the resident, on receipt
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column()
