"""The manager charts over a range of local dates: arrivals by hour, waiting times, service times by service."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
from babel.dates import get_day_names
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.hours import local_now
from ..i18n import current_language
from ..models import Office, Service, Ticket
from .bookings import no_show_rate
from .dashboard import first_calls, service_name
from .filters import in_agency

WAIT_BINS = (0, 5, 10, 15, 20, 30, 45, 60)  # minutes; the last bin is open-ended


def weekday_name(weekday: int) -> str:
    """The weekday's name (0 = Monday) in the request's language, from Babel's locale data (CLDR)."""
    return str(get_day_names("wide", locale=current_language())[weekday])


def arrivals_by_hour(session: Session, offices: list[Office], first: date, last: date, agency_id: int | None = None
                     ) -> dict[str, Any]:
    """Mean tickets issued per local hour on an open day, for each weekday and over all days.

    An open day is an (office, date) with at least one ticket; the mean divides by those days, so a
    closed holiday does not pull a weekday down.
    """
    zones = {o.id: o.timezone for o in offices}
    rows = session.execute(
        select(Ticket.office_id, Ticket.service_day, Ticket.issued_at)
        .where(Ticket.office_id.in_(zones), Ticket.service_day >= first, Ticket.service_day <= last,
               in_agency(Ticket.service_id, agency_id))
    )
    counts: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(24))
    open_days: dict[int, set[tuple[int, date]]] = defaultdict(set)
    for office_id, day, issued_at in rows:
        weekday = day.weekday()
        counts[weekday][local_now(issued_at, zones[office_id]).hour] += 1
        open_days[weekday].add((office_id, day))
    days_total = sum(len(d) for d in open_days.values())
    all_counts = sum(counts.values(), np.zeros(24))
    used = [h for h in range(24) if all_counts[h] > 0]
    hours = list(range(min(used), max(used) + 1)) if used else []

    def mean(values: np.ndarray, days: int) -> list[float]:
        return [round(float(values[h]) / days, 2) if days else 0.0 for h in hours]

    return {
        "hours": hours,
        "all_days": mean(all_counts, days_total),
        "open_days": days_total,
        "weekdays": [
            {"weekday": w, "label": weekday_name(w),
             "open_days": len(open_days[w]), "mean": mean(counts[w], len(open_days[w]))}
            for w in sorted(counts)
        ],
    }


def waiting_times(session: Session, offices: list[Office], first: date, last: date, agency_id: int | None = None
                  ) -> dict[str, Any]:
    """Distribution of minutes from issue to first call; tickets never called are counted apart."""
    ids = [o.id for o in offices]
    calls = first_calls(ids)
    rows = session.execute(
        select(Ticket.issued_at, calls.c.first_call, Ticket.office_id)
        .outerjoin(calls, calls.c.ticket_id == Ticket.id)
        .where(Ticket.office_id.in_(ids), Ticket.service_day >= first, Ticket.service_day <= last,
               in_agency(Ticket.service_id, agency_id))
    )
    targets = {o.id: o.target_wait_minutes for o in offices}
    waits, within, never = [], 0, 0
    for issued_at, first_call, office_id in rows:
        if first_call is None:
            never += 1
            continue
        minutes = (first_call - issued_at).total_seconds() / 60
        waits.append(minutes)
        within += minutes <= targets[office_id]
    edges = [*WAIT_BINS, float("inf")]
    counts = np.histogram(waits, bins=edges)[0] if waits else np.zeros(len(WAIT_BINS), dtype=int)
    labels = [f"{a}–{b}" for a, b in zip(WAIT_BINS, WAIT_BINS[1:], strict=False)] + [f"≥ {WAIT_BINS[-1]}"]
    return {
        "bins": labels,
        "counts": [int(c) for c in counts],
        "called": len(waits),
        "never_called": never,
        "within_target": within,
        "median_minutes": round(float(np.median(waits)), 1) if waits else None,
        "p90_minutes": round(float(np.percentile(waits, 90)), 1) if waits else None,
    }


def service_times(session: Session, offices: list[Office], first: date, last: date, agency_id: int | None = None
                  ) -> list[dict[str, Any]]:
    """Minutes from start to completion of completed tickets, per service (the service that completed them)."""
    ids = [o.id for o in offices]
    rows = session.execute(
        select(Ticket.service_id, Ticket.started_at, Ticket.finished_at)
        .where(Ticket.office_id.in_(ids), Ticket.service_day >= first, Ticket.service_day <= last,
               Ticket.status == "done", Ticket.started_at.is_not(None), in_agency(Ticket.service_id, agency_id))
    )
    durations: dict[int, list[float]] = defaultdict(list)
    for service_id, started_at, finished_at in rows:
        if started_at is not None and finished_at is not None:
            durations[service_id].append((finished_at - started_at).total_seconds() / 60)
    names = {o.id: o.name for o in offices}
    services = list(session.scalars(select(Service).where(Service.office_id.in_(ids), in_agency(Service.id, agency_id))
                                    .order_by(Service.office_id, Service.prefix)))
    several = len({s.office_id for s in services}) > 1
    result = []
    for service in services:
        values = durations.get(service.id, [])
        label = f"{service.prefix} · {service_name(service)}"
        result.append({
            "service": service.id, "prefix": service.prefix,
            "label": f"{label} ({names[service.office_id]})" if several else label,
            "standard_minutes": service.standard_minutes, "count": len(values),
            "mean_minutes": round(float(np.mean(values)), 1) if values else None,
            "median_minutes": round(float(np.median(values)), 1) if values else None,
            "p90_minutes": round(float(np.percentile(values, 90)), 1) if values else None,
        })
    return [r for r in result if r["count"] or not several]


def chart_data(session: Session, offices: list[Office], first: date, last: date, agency_id: int | None = None,
               now: datetime | None = None) -> dict[str, Any]:
    """All three charts for the chosen offices (and agency, when one) and local dates (inclusive), and the
    booking no-show rate of those days (a booking still open at `now` is pending; without `now`, the end of
    `last`, UTC)."""
    at = now or datetime.combine(last + timedelta(days=1), time.min, UTC)
    return {
        "bookings": no_show_rate(session, offices, first, last, at, agency_id),
        "from": first.isoformat(), "to": last.isoformat(), "offices": [o.id for o in offices], "agency": agency_id,
        "arrivals": arrivals_by_hour(session, offices, first, last, agency_id),
        "waits": waiting_times(session, offices, first, last, agency_id),
        "service_times": service_times(session, offices, first, last, agency_id),
    }
