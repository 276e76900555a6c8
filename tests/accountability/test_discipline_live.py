"""Detection while it happens: the periodic scan, its fact to the managers, concurrent scans, tolerance, ranking."""

from __future__ import annotations

import json
import threading
import time as clock_time
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ptsp.analytics.discipline import overview, visible_violations
from ptsp.discipline_watch import scan_open_offices, watching_now
from ptsp.domain.errors import InvalidInput
from ptsp.domain.office_calendar import closed_day
from ptsp.extensions import socketio
from ptsp.models import DisciplineSettings, Office, Violation
from ptsp.services.actors import Actor
from ptsp.services.discipline import _insert, scan, set_tolerance
from ptsp.services.setup import load_setup
from tests.accountability.history import MONDAY
from tests.conftest import SETUP, login

EVENING = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 17:00 WIB
HOURS = {"mon": [["08:00", "12:00"], ["13:00", "16:00"]]}


def sup(history) -> Actor:
    staff = history.staff("sup")
    return Actor("staff", staff.id, "supervisor", staff.office_id)


def test_an_office_is_watched_from_ready_time_to_a_quarter_after_closing_on_its_open_days():
    monday = lambda hh, mm: datetime(2026, 11, 23, hh, mm, tzinfo=UTC) - timedelta(hours=7)  # noqa: E731  WIB
    assert not watching_now(HOURS, "Asia/Jakarta", monday(7, 44))
    assert watching_now(HOURS, "Asia/Jakarta", monday(7, 45))
    assert watching_now(HOURS, "Asia/Jakarta", monday(12, 30))  # the lunch staff break is watched too
    assert watching_now(HOURS, "Asia/Jakarta", monday(16, 15))
    assert not watching_now(HOURS, "Asia/Jakarta", monday(16, 16))
    assert not watching_now(HOURS, "Asia/Jakarta", monday(7, 44) + timedelta(days=1))  # Tuesday: closed
    assert watching_now(HOURS, "Asia/Jakarta", monday(7, 35), ready_minutes=25)
    assert not watching_now({"mon": "broken"}, "Asia/Jakarta", monday(9, 0))


def test_the_round_scans_open_offices_and_tells_the_managers_room_only(app, client, db, history, world, clock):
    history.stretch(1, "clerk1", "open", "08:20", None)  # clock: 09:00 WIB Monday, so 35 minutes late
    db.commit()
    login(client, "sup")
    managers = socketio.test_client(app, flask_test_client=client, auth={"scope": "dashboard"})
    display = socketio.test_client(app, auth={"token": world.display})
    assert managers.is_connected() and display.is_connected()
    managers.get_received(), display.get_received()
    with app.app_context():
        results = scan_open_offices(clock())
    assert {r.office_id for r in results} == {world.office, world.other_office}  # both open at 09:00 WIB
    [row] = db.scalars(select(Violation)).all()
    db.commit()  # end the test's own write transaction: SQLite has one writer
    assert (row.kind, row.minutes) == ("late_opening", 35.0)
    facts = [e for e in managers.get_received() if e["name"] == "violation_detected"]
    assert [f["args"][0] for f in facts] == [{"office": world.office, "day": "2026-11-23", "violations": [row.id]}]
    assert not [e for e in display.get_received() if e["name"] == "violation_detected"]
    with app.app_context():
        again = scan_open_offices(clock())
    assert [r.new_ids for r in again] == [(), ()]
    assert not [e for e in managers.get_received() if e["name"] == "violation_detected"]  # nothing new: silent
    clock.now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 21:00 WIB: closed, nothing scanned
    with app.app_context():
        assert scan_open_offices(clock()) == []


def test_a_finding_under_the_tolerance_is_kept_but_neither_notified_nor_listed(db, history):
    set_tolerance(db, sup(history), office_id=history.office.id, raw={"late_opening": "10", "idle_clerk": ""},
                  now=EVENING)
    db.commit()
    history.stretch(1, "clerk1", "open", "07:50", "12:00")  # 5 minutes late: under 10
    history.stretch(2, "clerk2", "open", "08:15", "12:00")  # 30 minutes late
    result = scan(db, office_id=history.office.id, day=MONDAY, now=EVENING)
    db.commit()
    rows = {v.counter_id: v for v in db.scalars(select(Violation))}
    assert sorted(r.minutes for r in rows.values()) == [5.0, 30.0]
    assert len(result.new_ids) == 2 and result.notify_ids == (rows[history.counter(2).id].id,)
    assert [v.minutes for v in visible_violations(db, sup(history))] == [30.0]
    assert overview(db, sup(history)).total == 1
    set_tolerance(db, sup(history), office_id=history.office.id, raw={}, now=EVENING)
    db.commit()
    assert sorted(v.minutes for v in visible_violations(db, sup(history))) == [5.0, 30.0]


