"""Engines and sessions; the SQLite and PostgreSQL differences live here."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from . import config_cache  # noqa: F401  # every engine raises the set-up's version on a change (ptsp/config_cache.py)


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    """Tell whether the bound database is SQLite."""
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


BUSY_TIMEOUT_SECONDS = 30
_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


def writer_lock(engine: Engine) -> threading.Lock:
    """Return the process-wide writer lock of an SQLite engine's database file (a new one in memory).

    SQLite's busy handler polls with growing sleeps, so under load a newcomer keeps beating the
    writers already waiting and some starve past the busy timeout. Writers of this process queue on
    this lock instead, and only its holder runs `BEGIN IMMEDIATE`. A `threading.Lock`, which gevent's
    monkey-patching makes cooperative (it is looked up when the engine is made, after patching).
    """
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return threading.Lock()  # a database of its own (in memory), or one we cannot name by path
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(os.path.realpath(database), threading.Lock())


def _release_writer(info: dict) -> None:
    lock = info.pop("ptsp_writer_lock", None)
    if lock is not None:
        lock.release()


def _add_writer_lock(engine: Engine) -> None:
    lock = writer_lock(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("ptsp_readonly", False):
            connection.exec_driver_sql("BEGIN")
            return
        if not lock.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            raise OperationalError("BEGIN IMMEDIATE", None, Exception("writer lock wait timed out"))
        connection.connection.info["ptsp_writer_lock"] = lock
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release_writer(connection.connection.info)
            raise

    # The events run before SQLAlchemy's own commit or rollback: finish the transaction on the DBAPI
    # connection here (SQLAlchemy's call is then a no-op) so the lock is released only once it is over.
    def _finish_then_release(ending: str) -> Callable[[Any], None]:
        def listener(connection: Any) -> None:
            info = connection.connection.info
            if "ptsp_writer_lock" in info:
                try:
                    getattr(connection.connection.dbapi_connection, ending)()
                finally:
                    _release_writer(info)

        return listener

    for ending in ("commit", "rollback"):
        event.listen(engine, ending, _finish_then_release(ending))

    # A connection handed back to the pool (or closed, or invalidated) without commit or rollback.
    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, _state: Any = None) -> None:
        if "ptsp_writer_lock" in record.info:
            try:
                dbapi_connection.rollback()
            finally:
                _release_writer(record.info)

    for name in ("checkin", "close", "invalidate", "soft_invalidate"):
        event.listen(engine, name, lambda _dbapi, record, *_rest: _release_writer(record.info) if record else None)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for this project's concurrency rules.

    SQLite: WAL so readers never block the writer, a busy timeout (30 s) so writers
    queue instead of failing, and every transaction opened with
    `BEGIN IMMEDIATE`, after the process-wide writer lock, so the write lock is taken up front
    and writers take turns fairly. Two transactions
    can then never both read the same queue head and race to claim it.
    """
    if url.startswith("sqlite"):
        # Connections are pooled and kept open. Opening one per session cost ~20 ms of blocking disk
        # work per request: closing the last connection checkpoints and resets the WAL, and the next
        # writer re-creates it (see docs/benchmarks.md). In-memory databases keep SQLAlchemy's default.
        # No upper bound, as with one connection per session before: a bounded pool could be emptied by
        # requests waiting for the write lock while the writer needs one more connection (seen in the soak
        # as 30 s pool timeouts). Ten stay open; the others are closed when handed back.
        # Last in, first out: each connection keeps its own page cache, which SQLite drops whenever another
        # connection has written since. Handed out oldest first, every request met a connection whose cache
        # another had made stale and read the pages again (docs/benchmarks.md, "An office with history").
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", -1)
            kwargs.setdefault("pool_use_lifo", True)
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # Writes take about a millisecond; a writer that waits is better than a ticket refused,
            # so only an overloaded machine ever reaches this.
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        _add_writer_lock(engine)
        return engine
    if url.startswith(("postgresql://", "postgres://")):
        # psycopg2, made cooperative under gevent by psycogreen: psycopg 3 cost more CPU per ticket
        # (docs/benchmarks.md, "Websocket server and PostgreSQL driver").
        url = "postgresql+psycopg2://" + url.split("://", 1)[1]
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine, on_commit: Callable[[list], None]) -> sessionmaker:
    """Return a session factory that publishes a session's facts after it commits.

    Use cases append facts to `session.info["facts"]`; they are handed to
    `on_commit` only once the transaction is durable, and dropped on rollback,
    so no client ever hears of a change that did not happen.
    """
    factory = sessionmaker(engine, expire_on_commit=False)

    @event.listens_for(factory, "after_commit")
    def _publish(session: Session) -> None:
        facts = session.info.pop("facts", [])
        if facts:
            on_commit(facts)

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("facts", None)

    return factory


def make_read_sessionmaker(engine: Engine) -> sessionmaker:
    """Return a session factory for reads only (dashboards, snapshots, status pages)."""
    return sessionmaker(engine.execution_options(ptsp_readonly=True), expire_on_commit=False)
