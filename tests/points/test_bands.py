"""Rules of the leaderboard's intervals and bands (ptsp/domain/rate_bands.py)."""

from __future__ import annotations

import pytest

from ptsp.domain.rate_bands import Entry, Interval, bands, points_interval, rate_interval


def test_equal_tickets_give_the_exact_poisson_interval_times_their_points():
    # Garwood's 90 % interval for 10 events is 5.43-16.96 (published tables; chi-square 5 % of 20 df / 2,
    # 95 % of 22 df / 2); ten 10-point tickets give ten times that.
    low, high = points_interval([10.0] * 10)
    assert (round(low, 1), round(high, 1)) == (54.3, 169.6)
    low1, high1 = points_interval([1.0] * 10)
    assert (round(low1, 2), round(high1, 2)) == (5.43, 16.96)


def test_mixed_ticket_sizes_widen_the_interval_around_the_same_total():
    same_total_equal = points_interval([10.0] * 15)
    mixed = points_interval([5.0] * 10 + [20.0] * 5)
    assert sum([5.0] * 10 + [20.0] * 5) == 150.0
    assert mixed[0] < same_total_equal[0] and mixed[1] > same_total_equal[1]


def test_no_ticket_still_has_an_upper_bound_from_the_usual_ticket_size():
    low, high = points_interval([], fallback_weight=10.0)
    assert low == 0.0 and round(high, 2) == 29.96  # 10 x the Poisson 95 % bound for zero events, -ln(0.05)


def test_rate_divides_by_the_hours_and_needs_some():
    rate = rate_interval([10.0] * 10, 2.0)
    assert rate is not None and rate.estimate == 50.0
    assert round(rate.lower, 2) == 27.13 and round(rate.upper, 2) == 84.81
    assert rate_interval([10.0], 0.0) is None
    more = rate_interval([10.0] * 40, 8.0)
    assert more is not None and more.estimate == 50.0 and more.upper - more.lower < rate.upper - rate.lower


def test_level_must_be_a_probability():
    with pytest.raises(ValueError):
        points_interval([1.0], level=1.0)


def entry(estimate: float, lower: float, upper: float, points: float = 0.0, name: str = "") -> Entry:
    return Entry(Interval(estimate, lower, upper), points, name)


def test_a_new_band_starts_when_the_upper_bound_is_below_the_band_leaders_lower_bound():
    entries = [
        entry(20, 15, 25, name="c"),   # 25 < 40: leads band 2
        entry(50, 40, 60, name="a"),   # leads band 1
        entry(45, 38, 55, name="b"),   # 55 >= 40: band 1
        entry(18, 10, 41, name="d"),   # 41 >= 15 (band 2's leader): band 2, although it also reaches band 1
    ]
    assert [(entries[i].name, band) for i, band in bands(entries)] == [("a", 1), ("b", 1), ("c", 2), ("d", 2)]


def test_bands_compare_with_the_leader_not_the_neighbour():
    entries = [entry(50, 45, 55, name="a"), entry(44, 40, 46, name="b"), entry(39, 35, 44, name="c")]
    # c overlaps b but its upper bound 44 is below a's lower bound 45: a new band, led by c.
    assert [band for _, band in bands(entries)] == [1, 1, 2]


def test_upper_bound_exactly_at_the_leaders_lower_bound_shares_the_band():
    assert [band for _, band in bands([entry(50, 40, 60), entry(30, 20, 40)])] == [1, 1]


def test_ties_go_to_more_points_then_the_name_and_the_result_does_not_depend_on_input_order():
    entries = [entry(30, 20, 40, 60, "Budi"), entry(30, 20, 40, 90, "Ani"), entry(30, 20, 40, 60, "Adi")]
    order = [entries[i].name for i, _ in bands(entries)]
    assert order == ["Ani", "Adi", "Budi"]
    backwards = list(reversed(entries))
    assert [backwards[i].name for i, _ in bands(backwards)] == order
    assert bands([]) == []
