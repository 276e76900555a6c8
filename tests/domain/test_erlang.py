"""Queueing formulas against published figures, independent computations and properties."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm
from scipy.optimize import brentq
from scipy.special import gammainc, gammaln
from scipy.stats import poisson

from ptsp.domain.erlang import (
    InvalidStaffingInput,
    average_speed_of_answer,
    erlang_a,
    erlang_b,
    erlang_c,
    occupancy,
    probability_of_waiting,
    service_level,
)
from ptsp.domain.errors import InvalidInput
from ptsp.domain.staffing_calculator import (
    StaffingAnswer,
    evaluate_staffing,
    required_clerks,
    staffing_calc_report,
)
from ptsp.i18n.errors import MESSAGES, describe


def three_figures(value: float, published: float) -> bool:
    """Return whether `value` rounds to `published` at three significant figures."""
    return math.isclose(value, published, rel_tol=5e-3)


def traffic_for_blocking(lines: int, blocking: float) -> float:
    return brentq(lambda load: erlang_b(lines, load) - blocking, 1e-9, 10.0 * lines + 10.0)


def exact_erlang_b(servers: int, load: Fraction) -> Fraction:
    """Erlang B straight from its definition, in exact rational arithmetic."""
    terms = [load**k / math.factorial(k) for k in range(servers + 1)]
    return terms[-1] / sum(terms)


def exact_erlang_c(servers: int, load: Fraction) -> Fraction:
    """Erlang C straight from its definition, in exact rational arithmetic."""
    head = sum(load**k / math.factorial(k) for k in range(servers))
    tail = load**servers / math.factorial(servers) * servers / (servers - load)
    return tail / (head + tail)


# --- Published Erlang B figures -------------------------------------------------------


def test_fifteen_lines_carry_8_108_erlangs_at_one_percent_blocking():
    # Westbay Engineers, Erlang calculator manual, "How much traffic can a trunk group
    # handle?" (erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm):
    # 15 lines at 1% blocking carry 8.108 Erlangs.
    assert round(traffic_for_blocking(15, 0.01), 3) == 8.108


def test_158_erlangs_at_three_percent_blocking_need_168_lines():
    # Westbay Engineers, Erlang calculator manual, call minutes example
    # (erlang.com/calculatormanual/minutes_howmanylines.htm): 158.333 Erlangs of busy
    # hour traffic at 3% blocking need 168 lines.
    lines = next(n for n in range(1, 400) if erlang_b(n, 158.333) <= 0.03)
    assert lines == 168


@pytest.mark.parametrize(
    ("lines", "published_erlangs"),
    [(5, 1.657), (11, 5.842), (31, 22.827), (89, 77.342)],
)
def test_erlang_b_two_percent_table(lines, published_erlangs):
    # Lucent Technologies "Erlang-B capacity table, 2% blocking", as reproduced in
    # G. Wagoner's WirelessU module "Read an Erlang Table"
    # (garywagoner.tripod.com/traffic/ERLANG.HTML). Two rows of that copy (45 and 61
    # channels) disagree with every other source in the first decimal and are left out.
    assert round(traffic_for_blocking(lines, 0.02), 3) == published_erlangs


# --- Published Erlang C figures -------------------------------------------------------


def test_westbay_forum_example_service_level_is_80_7_percent():
    # Westbay Engineers forum, topic "CCXLService", replies of 12 January 2021:
    # 57 calls an hour of 1110 s with 21 agents answer 80.7% within 180 s.
    load = 57 * 1110 / 3600
    assert round(service_level(21, load, 1110, 180), 3) == 0.807


def test_westbay_forum_example_needs_23_agents_for_80_percent_in_20_seconds():
    # Same thread: with a 20 s target instead of 180 s the agents needed for 80% go
    # from 21 to 23.
    assert required_clerks(57, 1110 / 60, 180 / 60, 0.8).raw_clerks == 21
    assert required_clerks(57, 1110 / 60, 20 / 60, 0.8).raw_clerks == 23


def test_twenty_erlangs_example_of_the_telefonica_erlang_c_calculator():
    # Erlang C calculator help page (personal.telefonica.terra.es/web/vr/erlang/eng/
    # mcerlc.htm): 600 calls an hour of 120 s are 20 Erlangs; a delay probability of at
    # most 15% needs 26 circuits; 30 circuits cut it to 2.5%; 30 circuits at 15% carry
    # 23.6 Erlangs.
    load = 600 * 120 / 3600
    assert load == 20
    assert next(n for n in range(21, 60) if erlang_c(n, load) <= 0.15) == 26
    assert round(erlang_c(30, load), 3) == 0.025
    carried = brentq(lambda a: erlang_c(30, a) - 0.15, 1.0, 29.9)
    assert round(carried, 1) == 23.6


# --- Erlang A -------------------------------------------------------------------------


def birth_death_erlang_a(servers, load, service_time, patience, states=4000):
    """Solve M/M/n+M from its stationary distribution on a truncated state space."""
    mu, theta = 1.0 / service_time, 1.0 / patience
    lam = load * mu
    log_weights = np.zeros(states)
    for j in range(1, states):
        death = min(j, servers) * mu + max(j - servers, 0) * theta
        log_weights[j] = log_weights[j - 1] + math.log(lam / death)
    weights = np.exp(log_weights - log_weights.max())
    pi = weights / weights.sum()
    queue = np.maximum(np.arange(states) - servers, 0)
    waiting = pi[servers:].sum()
    mean_queue = float((queue * pi).sum())
    return waiting, theta * mean_queue / lam, mean_queue / lam


def gmr_probability_of_waiting(servers, load, service_time, patience):
    """P(W>0) written as in Garnett, Mandelbaum and Reiman (2002), with scipy's gamma."""
    x = servers * patience / service_time
    y = load * patience / service_time
    log_a = math.log(x) + y - x * math.log(y) + gammaln(x) + math.log(gammainc(x, y))
    a = math.exp(log_a)
    b = erlang_b(servers, load)
    return a * b / (1 + (a - 1) * b)


