"""Estimates with their uncertainty, and hourly staffing, on numbers with known answers."""

import math

import numpy as np
import pytest

from ptsp.domain.forecast import arrival_rate, patience, service_times
from ptsp.domain.staffing_calculator import required_clerks
from ptsp.domain.staffing_plan import (
    ServiceDemand,
    StaffingTarget,
    hourly_need,
    hourly_offered_load,
    service_pools,
    shift_break_arrivals,
)

# --- arrivals: exact Poisson (Garwood) intervals ---------------------------------------------


@pytest.mark.parametrize(
    ("count", "low", "high"),
    # 95% exact Poisson limits as tabulated by Ulm (1990), "Simple method to calculate the
    # confidence interval of a standardized mortality ratio", Am. J. Epidemiol. 131(2), Table 1,
    # and in every epidemiology text: 0 -> (0, 3.689), 1 -> (0.0253, 5.572), 10 -> (4.795, 18.39).
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (10, 4.795, 18.39)],
)
def test_arrival_interval_matches_the_published_exact_poisson_limits(count, low, high):
    estimate = arrival_rate(count, 1)
    assert estimate.rate == count
    assert estimate.low == pytest.approx(low, rel=2e-3, abs=1e-4)
    assert estimate.high == pytest.approx(high, rel=2e-3)


def test_arrival_rate_is_per_observed_day_and_narrows_with_more_days():
    short, long = arrival_rate(20, 4), arrival_rate(200, 40)
    assert short.rate == long.rate == 5.0
    assert long.high - long.low < short.high - short.low
    assert short.low < 5.0 < short.high


def test_no_days_observed_says_nothing_is_known():
    estimate = arrival_rate(0, 0)
    assert estimate.rate == 0 and estimate.high == math.inf


# --- service times ----------------------------------------------------------------------------


def test_service_time_mean_has_the_student_t_interval():
    # 8, 10, 12 minutes: mean 10, sd 2, t(0.975, 2) = 4.303 -> half width 4.303 * 2 / sqrt(3) = 4.969.
    estimate = service_times([8, 10, 12])
    assert estimate.mean == 10 and estimate.median == 10
    assert estimate.mean_low == pytest.approx(10 - 4.969, abs=1e-3)
    assert estimate.mean_high == pytest.approx(10 + 4.969, abs=1e-3)
    assert estimate.cv == pytest.approx(0.2)


def test_exponential_service_times_have_a_cv_near_one_inside_its_bootstrap_interval():
    sample = np.random.default_rng(3).exponential(12.0, 2000)
    estimate = service_times(sample, seed=1)
    assert estimate.mean_low < 12.0 < estimate.mean_high
    assert estimate.cv_low < 1.0 < estimate.cv_high
    # The 90th percentile of an exponential is mean x ln 10.
    assert estimate.p90_low < 12.0 * math.log(10) < estimate.p90_high


def test_no_service_times_give_no_estimate_and_one_gives_no_interval():
    assert service_times([]) is None
    single = service_times([7.0])
    assert single.mean == 7.0 and single.mean_high == math.inf


# --- patience: censored exponential MLE -------------------------------------------------------


def test_patience_is_total_waiting_over_walk_aways():
    # Two walked away after 10 and 20 minutes; three were called after 5, 5 and 10 minutes.
    estimate = patience([10, 20], [5, 5, 10], min_walk_aways=2)
    assert estimate.time_on_test == 50
    assert estimate.mean == 25
    # chi-square limits: 2T / chi2(0.975, 2d+2) and 2T / chi2(0.025, 2d) with d = 2.
    assert estimate.low == pytest.approx(100 / 14.4494, rel=1e-4)
    assert estimate.high == pytest.approx(100 / 0.4844, rel=1e-3)


def test_patience_without_walk_aways_has_only_a_lower_bound():
    estimate = patience([], [5, 5, 10])
    assert not estimate.estimable and estimate.reason == "few_walk_aways"
    assert estimate.mean is None and estimate.high is None
    assert estimate.low == pytest.approx(40 / 7.3778, rel=1e-4)


