"""The per-process copies of offices, services, closure days and devices (ptsp/config_cache.py) are never used
after a change: an edit made through the admin services, the `ptsp` command or a bare Core statement, by another
engine (as another process would), holds on the very next issue, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from ptsp import config_cache
from ptsp.cli import cli
from ptsp.db import make_engine
from ptsp.domain import hours as office_hours
from ptsp.domain.errors import OfficeClosed
from ptsp.models import Agency, ConfigVersion, Device, Office, Service, Staff, TicketPrinter
from ptsp.services import account_security, catalogue_admin, device_admin, office_calendar, printing, tickets
from ptsp.services.actors import Actor
from tests.conftest import bearer, login, pair

SYSTEM = Actor("system")


@contextmanager
def other_process(db_url: str) -> Iterator[Session]:
    """A session of an engine of its own, as the admin pages of another `ptsp run` or the CLI would have."""
    engine = make_engine(db_url)
    try:
        with sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _issue(client, world):
    return client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"]},
                       headers=bearer(world.kiosk))


def _warm(client, world) -> None:
    """Issue twice, so this process holds its copies of the office, the service, the day and the kiosk."""
    for _ in range(2):
        assert _issue(client, world).status_code == 201


def test_the_copies_serve_a_second_issue_without_reading_the_rows(app, client, world):
    _warm(client, world)
    engine = app.extensions["ptsp.engine"]
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert _issue(client, world).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert not [s for s in seen if "FROM offices" in s or "FROM services" in s or "FROM devices" in s
                or "FROM office_closed_days" in s], seen
    assert sum("FROM config_version" in s for s in seen) == 1, seen


def test_a_service_deactivated_by_the_admin_service_is_refused_at_once(app, client, world, clock):
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session:
        manager = session.scalars(select(Staff).where(Staff.username == "manager")).one()
        actor = Actor("staff", manager.id, manager.role, manager.office_id)
        catalogue_admin.set_service_active(session, actor, world.services["A"], False, clock())
        session.commit()
    reply = _issue(client, world)
    assert reply.status_code == 409, reply.get_json()
    assert reply.get_json() == {"error": "office_closed", "message": "Layanan KTP sedang tidak dibuka"}


def test_a_quota_lowered_by_the_orm_is_reached_at_once(app, client, world):
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session:
        session.get_one(Service, world.services["A"]).daily_quota = 2
        session.commit()
    reply = _issue(client, world)
    assert reply.get_json() == {"error": "quota_reached", "message": "Kuota harian KTP sudah habis"}


def test_a_closure_day_added_for_today_closes_the_kiosk_at_once(app, client, world, clock):
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session:
        office = session.get_one(Office, world.office)
        today = office_hours.service_day(clock(), office.timezone)
        office_calendar.add_closure(session, SYSTEM, office_id=office.id, day=today, reason="Banjir", now=clock())
        session.commit()
    reply = _issue(client, world)
    assert reply.get_json() == {"error": "office_closed", "message": "Kantor tutup hari ini: Banjir"}


def test_an_agency_closed_by_a_core_update_closes_its_services_at_once(app, client, world):
    with other_process(app.config["DATABASE_URL"]) as session:
        agency = Agency(office_id=world.office, code="DUKCAPIL", name="Dukcapil", active=True)
        session.add(agency)
        session.flush()
        session.execute(update(Service).where(Service.id == world.services["A"]).values(agency_id=agency.id))
        session.commit()
        agency_id = agency.id
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session, session.begin():
        session.connection().execute(update(Agency.__table__).where(Agency.id == agency_id).values(active=False))
    reply = _issue(client, world)
    assert reply.get_json() == {"error": "office_closed", "message": "Layanan KTP sedang tidak dibuka"}


def test_a_kiosk_revoked_by_the_ptsp_command_is_refused_on_the_next_request(app, client, world, monkeypatch):
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session:
        kiosk = session.scalars(select(Device.id).where(Device.office_id == world.office, Device.kind == "kiosk"))
        device_ids = list(kiosk)
    monkeypatch.setenv("PTSP_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    for device_id in device_ids:
        result = CliRunner().invoke(cli, ["device", "revoke", str(device_id)])
        assert result.exit_code == 0, result.output
    reply = _issue(client, world)
    assert reply.status_code == 401 and reply.get_json()["error"] == "unauthorized", reply.get_json()


def _raw_sql(app, *statements: str) -> None:
    """Run statements on a bare DB-API connection of another engine, as psql or `sqlite3` would: no SQLAlchemy
    statement, so no hook; only the database's own triggers (migration 0026) can raise the version."""
    engine = make_engine(app.config["DATABASE_URL"])
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement in statements:
                cursor.execute(statement)
            raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()


