"""The break rota follows the discipline rule: a staff break (lunch) is covered by resting in turns, a declared
closure (the Friday prayer) is closed for everyone, and a roster too thin to cover says so."""

from __future__ import annotations

from ptsp.analytics.history import day_hours
from ptsp.domain.break_rota import day_rota, split_gap_hours
from ptsp.domain.shifts import Pattern

COUNTERS = {1: ["A", "D"], 2: ["A", "C"], 3: ["B"], 4: ["A", "B", "C", "D", "E"]}
HOURS = list(range(8, 16))
WANTED = frozenset("ABCDE")
WEEK = {"mon": [["08:00", "12:00"], ["13:00", "16:00"]], "fri": [["07:30", "11:30"], ["13:30", "16:30"]]}
CLOSURES = {"fri": [["11:30", "13:30", "Sholat Jumat"]]}


def _no_double_seats(rota, hours):
    for hour in hours:
        seats = [rota.cell(c, hour).counter for c in rota.clerks if rota.cell(c, hour).kind == "counter"]
        assert len(seats) == len(set(seats)), hour


def test_gap_hours_split_into_the_declared_friday_closure_and_the_lunch_staff_break():
    monday, monday_shares = day_hours(WEEK, "mon")
    monday_breaks = [h for h, s in zip(monday, monday_shares, strict=True) if s == 0]
    assert split_gap_hours(WEEK, CLOSURES, "mon", monday_breaks) == ({}, frozenset({12}))
    friday, friday_shares = day_hours(WEEK, "fri")
    friday_breaks = [h for h, s in zip(friday, friday_shares, strict=True) if s == 0]
    assert split_gap_hours(WEEK, CLOSURES, "fri", friday_breaks) == ({12: "Sholat Jumat"}, frozenset())
    # a closure that is no gap of the hours closes nothing; without closures every gap is a staff break
    assert split_gap_hours(WEEK, {"mon": [["11:00", "12:00", "x"]]}, "mon", [12]) == ({}, frozenset({12}))
    assert split_gap_hours(WEEK, {}, "fri", friday_breaks) == ({}, frozenset({12}))
    # one day with both kinds of gap
    both = {"tue": [["08:00", "12:00"], ["13:00", "14:00"], ["15:00", "16:00"]]}
    assert split_gap_hours(both, {"tue": [["14:00", "15:00", "Rapat"]]}, "tue", [12, 14]) == (
        {14: "Rapat"}, frozenset({12}))


def test_lunch_is_a_staff_break_covered_by_staggered_rests():
    # the shift planner gives both long shifts their rest in the lunch gap; the rota staggers it
    shifts = [(1, Pattern(8, 8, frozenset({12}))), (2, Pattern(8, 8, frozenset({12}))),
              (3, Pattern(8, 4, frozenset()))]
    rota = day_rota(HOURS, {}, shifts, COUNTERS, WANTED, {12: WANTED})
    assert rota.closed == {} and rota.staff_breaks == frozenset({12})
    assert rota.uncovered == {}
    # at 12:00 one clerk keeps every service open at the counter serving all; the other rests
    at_noon = [rota.cell(c, 12) for c in (1, 2)]
    assert sorted(cell.kind for cell in at_noon) == ["counter", "rest"]
    assert next(cell for cell in at_noon if cell.kind == "counter").counter == 4
    assert rota.cell(3, 12).kind == "off"
    # the clerk who worked through lunch rests the hour after, while the other covers their services
    assert rota.cell(1, 12).counter == 4 and rota.cell(1, 12).covering
    assert rota.cell(1, 13).kind == "rest" and rota.cell(1, 13).moved
    assert rota.cell(2, 13).counter == 4
    # each clerk still rests exactly one hour of an 8-hour shift, and nobody has two seats an hour
    for clerk in (1, 2):
        assert sum(rota.cell(clerk, h).kind == "rest" for h in HOURS) == 1
    assert not any(rota.cell(3, h).kind == "rest" for h in HOURS)
    _no_double_seats(rota, HOURS)