@pytest.mark.parametrize(
    ("servers", "load", "service_time", "patience"),
    [(1, 0.6, 1.0, 3.0), (3, 2.5, 1.0, 1 / 0.7), (10, 12.0, 5.0, 2.0), (50, 48.0, 4.0, 20.0)],
)
def test_erlang_a_matches_the_gamma_function_formula(servers, load, service_time, patience):
    metrics = erlang_a(servers, load, service_time, patience, 0.0)
    expected = gmr_probability_of_waiting(servers, load, service_time, patience)
    assert metrics.probability_of_waiting == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("servers", "load", "service_time", "patience"),
    [(1, 0.6, 1.0, 3.0), (4, 6.0, 2.0, 1.0), (20, 18.0, 3.0, 10.0), (100, 110.0, 1.0, 2.0)],
)
def test_erlang_a_matches_the_birth_death_chain(servers, load, service_time, patience):
    metrics = erlang_a(servers, load, service_time, patience, 1.0)
    waiting, abandonment, mean_wait = birth_death_erlang_a(servers, load, service_time, patience)
    assert metrics.probability_of_waiting == pytest.approx(waiting, rel=1e-9)
    assert metrics.abandonment_probability == pytest.approx(abandonment, rel=1e-9)
    assert metrics.average_wait == pytest.approx(mean_wait, rel=1e-9)


def ctmc_service_level(servers, load, service_time, patience, target, ahead_limit=60):
    """Share of arrivals called within `target`, from matrix exponentials of the chain."""
    mu, theta = 1.0 / service_time, 1.0 / patience
    lam = load * mu
    waiting, _, _ = birth_death_erlang_a(servers, load, service_time, patience)
    relative = [1.0]
    for k in range(1, ahead_limit):
        relative.append(relative[-1] * lam / (servers * mu + k * theta))
    total = sum(relative)
    called = 0.0
    for ahead, weight in enumerate(relative):
        # States: number still ahead (ahead..0), then "called", then "gave up".
        size = ahead + 3
        generator = np.zeros((size, size))
        for j in range(ahead + 1):
            moving_up = servers * mu + j * theta
            generator[j, j] = -(moving_up + theta)
            generator[j, j - 1 if j > 0 else ahead + 1] += moving_up
            generator[j, ahead + 2] += theta
        called += weight / total * expm(generator * target)[ahead, ahead + 1]
    return 1.0 - waiting + waiting * called