def test_patience_from_generated_walk_aways_is_recovered_with_expired_tickets_interval_censored():
    # Residents arrive through an 8-hour day with exponential patience of mean 30 minutes; the call
    # comes after an exponential 10 minutes (300 on a bad afternoon, one in five), or never if that is
    # after closing. Whoever's patience runs out first walks away, cancelling on the screen (exact); a
    # resident whose call would come after closing has a ticket that expires uncalled (only "gone by
    # closing" is known). Of the called, one in twenty does
    # not come (a no-show, independent of patience): counted, not used.
    rng = np.random.default_rng(5)
    gone, stayed, expired, no_shows = [], [], [], 0
    for _ in range(4000):
        left_of_day = 480.0 - rng.uniform(0, 420)
        p, w = rng.exponential(30.0), rng.exponential(10.0 if rng.random() < 0.8 else 300.0)
        if w >= left_of_day:
            expired.append(left_of_day)
        elif p < w:
            gone.append(p)
        elif rng.random() < 0.05:
            no_shows += 1
        else:
            stayed.append(w)
    found = patience(gone, stayed, expired_minutes=expired, no_shows=no_shows)
    assert found.estimable and found.expired == len(expired) and found.no_shows == no_shows
    assert found.low < found.mean < found.high
    assert found.low < 30.0 < found.high
    # counting no-shows as walk-aways at their call (the old rule) drags the mean down
    assert patience([*gone, *[10.0] * no_shows], stayed).mean < 0.95 * found.mean
    assert found.expired > 100


def test_patience_longer_than_every_wait_seen_is_not_believed():
    # 2% of residents leave within 15-45 minutes; the rest never do (the demo's model). The exponential
    # fit gives a mean far beyond the longest wait: withheld, the figure kept for the page's sentence.
    rng = np.random.default_rng(2)
    gone = list(rng.uniform(15, 45, 40))
    stayed = list(rng.exponential(15.0, 2000))
    found = patience(gone, stayed, longest_wait=max(stayed))
    assert not found.estimable and found.reason == "beyond_waits"
    assert found.mean is not None and found.mean > max(stayed)


# --- staffing per hour --------------------------------------------------------------------------


def test_services_sharing_a_counter_form_one_pool_and_a_lone_desk_its_own():
    pools = service_pools({1: ["A", "C"], 2: ["A", "B"], 3: ["E"]}, ["A", "B", "C", "D", "E"])
    assert pools == [frozenset("ABC"), frozenset("D"), frozenset("E")]


def test_offered_load_of_short_services_is_arrivals_times_service_time():
    # S = 0.1 hour: after a step the load settles within minutes. A rising hour is staffed for its
    # end, lam S + (m0 - lam S) e^-10; a falling one for its mean, lam S + (m0 - lam S) S (1 - e^-10).
    loads = hourly_offered_load([30, 60, 30], 6)
    assert loads[0] == pytest.approx(3 * (1 - math.exp(-10)), rel=1e-9)
    assert loads[1] == pytest.approx(6 - 3 * math.exp(-10), rel=1e-6)
    assert loads[2] == pytest.approx(3 + 3 * 0.1 * (1 - math.exp(-10)), rel=1e-4)


def test_offered_load_of_long_services_lags_behind_the_rush():
    # Hour-long interviews: ten arrive in the first hour, none in the second. The first hour is
    # staffed for its end, 10 (1 - e^-1); the second still carries the rush: its mean is
    # 10 (1 - e^-1) (1 - e^-1), more than a pointwise stationary model's zero.
    loads = hourly_offered_load([10, 0], 60)
    assert loads[0] == pytest.approx(10 * (1 - math.exp(-1)), rel=1e-9)
    assert loads[1] == pytest.approx(10 * (1 - math.exp(-1)) ** 2, rel=1e-9)
    assert loads[1] > 3.0


def test_arrivals_during_a_break_are_served_after_it():
    assert shift_break_arrivals([5, 4, 6], [True, False, True]) == [5, 0.0, 10]


def test_each_hour_is_staffed_as_erlang_c_and_shows_its_points():
    target = StaffingTarget(target_minutes=15, target_level=0.8, max_occupancy=None)
    demand = [ServiceDemand("A", (0, 40, 40), 6, 10), ServiceDemand("B", (0, 20, 20), 6, 20)]
    need = hourly_need([8, 9, 10], [1, 1, 1], demand, [frozenset("AB")], target)
    # Points: 40 x 10 + 20 x 20 standard minutes.
    assert need[1].points == 800
    # The pool's third hour is nearly stationary (6-minute services settle within minutes).
    assert need[2].clerks == required_clerks(60, 6, 15, 0.8).raw_clerks
    # An open hour with nobody expected still has a clerk at the counter.
    assert need[0].arrivals == 0 and need[0].clerks == 1


def test_occupancy_cap_and_a_separate_desk_add_clerks():
    loose = StaffingTarget(target_minutes=60, target_level=0.5, max_occupancy=None)
    capped = StaffingTarget(target_minutes=60, target_level=0.5, max_occupancy=0.8)
    demand = [ServiceDemand("A", (60,), 10, 10), ServiceDemand("E", (1,), 10, 10)]
    one_pool = hourly_need([9], [1], demand, [frozenset("AE")], loose)[0]
    two_pools = hourly_need([9], [1], demand, [frozenset("A"), frozenset("E")], loose)[0]
    assert two_pools.clerks > one_pool.clerks
    assert hourly_need([9], [1], demand, [frozenset("AE")], capped)[0].clerks > one_pool.clerks
