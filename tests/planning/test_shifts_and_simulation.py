"""The shift MILP on small cases (feasible, optimal, rules kept) and the proof by simulation."""

import itertools

import pytest

from ptsp.domain.errors import InvalidInput
from ptsp.domain.shifts import DayNeed, ShiftRules, day_patterns, plan_week
from ptsp.domain.simulate import simulate_day
from ptsp.domain.staffing_calculator import evaluate_staffing
from ptsp.domain.staffing_plan import ServiceDemand, StaffingTarget, hourly_need

WORKDAY = {8: 2, 9: 3, 10: 3, 11: 2, 12: 0, 13: 2, 14: 2, 15: 1}


def covered_everywhere(plan, days):
    return all(plan.days[i].cover[h] >= n for i, d in enumerate(days) for h, n in d.need.items()
               if h not in d.breaks)


def test_one_clerk_all_day_takes_lunch_in_the_office_break():
    day = DayNeed("mon", {h: (0 if h == 12 else 1) for h in range(8, 16)}, frozenset({12}))
    plan = plan_week([day], ShiftRules(lengths=(4, 8)))
    assert plan.status == "optimal"
    assert plan.clerk_hours == 8
    [(pattern, count)] = plan.days[0].shifts
    assert (pattern.start, pattern.hours, pattern.rest, count) == (8, 8, frozenset({12}), 1)


def test_without_an_office_break_long_shifts_stagger_their_rest_and_a_clerk_is_always_there():
    day = DayNeed("sat", {h: 1 for h in range(8, 16)})
    plan = plan_week([day], ShiftRules(lengths=(8,)))
    assert plan.status == "optimal" and covered_everywhere(plan, [day])
    rests = [p.rest for p, k in plan.days[0].shifts for _ in range(k)]
    assert len(rests) == 2 and rests[0] != rests[1]
    assert plan.clerk_hours == 16


def test_milp_matches_brute_force_on_a_small_day():
    day = DayNeed("mon", {8: 1, 9: 2, 10: 3, 11: 1, 12: 2})
    rules = ShiftRules(lengths=(2, 3), break_from_hours=99)
    plan = plan_week([day], rules)
    patterns = day_patterns(day, rules)
    best = None
    for counts in itertools.product(range(4), repeat=len(patterns)):
        if all(sum(k for p, k in zip(patterns, counts, strict=True) if p.covers(h)) >= n for h, n in day.need.items()):
            cost = sum(p.hours * k for p, k in zip(patterns, counts, strict=True))
            best = cost if best is None else min(best, cost)
    assert plan.status == "optimal" and covered_everywhere(plan, [day])
    # Only 2- and 3-hour shifts: the 9 clerk-hours of need cannot be met exactly.
    assert plan.clerk_hours == best > sum(day.need.values())


def test_friday_prayer_break_is_never_staffed_and_starts_stay_in_the_window():
    friday = DayNeed("fri", {7: 1, 8: 2, 9: 2, 10: 2, 11: 1, 12: 0, 13: 2, 14: 2, 15: 1}, frozenset({12}))
    plan = plan_week([friday], ShiftRules(earliest_start=7, latest_start=11))
    assert plan.days[0].cover[12] == 0
    assert all(7 <= p.start <= 11 for p, _ in plan.days[0].shifts)
    assert all(12 in p.rest for p, _ in plan.days[0].shifts if p.start < 12 < p.end - 1)
    assert covered_everywhere(plan, [friday])


def test_required_weekly_hours_hold_for_every_clerk_on_the_roster():
    days = [DayNeed(d, WORKDAY, frozenset({12})) for d in ("mon", "tue", "wed", "thu", "fri")]
    free = plan_week(days, ShiftRules())
    bound = plan_week(days, ShiftRules(min_weekly_hours=30, max_weekly_hours=40))
    assert free.status == bound.status == "optimal"
    assert covered_everywhere(bound, days)
    assert all(30 <= hours <= 40 for hours in bound.weekly_hours().values())
    assert sum(bound.weekly_hours().values()) == bound.clerk_hours
    # Requiring full weeks costs hours or keeps them: never fewer than the free plan.
    assert bound.clerk_hours >= free.clerk_hours
    assert all(len({label for label, _ in s}) == len(s) for s in bound.roster.values())  # one shift a day


def test_too_few_clerks_is_infeasible_and_bad_rules_are_refused():
    days = [DayNeed("mon", WORKDAY, frozenset({12}))]
    assert plan_week(days, ShiftRules(max_clerks=2)).status == "infeasible"
    with pytest.raises(InvalidInput):
        ShiftRules(min_weekly_hours=41, max_weekly_hours=40)
    with pytest.raises(InvalidInput):
        plan_week([DayNeed("mon", {8: 1, 9: 1})], ShiftRules(lengths=(4,)))


# --- proof by simulation ---------------------------------------------------------------------

HOURS = list(range(8, 15))
# A busy morning plateau: 36 residents an hour for five hours, 10-minute services (6 Erlangs).
ARRIVALS = (12, 36, 36, 36, 36, 36, 12)
TARGET = StaffingTarget(target_minutes=15, target_level=0.8)


