"""Read the event log of one office into plain records, and estimate demand from them.

Only the office's local time counts: a ticket's hour and weekday are those of its office's wall
clock. Days that do not teach anything about demand are skipped: the office's closed days (national
holidays, cuti bersama and its own closure days, `domain/office_calendar.py`), weekdays without
opening hours, and days on which the office issued no ticket at all (a closure not entered, a power
cut; a very small office with truly empty days is then slightly over-estimated).

A resident's wait is from the ticket being issued to its first call (the `called` event). Service
time is from started_at to finished_at of tickets that were completed. For patience, only residents
who left before being called are walk-aways: one who cancelled while waiting (never called) walked
away at the cancel time; one whose ticket expired uncalled left at an unknown time before the expiry
(interval-censored). Anyone called and present had patience longer than their wait (censored). A
no-show (called, did not come) is counted apart and not used: it is not known whether they left.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ..domain import forecast
from ..domain.hours import WEEKDAYS, parse_week
from ..domain.opening import holidays_between
from ..models import Counter, Office, Service, Ticket, TicketEvent
from ..services.agencies import in_agency
from ..services.office_calendar import office_days


@dataclass(frozen=True, slots=True)
class TicketRecord:
    service: str  # prefix of the service the ticket was issued for
    final_service: str
    day: date
    weekday: str
    hour: int  # local clock hour of issue
    status: str
    wait_minutes: float | None  # issue to first call
    service_minutes: float | None  # started to finished, completed tickets only
    walked_away_minutes: float | None  # cancelled before any call: issue to cancel
    expired_minutes: float | None = None  # expired before any call: issue to expiry (left at an unknown time)
    counter_minutes: float | None = None  # first call to finish (done or no-show): the counter's time taken


@dataclass
class OfficeHistory:
    office_id: int
    slug: str
    name: str
    timezone: str
    hours: dict
    target_wait_minutes: int
    last_ticket_minutes: int
    services: dict[str, tuple[str, float]]  # prefix -> (name, standard minutes)
    counters: dict[int, list[str]]  # counter number -> prefixes served
    start: date
    end: date
    records: list[TicketRecord] = field(default_factory=list)
    open_days: list[date] = field(default_factory=list)
    closures: dict = field(default_factory=dict)  # the office's declared closures (`hours.parse_closures` shape)
    # the office's own closure days: day -> reason, or STAYS_OPEN (ptsp/domain/office_calendar.py)
    closed_days: dict[date, str | None] = field(default_factory=dict)
    agency_id: int | None = None  # one agency's services and counters only (docs/mpp.md, "Agency scope")


def _minutes(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 60.0


def _first_calls(session: Session, in_range: tuple[ColumnElement[bool], ...]) -> dict[int, datetime]:
    """Return when each ticket matching `in_range` was first called, by ticket id (never called: absent)."""
    return dict(session.execute(
        select(TicketEvent.ticket_id, func.min(TicketEvent.at))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*in_range, TicketEvent.kind == "called")
        .group_by(TicketEvent.ticket_id)
    ).all())


def _record(row: Any, called: datetime | None, prefix: dict[int, str], zone: ZoneInfo) -> TicketRecord:
    """One ticket row (and its first call) as the planner reads it."""
    walked = expired = None
    if row.status == "cancelled" and called is None:
        walked = _minutes(row.issued_at, row.finished_at)
    elif row.status == "expired" and called is None:
        # expiry runs after closing (often the next morning): the resident was gone by the day's end
        day_end = datetime.combine(row.service_day + timedelta(days=1), datetime.min.time(), zone)
        expired = _minutes(row.issued_at, min(row.finished_at or day_end, day_end))
    return TicketRecord(
        service=prefix.get(row.issued_service_id, "?"),
        final_service=prefix.get(row.service_id, "?"),
        day=row.service_day,
        weekday=WEEKDAYS[row.service_day.weekday()],
        hour=row.issued_at.astimezone(zone).hour,
        status=row.status,
        wait_minutes=_minutes(row.issued_at, called),
        service_minutes=_minutes(row.started_at, row.finished_at) if row.status == "done" else None,
        walked_away_minutes=walked,
        expired_minutes=expired,
        counter_minutes=_minutes(called, row.finished_at) if row.status in ("done", "no_show") else None,
    )


def load_history(session: Session, office_id: int, start: date, end: date, agency_id: int | None = None
                 ) -> OfficeHistory:
    """Read tickets of service days [start, end) of one office; with `agency_id`, of that agency's services only,
    and its counters (its own and those serving one of its services, with only its services listed)."""
    office = session.get(Office, office_id)
    if office is None:
        raise LookupError(f"office {office_id} not found")
    services = list(session.scalars(select(Service).where(Service.office_id == office_id,
                                                          in_agency(Service.id, agency_id))))
    prefix = {s.id: s.prefix for s in services}
    counters = {
        c.number: [s.prefix for s in c.services if s.id in prefix]
        for c in session.scalars(select(Counter).where(Counter.office_id == office_id, Counter.active.is_(True)))
        if agency_id is None or c.agency_id == agency_id or any(s.id in prefix for s in c.services)
    }
    history = OfficeHistory(
        office_id=office.id, slug=office.slug, name=office.name, timezone=office.timezone, hours=office.hours or {},
        target_wait_minutes=office.target_wait_minutes, last_ticket_minutes=office.last_ticket_minutes,
        services={s.prefix: (s.name_id, s.standard_minutes) for s in services}, counters=counters,
        start=start, end=end, closures=office.closures or {}, closed_days=office_days(session, office.id),
        agency_id=agency_id,
    )
    in_range = (Ticket.office_id == office_id, Ticket.service_day >= start, Ticket.service_day < end,
                in_agency(Ticket.service_id, agency_id))
    first_call = _first_calls(session, in_range)
    zone = ZoneInfo(office.timezone)
    rows = session.execute(
        select(Ticket.id, Ticket.issued_service_id, Ticket.service_id, Ticket.service_day, Ticket.issued_at,
               Ticket.status, Ticket.started_at, Ticket.finished_at)
        .where(*in_range).order_by(Ticket.issued_at)
    ).all()
    history.records.extend(_record(row, first_call.get(row.id), prefix, zone) for row in rows)
    history.open_days = open_days(history)
    return history


def open_days(history: OfficeHistory) -> list[date]:
    """Days of the window that teach about demand: not a closed day (a national holiday, cuti bersama, the
    office's own closure), with hours, with tickets."""
    week = parse_week(history.hours) if history.hours else {}
    closed = holidays_between(history.start, history.end, office_days=history.closed_days)
    busy = {r.day for r in history.records}
    days, day = [], history.start
    while day < history.end:
        if day not in closed and week.get(WEEKDAYS[day.weekday()]) and day in busy:
            days.append(day)
        day += timedelta(days=1)
    return days


def day_hours(hours: dict, weekday: str) -> tuple[list[int], list[float]]:
    """The clock hours spanning a weekday's opening and the share of each that is open."""
    intervals = parse_week(hours).get(weekday, []) if hours else []
    if not intervals:
        return [], []
    first = intervals[0][0].hour
    last = math.ceil(intervals[-1][1].hour + intervals[-1][1].minute / 60.0)
    clock = list(range(first, last))
    shares = []
    for h in clock:
        open_minutes = 0.0
        for a, b in intervals:
            lo = max(h * 60, a.hour * 60 + a.minute)
            hi = min((h + 1) * 60, b.hour * 60 + b.minute)
            open_minutes += max(0, hi - lo)
        shares.append(open_minutes / 60.0)
    return clock, shares


@dataclass
class OfficeEstimates:
    days_by_weekday: dict[str, int]
    arrivals: dict[tuple[str, str, int], forecast.RateEstimate]  # (service, weekday, hour)
    service_time: dict[str, forecast.ServiceTimeEstimate | None]
    patience: forecast.PatienceEstimate
    confidence: float
    # mean minutes a counter is taken per called resident (first call to finish, no-shows included), by
    # final service: what a counter can do in an hour, used by the backtest's model of past hours
    counter_minutes: dict[str, float] = field(default_factory=dict)

    def rate(self, service: str, weekday: str, hour: int) -> float:
        estimate = self.arrivals.get((service, weekday, hour))
        return estimate.rate if estimate else 0.0


def estimate(history: OfficeHistory, confidence: float = forecast.DEFAULT_CONFIDENCE, seed: int = 0,
             resamples: int = 400) -> OfficeEstimates:
    """Estimate arrivals, service times and patience, each with its interval."""
    days = set(history.open_days)
    by_weekday: dict[str, int] = defaultdict(int)
    for day in days:
        by_weekday[WEEKDAYS[day.weekday()]] += 1
    counts: dict[tuple[str, str, int], int] = defaultdict(int)
    minutes: dict[str, list[float]] = defaultdict(list)
    taken: dict[str, list[float]] = defaultdict(list)
    gone, stayed, expired = [], [], []
    no_shows = 0
    for r in history.records:
        if r.day not in days:
            continue
        counts[(r.service, r.weekday, r.hour)] += 1
        if r.service_minutes is not None:
            minutes[r.final_service].append(r.service_minutes)
        if r.counter_minutes is not None and r.counter_minutes >= 0:
            taken[r.final_service].append(r.counter_minutes)
        if r.walked_away_minutes is not None:
            gone.append(r.walked_away_minutes)
        elif r.expired_minutes is not None:
            expired.append(r.expired_minutes)
        elif r.status == "no_show":
            no_shows += 1
        elif r.wait_minutes is not None:
            stayed.append(r.wait_minutes)
    arrivals = {}
    for weekday, n_days in by_weekday.items():
        clock, _ = day_hours(history.hours, weekday)
        for service in history.services:
            for hour in clock:
                key = (service, weekday, hour)
                arrivals[key] = forecast.arrival_rate(counts.get(key, 0), n_days, confidence)
    service_time = {
        s: forecast.service_times(minutes.get(s, []), confidence, resamples=resamples, seed=seed)
        for s in history.services
    }
    return OfficeEstimates(
        days_by_weekday=dict(by_weekday), arrivals=arrivals, service_time=service_time,
        counter_minutes={s: sum(v) / len(v) for s, v in taken.items() if v},
        patience=forecast.patience(gone, stayed, confidence, expired_minutes=expired, no_shows=no_shows,
                                   longest_wait=max([*gone, *stayed, *expired], default=None)), confidence=confidence,
    )


def office_with_history(session: Session, office_ids: list[int], since: date) -> int | None:
    """Of `office_ids`, the office with services that issued the most tickets since `since` (None: none did).

    The planning pages open on it: a kecamatan office with no services of its own has nothing to plan.
    """
    if not office_ids:
        return None
    with_services = set(session.scalars(select(Service.office_id).where(Service.office_id.in_(office_ids))))
    counts = dict(session.execute(
        select(Ticket.office_id, func.count()).where(Ticket.office_id.in_(office_ids), Ticket.service_day >= since)
        .group_by(Ticket.office_id)
    ).all())
    ranked = sorted((o for o in office_ids if o in with_services),
                    key=lambda o: (-counts.get(o, 0), office_ids.index(o)))
    return ranked[0] if ranked else None
