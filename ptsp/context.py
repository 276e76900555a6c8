"""What a request, a socket handler or a command reads from the running app: the clock, sessions and public links.

Stations, the API and the CLI import this module, never the factory (`ptsp.app`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from flask import current_app, g, has_request_context, request
from sqlalchemy.orm import Session


def now() -> datetime:
    """Return the current instant from the app's clock (frozen in tests)."""
    clock = current_app.extensions["ptsp.clock"]
    result: datetime = clock()
    return result


def status_url(token: str) -> str:
    """The resident's status page for a ticket token (the QR code's target): PUBLIC_URL, else this request's host."""
    base = current_app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return f"{(base or 'http://localhost:5000').rstrip('/')}/t/{token}"


def get_db() -> Session:
    """Return this request's writing session, opened on first use; the route commits."""
    if "db" not in g:
        if "read_db" in g:
            # End the read transaction (e.g. the device-token lookup) and hand its connection back first:
            # a request that held one pooled connection while waiting for a second could, with many
            # requests at once, exhaust the pool and wait on itself (seen as 30 s timeouts under load).
            g.read_db.commit()
        g.db = current_app.extensions["ptsp.sessions"]()
    session: Session = g.db
    return session


def get_read_db() -> Session:
    """Return this request's read-only session (never takes SQLite's write lock)."""
    if "read_db" not in g:
        g.read_db = current_app.extensions["ptsp.read_sessions"]()
    session: Session = g.read_db
    return session


def close_request_sessions(_exc: BaseException | None) -> None:
    """Close the sessions this request opened (registered as an app-context teardown)."""
    for key in ("db", "read_db"):
        session = g.pop(key, None)
        if session is not None:
            session.close()


@contextmanager
def db_session(readonly: bool = False) -> Iterator[Session]:
    """Open a session outside a request (sockets, CLI); the caller commits."""
    session: Session = current_app.extensions["ptsp.read_sessions" if readonly else "ptsp.sessions"]()
    try:
        yield session
    finally:
        session.close()