@pytest.mark.parametrize(
    ("servers", "load", "service_time", "patience", "target"),
    [(3, 2.5, 1.0, 1 / 0.7, 1.0), (5, 5.5, 2.0, 3.0, 0.5), (8, 6.0, 10.0, 30.0, 15.0)],
)
def test_erlang_a_service_level_matches_the_markov_chain(
    servers, load, service_time, patience, target
):
    metrics = erlang_a(servers, load, service_time, patience, target)
    expected = ctmc_service_level(servers, load, service_time, patience, target)
    assert metrics.service_level == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (5, 4.0), (10, 14.0), (60, 55.0)])
def test_patience_equal_to_service_time_behaves_like_infinite_servers(servers, load):
    # With theta = mu the number present is Poisson(load), as for M/M/infinity
    # (Mandelbaum and Zeltyn, "The Palm/Erlang-A queue, with applications to call
    # centers", 2005, section 3).
    metrics = erlang_a(servers, load, 2.0, 2.0, 0.0)
    present = np.arange(0, int(load + 40 * math.sqrt(load) + 60))
    excess = float((np.maximum(present - servers, 0) * poisson.pmf(present, load)).sum())
    assert metrics.probability_of_waiting == pytest.approx(poisson.sf(servers - 1, load))
    assert metrics.abandonment_probability == pytest.approx(excess / load)


def test_very_patient_residents_give_the_erlang_c_figures():
    load = 57 * 1110 / 3600
    metrics = erlang_a(21, load, 1110, 1e9, 180)
    assert round(metrics.service_level, 3) == 0.807
    assert metrics.probability_of_waiting == pytest.approx(erlang_c(21, load), rel=1e-5)
    assert metrics.average_wait == pytest.approx(average_speed_of_answer(21, load, 1110), rel=1e-4)


def test_erlang_a_stays_finite_when_arrivals_exceed_the_clerks():
    metrics = erlang_a(10, 30.0, 5.0, 2.0, 1.0)
    assert 0.0 < metrics.abandonment_probability < 1.0
    # Served residents cannot exceed what ten clerks can handle.
    assert 1.0 - metrics.abandonment_probability <= 10 / 30.0 + 1e-12
    assert metrics.occupancy <= 1.0


def test_no_clerks_means_everyone_gives_up():
    metrics = erlang_a(0, 2.0, 5.0, 3.0, 1.0)
    assert metrics.probability_of_waiting == 1.0
    assert metrics.abandonment_probability == pytest.approx(1.0)
    assert metrics.average_wait == pytest.approx(3.0)
    assert metrics.service_level == pytest.approx(0.0, abs=1e-12)


# --- Large offices ---------------------------------------------------------------------


def test_five_hundred_clerks_at_450_erlangs_match_exact_arithmetic():
    exact_b = exact_erlang_b(500, Fraction(450))
    exact_c = exact_erlang_c(500, Fraction(450))
    assert erlang_b(500, 450.0) == pytest.approx(float(exact_b), rel=1e-10)
    assert erlang_c(500, 450.0) == pytest.approx(float(exact_c), rel=1e-10)
    level = service_level(500, 450.0, 5.0, 0.5)
    assert 0.0 < level < 1.0
    assert level == pytest.approx(1 - float(exact_c) * math.exp(-50 * 0.5 / 5.0), rel=1e-12)


def test_five_hundred_clerks_with_abandonment_match_the_birth_death_chain():
    metrics = erlang_a(500, 450.0, 5.0, 10.0, 0.5)
    waiting, abandonment, _ = birth_death_erlang_a(500, 450.0, 5.0, 10.0)
    assert metrics.probability_of_waiting == pytest.approx(waiting, rel=1e-9)
    assert metrics.abandonment_probability == pytest.approx(abandonment, rel=1e-9)


def test_staffing_a_city_hall_of_several_hundred_clerks():
    answer = required_clerks(5400, 5.0, 0.5, 0.8)
    load = 5400 * 5.0 / 60
    assert answer.raw_clerks > load
    assert answer.service_level >= 0.8
    assert service_level(answer.raw_clerks - 1, load, 5.0, 0.5) < 0.8


