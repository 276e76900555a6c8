"""Write small ticket histories straight into the tables, with the events the real use cases log.

`add_ticket` writes one ticket with exact times (for estimates with known answers); `office_days`
runs a plain first-come first-served office with a given number of clerks per hour and writes what
happened, so waits in the log come from a real queue (for the backtest and the pages).
"""

from __future__ import annotations

import heapq
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from ptsp.models import Counter, CounterSession, Office, Service, Staff, Ticket, TicketEvent

_numbers: dict[tuple[int, int, date], int] = defaultdict(int)


def local(day: date, hour: int, minute: float = 0.0, zone: str = "Asia/Jakarta") -> datetime:
    """An aware instant at a local wall-clock time (minute may carry seconds as a fraction)."""
    return datetime.combine(day, datetime.min.time(), ZoneInfo(zone)) + timedelta(hours=hour, minutes=minute)


def _event(session, ticket: Ticket, kind: str, at: datetime, counter_id=None, staff_id=None) -> None:
    session.add(TicketEvent(ticket_id=ticket.id, office_id=ticket.office_id, kind=kind, at=at,
                            counter_id=counter_id, staff_id=staff_id, data={}))


def add_ticket(session, office_id: int, service_id: int, issued_at: datetime, *, wait: float | None = None,
               service: float | None = None, status: str = "done", counter_id: int | None = None,
               staff_id: int | None = None, cancel_after: float | None = None) -> Ticket:
    """One ticket: issued, then called after `wait` minutes and served for `service` minutes.

    status "done" needs wait and service; "no_show" needs wait; "cancelled" needs cancel_after.
    """
    office = session.get(Office, office_id)
    day = issued_at.astimezone(ZoneInfo(office.timezone)).date()
    prefix = session.get(Service, service_id).prefix
    key = (office_id, service_id, day)
    _numbers[key] += 1
    number = _numbers[key]
    ticket = Ticket(office_id=office_id, service_id=service_id, issued_service_id=service_id, service_day=day,
                    number=number, code=f"{prefix}{number:03d}", status=status, issued_at=issued_at,
                    queued_at=issued_at, public_token=secrets.token_urlsafe(18))
    session.add(ticket)
    session.flush()
    _event(session, ticket, "issued", issued_at)
    if status == "cancelled":
        ticket.finished_at = issued_at + timedelta(minutes=cancel_after)
        _event(session, ticket, "cancelled", ticket.finished_at)
        return ticket
    if wait is None:
        return ticket
    called = issued_at + timedelta(minutes=wait)
    ticket.called_at, ticket.counter_id, ticket.clerk_id, ticket.call_count = called, counter_id, staff_id, 1
    _event(session, ticket, "called", called, counter_id, staff_id)
    if status == "no_show":
        ticket.finished_at = called + timedelta(minutes=3)
        _event(session, ticket, "no_show", ticket.finished_at, counter_id, staff_id)
        return ticket
    if status == "done":
        ticket.started_at = called + timedelta(seconds=30)
        ticket.finished_at = ticket.started_at + timedelta(minutes=service)
        ticket.outcome = "selesai"
        _event(session, ticket, "started", ticket.started_at, counter_id, staff_id)
        _event(session, ticket, "completed", ticket.finished_at, counter_id, staff_id)
    return ticket


def office_days(session, office_slug: str, days: list[date], rate: Callable[[str, int, str], float],
                minutes: dict[str, float], clerks: Callable[[int, str], int], seed: int = 7,
                open_hours: range = range(8, 16), closed: frozenset[int] = frozenset({12}),
                patience: float | None = None, fit_before_break: bool = False) -> int:
    """Run a first-come first-served office over `days` and write its tickets; return how many.

    `rate(prefix, hour, weekday)` is arrivals per hour; service times are exponential with the given
    mean minutes; `clerks(hour, weekday)` clerks work each open hour. Each clerk's counter session
    is written too, so the backtest can see who was at the counters. With `patience` (a mean in
    minutes) a resident whose wait would outlast an exponential patience walks away before being
    called: the ticket is cancelled at that moment and the clerk calls the next resident instead.
    With `fit_before_break` a clerk does not start a service that would run into a break or past
    the end of their stretch (the demo's and the offices' rule): that clerk idles to the end of the
    stretch and the resident goes to the next clerk free.
    """
    from ptsp.domain.hours import WEEKDAYS

    rng = np.random.default_rng(seed)
    office = session.scalar(select(Office).where(Office.slug == office_slug))
    services = {s.prefix: s for s in session.scalars(select(Service).where(Service.office_id == office.id))}
    counters = list(session.scalars(select(Counter).where(Counter.office_id == office.id).order_by(Counter.number)))
    staff = list(session.scalars(select(Staff).where(Staff.office_id == office.id, Staff.role == "clerk")))
    written = 0
    for day in days:
        weekday = WEEKDAYS[day.weekday()]
        arrivals = []
        for hour in range(open_hours.start, open_hours.stop):
            for prefix in sorted(minutes):
                n = rng.poisson(rate(prefix, hour, weekday))
                for t in sorted(rng.uniform(0, 60, n)):
                    arrivals.append((hour * 60 + float(t), prefix))
        arrivals.sort()
        # Each clerk is free from a minute on; a clerk works only in hours where they are rostered.
        free = [(open_hours.start * 60.0, c) for c in range(max(len(counters), 1))]
        heapq.heapify(free)
        for c in range(len(free)):
            for hour in open_hours:
                if hour in closed or c >= clerks(hour, weekday):
                    continue
                session.add(CounterSession(
                    counter_id=counters[c % len(counters)].id, office_id=office.id, staff_id=staff[c % len(staff)].id,
                    state="open", started_at=local(day, hour, 0, office.timezone),
                    ended_at=local(day, hour + 1, 0, office.timezone)))
        for at, prefix in arrivals:
            start, c = heapq.heappop(free)
            service = float(rng.exponential(minutes[prefix])) if fit_before_break else None
            start = max(start, at)
            while True:
                hour = int(start // 60)
                if hour >= open_hours.stop:
                    break
                if hour in closed or c >= clerks(hour, weekday):
                    start = (hour + 1) * 60.0
                    continue
                if service is not None:
                    after = hour + 1
                    while after < open_hours.stop and after not in closed and c < clerks(after, weekday):
                        after += 1
                    if start + 0.5 + service > after * 60.0:
                        # this clerk idles to the end of the stretch; the next free clerk is asked
                        heapq.heappush(free, (after * 60.0, c))
                        start, c = heapq.heappop(free)
                        start = max(start, at)
                        continue
                break
            if hour >= open_hours.stop:
                heapq.heappush(free, (start, c))
                add_ticket(session, office.id, services[prefix].id, local(day, 0, at, office.timezone),
                           status="expired")
                written += 1
                continue
            if patience is not None:
                gives_up = float(rng.exponential(patience))
                if start - at > gives_up:
                    add_ticket(session, office.id, services[prefix].id, local(day, 0, at, office.timezone),
                               status="cancelled", cancel_after=gives_up)
                    heapq.heappush(free, (start, c))
                    written += 1
                    continue
            if service is None:
                service = float(rng.exponential(minutes[prefix]))
            add_ticket(session, office.id, services[prefix].id, local(day, 0, at, office.timezone),
                       wait=start - at, service=service, counter_id=counters[c % len(counters)].id,
                       staff_id=staff[c % len(staff)].id)
            heapq.heappush(free, (start + 0.5 + service, c))
            written += 1
    session.flush()
    return written
