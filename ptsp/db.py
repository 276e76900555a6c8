"""Engines and sessions; the SQLite and PostgreSQL differences live here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def is_sqlite(engine_or_session: Engine | Session) -> bool:
    """Tell whether the bound database is SQLite."""
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for this project's concurrency rules.

    SQLite: WAL so readers never block the writer, a busy timeout (30 s) so writers
    queue instead of failing, and every transaction opened with
    `BEGIN IMMEDIATE` so the write lock is taken up front. Two transactions
    can then never both read the same queue head and race to claim it.
    """
    if url.startswith("sqlite"):
        # Connections are pooled and kept open. Opening one per session cost ~20 ms of blocking disk
        # work per request: closing the last connection checkpoints and resets the WAL, and the next
        # writer re-creates it (see docs/benchmarks.md). In-memory databases keep SQLAlchemy's default.
        # No upper bound, as with one connection per session before: a bounded pool could be emptied by
        # requests waiting for the write lock while the writer needs one more connection (seen in the soak
        # as 30 s pool timeouts). Ten stay open; the others are closed when handed back.
        if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
            kwargs.setdefault("pool_size", 10)
            kwargs.setdefault("max_overflow", -1)
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

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            readonly = connection.get_execution_options().get("ptsp_readonly", False)
            connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    if url.startswith(("postgresql://", "postgres://")):
        # psycopg 3: cooperative under gevent's monkey-patching on its own (3.1.14+; see README).
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
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
