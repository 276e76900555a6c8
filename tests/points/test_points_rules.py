"""Each points rule on plain values (ptsp.domain.points), no database."""

from datetime import UTC, datetime, timedelta

import pytest

from ptsp.domain.errors import InvalidInput, InvalidTransition
from ptsp.domain.points import Event, PointsRules, RatingFact, decision_allowed, ticket_entries

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
RULES = PointsRules()
CLERK, OTHER, SUPERVISOR = 11, 12, 20


def log(*steps):
    """Build an event log from (minute, kind, staff, data) steps, ids in order."""
    return [Event(i + 1, kind, T0 + timedelta(minutes=minute), staff, data or {})
            for i, (minute, kind, staff, data) in enumerate(steps)]


def served(minutes, standard=10.0, staff=CLERK, extra=()):
    return log((0, "issued", None, None), (5, "called", staff, None), (6, "started", staff, None),
               (6 + minutes, "completed", staff, {"service_id": 1, "standard_minutes": standard}), *extra)


def entries(events, rating=None, rules=RULES, standard=10.0):
    return ticket_entries(events, service_id=1, standard_minutes=standard, rating=rating, rules=rules)


def test_completed_transaction_earns_the_service_standard_minutes():
    [award] = entries(served(8))
    assert (award.kind, award.staff_id, award.points, award.held) == ("award", CLERK, 10.0, 0.0)
    assert award.event_ids == (2, 3, 4) and award.at == T0 + timedelta(minutes=14)


def test_the_standard_written_in_the_completed_event_wins_over_todays_setting():
    [award] = entries(served(8, standard=12.0), standard=30.0)
    assert award.points == 12.0


def test_older_completed_event_without_standard_falls_back_to_the_service_setting():
    events = log((0, "called", CLERK, None), (1, "started", CLERK, None), (20, "completed", CLERK, None))
    [award] = entries(events, standard=15.0)
    assert award.points == 15.0 and award.service_id == 1


@pytest.mark.parametrize("kind", ["no_show", "cancelled", "expired"])
def test_no_show_cancel_and_expiry_earn_nothing(kind):
    events = log((0, "issued", None, None), (5, "called", CLERK, None), (9, kind, CLERK, None))
    assert entries(events) == []


def test_transferred_visit_is_credited_once_to_the_clerk_who_completes_it():
    events = log(
        (0, "issued", None, None), (5, "called", OTHER, None), (6, "started", OTHER, None),
        (9, "transferred", OTHER, {"from_service": 2, "to_service": 1}),
        (20, "called", CLERK, None), (21, "started", CLERK, None),
        (30, "completed", CLERK, {"service_id": 1, "standard_minutes": 10.0}),
    )
    [award] = entries(events)
    assert (award.kind, award.staff_id, award.points) == ("award", CLERK, 10.0)
    assert award.event_ids == (5, 6, 7)  # the completing counter's call, start and completion


def test_transferred_away_and_never_completed_earns_nobody_anything():
    events = log((5, "called", OTHER, None), (6, "started", OTHER, None), (9, "transferred", OTHER, None),
                 (300, "expired", None, None))
    assert entries(events) == []


def test_transaction_under_a_quarter_of_the_standard_is_held_not_credited():
    [hold] = entries(served(2.4))
    assert (hold.kind, hold.points, hold.held) == ("hold", 0.0, 10.0)
    assert "2.4" in hold.reason and "25%" in hold.reason


def test_transaction_at_exactly_the_threshold_is_awarded():
    [award] = entries(served(2.5))
    assert award.kind == "award"


def test_threshold_is_configurable():
    assert entries(served(4), rules=PointsRules(short_fraction=0.5))[0].kind == "hold"
    assert entries(served(4), rules=PointsRules(short_fraction=0.0))[0].kind == "award"


def test_zero_standard_service_earns_zero_and_is_never_held():
    [award] = entries(served(0, standard=0.0))
    assert (award.kind, award.points) == ("award", 0.0)


def test_supervisor_confirmation_releases_the_held_points():
    events = served(1, extra=[(60, "points_confirmed", SUPERVISOR, {"reason": "berkas sederhana"})])
    hold, release = entries(events)
    assert (release.kind, release.staff_id, release.points, release.held) == ("release", CLERK, 10.0, -10.0)
    assert release.acted_by == SUPERVISOR and release.event_ids == (4, 5) and "berkas sederhana" in release.reason
    assert hold.points + release.points == 10.0 and hold.held + release.held == 0.0


def test_supervisor_rejection_clears_the_hold_without_credit():
    events = served(1, extra=[(60, "points_rejected", SUPERVISOR, {"reason": "klik saja"})])
    _hold, reject = entries(events)
    assert (reject.kind, reject.points, reject.held, reject.acted_by) == ("reject", 0.0, -10.0, SUPERVISOR)


def test_only_the_first_decision_counts():
    events = served(1, extra=[(60, "points_rejected", SUPERVISOR, {}), (61, "points_confirmed", SUPERVISOR, {})])
    assert [e.kind for e in entries(events)] == ["hold", "reject"]


def test_good_rating_adds_the_bonus_to_the_completing_clerk():
    rating = RatingFact(7, 4, T0 + timedelta(minutes=20))
    award, bonus = entries(served(8), rating)
    assert (bonus.kind, bonus.staff_id, bonus.points, bonus.rating_id) == ("bonus", CLERK, 1.0, 7)
    assert bonus.at == rating.at


@pytest.mark.parametrize("quick", [1, 2, 3])
def test_rating_below_good_adds_nothing(quick):
    assert [e.kind for e in entries(served(8), RatingFact(7, quick, T0))] == ["award"]


def test_good_rating_threshold_and_bonus_are_configurable():
    rules = PointsRules(good_rating=3, bonus_points=0.5)
    bonus = entries(served(8), RatingFact(7, 3, T0 + timedelta(hours=1)), rules)[1]
    assert bonus.points == 0.5


def test_no_bonus_while_held_and_none_after_rejection():
    rating = RatingFact(7, 4, T0 + timedelta(minutes=10))
    assert [e.kind for e in entries(served(1), rating)] == ["hold"]
    rejected = served(1, extra=[(60, "points_rejected", SUPERVISOR, {})])
    assert [e.kind for e in entries(rejected, rating)] == ["hold", "reject"]


def test_bonus_on_a_released_hold_comes_at_the_release():
    confirmed = served(1, extra=[(60, "points_confirmed", SUPERVISOR, {})])
    *_, bonus = entries(confirmed, RatingFact(7, 4, T0 + timedelta(minutes=10)))
    assert bonus.kind == "bonus" and bonus.at == T0 + timedelta(minutes=60)


def test_completion_without_a_clerk_earns_nothing():
    events = log((0, "called", None, None), (1, "started", None, None), (20, "completed", None, None))
    assert entries(events) == []


def test_a_decision_needs_an_undecided_hold():
    decision_allowed({"hold"})
    with pytest.raises(InvalidTransition):
        decision_allowed({"award"})
    with pytest.raises(InvalidTransition):
        decision_allowed({"hold", "release"})


@pytest.mark.parametrize("bad", [{"short_fraction": 1.0}, {"short_fraction": -0.1}, {"good_rating": 5},
                                 {"bonus_points": -1}])
def test_rules_refuse_nonsense_settings(bad):
    with pytest.raises(InvalidInput):
        PointsRules(**bad)
