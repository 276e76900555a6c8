"""Rebuild what happened in an office from its event log: who waited where, which counter was busy."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.discipline import Stretch
from ..domain.intervals import Span
from ..gc_tuning import give_way
from ..models import Counter, CounterSession, Office, Ticket, TicketEvent, counter_services

ENDS_WAIT = {"called", "completed", "no_show", "cancelled", "expired"}
ENDS_BUSY = {"requeued", "transferred", "step_completed", "completed", "no_show", "cancelled", "expired", "parked"}
REJOINS = {"requeued", "returned", "reinserted"}  # back in a line (docs/queue.md): waiting again from here


def local_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """Return [local midnight, next local midnight) of a day as aware instants."""
    tz = ZoneInfo(timezone)
    return datetime.combine(day, time(0), tz), datetime.combine(day + timedelta(days=1), time(0), tz)


def open_spans(office: Office, day: date) -> list[Span]:
    """The office's opening intervals on a local day."""
    week = office_hours.parse_week(office.hours)
    return office_hours.hours_on(week, day, office.timezone, 0).intervals


def day_gaps(office: Office, day: date) -> list[office_hours.Gap]:
    """The gaps of the office's hours on a local day: declared closures and staff breaks."""
    week = office_hours.parse_week(office.hours)
    return office_hours.gaps_on(week, office_hours.read_closures(office.closures), day, office.timezone)


@dataclass
class TicketStory:
    id: int
    code: str
    service_day: date
    issued_service_id: int
    events: list[TicketEvent] = field(default_factory=list)


def ticket_stories(session: Session, office_id: int, first_day: date, last_day: date,
                   only: ColumnElement[bool] | None = None) -> list[TicketStory]:
    """Load the office's tickets of the service days [first_day, last_day] with their events in order.

    `only` narrows the tickets further (a condition on Ticket columns).
    """
    query = (
        select(Ticket.id, Ticket.code, Ticket.service_day, Ticket.issued_service_id, TicketEvent)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= first_day, Ticket.service_day <= last_day)
        .order_by(Ticket.id, TicketEvent.at, TicketEvent.id)
    )
    rows = session.execute(query if only is None else query.where(only))
    stories: dict[int, TicketStory] = {}
    for ticket_id, code, day, issued_service, event in rows:
        story = stories.setdefault(ticket_id, TicketStory(ticket_id, code, day, issued_service))
        story.events.append(event)
    return list(stories.values())


# One event as the spans need it: (ticket, issued service, kind, at, counter, to_service, next_service).
Step = tuple[int, int, str, datetime, int | None, int | None, int | None]
YIELD_EVERY = 500  # rows between two pauses for the server's other work (see `office_spans`)


def waiting_and_busy(stories: list[TicketStory], until: datetime
                     ) -> tuple[dict[int, list[Span]], dict[int, list[Span]]]:
    """Return when tickets waited (per service) and when counters held a ticket (per counter).

    A ticket waits from issue, transfer or requeue until it is called or closed;
    a counter holds it from the call until it leaves (done, no-show, transfer,
    requeue). What is still open at `until` ends there.
    """
    def steps() -> Iterator[Step]:
        for story in stories:
            for event in story.events:
                data: dict[str, Any] = event.data or {}
                yield (story.id, story.issued_service_id, event.kind, event.at, event.counter_id,
                       _number(data.get("to_service")), _number(data.get("next_service")))
    return _spans(steps(), until)


def office_spans(session: Session, office_id: int, first_day: date, last_day: date, until: datetime
                 ) -> tuple[dict[int, list[Span]], dict[int, list[Span]]]:
    """`waiting_and_busy` of the office's tickets of the service days [first_day, last_day], read as plain
    columns (no ORM objects, only the two numbers the spans need from an event's JSON).

    The discipline scan runs this every minute on the server's event loop, over every event of a day that may
    hold thousands of tickets; it reads in chunks and gives way between them (`gc_tuning.give_way`: under gevent
    the waiting requests and socket messages run, with the collector on), so one scan never holds the loop long.
    """
    query = (
        select(TicketEvent.ticket_id, Ticket.issued_service_id, TicketEvent.kind, TicketEvent.at,
               TicketEvent.counter_id, TicketEvent.data["to_service"].as_integer(),
               TicketEvent.data["next_service"].as_integer())
        .join(Ticket, TicketEvent.ticket_id == Ticket.id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= first_day, Ticket.service_day <= last_day)
        .order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id)
        .execution_options(yield_per=YIELD_EVERY)
    )

    def steps() -> Iterator[Step]:
        for chunk in session.execute(query).partitions():
            yield from chunk
            give_way()
    return _spans(steps(), until)


def _number(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _spans(steps: Iterable[Step], until: datetime) -> tuple[dict[int, list[Span]], dict[int, list[Span]]]:
    """The spans of `waiting_and_busy` from events in order of ticket, then time."""
    waiting: dict[int, list[Span]] = defaultdict(list)
    busy: dict[int, list[Span]] = defaultdict(list)
    current: int | None = None
    service = 0
    wait_from: datetime | None = None
    held: tuple[int, datetime] | None = None

    def close() -> None:  # what the last ticket left open ends at `until`
        if wait_from is not None and wait_from < until:
            waiting[service].append((wait_from, until))
        if held is not None and held[1] < until:
            busy[held[0]].append((held[1], until))

    for ticket, issued_service, kind, at, counter, to_service, next_service in steps:
        if ticket != current:
            close()
            current, service, wait_from, held = ticket, issued_service, None, None
        if kind in ENDS_WAIT and wait_from is not None:
            waiting[service].append((wait_from, at))
            wait_from = None
        if kind in ENDS_BUSY and held is not None:
            busy[held[0]].append((held[1], at))
            held = None
        if kind == "issued":
            wait_from = at
        elif kind == "called" and counter is not None:
            held = (counter, at)
        elif kind == "transferred":
            service = to_service if to_service is not None else service
            wait_from = at
        elif kind == "step_completed":  # a visit of several steps: waits again in the next step's line
            service = next_service if next_service is not None else service
            wait_from = at
        elif kind in REJOINS and wait_from is None:
            wait_from = at
    close()
    return dict(waiting), dict(busy)


def counter_stretches(session: Session, office_id: int, start: datetime, end: datetime, now: datetime
                      ) -> list[Stretch]:
    """Counter sessions overlapping [start, end), a running one ending at `now` (or `end`).

    The running ones and those ended after `start` are read apart, each by its own range of
    `ix_counter_sessions_ending`: with the two in one OR, the database read every stretch the office ever had."""
    ended_after = (CounterSession.ended_at.is_(None), CounterSession.ended_at > start)
    rows = sorted((row for ends in ended_after for row in session.scalars(
        select(CounterSession).where(CounterSession.office_id == office_id, CounterSession.started_at < end, ends))),
        key=lambda row: (row.started_at, row.id))
    stretches = []
    for row in rows:
        stop = row.ended_at or min(now, end)
        if stop > row.started_at:
            stretches.append(Stretch(row.counter_id, row.staff_id, row.state, row.started_at, stop))
    return stretches


def services_by_counter(session: Session, office_id: int) -> dict[int, set[int]]:
    """Which services each counter of the office serves (its present set-up)."""
    rows = session.execute(
        select(counter_services.c.counter_id, counter_services.c.service_id)
        .join(Counter, Counter.id == counter_services.c.counter_id)
        .where(Counter.office_id == office_id)
    )
    mapping: dict[int, set[int]] = defaultdict(set)
    for counter_id, service_id in rows:
        mapping[counter_id].add(service_id)
    return dict(mapping)
