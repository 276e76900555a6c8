"""Attacks on the per-process copies of the set-up (ptsp/config_cache.py): ways a change could escape the
version number, or a request could spoil the copies the next request uses. Each of these failed before its fix."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from ptsp import config_cache
from ptsp.db import make_engine
from ptsp.migrate import upgrade
from ptsp.models import ConfigVersion, Office, Service
from tests.test_config_cache import _issue, _warm, other_process


def test_a_change_after_a_rolled_back_savepoint_still_raises_the_version(app, client, world):
    """The raise made inside a savepoint that is rolled back is undone; the next change in the same transaction
    must raise the number again, or another process keeps serving a deactivated service."""
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session:
        before = session.scalar(select(ConfigVersion.n))
        nested = session.begin_nested()
        session.get_one(Office, world.office).running_text = "dibatalkan"
        session.flush()
        nested.rollback()
        session.get_one(Service, world.services["A"]).active = False
        session.commit()
        assert session.scalar(select(ConfigVersion.n)) > before
    reply = _issue(client, world)
    assert reply.status_code == 409, reply.get_json()


def test_a_transaction_with_changes_before_a_rolled_back_savepoint_still_bypasses_the_copies(app, client, world):
    """Changes made before a savepoint stay after it is rolled back: the transaction must still not read (nor
    fill) the shared copies, or its uncommitted change would reach other requests."""
    _warm(client, world)
    with app.extensions["ptsp.sessions"]() as session:
        session.get_one(Office, world.office).running_text = "belum disimpan"
        session.flush()
        nested = session.begin_nested()
        session.get_one(Service, world.services["A"]).standard_minutes = 3.0
        session.flush()
        nested.rollback()
        assert config_cache.current(session) is None
        session.rollback()


def test_the_discipline_data_migration_runs_on_a_database_older_than_the_version_table(tmp_path: Path):
    """0008 fills `offices.closures` with a Core UPDATE of a watched table, long before 0025 makes
    `config_version`: an upgrade of an old installation must not fail on the missing table."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0007_points_fairness")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO offices (id, slug, name, kind, timezone, hours, last_ticket_minutes, "
                "starvation_minutes, max_calls, on_recall_limit, target_wait_minutes) VALUES (1, 'x', 'X', "
                "'city', 'Asia/Jakarta', :hours, 30, 30, 3, 'requeue', 15)"),
                {"hours": '{"fri": [["08:00", "11:30"], ["13:00", "16:00"]]}'})
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT closures FROM offices")).scalar() is not None
            assert conn.execute(text("SELECT n FROM config_version")).scalar() == 0
    finally:
        engine.dispose()
