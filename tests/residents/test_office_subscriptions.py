"""The office's alert subscriptions counted beside its fact sequence (migration 0028: raised by the database, set
back by the minute round), and what that spares: a fact in an office nobody subscribed in is not handed to the
alert task, which then reads nothing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import event, func, select, text

from ptsp import alert_runner
from ptsp.db import make_engine
from ptsp.migrate import alembic_config, upgrade
from ptsp.models import AlertSubscription, OfficeSequence
from ptsp.services import alerts
from tests.residents.test_alerts import gateway_bodies


def counts(app) -> dict[int, tuple[int, int]]:
    """Each office's kept count beside the real number of its subscriptions."""
    with app.extensions["ptsp.read_sessions"]() as session:
        real = dict(session.execute(select(AlertSubscription.office_id, func.count())
                                    .group_by(AlertSubscription.office_id)).all())
        kept = dict(session.execute(select(OfficeSequence.office_id, OfficeSequence.subscriptions)).all())
    return {office: (kept.get(office, 0), real.get(office, 0)) for office in {*real, *kept}}


def raw(app, sql: str, **params) -> None:
    """SQL from outside SQLAlchemy's session, as psql, a script or another process would run it."""
    with app.extensions["ptsp.engine"].begin() as conn:
        conn.execute(text(sql), params)


def recount(app) -> int:
    with app.app_context(), app.extensions["ptsp.sessions"]() as session:
        return alerts.recount_offices(session)


def test_the_count_rises_with_every_subscription_however_made_and_the_minute_round_sets_it_back(residents):
    app, world = residents.app, residents.world
    assert counts(app).get(world.office, (0, 0)) == (0, 0)
    mine, other = residents.issue("A"), residents.issue("A")
    residents.subscribe_browser(mine)
    assert residents.subscribe(mine, phone="081234567890", consent=True).status_code == 201
    residents.subscribe_browser(other, "o")
    assert counts(app)[world.office] == (3, 3)
    raw(app, "INSERT INTO alert_subscriptions (ticket_id, office_id, channel, phone, created_at) "
             "VALUES (:ticket, :office, 'webhook', '+6281', :at)",
        ticket=other["ticket"]["id"], office=world.office, at=datetime.now(UTC).replace(tzinfo=None))
    assert counts(app)[world.office] == (4, 4)
    token = mine["status_url"].rsplit("/", 1)[1]
    assert residents.client.delete(f"/t/{token}/alerts").status_code == 200
    assert counts(app)[world.office] == (4, 2)  # a delete leaves it high (only a read too many)...
    assert recount(app) == 1 and counts(app)[world.office] == (2, 2)  # ...until the minute round
    raw(app, "UPDATE alert_subscriptions SET office_id = :to WHERE channel = 'webhook'", to=world.other_office)
    assert (counts(app)[world.office], counts(app)[world.other_office]) == ((2, 1), (1, 1))
    raw(app, "UPDATE office_sequences SET subscriptions = 0")  # too low, as a hand edit could leave it
    with app.app_context():
        residents.drain()
        assert alert_runner.forget_round() == 0  # the round recounts
    assert (counts(app)[world.office], counts(app)[world.other_office]) == ((1, 1), (1, 1))
    raw(app, "DELETE FROM alert_subscriptions")
    assert recount(app) == 2 and (counts(app)[world.office], counts(app)[world.other_office]) == ((0, 0), (0, 0))
    assert recount(app) == 0


class _AllStatements:
    """Every statement the engine runs, on any thread (the alert task runs on its own)."""

    def __init__(self, engine) -> None:
        self.engine, self.seen, self.lock = engine, [], threading.Lock()

    def _add(self, _conn, _cursor, statement, *_args) -> None:
        with self.lock:
            self.seen.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._add)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._add)


def test_an_office_nobody_subscribed_in_costs_the_alert_task_nothing_and_a_subscription_made_elsewhere_counts(
        residents):
    app, world = residents.app, residents.world
    first, mine = residents.issue("A"), residents.issue("A")
    counter = residents.clerk(1)
    with _AllStatements(app.extensions["ptsp.engine"]) as counted:
        residents.issue("A")
        assert residents.call_next(counter)["id"] == first["ticket"]["id"]
        residents.finish(first["ticket"]["id"])
        residents.drain()
    assert counted.seen and not [s for s in counted.seen if "alert_subscriptions" in s or "alerts_sent" in s]
    # A subscription written by another process (raw SQL here): the very next fact carries it.
    raw(app, "INSERT INTO alert_subscriptions (ticket_id, office_id, channel, phone, created_at) "
             "VALUES (:ticket, :office, 'webhook', '+6281234567890', :at)",
        ticket=mine["ticket"]["id"], office=world.office, at=datetime.now(UTC).replace(tzinfo=None))
    assert residents.call_next(counter)["id"] == mine["ticket"]["id"]
    residents.drain()
    assert [(b["event"], b["ticket"]) for b in gateway_bodies(residents)] == [("called", mine["ticket"]["code"])]


def test_the_migration_counts_the_subscriptions_already_there_and_goes_back(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0027_ticket_indexes")
        with engine.begin() as conn:
            for office in (1, 2, 3):
                conn.execute(text(
                    "INSERT INTO offices (id, slug, name, kind, timezone, hours, last_ticket_minutes, "
                    "starvation_minutes, max_calls, on_recall_limit, target_wait_minutes) VALUES (:id, :slug, 'X', "
                    "'city', 'Asia/Jakarta', '{}', 30, 30, 3, 'requeue', 15)"), {"id": office, "slug": f"o{office}"})
            conn.execute(text("INSERT INTO office_sequences (office_id, seq) VALUES (1, 41), (3, 7)"))
            for office in (1, 1, 2):
                conn.execute(text("INSERT INTO alert_subscriptions (ticket_id, office_id, channel, created_at) "
                                  "VALUES (1, :office, 'webpush', '2026-12-07 08:00:00')"), {"office": office})
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT office_id, seq, subscriptions FROM office_sequences ORDER BY 1")).all()
        assert [tuple(row) for row in rows] == [(1, 41, 2), (2, 0, 1), (3, 7, 0)]
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0027_ticket_indexes")
        with engine.begin() as conn:  # the triggers went with the column: a subscription is stored as before
            conn.execute(text("INSERT INTO alert_subscriptions (ticket_id, office_id, channel, created_at) "
                              "VALUES (2, 3, 'webpush', '2026-12-07 08:00:00')"))
            assert conn.execute(text("SELECT seq FROM office_sequences WHERE office_id = 3")).scalar() == 7
    finally:
        engine.dispose()
