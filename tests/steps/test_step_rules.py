"""The pure rules of a visit of several steps: plans, legs, points per step, ping-pong read leg by leg."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ptsp.domain.errors import InvalidInput
from ptsp.domain.pingpong import Journey, Leg, reasons
from ptsp.domain.points import Event, PointsRules, RatingFact, ticket_entries
from ptsp.domain.steps import MAX_STEPS, check_plan, legs, planners, route_plan, visit_entries

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
RULES = PointsRules()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_plan_may_not_repeat_a_visited_service_nor_name_one_twice_nor_run_too_long():
    assert check_plan([1], [2, 3], {1, 2, 3}) == [2, 3]
    for visited, plan, reason in (([1], [1], "step_service_repeated"), ([1, 2], [2], "step_service_repeated"),
                                  ([1], [3, 3], "step_service_repeated"), ([1], [9], "unknown_target_service")):
        with pytest.raises(InvalidInput) as refused:
            check_plan(visited, plan, {1, 2, 3})
        assert refused.value.reason == reason
    services = set(range(1, 20))
    assert len(check_plan([1], list(range(2, MAX_STEPS + 1)), services)) == MAX_STEPS - 1
    with pytest.raises(InvalidInput, match="too_many_steps"):
        check_plan([1], list(range(2, MAX_STEPS + 2)), services)


def test_a_route_skips_closed_services_itself_and_repeats_and_is_cut_at_the_limit():
    assert route_plan(1, [2, 1, 3, 2, 9], {1, 2, 3}) == [2, 3]
    assert route_plan(1, list(range(2, 20)), set(range(1, 20))) == list(range(2, MAX_STEPS + 1))


def visit() -> list[Event]:
    """Clerk 7 informs (service 1, 10 min standard) and plans 2 then 3; clerk 8 serves 2; clerk 7 serves 3."""
    return [
        Event(1, "issued", at(0), None, {}),
        Event(2, "called", at(1), 7, {}), Event(3, "steps_planned", at(2), 7, {"services": [2, 3]}),
        Event(4, "started", at(2), 7, {}),
        Event(5, "step_completed", at(12), 7, {"outcome": "selesai", "service_id": 1, "standard_minutes": 10,
                                               "next_service": 2}),
        Event(6, "called", at(20), 8, {}), Event(7, "started", at(21), 8, {}),
        Event(8, "step_completed", at(41), 8, {"outcome": "selesai", "service_id": 2, "standard_minutes": 20,
                                               "next_service": 3}),
        Event(9, "called", at(50), 7, {}), Event(10, "started", at(50), 7, {}),
        Event(11, "completed", at(55), 7, {"outcome": "selesai", "service_id": 3, "standard_minutes": 5}),
    ]


def test_the_log_splits_into_one_leg_per_step_each_with_the_issue():
    split = legs(visit())
    assert [[e.id for e in leg] for leg in split] == [[1, 2, 3, 4, 5], [1, 6, 7, 8], [1, 9, 10, 11]]
    assert [leg[-1].kind for leg in split] == ["completed", "completed", "completed"]
    assert planners(visit()) == [None, 7, 7]


def test_each_step_earns_its_own_clerk_once_and_a_self_planned_step_is_held():
    rating = RatingFact(1, 4, at(60), withheld=False)
    entries = visit_entries(visit(), service_id=3, standard_minutes=5, rating=rating, rules=RULES)
    assert [(e.step, e.kind, e.staff_id, e.service_id, e.points, e.held) for e in entries] == [
        (0, "award", 7, 1, 10.0, 0.0),
        (1, "award", 8, 2, 20.0, 0.0),
        (2, "hold", 7, 3, 0.0, 5.0),  # clerk 7 planned step 3 and served it: a supervisor decides
    ]
    assert "planned themselves" in entries[2].reason
    decided = [*visit(), Event(12, "points_confirmed", at(70), 99, {"reason": "ok", "step": 2})]
    entries = visit_entries(decided, service_id=3, standard_minutes=5, rating=rating, rules=RULES)
    assert [(e.step, e.kind, e.staff_id) for e in entries][-2:] == [(2, "release", 7), (2, "bonus", 7)]


def test_a_visit_of_one_step_earns_exactly_what_the_ticket_rules_say():
    events = [Event(1, "issued", at(0), None, {}), Event(2, "called", at(1), 7, {}),
              Event(3, "started", at(2), 7, {}), Event(4, "completed", at(12), 7, {"outcome": "selesai"}),
              Event(5, "points_confirmed", at(20), 9, {})]
    rating = RatingFact(1, 4, at(30))
    assert visit_entries(events, service_id=1, standard_minutes=10, rating=rating, rules=RULES) == \
        ticket_entries(events, service_id=1, standard_minutes=10, rating=rating, rules=RULES)


def test_planned_steps_are_neither_handoffs_nor_bounces_but_a_bounce_inside_a_step_still_is():
    planned = Journey(services=[1], counters=[1], next_legs=[Leg([2], [2]), Leg([3], [1])])
    assert reasons(planned, max_handoffs=0) == []
    assert planned.handoffs == 0
    bounced = Journey(services=[1], counters=[1], next_legs=[Leg([2, 4, 2], [2, 3, 2])])
    assert bounced.handoffs == 2
    assert reasons(bounced) == ["service_bounce", "counter_bounce"]
    flat = Journey(services=[1, 2, 3], counters=[1, 2, 1])  # the same path as transfers: ping-pong
    assert reasons(flat, max_handoffs=1) == ["counter_bounce", "many_handoffs"]