# --- Unstable and edge cases ----------------------------------------------------------


@pytest.mark.parametrize(("servers", "load"), [(5, 5.0), (5, 7.5), (0, 1.0)])
def test_overloaded_counters_wait_forever_without_raising(servers, load):
    assert probability_of_waiting(servers, load) == 1.0
    assert service_level(servers, load, 10.0, 15.0) == 0.0
    assert average_speed_of_answer(servers, load, 10.0) == math.inf
    assert occupancy(servers, load) == 1.0


def test_no_arrivals_need_no_clerks():
    answer = required_clerks(0, 10.0, 15.0, 0.8)
    assert answer == StaffingAnswer(0, 0, 0.0, 1.0, 0.0, 0.0, None)
    assert required_clerks(0, 10.0, 15.0, 0.8, patience_minutes=20).abandonment_probability == 0


def test_a_load_below_one_clerk_is_staffed_by_one():
    answer = required_clerks(2, 10.0, 15.0, 0.8)
    assert answer.raw_clerks == 1
    assert answer.occupancy == pytest.approx(1 / 3)
    assert answer.probability_of_waiting == pytest.approx(1 / 3)
    assert answer.service_level == pytest.approx(1 - math.exp(-(1 - 1 / 3) * 1.5) / 3)


def test_a_loose_target_is_met_just_above_the_load():
    # 50% within an hour: ten Erlangs need only the eleven clerks that keep the queue stable.
    answer = required_clerks(100, 6.0, 60.0, 0.5)
    assert answer.raw_clerks == 11
    assert answer.service_level >= 0.5


def test_occupancy_cap_adds_clerks():
    plain = required_clerks(100, 6.0, 60.0, 0.5)
    capped = required_clerks(100, 6.0, 60.0, 0.5, max_occupancy=0.7)
    assert capped.raw_clerks == math.ceil(10 / 0.7)
    assert capped.occupancy <= 0.7 < plain.occupancy


@pytest.mark.parametrize(("shrinkage", "expected"), [(0.0, 7), (0.3, 10), (0.25, 10), (0.5, 14)])
def test_shrinkage_inflates_the_clerks_to_schedule(shrinkage, expected):
    answer = required_clerks(60, 6.0, 15.0, 0.8, shrinkage=shrinkage)
    assert answer.raw_clerks == 7
    assert answer.clerks == expected


def test_patience_lowers_the_clerks_needed():
    patient = required_clerks(100, 6.0, 15.0, 0.8)
    impatient = required_clerks(100, 6.0, 15.0, 0.8, patience_minutes=20)
    assert impatient.abandonment_probability is not None
    assert 0 < impatient.abandonment_probability < 1
    assert impatient.raw_clerks <= patient.raw_clerks


@pytest.mark.parametrize(
    "kwargs",
    [
        {"arrivals_per_hour": -1},
        {"arrivals_per_hour": math.nan},
        {"service_minutes": 0},
        {"service_minutes": -3},
        {"target_minutes": -1},
        {"target_level": 0},
        {"target_level": 1.2},
        {"target_level": 80},
        {"max_occupancy": 0},
        {"max_occupancy": 1.5},
        {"shrinkage": 1.0},
        {"shrinkage": -0.1},
        {"patience_minutes": 0},
        {"patience_minutes": math.inf},
    ],
)
def test_invalid_staffing_inputs_are_refused(kwargs):
    arguments = {
        "arrivals_per_hour": 60,
        "service_minutes": 10,
        "target_minutes": 15,
        "target_level": 0.8,
    } | kwargs
    with pytest.raises(InvalidStaffingInput) as raised:
        required_clerks(**arguments)
    refused = raised.value
    assert isinstance(refused, InvalidInput) and refused.status == 422
    # The refusal names the input: in its reason, or as the field its message shows.
    name = next(iter(kwargs))
    assert name in refused.reason or refused.params["field"] == name
    assert refused.reason in MESSAGES and str(kwargs[name]) in describe(refused)


