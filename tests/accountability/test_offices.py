"""Offices that serve too few: funnel limits with known flags, measured exposures, pooling saves clerks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ptsp.analytics.offices import OfficeLoad, office_load, pooling, report
from ptsp.domain.funnel import funnel, limits, poisson_limit
from ptsp.domain.staffing_calculator import required_clerks
from ptsp.models import Office, Ticket
from tests.accountability.history import MONDAY, History


def test_interpolated_poisson_limit_is_close_to_the_normal_one_for_large_counts():
    # Spiegelhalter (2005): for large expected counts the limits approach mu +- z * sqrt(mu).
    assert poisson_limit(10_000, 0.001) == pytest.approx(10_000 - 3.0902 * 100, abs=2)
    assert poisson_limit(10_000, 0.975) == pytest.approx(10_000 + 1.96 * 100, abs=2)
    assert poisson_limit(0, 0.025) == 0.0


def test_funnel_flags_only_offices_outside_the_limits_for_their_exposure():
    points = [("big", 10_000, 1000), ("mid", 1000, 100), ("low", 800, 100), ("warn", 900, 100),
              ("small", 5, 1), ("tiny_zero", 0, 0.2), ("closed", 0, 0)]
    pooled, placed = funnel(points)
    assert pooled == pytest.approx(12_705 / 1301.2)
    flags = {p.key: p.flag for p in placed}
    # Pooled 9.762/h. Over 100 h: expected 976, sd 31; 800 is 5.6 sd below (beyond 99.8%),
    # 900 is 2.4 sd below (beyond 95% only), 1000 is 0.8 sd above (inside).
    assert flags["low"] == "low_alarm" and flags["warn"] == "low_warn" and flags["mid"] == "ok"
    # The same 10/h over 1000 h is 2.4 sd above its expected 9762: a large office is measured precisely.
    assert flags["big"] == "high_warn"
    # Small exposures are noisy: 5 in one hour, or none in 12 minutes (2 expected), is no evidence of anything.
    assert flags["small"] == "ok" and flags["tiny_zero"] == "ok"
    assert flags["closed"] == "no_exposure"


def test_a_raw_ranking_would_put_the_small_office_last_but_the_funnel_does_not():
    pooled, placed = funnel([("a", 400, 40), ("b", 410, 40), ("c", 390, 40), ("small", 6, 1)])
    by_rate = sorted(placed, key=lambda p: p.rate)
    assert by_rate[0].key == "small"
    assert {p.key: p.flag for p in placed}["small"] == "ok"
    lim = limits(pooled, 1)
    assert lim.lower[0.95] < 6 / 1 < lim.upper[0.95]


def test_office_measures_residents_open_hours_and_clerk_hours(db, history, world):
    for i in range(6):
        history.ticket("A", f"08:{10 + i}", ("called", f"09:{10 + i}", 1), ("started", f"09:{10 + i}", 1),
                       ("completed", f"09:{20 + i}", 1))
    history.ticket("A", "10:00", ("called", "10:01", 1), ("no_show", "10:05", 1))
    for t in db.scalars(select(Ticket).where(Ticket.status == "done")):
        t.started_at, t.finished_at = t.issued_at, t.issued_at + timedelta(minutes=10)
    history.stretch(1, "clerk1", "open", "08:00", "12:00")
    history.stretch(1, "clerk1", "break", "12:00", "13:00")
    history.stretch(1, "clerk1", "open", "13:00", "15:30")
    db.commit()
    load = office_load(db, history.office, MONDAY, MONDAY, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    assert (load.residents, load.open_hours, load.clerk_hours, load.open_days) == (6, 7.0, 6.5, 1)
    assert load.service_minutes == 10.0
    assert load.arrivals_by_hour[8] == 6 and load.arrivals_by_hour[10] == 1 and load.arrivals_by_hour[9] == 0


def _load(office_id: int, name: str, per_hour: float, minutes: float, target: int = 15) -> OfficeLoad:
    office = Office(id=office_id, name=name, slug=name, kind="kelurahan", timezone="Asia/Jakarta",
                    target_wait_minutes=target)
    return OfficeLoad(office, 0, 8, 8, 1, minutes, {h: per_hour for h in range(8, 16)})


def test_pooling_two_small_offices_saves_clerks_by_erlang_c():
    a, b = _load(1, "a", 3, 10), _load(2, "b", 2, 20)
    result = pooling(a, b)
    apart = required_clerks(3, 10, 15, 0.8).clerks + required_clerks(2, 20, 15, 0.8).clerks
    together = required_clerks(5, (3 * 10 + 2 * 20) / 5, 15, 0.8).clerks
    assert (result["peak_apart"], result["peak_together"]) == (apart, together)
    assert result["clerk_hours_saved"] == 8 * (apart - together) > 0


def test_report_flags_the_office_serving_too_few_and_prices_pooling_it(db, world):
    from ptsp.domain.hours import dump_week, parse_week

    busy, quiet = History(db, "kel-test"), History(db, "kel-lain")
    quiet.office.parent_id = busy.office.parent_id
    quiet.office.hours = dump_week(parse_week({"mon": [["08:00", "16:00"]]}))
    busy.office.hours = quiet.office.hours
    for h in range(8, 16):
        for m in range(0, 60, 5):  # 12 an hour
            busy.ticket("A", f"{h:02d}:{m:02d}", ("completed", f"{h:02d}:{m:02d}", 1))
        if h % 2 == 0:  # one every two hours
            quiet.ticket("A", f"{h:02d}:00", ("completed", f"{h:02d}:00", 1))
    busy.stretch(1, "clerk1", "open", "08:00", "16:00")
    quiet.stretch(1, "other", "open", "08:00", "16:00", )
    db.commit()
    result = report(db, [busy.office, quiet.office], MONDAY, MONDAY, datetime(2026, 11, 24, tzinfo=UTC))
    flags = {p["office_name"]: p["flag"] for p in result["per_open_hour"]["points"]}
    assert flags == {"Kelurahan Uji": "high_alarm", "Kelurahan Lain": "low_alarm"}
    assert result["low"] == [quiet.office.id]
    assert result["pooling"] and result["pooling"][0]["clerk_hours_saved"] >= 0
    assert result["per_open_hour"]["pooled_rate"] == pytest.approx(100 / 16)


def test_with_many_offices_real_spread_widens_the_funnel_so_only_the_outlier_is_flagged():
    # Twelve offices, 500 open hours each, truly different (4 to 8 an hour) plus one at 2 an hour.
    rates = [4.0, 4.5, 5, 5.5, 6, 6, 6, 6.5, 7, 7.5, 8, 2.0]
    points = [(i, int(r * 500), 500) for i, r in enumerate(rates)]
    _pooled, poisson_only = funnel(points, adjust=False)
    assert sum(p.flag != "ok" for p in poisson_only) == 11  # Poisson noise alone explains almost nothing
    _pooled, adjusted = funnel(points)
    assert adjusted[0].limits.tau2 == pytest.approx(1.5265, abs=1e-3)
    assert [(p.key, p.flag) for p in adjusted if p.flag != "ok"] == [(11, "low_warn")]


def test_fewer_than_ten_offices_keep_the_exact_poisson_limits():
    points = [(i, int(r * 500), 500) for i, r in enumerate([4.0, 5, 6, 7, 8, 4.5, 5.5, 6.5, 7.5])]
    _pooled, placed = funnel(points)
    assert all(p.limits.tau2 == 0.0 for p in placed)
