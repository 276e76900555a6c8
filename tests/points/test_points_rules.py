"""Each points rule on plain values (ptsp.domain.points), no database."""

from datetime import UTC, datetime, timedelta

import pytest

from ptsp.domain.errors import InvalidInput, InvalidTransition
from ptsp.domain.points import (
    Event,
    IssueShare,
    PointsRules,
    RatingFact,
    binomial_tail,
    decision_allowed,
    rating_bonus_withheld,
    staff_issue_within_share,
    ticket_entries,
)

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


def entries(events, rating=None, rules=RULES, standard=10.0, share=None):
    return ticket_entries(events, service_id=1, standard_minutes=standard, rating=rating, rules=rules, share=share)


def test_completed_transaction_earns_the_service_standard_minutes():
    [award] = entries(served(8, standard=8.0))
    assert (award.kind, award.staff_id, award.points, award.held) == ("award", CLERK, 8.0, 0.0)
    assert award.event_ids == (2, 3, 4) and award.at == T0 + timedelta(minutes=14)


def test_the_standard_written_in_the_completed_event_wins_over_todays_setting():
    [award] = entries(served(14, standard=12.0), standard=30.0)
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
        (31, "completed", CLERK, {"service_id": 1, "standard_minutes": 10.0}),
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
    assert (hold.kind, hold.points, hold.held) == ("hold", 0.0, 2.4)  # the time-capped credit waits
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
    assert (release.kind, release.staff_id, release.points, release.held) == ("release", CLERK, 1.0, -1.0)
    assert release.acted_by == SUPERVISOR and release.event_ids == (4, 5) and "berkas sederhana" in release.reason
    assert hold.points + release.points == 1.0 and hold.held + release.held == 0.0


def test_supervisor_rejection_clears_the_hold_without_credit():
    events = served(1, extra=[(60, "points_rejected", SUPERVISOR, {"reason": "klik saja"})])
    _hold, reject = entries(events)
    assert (reject.kind, reject.points, reject.held, reject.acted_by) == ("reject", 0.0, -1.0, SUPERVISOR)


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


# -- rules of issue 14: points that resist gaming -----------------------------------------------------------


def issued_by(staff, minutes=10.0, outcome="selesai", walk_in=False, completer=CLERK, extra=()):
    data = {"walk_in": True} if walk_in else {}
    return log((0, "issued", staff, data), (5, "called", completer, None), (6, "started", completer, None),
               (6 + minutes, "completed", completer,
                {"service_id": 1, "standard_minutes": 10.0, "outcome": outcome}), *extra)


def test_credit_never_exceeds_the_minutes_actually_spent():
    assert entries(served(4))[0].points == 4.0  # faster than the standard: the minutes, not the standard
    assert entries(served(25))[0].points == 10.0  # slower: the standard, never more


def test_time_factor_is_configurable():
    assert entries(served(4), rules=PointsRules(time_factor=1.5))[0].points == 6.0


def test_no_service_speed_pays_more_per_minute_than_the_standard_pace():
    for minutes in (2.5, 2.6, 4, 7.5, 9.9, 10, 14):
        assert entries(served(minutes))[0].points / minutes <= 1.0


@pytest.mark.parametrize("outcome", ["ditolak", "berkas_kurang", "dirujuk", "lainnya"])
def test_outcomes_other_than_selesai_earn_the_partial_weight(outcome):
    [award] = entries(issued_by(None, minutes=10, outcome=outcome))
    assert (award.kind, award.points) == ("award", 5.0) and outcome in award.reason


def test_selesai_earns_the_whole_weight_and_partial_weight_is_configurable():
    assert entries(issued_by(None, minutes=10))[0].points == 10.0
    assert entries(issued_by(None, minutes=10, outcome="ditolak"), rules=PointsRules(partial_weight=0.3))[
        0].points == 3.0


def test_short_line_is_measured_against_the_weighted_standard():
    assert entries(issued_by(None, minutes=1.3, outcome="ditolak"))[0].kind == "award"  # 1.3 >= 25 % of 5
    assert entries(issued_by(None, minutes=1.2, outcome="ditolak"))[0].kind == "hold"


