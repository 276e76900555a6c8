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


_WRITES_AT_ONCE = "ptsp_writes_at_once"


def writes_at_once() -> None:
    """Mark this request (or socket event) as one that opens its writing session anyway (a counter command): its
    login is then checked in that session's transaction (`login_session`), not in a read transaction of its own.
    One transaction instead of two (a session, a pooled connection, BEGIN and COMMIT less per command,
    docs/benchmarks.md); the set-up's version is read under the write lock, so the account is as current as the
    command's own rows."""
    setattr(g, _WRITES_AT_ONCE, True)


@contextmanager
def login_session() -> Iterator[Session]:
    """The session the logged-in account is read in: the request's writing session after `writes_at_once`
    (kept open for the command), else a short read session of its own, closed at once."""
    if g.get(_WRITES_AT_ONCE):
        yield get_db()
        return
    session: Session = current_app.extensions["ptsp.read_sessions"]()
    try:
        yield session
    finally:
        session.close()


def get_read_db() -> Session:
    """Return this request's read-only session (never takes SQLite's write lock)."""
    if "read_db" not in g:
        g.read_db = current_app.extensions["ptsp.read_sessions"]()
    session: Session = g.read_db
    return session


def close_request_sessions(_exc: BaseException | None) -> None:
    """Close the sessions this request opened (registered as an app-context teardown), and forget its
    `writes_at_once` mark (an app context wrapping several requests or events must not carry it to the next)."""
    g.pop(_WRITES_AT_ONCE, None)
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
