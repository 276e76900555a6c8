"""The break rota: staggered rests keep every service with a clerk; office closures stay closed."""

from __future__ import annotations

from ptsp.domain.break_rota import day_rota
from ptsp.domain.shifts import Pattern

COUNTERS = {1: ["A", "D"], 2: ["A", "C"], 3: ["B"], 4: ["A", "B", "C", "D", "E"]}
HOURS = list(range(8, 16))
WANTED = frozenset("ABCDE")


def test_staggered_rests_leave_no_service_without_a_clerk_and_the_lunch_closure_stays_closed():
    shifts = [(1, Pattern(8, 8, frozenset({11, 12}))), (2, Pattern(8, 8, frozenset({12, 13}))),
              (3, Pattern(8, 4, frozenset()))]
    rota = day_rota(HOURS, frozenset({12}), shifts, COUNTERS, WANTED)
    assert rota.uncovered == {}
    assert all(rota.cell(c, 12).kind == "closed" for c in (1, 2, 3))
    # clerk 1 rests at 11:00 and clerk 2 at 13:00: the other one works, at the counter that serves all
    assert rota.cell(1, 11).kind == "rest" and rota.cell(2, 13).kind == "rest"
    assert rota.cell(2, 11).counter == 4 or rota.cell(3, 11).counter == 4
    assert rota.cell(1, 13).counter == 4 and rota.cell(1, 13).covering  # moved from counter 1
    assert rota.cell(3, 14).kind == "off"
    # nobody sits at a counter twice in one hour
    for hour in HOURS:
        seats = [rota.cell(c, hour).counter for c in (1, 2, 3) if rota.cell(c, hour).kind == "counter"]
        assert len(seats) == len(set(seats))


def test_an_hour_whose_clerks_cannot_reach_a_service_is_listed_uncovered():
    counters = {1: ["A"], 2: ["B"]}
    shifts = [(1, Pattern(8, 4, frozenset({10}))), (2, Pattern(8, 4, frozenset({11})))]
    rota = day_rota([8, 9, 10, 11], frozenset(), shifts, counters, frozenset("AB"))
    assert rota.uncovered == {10: ["A"], 11: ["B"]}
    assert rota.cell(2, 10).counter == 2 and rota.cell(1, 11).counter == 1