def test_the_friday_prayer_closure_stays_closed_for_everyone():
    shifts = [(1, Pattern(8, 8, frozenset({12}))), (2, Pattern(8, 8, frozenset({12}))),
              (3, Pattern(8, 4, frozenset()))]
    rota = day_rota(HOURS, {12: "Sholat Jumat"}, shifts, COUNTERS, WANTED)
    assert rota.closed == {12: "Sholat Jumat"} and rota.staff_breaks == frozenset()
    assert all(rota.cell(c, 12).kind == "closed" for c in (1, 2, 3))
    assert rota.uncovered == {}
    # nobody's rest is moved: the closure is their rest, and both work at 13:00
    assert [rota.cell(c, 13).kind for c in (1, 2)] == ["counter", "counter"]
    assert not any(rota.cell(c, h).moved for c in (1, 2, 3) for h in HOURS if h != 12)
    _no_double_seats(rota, HOURS)


def test_a_roster_too_thin_to_cover_the_staff_break_is_reported():
    # one clerk, two counters with one service each: lunch cannot keep both open, nor can the hour of
    # their moved rest
    counters = {1: ["A"], 2: ["B"]}
    rota = day_rota([10, 11, 12, 13, 14], {}, [(1, Pattern(10, 5, frozenset({12})))], counters, frozenset("AB"),
                    {12: frozenset("AB")})
    assert rota.cell(1, 12).counter == 1
    assert rota.cell(1, 13).kind == "rest" and rota.cell(1, 13).moved
    assert rota.uncovered == {10: ["B"], 11: ["B"], 12: ["B"], 13: ["A", "B"], 14: ["B"]}


def test_a_staff_break_without_residents_lets_everyone_rest():
    shifts = [(1, Pattern(8, 8, frozenset({12}))), (2, Pattern(8, 8, frozenset({12})))]
    rota = day_rota(HOURS, {}, shifts, COUNTERS, WANTED, {12: frozenset()})
    assert [rota.cell(c, 12).kind for c in (1, 2)] == ["rest", "rest"]
    assert rota.uncovered == {}
    assert not any(rota.cell(c, h).moved for c in (1, 2) for h in HOURS)


def test_staggered_rests_of_long_shifts_leave_no_service_without_a_clerk():
    shifts = [(1, Pattern(8, 8, frozenset({11}))), (2, Pattern(8, 8, frozenset({13}))),
              (3, Pattern(8, 4, frozenset()))]
    rota = day_rota(HOURS, {}, shifts, COUNTERS, WANTED)
    assert rota.uncovered == {}
    assert rota.cell(1, 11).kind == "rest" and rota.cell(2, 13).kind == "rest"
    assert rota.cell(2, 11).counter == 4 or rota.cell(3, 11).counter == 4
    assert rota.cell(1, 13).counter == 4 and rota.cell(1, 13).covering  # moved from counter 1
    assert rota.cell(3, 14).kind == "off"
    _no_double_seats(rota, HOURS)


def test_an_hour_whose_clerks_cannot_reach_a_service_is_listed_uncovered():
    counters = {1: ["A"], 2: ["B"]}
    shifts = [(1, Pattern(8, 4, frozenset({10}))), (2, Pattern(8, 4, frozenset({11})))]
    rota = day_rota([8, 9, 10, 11], frozenset(), shifts, counters, frozenset("AB"))
    assert rota.uncovered == {10: ["A"], 11: ["B"]}
    assert rota.cell(2, 10).counter == 2 and rota.cell(1, 11).counter == 1


def test_the_same_roster_gives_the_same_rota():
    shifts = [(2, Pattern(8, 8, frozenset({12}))), (1, Pattern(9, 6, frozenset({12}))),
              (3, Pattern(10, 6, frozenset({12})))]
    first = day_rota(HOURS, {}, shifts, COUNTERS, WANTED, {12: frozenset("AB")})
    again = day_rota(HOURS, {}, list(reversed(shifts)), COUNTERS, WANTED, {12: frozenset("AB")})
    assert first.cells == again.cells and first.uncovered == again.uncovered
