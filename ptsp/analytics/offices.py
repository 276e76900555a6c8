"""Offices that serve too few: residents per open hour and per clerk-hour, in funnel plots; pooling two offices.

Residents are tickets served to completion (`done`) on service days in the
period. Open hours are the office's opening intervals on each day of the
period, its closed days excluded (national holidays, cuti bersama, its own
closure days: `domain/office_calendar.py`). Clerk-hours are the time its
counters were open (breaks excluded). Both are exposures for a Poisson count
(domain.funnel); an office is flagged only when its count falls below the
funnel at its exposure, never by its place in a ranking.

Pooling: the clerks two offices need separately, hour by hour of an average
open day, against the clerks one office serving both loads would need
(Erlang C, `required_clerks`, at the stricter office target: 80% called
within `target_wait_minutes`). Shared servers are more efficient, so the
sum is never smaller; the difference is the saving.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import funnel as funnel_rules
from ..domain.intervals import intersect, minutes
from ..domain.staffing_calculator import required_clerks
from ..models import CounterSession, Office, Service, Ticket
from ..services.office_calendar import closed_days
from .timeline import local_day_bounds, open_spans

TARGET_LEVEL = 0.8


@dataclass
class OfficeLoad:
    office: Office
    residents: int
    open_hours: float
    clerk_hours: float
    open_days: int
    service_minutes: float
    arrivals_by_hour: dict[int, float] = field(default_factory=dict)  # local hour -> mean arrivals per open day


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def office_load(session: Session, office: Office, first_day: date, last_day: date, now: datetime) -> OfficeLoad:
    """Measure one office over the local days [first_day, last_day], up to `now`."""
    off = closed_days(session, office.id, first_day, last_day + timedelta(days=1))
    # Days before the office's first ticket are days it was not yet on PTSP, not days it served nobody.
    started = session.scalar(select(func.min(Ticket.service_day)).where(Ticket.office_id == office.id))
    first_day = max(first_day, started) if started else first_day
    open_hours, open_days = 0.0, 0
    hour_days: dict[int, int] = defaultdict(int)
    for day in _days(first_day, last_day):
        if day in off:
            continue
        spans = [(a, min(b, now)) for a, b in open_spans(office, day) if a < now]
        if not spans:
            continue
        open_days += 1
        open_hours += minutes(spans) / 60
        tz = ZoneInfo(office.timezone)
        for a, b in spans:
            hour = a.astimezone(tz).replace(minute=0, second=0, microsecond=0)
            while hour < b:
                hour_days[hour.hour] += 1
                hour += timedelta(hours=1)
    start, _ = local_day_bounds(first_day, office.timezone)
    _, end = local_day_bounds(last_day, office.timezone)
    end = min(end, now)
    residents = session.scalar(select(func.count()).select_from(Ticket).where(
        Ticket.office_id == office.id, Ticket.status == "done",
        Ticket.service_day >= first_day, Ticket.service_day <= last_day)) or 0
    sessions = session.execute(select(CounterSession.started_at, CounterSession.ended_at).where(
        CounterSession.office_id == office.id, CounterSession.state == "open",
        CounterSession.started_at < end,
        (CounterSession.ended_at.is_(None)) | (CounterSession.ended_at > start)))
    clerk_hours = sum(minutes(intersect([(a, b or end)], [(start, end)])) for a, b in sessions) / 60
    served = [(a, b) for a, b in session.execute(select(Ticket.started_at, Ticket.finished_at).where(
        Ticket.office_id == office.id, Ticket.status == "done", Ticket.started_at.is_not(None),
        Ticket.service_day >= first_day, Ticket.service_day <= last_day)) if a is not None and b is not None]
    if served:
        service_minutes = sum((b - a).total_seconds() for a, b in served) / 60 / len(served)
    else:
        standard = session.scalars(select(Service.standard_minutes).where(Service.office_id == office.id)).all()
        service_minutes = sum(standard) / len(standard) if standard else 10.0
    arrivals: dict[int, int] = defaultdict(int)
    tz = ZoneInfo(office.timezone)
    for (issued,) in session.execute(select(Ticket.issued_at).where(
            Ticket.office_id == office.id, Ticket.service_day >= first_day, Ticket.service_day <= last_day)):
        arrivals[issued.astimezone(tz).hour] += 1
    by_hour = {h: arrivals.get(h, 0) / days for h, days in sorted(hour_days.items())}
    return OfficeLoad(office, residents, round(open_hours, 3), round(clerk_hours, 3), open_days,
                      max(service_minutes, 0.5), by_hour)


def has_hours(office: Office) -> bool:
    """Tell whether an office has any opening hours (a kecamatan may only supervise)."""
    return any(office.hours.get(day) for day in office.hours or {})


def _funnel(loads: list[OfficeLoad], exposure: str) -> dict[str, Any]:
    pooled, points = funnel_rules.funnel([(ld.office.id, ld.residents, getattr(ld, exposure)) for ld in loads])
    names = {ld.office.id: ld.office.name for ld in loads}
    widest = max((p.exposure for p in points), default=0.0)
    tau2 = next((p.limits.tau2 for p in points if p.limits is not None), 0.0)
    return {
        "pooled_rate": pooled,
        "tau": math.sqrt(tau2),
        "points": [{"office": p.key, "office_name": names[p.key], "residents": p.count, "exposure": p.exposure,
                    "rate": p.rate, "expected": p.expected, "flag": p.flag} for p in points],
        "curve": [{"exposure": c.exposure, **{f"lower_{lv}": c.lower[lv] for lv in funnel_rules.LEVELS},
                   **{f"upper_{lv}": c.upper[lv] for lv in funnel_rules.LEVELS}}
                  for c in funnel_rules.curve(pooled, widest * 1.1, start=widest * 0.04, tau2=tau2)],
    }


def _clerks(arrivals: float, service_minutes: float, target_minutes: float) -> int:
    if arrivals <= 0:
        return 0
    return required_clerks(arrivals, service_minutes, target_minutes, TARGET_LEVEL).clerks


def pooling(a: OfficeLoad, b: OfficeLoad) -> dict[str, Any]:
    """Clerks needed apart and together, hour by hour of an average open day."""
    target = float(min(a.office.target_wait_minutes, b.office.target_wait_minutes))
    hours = []
    for hour in sorted(set(a.arrivals_by_hour) | set(b.arrivals_by_hour)):
        la, lb = a.arrivals_by_hour.get(hour, 0.0), b.arrivals_by_hour.get(hour, 0.0)
        both = la + lb
        mixed = (la * a.service_minutes + lb * b.service_minutes) / both if both else 0.0
        apart = _clerks(la, a.service_minutes, target) + _clerks(lb, b.service_minutes, target)
        hours.append({"hour": hour, "arrivals": round(both, 2), "apart": apart,
                      "together": _clerks(both, mixed, target) if both else 0})
    apart_hours = sum(h["apart"] for h in hours)
    together_hours = sum(h["together"] for h in hours)
    return {
        "offices": [a.office.id, b.office.id], "names": [a.office.name, b.office.name],
        "target_minutes": target, "target_level": TARGET_LEVEL, "hours": hours,
        "clerk_hours_apart": apart_hours, "clerk_hours_together": together_hours,
        "clerk_hours_saved": apart_hours - together_hours,
        "peak_apart": max((h["apart"] for h in hours), default=0),
        "peak_together": max((h["together"] for h in hours), default=0),
    }


def report(session: Session, offices: list[Office], first_day: date, last_day: date, now: datetime,
           pair: tuple[int, int] | None = None) -> dict[str, Any]:
    """Funnels per open hour and per clerk-hour, and pooling estimates for candidate pairs."""
    loads = [office_load(session, o, first_day, last_day, now) for o in offices if has_hours(o)]
    per_open = _funnel(loads, "open_hours")
    per_clerk = _funnel(loads, "clerk_hours")
    low = {p["office"] for f in (per_open, per_clerk) for p in f["points"] if p["flag"].startswith("low")}
    by_id = {ld.office.id: ld for ld in loads}
    if pair is not None:
        candidates = [pair] if all(i in by_id for i in pair) and pair[0] != pair[1] else []
    else:
        candidates = [(x.office.id, y.office.id) for i, x in enumerate(loads) for y in loads[i + 1:]
                      if x.office.parent_id == y.office.parent_id and (x.office.id in low or y.office.id in low)]
    pools = sorted((pooling(by_id[x], by_id[y]) for x, y in candidates[:30]),
                   key=lambda p: -p["clerk_hours_saved"])
    return {
        "offices": [{"office": ld.office.id, "office_name": ld.office.name, "residents": ld.residents,
                     "open_hours": ld.open_hours, "clerk_hours": ld.clerk_hours, "open_days": ld.open_days,
                     "per_open_hour": ld.residents / ld.open_hours if ld.open_hours else None,
                     "per_clerk_hour": ld.residents / ld.clerk_hours if ld.clerk_hours else None,
                     "service_minutes": round(ld.service_minutes, 2)} for ld in loads],
        "per_open_hour": per_open, "per_clerk_hour": per_clerk, "low": sorted(low), "pooling": pools[:10],
    }
