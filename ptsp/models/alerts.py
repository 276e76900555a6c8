"""Alerts to residents whose status page is closed: their subscriptions and the alerts already sent.

Both rows live only while their ticket is open; `services.alerts.forget_ended` deletes them when it ends
(docs/alerts.md, "Privacy"). `ticket_id` is no foreign key on purpose: on PostgreSQL, writing a row that references
a ticket locks that ticket (KEY SHARE) until commit, and a clerk's "call next" (FOR UPDATE SKIP LOCKED) would skip
it meanwhile and call the resident behind.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AlertSubscription(Base):
    """One way to reach the holder of a ticket: a browser's Web Push subscription or a phone number."""

    __tablename__ = "alert_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(index=True)
    # Indexed: after every commit the alert task asks whether the office has any (migration 0027).
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # webpush, webhook
    endpoint: Mapped[str | None] = mapped_column(Text)  # webpush: the push service's URL for this browser
    p256dh: Mapped[str | None] = mapped_column(String(200))  # webpush: the browser's public key
    auth: Mapped[str | None] = mapped_column(String(100))  # webpush: the browser's auth secret
    phone: Mapped[str | None] = mapped_column(String(20))  # webhook: the number the office's gateway messages
    created_at: Mapped[datetime] = mapped_column()


class AlertSent(Base):
    """An alert already sent for a ticket: (`position`, the office's N) or (`called`, the call count)."""

    __tablename__ = "alerts_sent"

    ticket_id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column()
