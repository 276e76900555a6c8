"""Ending the sockets of an account or device that has been cut off, even sockets that only listen.

A socket's credentials are checked when it connects and again on each event it sends (`realtime.validated`),
but a counter screen or a kiosk mostly listens: after a logout, a password change, a deactivation or a
revoked token it would go on hearing its office's facts until it reconnected. Each process therefore keeps
the staff and device behind each of its own sockets, and every `PTSP_SOCKET_RECHECK_SECONDS` (default 5)
asks the database, which every process shares, whether they still hold: an inactive account, a session
epoch that moved since the socket connected, or a revoked device ends the socket. No message between
processes is needed.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from flask import Flask, current_app
from sqlalchemy import select

from .background import run_every
from .context import db_session
from .extensions import socketio
from .models import Device, Staff
from .services.actors import Actor


@dataclass
class Watched:
    """This app's sockets: sid -> ("staff", staff id, session epoch at connect) or ("device", device id, None)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sockets: dict[str, tuple[str, int, int | None]] = field(default_factory=dict)


def _watched() -> Watched:
    """The registry of the current app (one per app, so apps in one process, as in tests, stay apart)."""
    registry: Watched = current_app.extensions.setdefault("ptsp.socket_sweep", Watched())
    return registry


def remember(sid: str, actor: Actor, epoch: int | None) -> None:
    """Watch a socket that a staff member's session or a device's token opened (residents are not watched:
    their ticket token's reach is checked at connect)."""
    if actor.kind == "staff" and actor.id is not None:
        entry: tuple[str, int, int | None] = ("staff", actor.id, epoch)
    elif actor.kind == "device" and actor.id is not None:
        entry = ("device", actor.id, None)
    else:
        return
    registry = _watched()
    with registry.lock:
        registry.sockets[sid] = entry


def forget(sid: str) -> None:
    registry = _watched()
    with registry.lock:
        registry.sockets.pop(sid, None)


def stale_sockets() -> list[str]:
    """Return the sids whose account is inactive or has a new session epoch, or whose device is revoked."""
    registry = _watched()
    with registry.lock:
        watched = dict(registry.sockets)
    staff_ids = {key for kind, key, _ in watched.values() if kind == "staff"}
    device_ids = {key for kind, key, _ in watched.values() if kind == "device"}
    with db_session(readonly=True) as session:
        staff = {row.id: (row.active, row.session_epoch) for row in session.execute(
            select(Staff.id, Staff.active, Staff.session_epoch).where(Staff.id.in_(staff_ids)))} if staff_ids else {}
        live_devices = set(session.scalars(select(Device.id).where(
            Device.id.in_(device_ids), Device.revoked_at.is_(None)))) if device_ids else set()
    stale = []
    for sid, (kind, key, epoch) in watched.items():
        if kind == "staff":
            active, current = staff.get(key, (False, None))
            if not active or current != epoch:
                stale.append(sid)
        elif key not in live_devices:
            stale.append(sid)
    return stale


def sweep() -> int:
    """Disconnect this process's stale sockets; return how many."""
    stale = stale_sockets()
    for sid in stale:
        forget(sid)
        socketio.server.disconnect(sid, namespace="/")
    return len(stale)


def start_sweeping(app: Flask) -> None:
    """Sweep every PTSP_SOCKET_RECHECK_SECONDS (default 5; 0 turns it off) for as long as the server runs."""
    interval = float(app.config.get("SOCKET_RECHECK_SECONDS") or os.environ.get("PTSP_SOCKET_RECHECK_SECONDS", "5"))
    run_every(app, interval, sweep, "socket sweep")
