"""The same office calendar outside the kiosk: the discipline scan finds nothing on a closed day, planning skips
the office's own closure days, and the leaderboard says today is closed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from ptsp.analytics.history import load_history
from ptsp.analytics.planning import PlanSettings, build_plan
from ptsp.models import Violation
from ptsp.services.actors import SYSTEM
from ptsp.services.discipline import scan
from ptsp.services.office_calendar import add_closure
from tests.accountability.history import MONDAY, History
from tests.conftest import login
from tests.planning.history_builder import office_days
from tests.points.helpers import Office

INDEPENDENCE_DAY = date(2026, 8, 17)  # a Monday
TUESDAY = MONDAY + timedelta(days=1)


def a_bad_morning(history: History, day: date) -> None:
    """A resident waits from 08:00 while nobody opens until 08:30, then the clerk leaves at 10:00."""
    history.ticket("C", "08:00", ("called", "08:30", 1), ("completed", "08:35", 1), day=day)
    history.stretch(1, "clerk1", "open", "08:30", "10:00", day=day)


def test_the_discipline_scan_finds_nothing_on_17_august_but_finds_the_same_morning_on_a_working_day(db, history):
    a_bad_morning(history, INDEPENDENCE_DAY)
    a_bad_morning(history, MONDAY)
    db.commit()
    holiday = scan(db, office_id=history.office.id, day=INDEPENDENCE_DAY, now=history.at("17:00", INDEPENDENCE_DAY))
    working = scan(db, office_id=history.office.id, day=MONDAY, now=history.at("17:00", MONDAY))
    db.commit()
    assert holiday.found == 0 and holiday.added == 0
    assert working.found > 0  # the same morning on an ordinary Monday is a violation
    days = set(db.scalars(select(Violation.day)))
    assert days == {MONDAY}


def test_a_closure_day_entered_later_withdraws_what_that_day_had_found(db, history):
    a_bad_morning(history, TUESDAY)
    db.commit()
    first = scan(db, office_id=history.office.id, day=TUESDAY, now=history.at("12:00", TUESDAY))
    assert first.added > 0
    add_closure(db, SYSTEM, office_id=history.office.id, day=TUESDAY, reason="Listrik padam seharian",
                now=history.at("12:05", TUESDAY))
    again = scan(db, office_id=history.office.id, day=TUESDAY, now=history.at("12:10", TUESDAY))
    db.commit()
    assert again.found == 0 and again.removed == first.added
    assert all(v.withdrawn_at is not None for v in db.scalars(select(Violation)))


def test_planning_skips_the_offices_own_closure_day_like_a_holiday(db, world):
    weekdays = [MONDAY - timedelta(days=i) for i in range(1, 15) if (MONDAY - timedelta(days=i)).weekday() < 4]

    def rate(prefix: str, hour: int, weekday: str) -> float:
        return 2.0

    office_days(db, "kel-test", weekdays, rate, {"A": 10.0, "B": 20.0, "C": 5.0}, lambda hour, weekday: 2, seed=5)
    db.commit()
    plain = load_history(db, world.office, weekdays[-1], MONDAY)
    assert set(plain.open_days) == set(weekdays)
    # Closure days are entered ahead (today or later): the next Wednesday, in the planned week.
    wednesday = MONDAY + timedelta(days=2)
    add_closure(db, SYSTEM, office_id=world.office, day=wednesday, reason="Pemilu",
                now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    db.commit()
    plan = build_plan(db, world.office, MONDAY, 1, PlanSettings(simulate=False, backtest_days=7))
    week = plan.weeks[0]
    assert week.closed == {wednesday: "Pemilu"} and wednesday not in week.open_days
    assert MONDAY in week.open_days and TUESDAY in week.open_days
    later = load_history(db, world.office, weekdays[-1], MONDAY)
    assert later.closed_days == {wednesday: "Pemilu"}


def test_the_leaderboard_says_today_is_closed_and_shows_the_last_working_day(app, world, clock):
    clock.now = datetime(2026, 8, 14, 2, 0, tzinfo=UTC)  # Friday 14 August, 09:00 WIB
    office = Office(app, world, clock)
    one = office.desk("clerk1", 1)
    office.issue("A")
    one.serve(10)
    assert one.client.post(f"/api/v1/counters/{one.counter}/close").status_code == 200
    clock.now = datetime(2026, 8, 17, 2, 0, tzinfo=UTC)  # Monday 17 August: Hari Kemerdekaan
    manager = app.test_client()
    login(manager, "manager")
    board = manager.get("/api/v1/points/leaderboard").get_json()
    assert board["chosen"] == {"period": "day", "day": "2026-08-14", "reason": "today_closed", "automatic": True,
                               "closed_name": "Hari Kemerdekaan Republik Indonesia"}
    page = manager.get("/manager/leaderboard").get_data(as_text=True)
    assert "Hari ini kantor tutup (Hari Kemerdekaan Republik Indonesia)" in page and "2026-08-14" in page
    clock.advance(days=1)  # Tuesday: an ordinary empty morning
    assert manager.get("/api/v1/points/leaderboard").get_json()["chosen"]["reason"] == "today_empty"
