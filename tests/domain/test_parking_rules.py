"""The pure rules of parked tickets and late residents (ptsp/domain/parking.py, docs/queue.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ptsp.domain.calling_order import Priority, QueueEntry, order_queue
from ptsp.domain.errors import InvalidTransition
from ptsp.domain.lifecycle import FINAL_STATUSES, OPEN_STATUSES, Action, Status, next_status
from ptsp.domain.parking import reinsert_queued_at, require_parkable, require_reinsertable, returnable
from ptsp.domain.points import Event, PointsRules, parked_parts, ticket_entries

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_the_parked_status_and_its_transitions():
    assert Status.PARKED in OPEN_STATUSES and Status.PARKED not in FINAL_STATUSES
    assert next_status("serving", Action.PARK) is Status.PARKED
    assert next_status("parked", Action.RETURN) is Status.WAITING
    assert next_status("parked", Action.NO_SHOW) is Status.NO_SHOW
    assert next_status("parked", Action.EXPIRE) is Status.EXPIRED
    assert next_status("no_show", Action.REINSERT) is Status.WAITING
    for status, action in (("called", Action.PARK), ("waiting", Action.PARK), ("parked", Action.COMPLETE),
                           ("parked", Action.CALL), ("done", Action.REINSERT), ("parked", Action.PARK)):
        with pytest.raises(InvalidTransition):
            next_status(status, action)


def test_limits_and_the_inclusive_deadline():
    require_parkable("A-001", 0)
    with pytest.raises(InvalidTransition):
        require_parkable("A-001", 1)
    assert returnable(at(30), at(30)) and not returnable(at(30), at(30) + timedelta(microseconds=1))
    assert not returnable(None, at(0))
    require_reinsertable("A-001", "no_show", 0, 3)
    require_reinsertable("A-001", "requeued", 0, 3)
    for last, count, places, reason in (("no_show", 0, 0, "reinsert_not_offered"),
                                        ("called", 0, 3, "reinsert_not_missed"),
                                        ("issued", 0, 3, "reinsert_not_missed"),
                                        ("no_show", 1, 3, "reinsert_limit_reached")):
        with pytest.raises(InvalidTransition) as caught:
            require_reinsertable("A-001", last, count, places)
        assert caught.value.reason == reason


@given(gaps=st.lists(st.integers(2, 10_000_000), max_size=12), places=st.integers(1, 15))
def test_a_re_inserted_ticket_has_exactly_n_behind_it_or_is_in_front(gaps: list[int], places: int):
    line, moment = [], T0
    for gap in gaps:
        moment += timedelta(microseconds=gap)
        line.append(moment)
    now = moment + timedelta(minutes=1)
    keys = [(q, i + 1) for i, q in enumerate(line)]
    new = reinsert_queued_at(keys, places, now, 0)
    behind = sum(1 for q in line if q > new)
    assert behind == min(places, len(line))
    assert all(q != new for q in line)  # neighbours at least 2 microseconds apart: no tie to break
    # In the calling order among regular walk-ins, the re-inserted entry (id 0, the lowest) sits at that place.
    entries = [QueueEntry(i + 1, Priority.REGULAR, q) for i, q in enumerate(line)] + [
        QueueEntry(0, Priority.REGULAR, new)]
    order = [e.ticket_id for e in order_queue(entries, now, timedelta(days=1))]
    assert order.index(0) == len(line) - min(places, len(line))


def test_an_empty_line_is_joined_now():
    assert reinsert_queued_at([], 3, at(5), 9) == at(5)


@given(size=st.integers(1, 10), places=st.integers(1, 12), own=st.integers(0, 20))
def test_tickets_issued_at_one_instant_never_leave_fewer_than_n_behind(size: int, places: int, own: int):
    ids = [i for i in range(1, 22) if i != own][:size]
    keys = [(at(0), i) for i in ids]  # a frozen clock: one queue time, ties broken by id
    new = reinsert_queued_at(keys, places, at(1), own)
    behind = sum(1 for key in keys if key > (new, own))
    assert behind >= min(places, size)
    if size > places:  # placed at the one instant just before the ticket that is to be behind it, or before all
        before = keys[-places][1]
        assert behind == (sum(1 for i in ids if i > own) if own < before else size)


def test_a_returned_entry_goes_ahead_of_priority_and_starved_tickets():
    entries = [QueueEntry(1, Priority.ELDERLY, at(0)), QueueEntry(2, Priority.REGULAR, at(-120)),
               QueueEntry(3, Priority.REGULAR, at(10), returned=True)]
    assert [e.ticket_id for e in order_queue(entries, at(20), timedelta(minutes=30))] == [3, 2, 1]


def events(*spec: tuple[str, float]) -> list[Event]:
    return [Event(i + 1, kind, at(minute), 7 if kind != "issued" else None) for i, (kind, minute) in enumerate(spec)]


def test_parked_parts_add_the_service_and_leave_out_the_time_away():
    log = events(("issued", 0), ("called", 1), ("started", 2), ("parked", 5), ("returned", 40), ("called", 41),
                 ("started", 42), ("completed", 46))
    served, ids = parked_parts(log, log[-1])
    assert served == pytest.approx(7.0) and ids == (3, 4, 7, 8)
    plain = events(("issued", 0), ("called", 1), ("started", 2), ("completed", 9))
    assert parked_parts(plain, plain[-1]) is None
    [award] = ticket_entries(log, service_id=1, standard_minutes=10, rating=None, rules=PointsRules())
    assert (award.kind, award.points) == ("award", 7.0)
    assert set(award.event_ids) >= {3, 4, 7, 8}
