"""The appointment rules as plain values: codes, slots, capacity, the check-in window, the no-show block and the
calling order that merges appointments with walk-ins (docs/appointments.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ptsp.domain.appointments import (
    CODE_ALPHABET,
    CheckIn,
    HourPlan,
    blocked_until,
    bookable_per_hour,
    check_in_timing,
    day_slots,
    new_code,
    read_code,
    slot_capacities,
)
from ptsp.domain.calling_order import Priority, QueueEntry, issue_moves_others, order_queue
from ptsp.domain.hours import hours_on, parse_week

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 23)
WEEK = parse_week({"mon": [["08:00", "12:00"], ["13:00", "16:00"]]})


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(MONDAY, time(hour, minute), WIB)


def test_a_code_uses_only_unambiguous_characters_and_reads_back_from_code_or_url():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL5S8B")
        assert read_code(code) == code
        assert read_code(code.lower().replace("-", "")) == code
        assert read_code(f"https://ptsp.example.go.id/book/kel-test/b/{code}") == code
        assert read_code(f"  {code}\n") == code


@pytest.mark.parametrize("text", ["", "ABCD", "ABCD-EFG", "0000-0000", "ABCD-EFGH-JKMN", "ABCD EFGH", "<script>"])
def test_malformed_codes_read_as_nothing(text):
    assert read_code(text) is None


def test_slots_fill_each_opening_interval_and_stop_at_the_last_ticket_cut_off():
    hours = hours_on(WEEK, MONDAY, "Asia/Jakarta", 30)  # last ticket 15:30
    slots = [s.astimezone(WIB).strftime("%H:%M") for s in day_slots(hours, 30)]
    assert slots == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
                     "13:00", "13:30", "14:00", "14:30", "15:00"]  # none in the 12-13 break, none at 15:30
    quarter = [s.astimezone(WIB).strftime("%H:%M") for s in day_slots(hours, 15)]
    assert quarter[-1] == "15:15" and "12:00" not in quarter and "11:45" in quarter


def test_a_closed_weekday_has_no_slots():
    assert day_slots(hours_on(WEEK, MONDAY + timedelta(days=5), "Asia/Jakarta", 30), 30) == []


def test_an_hour_books_its_spare_capacity_up_to_the_booked_share():
    # 2 clerks on a 10-minute service serve 12 an hour; 7 walk-ins expected leave 5; a 50 % share caps at 6.
    assert bookable_per_hour(HourPlan(2, 7), 10, 0.5) == pytest.approx(5)
    assert bookable_per_hour(HourPlan(2, 2), 10, 0.5) == pytest.approx(6)  # the share binds
    assert bookable_per_hour(HourPlan(2, 15), 10, 0.5) == 0  # more walk-ins than capacity: nothing
    assert bookable_per_hour(HourPlan(2, 0), 10, 0.0) == 0  # not bookable


def test_slot_capacity_keeps_the_fractions_of_an_hour_instead_of_losing_them():
    # 1.5 bookings an hour in 30-minute slots: 0.75 per slot, rounded down on the running total: 0, 1, 1, 1.
    plan = {8: HourPlan(1, 4.5), 9: HourPlan(1, 4.5)}
    slots = [at(8), at(8, 30), at(9), at(9, 30)]
    capacities = slot_capacities(slots, 30, plan, 10, 0.5)
    assert capacities == [0, 1, 1, 1]
    assert sum(capacities) == 3  # = floor(1.5 + 1.5)


def test_a_slot_across_two_hours_takes_each_hours_rate_for_its_minutes():
    plan = {8: HourPlan(1, 0), 9: HourPlan(3, 0)}  # 3 then 9 bookable an hour at 50 % of 6 and 18
    assert slot_capacities([at(8, 30)], 60, plan, 10, 0.5) == [6]  # 1.5 + 4.5


def test_an_hour_the_plan_does_not_staff_takes_no_booking():
    assert slot_capacities([at(12)], 30, {8: HourPlan(2, 0)}, 10, 0.5) == [0]


@pytest.mark.parametrize(("minutes", "expected"), [
    (-31, CheckIn.TOO_EARLY), (-30, CheckIn.EARLY), (-1, CheckIn.EARLY), (0, CheckIn.ON_TIME),
    (15, CheckIn.ON_TIME), (16, CheckIn.LATE),
])
def test_the_check_in_window_is_closed_at_both_ends(minutes, expected):
    start = at(10)
    assert check_in_timing(start, start + timedelta(minutes=minutes), 30, 15) is expected
    assert check_in_timing(start, start + timedelta(minutes=minutes, seconds=1 if minutes == 15 else 0),
                           30, 15) is (CheckIn.LATE if minutes == 15 else expected)


def test_repeated_no_shows_block_for_the_set_days_after_the_latest():
    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    one = [now - timedelta(days=3)]
    two = [now - timedelta(days=20), now - timedelta(days=3)]
    assert blocked_until(one, now, 2, 30) is None
    assert blocked_until(two, now, 2, 30) == now - timedelta(days=3) + timedelta(days=30)
    assert blocked_until([now - timedelta(days=40), now - timedelta(days=3)], now, 2, 30) is None  # one lapsed


T0 = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=30)


def walk_in(i: int, minutes_ago: float, priority: str = "regular") -> QueueEntry:
    return QueueEntry(i, Priority(priority), T0 - timedelta(minutes=minutes_ago))


def booked(i: int, checked_in_ago: float, slot_in: float, priority: str = "regular") -> QueueEntry:
    return QueueEntry(i, Priority(priority), T0 - timedelta(minutes=checked_in_ago), T0 + timedelta(minutes=slot_in))


def ids(entries, run=0, max_run=2):
    return [e.ticket_id for e in order_queue(entries, T0, LIMIT, run, max_run)]


def test_a_ready_appointment_goes_ahead_of_walk_ins_but_not_of_priority_residents():
    line = [walk_in(1, 20), booked(2, 10, -5), walk_in(3, 5, "elderly")]
    assert ids(line) == [3, 2, 1]


def test_an_appointment_is_not_called_before_its_slot():
    line = [walk_in(1, 20), booked(2, 10, 5)]
    assert ids(line) == [1]


def test_after_max_run_appointments_in_a_row_the_oldest_walk_in_comes_first():
    line = [walk_in(1, 20), booked(2, 10, -5), booked(3, 10, -2)]
    assert ids(line, run=1) == [2, 3, 1]
    assert ids(line, run=2) == [1, 2, 3]
    assert ids([booked(2, 10, -5)], run=2) == [2]  # nobody walked in: the appointment is not held back


def test_appointments_among_themselves_go_by_the_time_they_became_ready():
    # 2's slot began 10 minutes ago but it checked in only now (late in its window); 3 was here for its slot.
    line = [booked(2, 0, -10), booked(3, 20, -5)]
    assert ids(line) == [3, 2]


def test_a_walk_in_past_the_starvation_limit_goes_ahead_of_ready_appointments():
    line = [walk_in(1, 31), booked(2, 40, -10)]
    assert ids(line) == [1, 2]


def test_checking_in_a_booking_can_move_others_but_a_regular_walk_in_cannot():
    assert issue_moves_others("regular", appointment=True)
    assert not issue_moves_others("regular")
