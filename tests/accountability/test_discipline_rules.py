"""The discipline rules' new parts on plain values: closures against staff breaks, staffed time, tolerance."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ptsp.domain import hours
from ptsp.domain.discipline import (
    DayFacts,
    Settings,
    Stretch,
    below_tolerance,
    detect,
    parse_tolerance,
    staffed_spans,
)
from ptsp.domain.errors import InvalidInput

WIB = ZoneInfo("Asia/Jakarta")
MONDAY, FRIDAY = date(2026, 11, 23), date(2026, 11, 27)
WEEK = hours.parse_week({"mon": [["08:00", "12:00"], ["13:00", "16:00"]],
                         "fri": [["07:30", "11:30"], ["13:30", "16:30"]]})


def at(hhmm: str, day: date = MONDAY) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(day, time(h, m), WIB)


def test_a_closure_must_be_exactly_a_gap_of_that_weekdays_hours():
    parsed = hours.parse_closures({"fri": [["11:30", "13:30", "Sholat Jumat"]]}, WEEK)
    assert parsed == {"fri": [hours.Closure(time(11, 30), time(13, 30), "Sholat Jumat")]}
    assert hours.dump_closures(parsed) == {"fri": [["11:30", "13:30", "Sholat Jumat"]]}
    for bad, code in (({"fri": [["11:00", "13:30"]]}, "closure_not_a_gap"),  # cuts into the morning
                      ({"mon": [["11:30", "13:30"]]}, "closure_not_a_gap"),  # Monday's gap is 12-13
                      ({"sat": [["12:00", "13:00"]]}, "closure_not_a_gap"),  # no hours on Saturday
                      ({"fry": [["11:30", "13:30"]]}, "unknown_days"),
                      ({"fri": [["11:30"]]}, "closure_invalid"),
                      ({"fri": "11:30-13:30"}, "closure_invalid"),
                      ({"fri": [["11:30", "lunch"]]}, "time_invalid"),
                      (["fri"], "closures_not_mapping")):
        with pytest.raises(InvalidInput) as caught:
            hours.parse_closures(bad, WEEK)
        assert caught.value.reason == code, bad


def test_each_gap_is_a_declared_closure_or_a_staff_break():
    closures = hours.parse_closures({"fri": [["11:30", "13:30", "Sholat Jumat"]]}, WEEK)
    assert hours.gaps_on(WEEK, closures, MONDAY, "Asia/Jakarta") == [
        hours.Gap(at("12:00"), at("13:00"), hours.STAFF_BREAK, "")]
    assert hours.gaps_on(WEEK, closures, FRIDAY, "Asia/Jakarta") == [
        hours.Gap(at("11:30", FRIDAY), at("13:30", FRIDAY), hours.CLOSURE, "Sholat Jumat")]
    # A stored closure that no longer matches the hours (they changed) closes nothing; a broken one is skipped.
    stale = hours.read_closures({"fri": [["11:00", "13:30", "old"], ["bad"]], "mon": "x"})
    assert [g.kind for g in hours.gaps_on(WEEK, stale, FRIDAY, "Asia/Jakarta")] == [hours.STAFF_BREAK]


def facts(sessions: list[Stretch], waiting: dict[int, list], closed: list | None = None,
          day: date = MONDAY) -> DayFacts:
    spans = [(at(a, day), at(b, day)) for a, b in (("08:00", "12:00"), ("13:00", "16:00"))]
    return DayFacts(day=day, open_spans=spans, sessions=sessions, counter_services={1: {10}, 2: {10}},
                    waiting=waiting, busy={}, closed_spans=closed or [])


def test_staffed_time_runs_through_staff_breaks_and_stops_at_closures():
    assert staffed_spans(facts([], {})) == [(at("08:00"), at("16:00"))]
    assert staffed_spans(facts([], {}, closed=[(at("12:00"), at("13:00"))])) == [
        (at("08:00"), at("12:00")), (at("13:00"), at("16:00"))]
    assert staffed_spans(DayFacts(MONDAY, [], [], {}, {})) == []


def test_uncovered_through_lunch_unless_a_clerk_covers_it_or_the_office_declared_it_closed():
    morning = Stretch(1, 7, "open", at("07:40"), at("12:00"))
    afternoon = Stretch(1, 7, "open", at("13:00"), at("16:00"))
    waiting = {10: [(at("11:55"), at("13:01"))]}
    found = [f for f in detect(facts([morning, afternoon], waiting), Settings()) if f.kind == "uncovered_service"]
    assert [(f.start, f.end, f.minutes, f.staff_id) for f in found] == [(at("12:00"), at("13:00"), 60.0, 7)]
    cover = Stretch(2, 8, "open", at("11:50"), at("13:10"))  # a colleague takes the lunch hour
    assert [f.kind for f in detect(facts([morning, afternoon, cover], waiting), Settings())
            if f.kind == "uncovered_service"] == []
    closed = facts([morning, afternoon], waiting, closed=[(at("12:00"), at("13:00"))])
    assert [f.kind for f in detect(closed, Settings()) if f.kind == "uncovered_service"] == []


def test_a_break_counts_against_the_allowance_in_a_staff_break_not_in_a_closure():
    sessions = [Stretch(1, 7, "open", at("07:40"), at("11:40")), Stretch(1, 7, "break", at("11:40"), at("13:10")),
                Stretch(1, 7, "open", at("13:10"), at("16:00"))]
    long = [f for f in detect(facts(sessions, {}), Settings()) if f.kind == "long_break"]
    assert [(f.staff_id, f.minutes) for f in long] == [(7, 30.0)]  # 90 minutes of break, 60 allowed
    closed = facts(sessions, {}, closed=[(at("12:00"), at("13:00"))])
    assert [f for f in detect(closed, Settings()) if f.kind == "long_break"] == []  # 30 minutes outside


def test_tolerance_is_whole_minutes_per_rule_and_hides_only_what_is_under_it():
    assert parse_tolerance({"late_opening": "5", "idle_clerk": " 0 ", "long_break": "", "other": "x"}) == {
        "late_opening": 5}
    assert parse_tolerance({"uncovered_service": 240}) == {"uncovered_service": 240}
    for bad in ("-1", "2.5", "abc", "241", "٣"):  # an Arabic-Indic digit is a digit to Python, not to us
        with pytest.raises(InvalidInput) as caught:
            parse_tolerance({"late_opening": bad})
        assert caught.value.reason == "tolerance_invalid" and caught.value.params["rule"] == "Loket dibuka terlambat"
    assert below_tolerance("late_opening", 4.9, {"late_opening": 5})
    assert not below_tolerance("late_opening", 5.0, {"late_opening": 5})
    assert not below_tolerance("idle_clerk", 1.0, {"late_opening": 5})
