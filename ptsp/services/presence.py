"""Lobby display health: connections, heartbeats and acknowledged calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Device, DisplayPresence
from .serializers import iso

STALE = timedelta(seconds=45)  # three missed heartbeats


def _row(session: Session, device_id: int, office_id: int) -> DisplayPresence:
    row = session.get(DisplayPresence, device_id)
    if row is None:
        row = DisplayPresence(device_id=device_id, office_id=office_id, last_seq=0, connected=False)
        session.add(row)
    return row


def seen(
    session: Session, device_id: int, office_id: int, now: datetime, *, seq: int | None = None, connected: bool = True
) -> None:
    """Record a connection, heartbeat or disconnection of a display."""
    row = _row(session, device_id, office_id)
    if connected and not row.connected:
        row.connected_at = now
    row.connected = connected
    row.last_seen_at = now
    if seq is not None:
        row.last_seq = max(row.last_seq or 0, seq)


def acknowledge(session: Session, device_id: int, office_id: int, ticket_id: int, seq: int, now: datetime) -> None:
    """Record that a display showed (and queued the announcement of) a call."""
    row = _row(session, device_id, office_id)
    row.connected, row.last_seen_at = True, now
    row.last_ack_ticket, row.last_ack_at = ticket_id, now
    row.last_seq = max(row.last_seq or 0, seq)


def displays(session: Session, office_id: int, now: datetime) -> list[dict[str, Any]]:
    """List the office's display devices with whether each is live now."""
    devices = session.scalars(
        select(Device).where(Device.office_id == office_id, Device.kind == "display", Device.revoked_at.is_(None))
        .order_by(Device.id)
    )
    result = []
    for device in devices:
        row = session.get(DisplayPresence, device.id)
        live = bool(row and row.connected and row.last_seen_at and now - row.last_seen_at <= STALE)
        result.append({
            "device": device.id, "name": device.name, "connected": live,
            "last_seen_at": iso(row.last_seen_at) if row else None, "last_seq": row.last_seq if row else 0,
            "last_ack_ticket": row.last_ack_ticket if row else None,
            "last_ack_at": iso(row.last_ack_at) if row else None,
        })
    return result