def peak_level(result, peak):
    served = sum(result.hour(h).arrivals for h in peak)
    return sum(result.hour(h).service_level * result.hour(h).arrivals for h in peak) / served


def test_the_plan_meets_its_target_in_simulation_and_one_clerk_fewer_at_the_peak_misses():
    demand = [ServiceDemand("A", ARRIVALS, 10.0, 10.0)]
    pools = [frozenset("A")]
    need = hourly_need(HOURS, [1.0] * len(HOURS), demand, pools, TARGET)
    plan = plan_week([DayNeed("mon", {n.hour: n.clerks for n in need})], ShiftRules(lengths=(2, 3, 4, 5, 6, 7)))
    cover = [plan.days[0].cover[h] for h in HOURS]
    peak_need = max(n.clerks for n in need)
    peak = [n.hour for n in need if n.clerks == peak_need]
    assert all(plan.days[0].cover[h] == peak_need for h in peak)  # the peak is covered exactly

    planned = simulate_day(HOURS, demand, pools, [cover], TARGET.target_minutes, replications=20, seed=1)
    fewer = [c - 1 if h in peak else c for c, h in zip(cover, HOURS, strict=True)]
    short = simulate_day(HOURS, demand, pools, [fewer], TARGET.target_minutes, replications=20, seed=1)

    predicted = evaluate_staffing(peak_need, 36, 10, 15).service_level
    assert planned.service_level >= 0.8
    assert peak_level(planned, peak) >= 0.8
    assert peak_level(planned, peak) == pytest.approx(predicted, abs=0.08)
    assert peak_level(short, peak) < 0.8
    assert short.service_level < 0.8
    assert short.average_wait_minutes > planned.average_wait_minutes


def test_simulation_is_reproducible_with_its_seed():
    demand = [ServiceDemand("A", (20, 20), 8.0, 8.0)]
    one = simulate_day([9, 10], demand, [frozenset("A")], [[3, 3]], 15, replications=3, seed=5)
    two = simulate_day([9, 10], demand, [frozenset("A")], [[3, 3]], 15, replications=3, seed=5)
    assert one == two


def test_break_time_is_not_counted_in_a_simulated_wait():
    # Everyone arrives during the noon break; the counters open at 13:00 with plenty of clerks.
    demand = [ServiceDemand("A", (0, 10, 0), 5.0, 5.0)]
    counted = simulate_day([11, 12, 13], demand, [frozenset("A")], [[0, 0, 10]], 15, replications=3, seed=2,
                           breaks=frozenset({12}))
    raw = simulate_day([11, 12, 13], demand, [frozenset("A")], [[0, 0, 10]], 15, replications=3, seed=2)
    assert counted.hour(12).average_wait_minutes < 5 < raw.hour(12).average_wait_minutes


def test_the_backlog_of_a_break_gets_clerks_to_call_it_within_the_target():
    # Twelve residents take a ticket during the noon break; nobody comes after. With the backlog
    # spread over the hour two clerks would do (2 Erlangs); called at once at 13:00 they need
    # ceil(0.8 x 12 / (1 + 15/10)) = 4 clerks on top of the one the hour's own (no) arrivals need.
    demand = [ServiceDemand("A", (0, 12, 0), 10.0, 10.0)]
    need = hourly_need([11, 12, 13], [1, 0, 1], demand, [frozenset("A")], TARGET)
    assert need[2].arrivals == 12 and need[2].clerks == 5
    result = simulate_day([11, 12, 13], demand, [frozenset("A")], [[1, 0, need[2].clerks]], 15,
                          replications=20, seed=3, breaks=frozenset({12}))
    assert result.hour(12).service_level >= 0.8
    fewer = simulate_day([11, 12, 13], demand, [frozenset("A")], [[1, 0, need[2].clerks - 2]], 15,
                         replications=20, seed=3, breaks=frozenset({12}))
    assert fewer.hour(12).service_level < 0.8


def test_a_pool_mixing_short_and_long_services_waits_longer_than_its_mean_says():
    from ptsp.domain.erlang import service_level
    from ptsp.domain.staffing_plan import pool_performance

    assert pool_performance(6, 4.5, 10, 1.0, 15)[0] == pytest.approx(service_level(6, 4.5, 10, 15))
    # Five steady hours, so the loads have settled; compare the last.
    mixed = [ServiceDemand("C", (36,) * 5, 5.0, 5.0), ServiceDemand("B", (6,) * 5, 30.0, 30.0)]
    same_mean = [ServiceDemand("X", (42,) * 5, (36 * 5 + 6 * 30) / 42, 10.0)]
    pooled = hourly_need(range(8, 13), [1] * 5, mixed, [frozenset("BC")], TARGET)[-1].pools[0]
    plain = hourly_need(range(8, 13), [1] * 5, same_mean, [frozenset("X")], TARGET)[-1].pools[0]
    assert pooled.load == pytest.approx(plain.load, rel=0.01) and pooled.scv > 1.5
    assert pooled.clerks > plain.clerks
    assert pool_performance(7, 6.0, pooled.service_minutes, pooled.scv, 15)[1] > plain.average_wait_minutes