def test_a_kiosk_revoked_by_raw_sql_is_refused_on_the_next_request(app, client, world):
    _warm(client, world)
    _raw_sql(app, "UPDATE devices SET revoked_at = CURRENT_TIMESTAMP WHERE kind = 'kiosk'")
    reply = _issue(client, world)
    assert reply.status_code == 401 and reply.get_json()["error"] == "unauthorized", reply.get_json()


def test_a_service_closed_and_an_account_deactivated_by_raw_sql_hold_on_the_next_request(app, client, world):
    _warm(client, world)
    login(client, "clerk1")
    assert client.get("/api/v1/auth/me").status_code == 200
    _raw_sql(app, f"UPDATE services SET active = false WHERE id = {world.services['A']}",
             "UPDATE staff SET active = false WHERE username = 'clerk1'")
    assert _issue(client, world).status_code == 409
    assert client.get("/api/v1/auth/me").status_code == 401


def _kiosk_with_printer(session: Session, world) -> tuple[Device, TicketPrinter, int]:
    """Give the office's kiosk a preview printer (committed); return both and the version after it."""
    kiosk = session.scalars(select(Device).where(Device.office_id == world.office, Device.kind == "kiosk")).first()
    assert kiosk is not None
    printer = printing.set_printer(session, kiosk=kiosk, name="p", setting="preview", agent=None, width_chars=48)
    session.commit()
    before = session.scalar(select(ConfigVersion.n))
    session.commit()
    assert before is not None
    return kiosk, printer, before


def test_a_printers_state_by_raw_sql_leaves_the_version_and_its_set_up_raises_it(app, world):
    with app.extensions["ptsp.sessions"]() as session:
        kiosk, printer, before = _kiosk_with_printer(session, world)
    _raw_sql(app, f"UPDATE printers SET online = true, paper = 'low' WHERE id = {printer.id}")
    with app.extensions["ptsp.sessions"]() as session:
        assert session.scalar(select(ConfigVersion.n)) == before
    _raw_sql(app, f"UPDATE printers SET width_chars = 32 WHERE id = {printer.id}")
    with app.extensions["ptsp.sessions"]() as session:
        assert session.scalar(select(ConfigVersion.n)) > before


def test_a_change_in_the_same_transaction_is_seen_and_a_rolled_back_one_is_not(app, client, world, clock):
    _warm(client, world)
    kiosk = Actor("device", None, "kiosk", world.office)
    with app.extensions["ptsp.sessions"]() as session:
        session.get_one(Service, world.services["A"]).active = False
        with pytest.raises(OfficeClosed):  # not flushed yet
            tickets.issue(session, office_id=world.office, service_id=world.services["A"], actor=kiosk, now=clock())
        session.flush()
        with pytest.raises(OfficeClosed):  # flushed, not committed
            tickets.issue(session, office_id=world.office, service_id=world.services["A"], actor=kiosk, now=clock())
        session.rollback()
    assert _issue(client, world).status_code == 201


