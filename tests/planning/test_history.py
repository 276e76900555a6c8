"""Estimates from a hand-built event log: local time, skipped days, censoring; backtest; opening hours."""

from datetime import date, timedelta

import pytest

from ptsp.analytics.history import estimate, load_history
from ptsp.analytics.planning import PlanSettings, build_plan
from ptsp.domain.forecast import patience as forecast_patience
from ptsp.domain.opening import (
    Day,
    OpeningRules,
    day_options,
    displaced_demand,
    holidays_between,
    last_ticket_cutoff,
    recommend_week,
)
from ptsp.domain.staffing_plan import ServiceDemand, StaffingTarget
from tests.planning.history_builder import add_ticket, local, office_days

MONDAY = date(2026, 11, 2)


@pytest.fixture
def session(app):
    s = app.extensions["ptsp.sessions"]()
    yield s
    s.close()


def test_arrivals_service_times_and_patience_come_out_exactly(session, world):
    a, c = world.services["A"], world.services["C"]
    # Three Mondays; at 09:xx local time two A tickets and one C ticket each Monday.
    for week in range(3):
        day = MONDAY + timedelta(weeks=week)
        add_ticket(session, world.office, a, local(day, 9, 5), wait=4, service=6)
        add_ticket(session, world.office, a, local(day, 9, 40), wait=10, service=12, status="no_show")
        add_ticket(session, world.office, c, local(day, 9, 50), status="cancelled", cancel_after=20)
    session.commit()
    history = load_history(session, world.office, MONDAY, MONDAY + timedelta(weeks=3))
    found = estimate(history)
    assert found.days_by_weekday == {"mon": 3}
    assert found.arrivals[("A", "mon", 9)].rate == pytest.approx(2.0)
    assert found.arrivals[("A", "mon", 9)].count == 6
    assert found.arrivals[("C", "mon", 9)].rate == pytest.approx(1.0)
    assert found.arrivals[("A", "mon", 10)].rate == 0.0
    assert found.arrivals[("A", "mon", 10)].high > 0  # zero seen is not zero known
    assert found.service_time["A"].mean == pytest.approx(6.0)  # only completed tickets
    assert found.service_time["B"] is None
    # Walk-aways: three cancels after 20 minutes; censored: three waits of 4. The three no-shows were
    # called: they are counted apart and not used (whether they had left is not known).
    assert found.patience.walked_away == 3 and found.patience.stayed == 3 and found.patience.no_shows == 3
    # three walk-aways are too few to estimate: withheld, with the reason
    assert not found.patience.estimable and found.patience.reason == "few_walk_aways"
    assert found.patience.mean is None
    assert forecast_patience([20] * 3, [4] * 3, min_walk_aways=3).mean == pytest.approx((3 * 20 + 3 * 4) / 3)


def test_hours_are_the_offices_own_local_time(session, world):
    # kel-lain is in WITA (UTC+8): 08:30 WITA is 07:30 WIB, and must count as 08:00.
    for week in range(2):
        add_ticket(session, world.other_office, world.other_service,
                   local(MONDAY + timedelta(weeks=week), 8, 30, "Asia/Makassar"), wait=1, service=5)
    session.commit()
    found = estimate(load_history(session, world.other_office, MONDAY, MONDAY + timedelta(weeks=2)))
    assert found.arrivals[("A", "mon", 8)].rate == 1.0
    assert ("A", "mon", 7) not in found.arrivals


def test_holidays_and_days_without_tickets_are_skipped(session, world):
    a = world.services["A"]
    christmas = date(2026, 12, 25)  # a Friday, a public holiday in Indonesia
    for day in (christmas, christmas - timedelta(weeks=1), christmas - timedelta(weeks=2)):
        for minute in range(0, 60, 6):
            add_ticket(session, world.office, a, local(day, 9, minute), wait=1, service=5)
    session.commit()
    history = load_history(session, world.office, christmas - timedelta(weeks=3), christmas + timedelta(days=1))
    assert christmas not in history.open_days
    assert christmas - timedelta(weeks=3) not in history.open_days  # no tickets that day: closed
    found = estimate(history)
    assert found.days_by_weekday == {"fri": 2}
    assert found.arrivals[("A", "fri", 9)].rate == 10.0
    # Christmas and the cuti bersama before it (both closed days of the office calendar)
    assert list(holidays_between(christmas - timedelta(weeks=3), christmas + timedelta(days=1))) == [
        christmas - timedelta(days=1), christmas]