def test_self_issued_ticket_is_held_until_a_supervisor_confirms():
    [hold] = entries(issued_by(CLERK, walk_in=True))
    assert (hold.kind, hold.held, hold.points) == ("hold", 10.0, 0.0) and "self-issued" in hold.reason
    confirmed = issued_by(CLERK, walk_in=True, extra=[(60, "points_confirmed", SUPERVISOR, {})])
    assert [(e.kind, e.points) for e in entries(confirmed)] == [("hold", 0.0), ("release", 10.0)]


def test_staff_issue_not_marked_walk_in_is_held():
    [hold] = entries(issued_by(OTHER))
    assert hold.kind == "hold" and "walk-in" in hold.reason


def test_staff_issue_for_a_walk_in_within_the_share_earns():
    share = IssueShare(issued=40, staff_rank=8)
    assert entries(issued_by(OTHER, walk_in=True), share=share)[0].kind == "award"


def test_staff_issue_over_the_share_is_held():
    share = IssueShare(issued=40, staff_rank=9)
    [hold] = entries(issued_by(OTHER, walk_in=True), share=share)
    assert hold.kind == "hold" and "share" in hold.reason


def test_staff_issue_share_has_a_free_allowance_for_a_quiet_morning():
    assert staff_issue_within_share(IssueShare(issued=5, staff_rank=5), RULES)
    assert not staff_issue_within_share(IssueShare(issued=6, staff_rank=6), RULES)
    assert staff_issue_within_share(IssueShare(issued=100, staff_rank=20), RULES)
    assert not staff_issue_within_share(IssueShare(issued=100, staff_rank=21), RULES)


def test_kiosk_issued_ticket_needs_no_share():
    assert entries(issued_by(None), share=IssueShare(issued=1, staff_rank=0))[0].kind == "award"


def good(**extra):
    return RatingFact(7, 4, T0 + timedelta(minutes=30), **extra)


def test_rating_from_a_browser_with_a_staff_session_earns_no_bonus():
    assert [e.kind for e in entries(issued_by(None), good(staff_session=OTHER))] == ["award"]
    assert [e.kind for e in entries(issued_by(None), good())] == ["award", "bonus"]


def test_rating_from_a_paired_tablet_earns_the_bonus_and_an_unknown_channel_does_not():
    assert [e.kind for e in entries(issued_by(None), good(channel="tablet"))] == ["award", "bonus"]
    assert [e.kind for e in entries(issued_by(None), good(channel="import"))] == ["award"]


def test_self_issued_ticket_never_earns_the_bonus_even_when_confirmed():
    confirmed = issued_by(CLERK, walk_in=True, extra=[(60, "points_confirmed", SUPERVISOR, {})])
    assert [e.kind for e in entries(confirmed, good())] == ["hold", "release"]


def test_a_withheld_rating_earns_no_bonus():
    assert [e.kind for e in entries(issued_by(None), good(withheld=True))] == ["award"]


def test_binomial_tail_matches_known_values():
    assert binomial_tail(0, 10, 0.3) == 1.0
    assert binomial_tail(10, 10, 0.5) == pytest.approx(0.5 ** 10)
    assert binomial_tail(2, 3, 0.5) == pytest.approx(0.5)


def test_bonus_is_withheld_until_the_clerk_has_enough_ratings_that_day():
    assert rating_bonus_withheld(4, 4, 8, 20, RULES)  # 4 ratings: too few to say anything, no bonus yet
    assert not rating_bonus_withheld(3, 5, 8, 20, RULES)  # 3 of 5 against 40 %: ordinary


def test_bonus_is_withheld_when_the_clerks_top_share_is_an_outlier():
    assert rating_bonus_withheld(6, 6, 8, 20, RULES)  # all top against ~41 %: p ~ 0.005
    assert not rating_bonus_withheld(5, 5, 8, 20, RULES)  # p ~ 0.012: not yet
    assert not rating_bonus_withheld(10, 20, 8, 20, RULES)  # 50 % against 40 %: ordinary
    assert not rating_bonus_withheld(20, 20, 19, 20, RULES)  # everyone is loved: no outlier
    assert rating_bonus_withheld(8, 8, 0, 0, RULES)  # alone in the office: against an even 50 %


@pytest.mark.parametrize("bad", [{"time_factor": -1}, {"partial_weight": 1.5}, {"staff_issue_share": 1.0},
                                 {"staff_issue_free": -1}, {"rating_alpha": 1.0}, {"rating_min_count": -2}])
def test_new_settings_refuse_nonsense(bad):
    with pytest.raises(InvalidInput):
        PointsRules(**bad)