def test_each_change_raises_the_version_once_per_transaction(app, world, clock):
    """The hook sends one raise per transaction however many rows change (the database's triggers, migration 0026,
    raise it again after each change; the number only has to grow), and a flush that changes nothing raises none."""
    engine = app.extensions["ptsp.engine"]
    raises: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if statement.startswith("UPDATE config_version"):
            raises.append(statement)

    with app.extensions["ptsp.sessions"]() as session:
        before = session.scalar(select(ConfigVersion.n))
        session.commit()
        event.listen(engine, "before_cursor_execute", note)
        try:
            for service_id in world.services.values():
                session.get_one(Service, service_id).standard_minutes = 7.0
            session.flush()
            session.get_one(Office, world.office).running_text = "Selamat datang"
            session.commit()
            assert len(raises) == 1, raises
            after = session.scalar(select(ConfigVersion.n))
            assert after > before
            session.commit()
            session.get_one(Office, world.office).running_text = "Selamat datang"  # no change: no UPDATE
            session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", note)
        assert len(raises) == 1, raises
        assert session.scalar(select(ConfigVersion.n)) == after
        session.commit()


def test_copies_are_kept_per_database(app, world):
    with app.extensions["ptsp.sessions"]() as session:
        copies = config_cache.current(session)
        assert copies is not None
        assert config_cache.office(session, world.office) is not None
        assert copies.offices and config_cache.current(session) is copies
        session.rollback()


def test_a_printer_set_for_a_printerless_kiosk_prints_its_next_ticket(app, client, world):
    _warm(client, world)
    assert _issue(client, world).get_json()["print"] is None
    with other_process(app.config["DATABASE_URL"]) as session:
        kiosk = session.scalars(select(Device).where(Device.office_id == world.office, Device.kind == "kiosk")).first()
        assert kiosk is not None
        printing.set_printer(session, kiosk=kiosk, name="preview", setting="preview", agent=None, width_chars=48)
        session.commit()
    reply = _issue(client, world)
    assert reply.status_code == 201 and reply.get_json()["print"] is not None, reply.get_json()


def test_a_printers_state_after_a_print_leaves_the_copies_alone(app, world, clock):
    with app.extensions["ptsp.sessions"]() as session:
        kiosk, printer, before = _kiosk_with_printer(session, world)
        printing.note_printer_state(session, printer, online=True, paper="low", error=None, now=clock())
        session.commit()
        assert session.scalar(select(ConfigVersion.n)) == before
        session.commit()
        session.execute(update(TicketPrinter).where(TicketPrinter.id == printer.id).values(device_id=kiosk.id))
        session.commit()
        assert session.scalar(select(ConfigVersion.n)) > before


def test_a_paired_pages_device_revoked_elsewhere_is_refused_on_its_next_request(app, client, world, clock):
    pair(client, world.kiosk, "kiosk")
    body = {"office": world.office, "service": world.services["A"]}
    for _ in range(2):  # the page's device is now among the copies
        assert client.post("/api/v1/tickets", json=body).status_code == 201
    with other_process(app.config["DATABASE_URL"]) as session:
        for device in session.scalars(select(Device).where(Device.office_id == world.office, Device.kind == "kiosk")):
            device_admin.revoke_device(session, None, device.id, clock())
        session.commit()
    assert client.post("/api/v1/tickets", json=body).status_code == 401


def _kiosk(session: Session, world) -> Device:
    kiosk = session.scalars(select(Device).where(Device.office_id == world.office, Device.kind == "kiosk")).first()
    assert kiosk is not None
    return kiosk


def test_an_admins_printer_edit_is_seen_on_the_very_next_ticket(app, client, world):
    """The kiosk's printer set-up comes from the copies; an edit by another process (the admin page's
    `set_printer`) raises the version, so the very next ticket prints with the new setting and width."""
    from tests.conftest import free_port

    with app.extensions["ptsp.sessions"]() as session:
        printing.set_printer(session, kiosk=_kiosk(session, world), name="p", setting="preview", agent=None,
                             width_chars=48)
        session.commit()
    _warm(client, world)
    assert _issue(client, world).get_json()["print"]["status"] == "printed"
    copies = config_cache._COPIES[app.extensions["ptsp.engine"].pool]
    assert [p.setting for p in copies.printers.values() if p is not None] == ["preview"]
    with other_process(app.config["DATABASE_URL"]) as session:
        printing.set_printer(session, kiosk=_kiosk(session, world), name="p", agent=None, width_chars=32,
                             setting=f"network:127.0.0.1:{free_port()}")
        session.commit()
    printed = _issue(client, world).get_json()["print"]
    assert printed["status"] == "failed" and "refused" in printed["last_error"], printed
    with other_process(app.config["DATABASE_URL"]) as session:
        printing.set_printer(session, kiosk=_kiosk(session, world), name="p", setting="preview", agent=None,
                             width_chars=32)
        session.commit()
    assert _issue(client, world).get_json()["print"]["status"] == "printed"
    [job] = app.extensions["ptsp.printers"]["preview"].jobs()[-1:]
    assert job.count(b"-" * 32) and not job.count(b"-" * 33)  # laid out at the new width, 32 columns