def test_backtest_shows_the_understaffed_week_waited_longer_than_planned(session, world):
    start = date(2026, 11, 23)
    weekdays = [start - timedelta(days=i) for i in range(1, 22) if (start - timedelta(days=i)).weekday() < 4]
    last_week = {d for d in weekdays if d >= start - timedelta(days=7)}

    def rate(prefix, hour, weekday):
        return {"A": 9.0, "B": 1.0, "C": 4.0}[prefix] if hour != 12 else 2.0

    office_days(session, "kel-test", [d for d in weekdays if d not in last_week], rate,
                {"A": 10.0, "B": 20.0, "C": 5.0}, lambda hour, weekday: 3, seed=3)
    # The last week only one counter was open.
    office_days(session, "kel-test", sorted(last_week), rate, {"A": 10.0, "B": 20.0, "C": 5.0},
                lambda hour, weekday: 1, seed=4, fit_before_break=True)
    session.commit()
    plan = build_plan(session, world.office, start, 1, PlanSettings(simulate=False, backtest_days=7))
    rows = plan.backtest
    assert rows and {r.day for r in rows} == last_week
    assert all(r.actual_clerks <= 1.0 + 1e-9 for r in rows)
    assert all(r.planned_clerks >= 2 for r in rows if r.forecast_arrivals > 5)
    waited = [r for r in rows if r.actual_wait is not None]
    mean_actual = sum(r.actual_wait for r in waited) / len(waited)
    mean_planned = sum(r.plan_wait for r in waited) / len(waited)
    assert mean_actual > 3 * mean_planned  # the plan's counterfactual is not what happened
    # the model, given the one counter actually open, sees the long waits
    mean_model = sum(r.model_wait for r in waited) / len(waited)
    assert mean_model > 3 * mean_planned and mean_model == pytest.approx(mean_actual, rel=0.5)
    assert sum(r.actual_arrivals for r in rows) == pytest.approx(sum(r.forecast_arrivals for r in rows), rel=0.25)


# --- opening hours ----------------------------------------------------------------------------

TARGET = StaffingTarget(target_minutes=15)


def test_displaced_residents_move_to_the_nearest_open_hour_and_some_are_lost():
    moved, lost = displaced_demand([7, 8, 9, 10], [4, 10, 10, 2], [8, 9], moves=0.5)
    assert moved == [0.0, 12.0, 11.0, 0.0]
    assert lost == 3.0


def test_an_empty_evening_hour_is_not_recommended_and_the_trade_off_is_shown():
    hours = list(range(7, 17))
    arrivals = (0, 10, 20, 20, 15, 0, 15, 10, 5, 0)  # nobody comes at 07:00 or 16:00
    demand = [ServiceDemand("A", arrivals, 10, 10)]
    options = day_options(Day("mon", hours, frozenset({12}), demand, [frozenset("A")], TARGET), OpeningRules())
    best = options[0]
    assert (best.opens, best.closes) == (8, 16)
    assert best.lost == 0
    longer = next(o for o in options if (o.opens, o.closes) == (7, 17))
    shorter = next(o for o in options if (o.opens, o.closes) == (8, 14))
    assert longer.clerk_hours > best.clerk_hours and longer.cost > best.cost
    assert shorter.clerk_hours < best.clerk_hours and shorter.lost > 0
    assert len(options) > 10


def test_weekly_minimum_lengthens_the_cheapest_day():
    hours = list(range(8, 16))
    quiet = [ServiceDemand("A", (1, 1, 1, 0, 0, 0, 0, 0), 10, 10)]
    rules = OpeningRules(min_weekly_hours=20, min_daily_hours=3)
    options = {d: day_options(Day(d, hours, frozenset({12}), quiet, [frozenset("A")], TARGET), rules)
               for d in ("mon", "tue", "wed", "thu", "fri")}
    alone = {d: o[0].open_hours for d, o in options.items()}
    chosen = recommend_week(options, rules)
    assert sum(alone.values()) < 20
    assert sum(o.open_hours for o in chosen.values()) >= 20


def test_friday_prayer_break_stays_closed_in_every_option():
    hours = list(range(8, 16))
    demand = [ServiceDemand("A", (5,) * 8, 10, 10)]
    options = day_options(Day("fri", hours, frozenset({12}), demand, [frozenset("A")], TARGET), OpeningRules())
    assert options and all(o.open_hours == (o.closes - o.opens) - (1 if o.opens < 12 < o.closes else 0)
                           for o in options)


def test_last_ticket_cutoff_leaves_time_to_call_and_serve():
    assert last_ticket_cutoff(15, 23.7) == 40
    assert last_ticket_cutoff(10, 5) == 15
