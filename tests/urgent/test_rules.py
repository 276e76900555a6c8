"""The urgent tier of the calling order and the sign-off rules, as plain values (ptsp/domain/urgent.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ptsp.domain import hours as office_hours
from ptsp.domain import urgent as rules
from ptsp.domain.calling_order import Priority, QueueEntry, choose_next, order_queue
from ptsp.domain.errors import Forbidden, InvalidInput, InvalidTransition

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
LIMIT = timedelta(minutes=30)


def entry(ticket_id: int, minutes_ago: int, priority: Priority = Priority.REGULAR, urgent_ago: int | None = None,
          slot_in: int | None = None) -> QueueEntry:
    return QueueEntry(ticket_id, priority, NOW - timedelta(minutes=minutes_ago),
                      None if slot_in is None else NOW + timedelta(minutes=slot_in),
                      None if urgent_ago is None else NOW - timedelta(minutes=urgent_ago))


def test_urgent_tickets_go_before_priority_starved_and_booked_ones_first_signed_off_first():
    line = [entry(1, 50), entry(2, 40, Priority.ELDERLY), entry(3, 5, urgent_ago=1), entry(4, 2, urgent_ago=3),
            entry(5, 1, slot_in=-5)]
    assert [e.ticket_id for e in order_queue(line, NOW, LIMIT)] == [4, 3, 1, 2, 5]
    assert choose_next(line, NOW, LIMIT, appointment_run=2).ticket_id == 4


def test_an_urgent_booked_ticket_does_not_wait_for_its_slot_a_pending_one_does():
    early = entry(1, 1, slot_in=20)
    assert order_queue([early], NOW, LIMIT) == []
    urgent = entry(1, 1, slot_in=20, urgent_ago=0)
    assert order_queue([urgent, entry(2, 30)], NOW, LIMIT)[0] is urgent
    assert urgent.is_ready(NOW)


def test_a_request_needs_a_known_reason_and_a_note_for_other():
    assert rules.check_request("burial", "  Pemakaman 14.00 ") == "Pemakaman 14.00"
    assert rules.check_request("medical", None) == ""
    for reason, note, code in (("teman", "x", "urgent_reason_unknown"), ("other", " ", "urgent_note_required"),
                               ("burial", "x" * 301, "urgent_note_too_long")):
        with pytest.raises(InvalidInput) as refused:
            rules.check_request(reason, note)
        assert refused.value.reason == code


def test_a_decision_is_made_once_never_by_the_asker_and_a_refusal_says_why():
    rules.check_decision("pending", 7, 8, True, "")
    with pytest.raises(InvalidTransition):
        rules.check_decision("approved", 7, 8, True, "")
    with pytest.raises(InvalidTransition):
        rules.check_decision("declined", 7, 8, False, "lagi")
    with pytest.raises(Forbidden):
        rules.check_decision("pending", 8, 8, True, "")
    with pytest.raises(InvalidInput):
        rules.check_decision("pending", 7, 8, False, "  ")
    assert [r for r in ("clerk", "supervisor", "manager", "admin", None) if rules.may_sign_off(r)] == [
        "supervisor", "manager", "admin"]


def test_a_desk_ticket_may_be_signed_off_from_opening_to_closing_on_an_open_day_only():
    week = office_hours.parse_week({"mon": [["08:00", "12:00"], ["13:00", "16:00"]]})
    monday = office_hours.hours_on(week, date(2026, 11, 23), "Asia/Jakarta", 30)
    wib = [datetime(2026, 11, 23, h, m, tzinfo=UTC) - timedelta(hours=7) for h, m in
           ((7, 59), (8, 0), (12, 30), (15, 45), (15, 59), (16, 0))]
    assert [rules.desk_ticket_hours(monday, at) for at in wib] == [False, True, True, True, True, False]
    sunday = office_hours.hours_on(week, date(2026, 11, 22), "Asia/Jakarta", 30)
    assert not rules.desk_ticket_hours(sunday, wib[1] - timedelta(days=1))