def test_bad_tolerance_or_someone_elses_office_changes_nothing(db, history, world):
    set_tolerance(db, sup(history), office_id=history.office.id, raw={"long_break": "15"}, now=EVENING)
    db.commit()
    for raw in ({"long_break": "-3"}, {"idle_clerk": "999"}, {"late_opening": "lima"}):
        with pytest.raises(InvalidInput):
            set_tolerance(db, sup(history), office_id=history.office.id, raw=raw, now=EVENING)
        db.rollback()
    from ptsp.domain.errors import Forbidden
    with pytest.raises(Forbidden):
        set_tolerance(db, sup(history), office_id=world.other_office, raw={"long_break": "1"}, now=EVENING)
    db.rollback()
    clerk = history.staff("clerk1")
    with pytest.raises(Forbidden):
        set_tolerance(db, Actor("staff", clerk.id, "clerk", clerk.office_id), office_id=history.office.id, raw={},
                      now=EVENING)
    db.rollback()
    assert db.get(DisciplineSettings, history.office.id).tolerance_minutes == {"long_break": 15}
    assert db.get(DisciplineSettings, world.other_office) is None


def test_ranking_puts_the_biggest_loss_first_per_clerk_and_rule(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "12:00")  # clerk1: late 5 min
    history.stretch(2, "clerk2", "open", "07:50", "10:00")  # clerk2: late 5 min, then a 2-hour break
    history.stretch(2, "clerk2", "break", "10:00", "12:00")
    history.stretch(2, "clerk2", "open", "12:00", "16:00")
    history.stretch(3, "clerk3", "open", "08:00", "16:00")  # clerk3: late 15 min
    for day in (MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)):  # clerk1 late three days
        if day != MONDAY:
            history.stretch(1, "clerk1", "open", "07:50", "12:00", day=day)
        scan(db, office_id=history.office.id, day=day, now=EVENING + timedelta(days=2))
    db.commit()
    ranking = overview(db, sup(history)).ranking
    names = {history.staff(n).id: n for n in ("clerk1", "clerk2", "clerk3")}
    assert [(names[r["staff"]], r["kind"], r["count"], r["minutes"]) for r in ranking] == [
        ("clerk2", "long_break", 1, 60.0), ("clerk1", "late_opening", 3, 15.0), ("clerk3", "late_opening", 1, 15.0),
        ("clerk2", "late_opening", 1, 5.0)]


