"""Pure domain rules: state machine, queue order, codes, hours, wait estimate."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from ptsp.domain import hours
from ptsp.domain.calling_order import Priority, QueueEntry, issue_moves_others, order_queue
from ptsp.domain.codes import format_code, parse_code, validate_prefix
from ptsp.domain.errors import InvalidInput, InvalidTransition
from ptsp.domain.estimate import estimated_wait_minutes, mean_service_minutes
from ptsp.domain.lifecycle import Action, Status, allowed_actions, next_status, recall_outcome
from ptsp.i18n.errors import describe

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=30)


def entry(i: int, priority: str, minutes_ago: float) -> QueueEntry:
    return QueueEntry(i, Priority(priority), T0 - timedelta(minutes=minutes_ago))


def test_happy_path_goes_waiting_called_serving_done():
    status = Status.WAITING
    for action in (Action.CALL, Action.START, Action.COMPLETE):
        status = next_status(status, action)
    assert status is Status.DONE


@pytest.mark.parametrize(("status", "action"), [
    ("waiting", "complete"), ("waiting", "start"), ("done", "call"), ("called", "cancel"),
    ("serving", "no_show"), ("cancelled", "call"), ("expired", "expire"), ("no_show", "transfer"),
])
def test_invalid_transition_raises_a_readable_domain_error(status, action):
    with pytest.raises(InvalidTransition) as refused:
        next_status(status, action)
    assert "tidak dapat" in describe(refused.value)


def test_every_open_status_can_expire_and_no_final_status_can_move():
    for status in ("waiting", "called", "serving", "parked"):
        assert next_status(status, "expire") is Status.EXPIRED
    for status in ("done", "cancelled", "expired"):
        assert allowed_actions(status) == []
    # The one way back from a final status: a resident who missed their call is re-inserted (docs/queue.md).
    assert allowed_actions("no_show") == [Action.REINSERT]
    assert next_status("no_show", "reinsert") is Status.WAITING


def test_recall_below_the_limit_calls_again_and_at_the_limit_applies_policy():
    assert recall_outcome(1, 3, "requeue") is Action.RECALL
    assert recall_outcome(3, 3, "requeue") is Action.REQUEUE
    assert recall_outcome(3, 3, "no_show") is Action.NO_SHOW


def test_priority_ticket_is_called_before_older_regular_ticket():
    line = order_queue([entry(1, "regular", 10), entry(2, "elderly", 2)], T0, LIMIT)
    assert [e.ticket_id for e in line] == [2, 1]


def test_regular_ticket_waiting_past_the_limit_is_not_starved_by_priority_tickets():
    line = order_queue([entry(1, "regular", 31), entry(2, "disabled", 5), entry(3, "pregnant", 1)], T0, LIMIT)
    assert [e.ticket_id for e in line] == [1, 2, 3]


def test_same_class_is_first_come_first_served_with_id_breaking_ties():
    line = order_queue([entry(3, "regular", 5), entry(1, "regular", 5), entry(2, "regular", 9)], T0, LIMIT)
    assert [e.ticket_id for e in line] == [2, 1, 3]


def test_codes_pad_to_three_digits_and_round_trip():
    assert format_code("A", 7) == "A-007"
    assert format_code("B", 1000) == "B-1000"
    assert parse_code("A-007") == ("A", 7)
    with pytest.raises(InvalidInput):
        parse_code("A7")
    with pytest.raises(InvalidInput):
        validate_prefix("a")


def test_service_day_follows_the_office_timezone_across_midnight():
    # 16:30 UTC is 23:30 WIB but already 00:30 the next day in WITA and 01:30 in WIT.
    instant = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)
    assert hours.service_day(instant, "Asia/Jakarta") == date(2026, 11, 23)
    assert hours.service_day(instant, "Asia/Makassar") == date(2026, 11, 24)
    assert hours.service_day(instant, "Asia/Jayapura") == date(2026, 11, 24)
    assert hours.zone_label("Asia/Makassar") == "WITA"


def test_issuing_runs_from_opening_until_the_cutoff_and_through_breaks():
    week = hours.parse_week({"fri": [["07:30", "11:30"], ["13:30", "16:30"]]})
    day = hours.hours_on(week, date(2026, 11, 27), "Asia/Jakarta", 30)
    wib = hours.local_now(T0, "Asia/Jakarta").tzinfo

    def at(h: int, m: int) -> datetime:
        return datetime.combine(date(2026, 11, 27), time(h, m), wib)

    assert not hours.can_issue(day, at(7, 29))
    assert hours.can_issue(day, at(7, 30))
    assert hours.can_issue(day, at(12, 0)) and not hours.is_open(day, at(12, 0))  # Friday prayer break
    assert hours.can_issue(day, at(15, 59))
    assert not hours.can_issue(day, at(16, 0))  # 30 minutes before closing
    sunday = hours.hours_on(week, date(2026, 11, 29), "Asia/Jakarta", 30)
    assert not hours.can_issue(sunday, at(10, 0))


@pytest.mark.parametrize("raw", [
    {"mon": [["12:00", "08:00"]]}, {"mon": [["08:00", "12:00"], ["11:00", "13:00"]]},
    {"monday": []}, {"mon": [["8", "12:00"]]},
])
def test_bad_opening_hours_are_refused(raw):
    with pytest.raises(InvalidInput):
        hours.parse_week(raw)


def test_wait_estimate_shares_people_ahead_between_open_counters():
    assert estimated_wait_minutes(0, 10, 1) == 0
    assert estimated_wait_minutes(0, 10, 0) is None  # nobody ahead, but no counter open either
    assert estimated_wait_minutes(5, 10, 2) == 25
    assert estimated_wait_minutes(3, 7, 1) == 21
    assert estimated_wait_minutes(4, 10, 0) is None
    assert mean_service_minutes([], 12) == 12
    assert mean_service_minutes([4, 6], 12) == 5


@pytest.mark.parametrize("priority", [p.value for p in Priority])
def test_only_a_priority_ticket_issued_now_can_move_anyone_waiting(priority):
    # The residents' status pages are not told of regular issues (ptsp/realtime.py): check the rule against
    # the real ordering, with a line holding old promoted regulars, priority tickets and fresh regulars.
    line = [entry(1, "regular", 45), entry(2, "elderly", 10), entry(3, "regular", 5), entry(4, "pregnant", 2),
            entry(5, "regular", 1)]
    before = [e.ticket_id for e in order_queue(line, T0, LIMIT)]
    after = [e.ticket_id for e in order_queue([*line, entry(6, priority, 0)], T0, LIMIT)]
    assert [t for t in after if t != 6] == before  # the others keep their order
    went_ahead_of_someone = after.index(6) < len(line)
    assert went_ahead_of_someone == issue_moves_others(priority)
