"""The waiting and busy spans read as plain columns (`timeline.office_spans`, what the minute's discipline scan
uses) are the spans the ticket stories give, on every kind of event; and the read pauses for the event loop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ptsp.analytics import timeline
from tests.accountability.history import MONDAY

NOON = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 12:00 WIB on MONDAY


def a_day_of_every_kind(history) -> None:
    b = history.service("B").id
    c = history.service("C").id
    history.ticket("A", "08:00", ("called", "08:05", 1), ("started", "08:06", 1), ("completed", "08:20", 1))
    history.ticket("A", "08:10", ("called", "08:30", 2), ("transferred", "08:40", 2, {"to_service": b}),
                   ("called", "09:00", 3), ("completed", "09:10", 3))
    history.ticket("C", "08:15", ("called", "08:20", 1), ("step_completed", "08:30", 1, {"next_service": b}),
                   ("called", "08:50", 3), ("completed", "08:55", 3))
    history.ticket("A", "08:20", ("called", "08:25", 2), ("requeued", "08:26", 2), ("called", "08:45", 1),
                   ("no_show", "08:50", 1))
    history.ticket("B", "09:00", ("called", "09:05", 3), ("parked", "09:10", 3), ("returned", "09:40"),
                   ("called", "09:45", 3), ("completed", "10:00", 3))
    history.ticket("A", "09:30", ("called", "09:31", 1), ("no_show", "09:35", 1), ("reinserted", "09:50"),
                   ("called", "10:10", 2), ("cancelled", "10:15", 2))
    history.ticket("C", "10:00", ("called", "10:05", 2), ("transferred", "10:06", 2, {"to_service": c}))
    history.ticket("B", "11:00", ("called", "11:30", 3))  # still held at noon
    history.ticket("A", "11:40")  # still waiting at noon
    history.ticket("A", "12:30")  # issued after `until`: nothing of it counts
    history.ticket("A", "09:00", ("called", "09:10", 1), day=MONDAY - timedelta(days=1))  # another day
    history.session.commit()


def test_the_column_read_gives_the_stories_spans(db, history):
    a_day_of_every_kind(history)
    office = history.office.id
    expected = timeline.waiting_and_busy(timeline.ticket_stories(db, office, MONDAY, MONDAY), NOON)
    assert timeline.office_spans(db, office, MONDAY, MONDAY, NOON) == expected

    # and what that is, by hand, for the lines that differ from a plain visit
    at = history.at
    a, b, c = (history.service(p).id for p in "ABC")
    one, two, three = (history.counter(n).id for n in (1, 2, 3))
    waiting, busy = expected
    assert (at("08:40"), at("09:00")) in waiting[b]  # transferred A → B waits again in B's line
    assert (at("08:30"), at("08:50")) in waiting[b]  # the next step of a visit waits in B's line
    assert (at("08:26"), at("08:45")) in waiting[a]  # requeued
    assert (at("09:40"), at("09:45")) in waiting[b]  # back from parking
    assert (at("09:50"), at("10:10")) in waiting[a]  # reinserted after a no-show
    assert (at("10:06"), NOON) in waiting[c]  # transferred to C and never called
    assert (at("11:40"), NOON) in waiting[a]
    assert (at("11:30"), NOON) in busy[three]
    assert (at("09:05"), at("09:10")) in busy[three]  # parking ends the counter's hold
    assert (at("08:05"), at("08:20")) in busy[one] and (at("08:30"), at("08:40")) in busy[two]
    assert all(start < at("12:30") for spans in waiting.values() for start, _ in spans)


def test_the_read_pauses_for_the_event_loop_between_chunks(db, history, monkeypatch):
    a_day_of_every_kind(history)
    pauses: list[float] = []
    monkeypatch.setattr(timeline, "YIELD_EVERY", 5)
    monkeypatch.setattr(timeline, "give_way", lambda: pauses.append(0))
    office = history.office.id
    spans = timeline.office_spans(db, office, MONDAY, MONDAY, NOON)
    events = sum(len(s.events) for s in timeline.ticket_stories(db, office, MONDAY, MONDAY))
    assert events > 30
    assert pauses == [0] * -(-events // 5)  # one pause after every chunk of 5 rows
    assert spans == timeline.waiting_and_busy(timeline.ticket_stories(db, office, MONDAY, MONDAY), NOON)