@pytest.mark.parametrize(("servers", "load"), [(-1, 2.0), (2, -1.0), (1.5, 1.0)])
def test_invalid_formula_inputs_are_refused(servers, load):
    with pytest.raises(InvalidStaffingInput) as raised:
        erlang_c(servers, load)
    assert raised.value.reason in {"staffing_servers_invalid", "staffing_value_negative"}


def test_report_has_the_fields_of_the_staffing_calculator():
    plain = staffing_calc_report(required_clerks(100, 6.0, 15.0, 0.8, shrinkage=0.2))
    assert set(plain) == {
        "clerks",
        "clerks_before_shrinkage",
        "probability_of_waiting",
        "service_level",
        "average_wait_minutes",
        "occupancy",
    }
    assert plain["clerks"] >= plain["clerks_before_shrinkage"]
    impatient = staffing_calc_report(required_clerks(100, 6.0, 15.0, 0.8, patience_minutes=20))
    assert 0 < impatient["abandonment_probability"] < 1


# --- Properties -----------------------------------------------------------------------

loads = st.fractions(min_value=0, max_value=40, max_denominator=50)


@given(servers=st.integers(0, 40), load=loads)
def test_erlang_b_equals_the_direct_sum(servers, load):
    assert erlang_b(servers, float(load)) == pytest.approx(
        float(exact_erlang_b(servers, load)), rel=1e-12, abs=1e-300
    )


@given(servers=st.integers(1, 40), load=loads)
def test_erlang_c_equals_the_direct_sum_when_stable(servers, load):
    if load >= servers:
        assert erlang_c(servers, float(load)) == 1.0
    else:
        assert erlang_c(servers, float(load)) == pytest.approx(
            float(exact_erlang_c(servers, load)), rel=1e-10, abs=1e-300
        )


@given(
    load=st.floats(0.05, 80.0),
    service_time=st.floats(0.5, 30.0),
    target=st.floats(0.0, 60.0),
)
def test_service_level_never_falls_when_a_clerk_is_added(load, service_time, target):
    levels = [service_level(n, load, service_time, target) for n in range(0, int(load) + 30)]
    assert all(later >= earlier for earlier, later in zip(levels, levels[1:], strict=False))


@settings(deadline=None, max_examples=40)
@given(
    load=st.floats(0.05, 60.0),
    service_time=st.floats(0.5, 30.0),
    patience=st.floats(0.5, 120.0),
    target=st.floats(0.0, 60.0),
)
def test_erlang_a_service_level_never_falls_when_a_clerk_is_added(
    load, service_time, patience, target
):
    levels = [
        erlang_a(n, load, service_time, patience, target).service_level
        for n in range(0, int(load) + 15)
    ]
    # Allow rounding noise only: levels near zero come from differences of large logs.
    assert all(later >= earlier - 1e-9 for earlier, later in zip(levels, levels[1:], strict=False))


@settings(deadline=None, max_examples=60)
@given(
    arrivals=st.floats(0.5, 400.0),
    service=st.floats(1.0, 45.0),
    target=st.floats(0.0, 60.0),
    level=st.floats(0.05, 0.99),
    cap=st.one_of(st.none(), st.floats(0.5, 1.0)),
    patience=st.one_of(st.none(), st.floats(1.0, 90.0)),
)
def test_required_clerks_is_the_fewest_that_meet_the_target(
    arrivals, service, target, level, cap, patience
):
    answer = required_clerks(arrivals, service, target, level, cap, 0.0, patience)
    limit = 1.0 if cap is None else cap
    assert answer.clerks == answer.raw_clerks
    assert answer.service_level >= level
    assert answer.occupancy <= limit
    fewer = evaluate_staffing(answer.raw_clerks - 1, arrivals, service, target, patience)
    assert fewer.service_level < level or fewer.occupancy > limit


@settings(deadline=None)
@given(arrivals=st.floats(1.0, 600.0), shrinkage=st.floats(0.0, 0.9))
def test_scheduled_clerks_are_the_fewest_covering_shrinkage(arrivals, shrinkage):
    answer = required_clerks(arrivals, 8.0, 10.0, 0.8, shrinkage=shrinkage)
    assert answer.clerks * (1 - shrinkage) >= answer.raw_clerks - 1e-6
    assert (answer.clerks - 1) * (1 - shrinkage) < answer.raw_clerks