def test_a_printers_state_is_read_fresh_though_its_set_up_is_a_copy(app, client, world, clock):
    """The copies keep a printer's set-up only: its state written by another process (paper out) is what the
    kiosk's next state read shows, and the version is not raised by it."""
    with app.extensions["ptsp.sessions"]() as session:
        printing.set_printer(session, kiosk=_kiosk(session, world), name="p", setting="preview", agent=None,
                             width_chars=48)
        session.commit()
    _warm(client, world)
    with other_process(app.config["DATABASE_URL"]) as session:
        before = session.scalar(select(ConfigVersion.n))
        printer = session.scalars(select(TicketPrinter)).one()
        printing.note_printer_state(session, printer, online=False, paper="out", error="kertas habis", now=clock())
        session.commit()
        assert session.scalar(select(ConfigVersion.n)) == before
    pair(client, world.kiosk, "kiosk")
    state = client.get("/kiosk/state", headers=bearer(world.kiosk)).get_json()["printer"]
    assert (state["online"], state["paper"], state["last_error"]) == (False, "out", "kertas habis")
def _me_reads_staff(app, client) -> tuple[int, int]:
    """One request of a logged-in page: its status, and how often it read the staff table (the answer itself
    reads the account once, for its name; the login check before it need not)."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = app.extensions["ptsp.engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        status = client.get("/api/v1/auth/me").status_code
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return status, sum("FROM staff" in s for s in seen)


def test_a_logged_in_request_takes_the_account_from_the_copies(app, client, world):
    login(client, "clerk1")
    client.get("/api/v1/auth/me")
    assert _me_reads_staff(app, client) == (200, 1)


def test_a_logout_everywhere_by_another_process_holds_on_the_next_request(app, client, world, clock):
    login(client, "clerk1")
    assert _me_reads_staff(app, client)[0] == 200  # the account is now in this process's copies
    with other_process(app.config["DATABASE_URL"]) as session:
        clerk = session.scalars(select(Staff).where(Staff.username == "clerk1")).one()
        account_security.logout(session, clerk.id, clock())
        session.commit()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_an_account_deactivated_by_a_core_update_elsewhere_is_refused_on_the_next_request(app, client, world):
    login(client, "clerk1")
    assert _me_reads_staff(app, client)[0] == 200
    with other_process(app.config["DATABASE_URL"]) as session:
        session.execute(update(Staff).where(Staff.username == "clerk1").values(active=False))
        session.commit()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_changed_copy_of_the_account_is_not_shared(app, world):
    with app.extensions["ptsp.read_sessions"]() as session:
        clerk_id = session.scalars(select(Staff.id).where(Staff.username == "clerk1")).one()
        first = config_cache.staff(session, clerk_id)
        assert first is not None
        first.role = "admin"  # a caller changing its row (never written) changes no other request's row
        second = config_cache.staff(session, clerk_id)
    assert second is not None and second is not first and second.role == "clerk"


def test_every_watched_table_keeps_its_trigger_at_the_head_revision(app):
    """A later migration that rebuilds a watched table (SQLite's batch mode copies it and drops the old one) would
    drop its triggers with it: it must create them again. The hook's tables and the triggers' stay the same."""
    engine = app.extensions["ptsp.engine"]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            query = text("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                         "WHERE trigger_name LIKE :pattern")
        else:
            query = text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :pattern")
        rows = conn.execute(query, {"pattern": "config_version_%"}).scalars()
        assert set(rows) == config_cache.WATCHED | {"printers"}
