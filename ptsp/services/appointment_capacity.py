"""Each slot's capacity from the office's plan (docs/appointments.md, "Slot capacity").

The plan is the one the manager's planning pages show (`ptsp.analytics.plan_basics.plan_weekdays`): from the
last `HISTORY_DAYS` days it forecasts each service's arrivals per weekday and clock hour and staffs each pool
of services (counters that share services) hour by hour. A service gets the part of its pool's clerks that its
own expected work is of the pool's (an equal part when the pool expects none); what those clerks can serve in
an hour, less the walk-ins expected, is what bookings may take (`ptsp.domain.appointments`).

Planning reads weeks of history, so one office's hour plans are kept per process for `CACHE_SECONDS`, keyed
by the office's day and a fingerprint of its tickets and services (at most `CACHE_ENTRIES` office-days): a new
service or counter change shows at once, new history within the cache time.
"""

from __future__ import annotations

import time as clock
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..analytics.history import estimate, load_history
from ..analytics.plan_basics import plan_weekdays
from ..domain.appointments import HourPlan
from ..domain.hours import WEEKDAYS
from ..domain.staffing_plan import StaffingTarget, service_pools
from ..models import Office, Ticket

HISTORY_DAYS = 56
CACHE_SECONDS = 600.0
CACHE_ENTRIES = 256  # office-days kept at once; the oldest goes first
Plans = dict[str, dict[str, dict[int, HourPlan]]]  # weekday -> service prefix -> clock hour -> plan
_cache: dict[tuple[object, ...], tuple[float, Plans]] = {}


def _fingerprint(session: Session, office: Office, today: date) -> tuple[object, ...]:
    start = today - timedelta(days=HISTORY_DAYS)
    count, last = session.execute(select(func.count(), func.max(Ticket.id)).where(
        Ticket.office_id == office.id, Ticket.service_day >= start, Ticket.service_day < today)).one()
    services = tuple((s.prefix, s.standard_minutes, s.active) for s in office.services)
    counters = tuple((c.number, tuple(s.prefix for s in c.services)) for c in office.counters)
    hours = repr(sorted(office.hours.items())) if office.hours else ""
    return (str(session.get_bind().engine.url), office.id, today, count, last, services, counters, hours)


def hour_plans(session: Session, office: Office, today: date) -> Plans:
    """Per weekday, service and clock hour: the clerks the plan gives the service and its expected walk-ins."""
    key = _fingerprint(session, office, today)
    found = _cache.get(key)
    if found is not None and clock.monotonic() - found[0] < CACHE_SECONDS:
        return found[1]
    plans = _plan(session, office, today)
    _cache.pop(key, None)
    while len(_cache) >= CACHE_ENTRIES:
        del _cache[next(iter(_cache))]  # dicts keep insertion order: the oldest entry
    _cache[key] = (clock.monotonic(), plans)
    return plans


def _plan(session: Session, office: Office, today: date) -> Plans:
    history = load_history(session, office.id, today - timedelta(days=HISTORY_DAYS), today)
    estimates = estimate(history, seed=1, resamples=50)
    pools = service_pools(history.counters, history.services)
    target = StaffingTarget(target_minutes=history.target_wait_minutes)
    plans: Plans = {}
    for weekday, day_plan in plan_weekdays(history, estimates, pools, target).items():
        by_service: dict[str, dict[int, HourPlan]] = {d.service: {} for d in day_plan.demands}
        for i, need in enumerate(day_plan.need):
            for pool_hour in need.pools:
                members = [d for d in day_plan.demands if d.service in pools[pool_hour.pool]]
                work = {d.service: d.arrivals[i] * d.service_minutes for d in members}
                total = sum(work.values())
                for d in members:
                    part = work[d.service] / total if total > 0 else 1.0 / len(members)
                    by_service[d.service][need.hour] = HourPlan(pool_hour.clerks * part, d.arrivals[i])
        plans[weekday] = by_service
    for weekday in WEEKDAYS:
        plans.setdefault(weekday, {})
    return plans