# Row locks between two connections: PostgreSQL only (SQLite serialises writers in-process, so no SQLite variant).
@pytest.mark.parametrize("db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_processes_inserting_the_same_violation_neither_errors_nor_duplicates(app, db, history):
    values = {"office_id": history.office.id, "day": MONDAY, "kind": "late_opening", "key": "counter:1",
              "staff_id": None, "counter_id": None, "service_id": None, "started_at": EVENING,
              "ended_at": EVENING, "minutes": 3.0, "details": {}, "detected_at": EVENING}
    first = _insert(db, values)  # not committed yet: the other insert must wait for it
    other = app.extensions["ptsp.sessions"]()
    answer: list[object] = []
    racer = threading.Thread(target=lambda: answer.append(_insert(other, values)))
    racer.start()
    clock_time.sleep(0.5)
    assert racer.is_alive()  # blocked on our uncommitted row, not failed
    db.commit()
    racer.join(10)
    other.commit()
    other.close()
    assert first is not None and answer == [None]
    assert db.scalar(select(func.count()).select_from(Violation)) == 1


def test_scans_of_the_same_office_at_once_leave_one_row_per_finding(app, db, history):
    history.stretch(1, "clerk1", "open", "08:10", "12:00")
    history.stretch(2, "clerk2", "open", "08:20", "12:00")
    history.ticket("B", "09:00", ("called", "09:30", 2), ("completed", "09:40", 2))
    db.commit()
    barrier, errors, results = threading.Barrier(3), [], []

    def run() -> None:
        session = app.extensions["ptsp.sessions"]()
        try:
            barrier.wait(10)
            results.append(scan(session, office_id=history.office.id, day=MONDAY, now=EVENING))
            session.commit()
        except Exception as exc:  # noqa: BLE001  the test reports any failure of a racer
            errors.append(exc)
        finally:
            session.close()

    racers = [threading.Thread(target=run) for _ in range(3)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(30)
    assert errors == []
    ids = sorted(db.scalars(select(Violation.id)))
    assert len(ids) == results[0].found >= 3  # two late openings, B uncovered 09:00-09:30 (counter 3 unstaffed)
    assert sorted(i for r in results for i in r.new_ids) == ids  # each row announced by exactly one scan


def test_setup_loads_declared_closures_and_refuses_one_that_is_not_a_gap(db, world):
    data = {"offices": [dict(SETUP["offices"][1], closures={"fri": [["11:30", "13:30", "Sholat Jumat"]]})]}
    load_setup(db, data)
    db.commit()
    office = db.scalar(select(Office).where(Office.slug == "kel-test"))
    assert office.closures == {"fri": [["11:30", "13:30", "Sholat Jumat"]]}
    bad = {"offices": [dict(SETUP["offices"][1], closures={"mon": [["11:00", "13:00"]]})]}
    with pytest.raises(InvalidInput):
        load_setup(db, bad)
    db.rollback()
    assert db.get(Office, office.id).closures == {"fri": [["11:30", "13:30", "Sholat Jumat"]]}


def test_api_ranks_and_pages_and_refuses_bad_paging(client, db, history):
    for counter, name, opened in ((1, "clerk1", "08:05"), (2, "clerk2", "08:30"), (3, "clerk3", "07:50")):
        history.stretch(counter, name, "open", opened, "12:00")
    scan(db, office_id=history.office.id, day=MONDAY, now=EVENING)
    db.commit()
    login(client, "sup")
    ranking = client.get("/api/v1/violations/ranking").get_json()
    assert [(r["kind"], r["minutes"]) for r in ranking["ranking"]] == [
        ("late_opening", 45.0), ("late_opening", 20.0), ("late_opening", 5.0)]
    assert ranking["total"] == 3 and ranking["per_kind"]["late_opening"]["count"] == 3
    first = client.get("/api/v1/violations?per_page=2")
    second = client.get("/api/v1/violations?per_page=2&page=2")
    assert first.headers["X-Total-Count"] == "3" and len(first.get_json()) == 2 and len(second.get_json()) == 1
    assert {v["id"] for v in first.get_json()}.isdisjoint({v["id"] for v in second.get_json()})
    for bad in ("per_page=501", "page=0", "page=x", "per_page=-1"):
        response = client.get(f"/api/v1/violations?{bad}")
        assert response.status_code in (400, 422) and set(response.get_json()) == {"error", "message"}, bad
    login(client, "clerk1")
    assert client.get("/api/v1/violations/ranking").status_code == 403


def _many_violations(db, history, days: int) -> None:
    # Mondays back in time, skipping those that are national holidays (17 August, 1 June): nothing is found then.
    mondays = (MONDAY - timedelta(days=7 * k) for k in range(days * 2))
    working = [d for d in mondays if closed_day(d) is None][:days]
    for day in working:
        history.stretch(1, "clerk1", "open", "07:50", "12:00", day=day)
        history.stretch(2, "clerk2", "open", "07:50", "09:00", day=day)
        history.stretch(2, "clerk2", "break", "09:00", "11:00", day=day)
        history.stretch(2, "clerk2", "open", "11:00", "12:00", day=day)
        scan(db, office_id=history.office.id, day=day, now=EVENING)
    db.commit()


def test_page_ranks_groups_pages_the_detail_and_saves_a_tolerance_through_its_form(client, db, history, world):
    _many_violations(db, history, 30)  # 30 days: clerk1 and clerk2 5 minutes late, clerk2 a break 60 minutes over
    response = client.post("/manager/login", data={"username": "sup", "password": "password-s"})
    assert response.status_code == 302
    period = "from=2026-04-01&to=2026-11-30"  # 30 working Mondays back reach 20 April
    page = client.get(f"/manager/discipline?{period}&office={world.office}").get_data(as_text=True)
    ranking = page[page.index('id="ranking"'):page.index("</table>", page.index('id="ranking"'))]
    assert ranking.index("Clerk Dua") < ranking.index("Clerk Satu")  # 30 x 60 min of breaks before 30 x 5 min
    assert "Halaman 1 dari 2" in page and page.count("data-violation=") == 50
    last = client.get(f"/manager/discipline?{period}&office={world.office}&page=2").get_data(as_text=True)
    assert last.count("data-violation=") == 40
    assert "istirahat petugas, layanan tetap dijaga" in page  # the lunch gap, shown as a staff break
    form = {"office": str(world.office), "late_opening": "6", "long_break": "", "idle_clerk": "0",
            "uncovered_service": ""}
    saved = client.post(f"/manager/discipline/tolerance?{period}", data=form)
    assert saved.status_code == 302 and "saved=1" in saved.headers["Location"]
    assert db.get(DisciplineSettings, world.office).tolerance_minutes == {"late_opening": 6}
    after = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Toleransi disimpan" in after and "Clerk Satu" not in after.split('id="ranking"')[1].split("</table>")[0]
    assert "Halaman" not in after and after.count("data-violation=") == 30  # only the long breaks are left


def test_tolerance_form_with_bad_input_or_without_its_csrf_token_changes_nothing(client, db, history, world):
    _many_violations(db, history, 1)
    assert client.post("/manager/login", data={"username": "sup", "password": "password-s"}).status_code == 302
    good = {"office": str(world.office), "late_opening": "3"}
    assert client.post("/manager/discipline/tolerance", data=good).status_code == 302
    for form, status in (({"office": str(world.office), "late_opening": "tiga"}, 400),
                         ({"office": str(world.office), "idle_clerk": "241"}, 400),
                         ({"office": str(world.other_office), "late_opening": "1"}, 400),
                         ({"office": "x", "late_opening": "1"}, 400)):
        response = client.post("/manager/discipline/tolerance", data=form)
        text = response.get_data(as_text=True)
        assert response.status_code == status and 'id="discipline-problem"' in text, form
        assert "Traceback" not in text
    assert "Toleransi Loket dibuka terlambat: isi bilangan bulat menit 0–240, bukan &#39;tiga&#39;" in client.post(
        "/manager/discipline/tolerance", data={"office": str(world.office), "late_opening": "tiga"}).get_data(
        as_text=True)
    refused = FlaskClient.open(client, "/manager/discipline/tolerance", method="POST",
                               data={"office": str(world.office), "late_opening": "9"})
    assert refused.status_code in (400, 403)
    db.expire_all()
    assert db.get(DisciplineSettings, world.office).tolerance_minutes == {"late_opening": 3}


def test_migration_declares_existing_friday_gaps_closed_and_leaves_lunch_a_staff_break(tmp_path):
    import sqlalchemy as sa

    from ptsp.db import make_engine
    from ptsp.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0006_account_security")
    week = {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], "fri": [["07:30", "11:30"], ["13:30", "16:30"]]}
    with engine.begin() as connection:
        for slug, hours in (("with-friday", week), ("all-day", {"fri": [["00:00", "23:59"]]})):
            connection.execute(sa.text(
                "INSERT INTO offices (slug, name, kind, timezone, hours, last_ticket_minutes, starvation_minutes, "
                "max_calls, on_recall_limit, target_wait_minutes) VALUES (:slug, :slug, 'kelurahan', "
                "'Asia/Jakarta', :hours, 30, 30, 3, 'requeue', 15)"), {"slug": slug, "hours": json.dumps(hours)})
    upgrade(engine)
    with engine.connect() as connection:
        rows = dict(connection.execute(sa.text("SELECT slug, closures FROM offices")).all())
    engine.dispose()
    assert json.loads(rows["with-friday"]) == {"fri": [["11:30", "13:30", "Sholat Jumat"]]}
    assert json.loads(rows["all-day"]) == {}


def test_the_round_reads_the_day_without_taking_the_writers_turn(app, db, history, clock, monkeypatch):
    # The read gives way to the other tasks between chunks; on SQLite it must not hold the process's writer
    # lock meanwhile, or every ticket issued during a scan waits for it (and holds a connection while it does).
    from ptsp.analytics import timeline
    from ptsp.db import writer_lock

    history.stretch(1, "clerk1", "open", "08:20", None)  # clock: 09:00 WIB Monday, so 35 minutes late
    for minute in range(10, 40, 5):
        history.ticket("A", f"08:{minute}", ("called", f"08:{minute + 1}", 1), ("completed", f"08:{minute + 3}", 1))
    db.commit()
    engine = app.extensions["ptsp.engine"]
    free: list[bool] = []

    def others_run() -> None:
        if engine.dialect.name != "sqlite":  # PostgreSQL has no process writer lock: readers never block writers
            free.append(True)
            return
        lock = writer_lock(engine)
        taken = lock.acquire(timeout=0)
        if taken:
            lock.release()
        free.append(taken)

    monkeypatch.setattr(timeline, "YIELD_EVERY", 4)
    monkeypatch.setattr(timeline, "give_way", others_run)
    with app.app_context():
        results = scan_open_offices(clock())
    assert len(free) >= 5 and all(free), free
    assert history.office.id in {r.office_id for r in results}
    rows = db.scalars(select(Violation).where(Violation.office_id == history.office.id)).all()
    db.commit()
    assert ("late_opening", 35.0) in {(r.kind, r.minutes) for r in rows}
