"""Attacks on the per-process copies of the set-up (ptsp/config_cache.py): ways a change could escape the
version number, or a request could spoil the copies the next request uses. Each of these failed before its fix."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import select, text

from ptsp import config_cache
from ptsp.db import make_engine
from ptsp.migrate import upgrade
from ptsp.models import ConfigVersion, Device, Office, Service
from ptsp.services import device_admin
from tests.conftest import bearer
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


def test_a_request_that_changes_a_copied_office_in_place_leaves_the_copies_alone(app, world):
    """A copy is attached to a request's session by `merge(load=False)`, which hands over its values as they
    are: the office's hours and the service's route must not be the very objects the copies keep, or one
    request's in-place change (never committed) is what the next request reads."""
    sessions = app.extensions["ptsp.sessions"]
    for _ in range(2):  # the second time, from the copies
        with sessions() as session:
            office = config_cache.office(session, world.office)
            service = config_cache.service(session, world.services["A"])
            assert office is not None and service is not None
            office.hours.clear()
            office.closures["mon"] = [["12:00", "13:00", "rusak"]]
            service.route.append(999)
            service.requirements.append("rusak")
            session.rollback()
    with sessions() as session:
        office = config_cache.office(session, world.office)
        service = config_cache.service(session, world.services["A"])
        assert office is not None and service is not None
        assert office.hours and "rusak" not in str(office.closures), (office.hours, office.closures)
        assert 999 not in service.route and "rusak" not in service.requirements
        session.rollback()


def test_a_flood_of_unknown_and_revoked_tokens_neither_passes_nor_fills_the_copies(app, client, world, clock):
    _warm(client, world)
    with app.extensions["ptsp.sessions"]() as session:
        copies = config_cache.current(session)
        assert copies is not None
        held = len(copies.devices)
        session.rollback()
    body = {"office": world.office, "service": world.services["A"]}
    for n in range(300):
        reply = client.post("/api/v1/tickets", json=body, headers={"Authorization": f"Bearer ptsp_kiosk_bogus{n}"})
        assert reply.status_code == 401, reply.get_json()
    with other_process(app.config["DATABASE_URL"]) as session:
        for device in session.scalars(select(Device).where(Device.office_id == world.office, Device.kind == "kiosk")):
            device_admin.revoke_device(session, None, device.id, clock())
        session.commit()
    for _ in range(3):
        assert _issue(client, world).status_code == 401
    with app.extensions["ptsp.sessions"]() as session:
        copies = config_cache.current(session)
        assert copies is not None and len(copies.devices) <= held, copies.devices
        session.rollback()


def test_a_neighbour_offices_kiosk_cannot_issue_here_from_the_copies_either(client, world):
    body = {"office": world.office, "service": world.services["A"]}
    for _ in range(3):  # cold, then from the copies (the neighbour's own issues fill them)
        assert client.post("/api/v1/tickets", json={"office": world.other_office, "service": world.other_service},
                           headers=bearer(world.other_kiosk)).status_code == 201
        reply = client.post("/api/v1/tickets", json=body, headers=bearer(world.other_kiosk))
        assert reply.status_code == 403, reply.get_json()


def test_no_request_started_after_a_revocation_committed_is_accepted_while_others_race(app, world, clock):
    """Threads keep issuing with the kiosk's token (each request may fill or use the copies) while another engine
    revokes it: once the revocation has committed, no request that starts later may be accepted."""
    _warm(app.test_client(), world)
    revoked_at: list[float] = []
    late_accepts: list[tuple[float, int]] = []
    stop = threading.Event()

    def hammer() -> None:
        client = app.test_client()
        while not stop.is_set():
            started = time.monotonic()
            status = _issue(client, world).status_code
            if revoked_at and started > revoked_at[0] and status == 201:
                late_accepts.append((started - revoked_at[0], status))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    with other_process(app.config["DATABASE_URL"]) as session:
        for device in session.scalars(select(Device).where(Device.office_id == world.office, Device.kind == "kiosk")):
            device_admin.revoke_device(session, None, device.id, clock())
        session.commit()
    revoked_at.append(time.monotonic())
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    assert not late_accepts, late_accepts
