"""The backtest: each past hour predicted from what actually happened, next to the plan's counterfactual.

See docs/planning.md "Backtest". The last `PlanSettings.backtest_days` of the history (at most the
later half of the days with tickets) are run through the model of past hours
(`ptsp.domain.past_hours`) with their actual arrivals and the counter sessions actually open; the
estimates and the plan's counterfactual come from the history before those days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ..domain.hours import WEEKDAYS, parse_week
from ..domain.past_hours import HourPrediction, PastHour, calling_counters, predict_day
from ..domain.staffing_plan import HourNeed, StaffingTarget
from ..models import Counter, CounterSession
from .history import OfficeEstimates, OfficeHistory, TicketRecord, estimate, load_history
from .plan_basics import PlanSettings, plan_weekdays, predict_hour, service_cv, service_minutes


@dataclass
class BacktestHour:
    """One past open hour: what happened, what the model said from what happened, what the plan said.

    `model_*` is the queueing model run on the hour's actual arrivals and the counters actually open
    (`ptsp.domain.past_hours`): its difference from `actual_*` is the model's error. `plan_*` is the
    counterfactual "had we staffed as planned" (the plan's forecast arrivals and clerks), which is not
    comparable with what happened and is shown beside it, labelled as such.
    """

    day: date
    hour: int
    forecast_arrivals: float
    actual_arrivals: int
    planned_clerks: int
    actual_clerks: float
    plan_wait: float
    plan_level: float
    model_wait: float | None
    model_level: float | None
    actual_wait: float | None
    actual_level: float | None
    called: int = 0  # residents of the hour who were called (the actual figures are theirs)


@dataclass(frozen=True)
class BacktestError:
    """Mean absolute error of the model over past hours (only hours with called residents count)."""

    hour: int | None  # None: all hours of the office
    hours: int
    mean_wait_mae: float | None
    service_level_mae: float | None
    mean_wait_bias: float | None  # model minus actual, on average
    actual_wait: float | None
    model_wait: float | None
    plan_wait: float | None


def backtest_errors(rows: list[BacktestHour]) -> list[BacktestError]:
    """The model's error per hour of day, then over all hours (the last element, hour None)."""
    usable = [r for r in rows if r.actual_wait is not None and r.model_wait is not None]
    groups: dict[int | None, list[BacktestHour]] = defaultdict(list)
    for r in usable:
        groups[r.hour].append(r)
    groups[None] = usable

    def mean(values: list[float]) -> float | None:
        return sum(values) / len(values) if values else None

    result = []
    for hour in [*sorted(h for h in groups if h is not None), None]:
        chosen = groups[hour]
        waits = [(r.model_wait, r.actual_wait) for r in chosen
                 if r.model_wait is not None and r.actual_wait is not None]
        levels = [(r.model_level, r.actual_level) for r in chosen
                  if r.model_level is not None and r.actual_level is not None]
        result.append(BacktestError(
            hour=hour, hours=len(chosen),
            mean_wait_mae=mean([abs(m - a) for m, a in waits]),
            service_level_mae=mean([abs(m - a) for m, a in levels]),
            mean_wait_bias=mean([m - a for m, a in waits]),
            actual_wait=mean([a for _, a in waits]),
            model_wait=mean([m for m, _ in waits]),
            plan_wait=mean([r.plan_wait for r in chosen if math.isfinite(r.plan_wait)]),
        ))
    return result


def _of_history(history: OfficeHistory) -> list[ColumnElement[bool]]:
    """Counter sessions at the history's counters only, when it is one agency's (all counters otherwise)."""
    return [] if history.agency_id is None else [Counter.number.in_(list(history.counters))]


def _open_stretches(session: Session, history: OfficeHistory, start: date, end: date
                    ) -> dict[date, list[tuple[float, float, int]]]:
    """Counter sessions in state open (so not on break) per local day: (start, end) in minutes of the day,
    counter number."""
    zone = ZoneInfo(history.timezone)
    lo = datetime.combine(start, datetime.min.time(), zone)
    hi = datetime.combine(end, datetime.min.time(), zone)
    found: dict[date, list[tuple[float, float, int]]] = defaultdict(list)
    for began, ended, number in session.execute(
        select(CounterSession.started_at, CounterSession.ended_at, Counter.number)
        .join(Counter, Counter.id == CounterSession.counter_id)
        .where(CounterSession.office_id == history.office_id, CounterSession.state == "open",
               CounterSession.started_at < hi, *_of_history(history))
    ).all():
        a = max(began.astimezone(zone), lo)
        b = min((ended or hi).astimezone(zone), hi)
        if a >= b:
            continue
        midnight = datetime.combine(a.date(), datetime.min.time(), zone)
        found[a.date()].append(((a - midnight).total_seconds() / 60, (b - midnight).total_seconds() / 60, number))
    # sessions of one counter that follow each other (a new clerk, a reconnect) are one open stretch
    merged: dict[date, list[tuple[float, float, int]]] = {}
    for day, items in found.items():
        joined: list[tuple[float, float, int]] = []
        for a_min, b_min, number in sorted(items, key=lambda item: (item[2], item[0])):
            if joined and joined[-1][2] == number and a_min <= joined[-1][1] + 1.0:
                joined[-1] = (joined[-1][0], max(joined[-1][1], b_min), number)
            else:
                joined.append((a_min, b_min, number))
        merged[day] = joined
    return merged


def _staffed_hours(session: Session, history: OfficeHistory, start: date, end: date
                   ) -> dict[tuple[date, int, int], float]:
    """Mean number of counters open (state open, so not on break) in each local clock hour, by counter number."""
    zone = ZoneInfo(history.timezone)
    lo = datetime.combine(start, datetime.min.time(), zone)
    hi = datetime.combine(end, datetime.min.time(), zone)
    sessions = session.execute(
        select(CounterSession.started_at, CounterSession.ended_at, Counter.number)
        .join(Counter, Counter.id == CounterSession.counter_id)
        .where(
            CounterSession.office_id == history.office_id, CounterSession.state == "open",
            CounterSession.started_at < hi, *_of_history(history),
        )
    ).all()
    staffed: dict[tuple[date, int, int], float] = defaultdict(float)
    for began, ended, number in sessions:
        a = max(began.astimezone(zone), lo)
        b = min((ended or hi).astimezone(zone), hi)
        while a < b:
            slot_end = a.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            part = min(b, slot_end) - a
            staffed[(a.date(), a.hour, number)] += part.total_seconds() / 3600.0
            a = min(b, slot_end)
    return staffed


def _open_minutes(hours: dict, weekday: str, first: int, minutes: int) -> list[bool]:
    """For each minute from `first` (minute of the day), whether the office's hours have it open."""
    mask = [False] * minutes
    for a, b in parse_week(hours).get(weekday, []) if hours else []:
        for m in range(max(a.hour * 60 + a.minute - first, 0), min(b.hour * 60 + b.minute - first, minutes)):
            mask[m] = True
    return mask


def _pool_of_counters(history: OfficeHistory, pools: list[frozenset[str]]) -> dict[int, int]:
    """Counter number -> index of the pool its services belong to (a counter with no service: none)."""
    found = {}
    for number, prefixes in history.counters.items():
        for i, pool in enumerate(pools):
            if pool & set(prefixes):
                found[number] = i
                break
    return found


def _past_pool_hours(tickets: dict[int, list[TicketRecord]], counters: dict[int, float], hours: list[int],
                     pool: frozenset[str], estimates: OfficeEstimates, history: OfficeHistory) -> list[PastHour]:
    """One pool's day as it happened: arrivals of its services, its counters open, the service mix."""
    result = []
    for hour in hours:
        mine = [r for r in tickets.get(hour, []) if r.service in pool]
        counts: dict[str, int] = defaultdict(int)
        for r in mine:
            counts[r.service] += 1
        weights = counts or {s: 1 for s in pool}
        total = sum(weights.values())
        means = {s: estimates.counter_minutes.get(s) or service_minutes(history, estimates, s) for s in weights}
        mean_s = sum(weights[s] * means[s] for s in weights) / total
        second = sum(weights[s] * means[s] ** 2 * (1 + service_cv(estimates, s) ** 2) for s in weights) / total
        result.append(PastHour(hour, float(len(mine)), counters.get(hour, 0.0), mean_s,
                               max(second / mean_s**2 - 1.0, 0.0) if mean_s > 0 else 1.0))
    return result


@dataclass
class _Past:
    """What the backtest knows of the checked days, and what it learned before them."""

    history: OfficeHistory
    earlier: OfficeHistory
    learned: OfficeEstimates
    pools: list[frozenset[str]]
    target: StaffingTarget
    staffed: dict[tuple[date, int, int], float]
    stretches: dict[date, list[tuple[float, float, int]]]
    counter_pool: dict[int, int]
    actual: dict[date, dict[int, list[TicketRecord]]]

    @property
    def patience(self) -> float | None:
        return self.learned.patience.mean if self.learned.patience.estimable else None


def _model_day(past: _Past, day: date, hours: list[int]) -> tuple[dict[int, list[HourPrediction]], dict[int, float]]:
    """The model's predictions of each hour of one day, by pool, and the counters open per hour."""
    by_pool: list[dict[int, float]] = [defaultdict(float) for _ in past.pools]
    clerks_at: dict[int, float] = defaultdict(float)
    for (when, hour, number), share in past.staffed.items():
        if when == day:
            clerks_at[hour] += share
            if number in past.counter_pool:
                by_pool[past.counter_pool[number]][hour] += share
    predicted: dict[int, list[HourPrediction]] = defaultdict(list)
    first = hours[0] * 60
    open_mask = _open_minutes(past.history.hours, WEEKDAYS[day.weekday()], first, 60 * len(hours))
    for i, pool in enumerate(past.pools):
        pool_hours = _past_pool_hours(past.actual[day], by_pool[i], hours, pool, past.learned, past.earlier)
        came = sum(h.arrivals for h in pool_hours)
        mean_s = (sum(h.arrivals * h.service_minutes for h in pool_hours) / came if came
                  else pool_hours[0].service_minutes)
        calling = calling_counters(first, 60 * len(hours), [
            (a, b) for a, b, number in past.stretches.get(day, []) if past.counter_pool.get(number) == i], mean_s)
        for found in predict_day(pool_hours, past.target.target_minutes, past.patience, calling, open_mask):
            predicted[found.hour].append(found)
    return predicted, clerks_at


def _row(day: date, need: HourNeed, tickets: list[TicketRecord], predicted: list[HourPrediction],
         clerks: float, target: StaffingTarget) -> BacktestHour:
    level, wait = predict_hour(need, need.clerks, target)
    waits = [r.wait_minutes for r in tickets if r.wait_minutes is not None]
    model = [p for p in predicted if p.arrivals > 0]
    came = sum(p.arrivals for p in model)
    return BacktestHour(
        day=day, hour=need.hour, forecast_arrivals=need.arrivals, actual_arrivals=len(tickets),
        planned_clerks=need.clerks, actual_clerks=clerks, plan_wait=wait, plan_level=level,
        model_wait=sum(p.wait_minutes * p.arrivals for p in model) / came if came else None,
        model_level=sum(p.service_level * p.arrivals for p in model) / came if came else None,
        actual_wait=sum(waits) / len(waits) if waits else None,
        actual_level=sum(w <= target.target_minutes for w in waits) / len(waits) if waits else None,
        called=len(waits),
    )


def backtest(session: Session, history: OfficeHistory, settings: PlanSettings, target: StaffingTarget,
             pools: list[frozenset[str]]) -> list[BacktestHour]:
    """The last `backtest_days` of the history, hour by hour: what happened, the model on it, the plan.

    Estimates (service times, patience) and the plan's counterfactual come from the history before
    those days, so the model is checked on days it did not learn from; the checked days are at most the
    later half of the days with tickets.
    """
    week_end = history.end
    week_start = week_end - timedelta(days=min(settings.backtest_days, settings.history_days))
    if len(history.open_days) >= 2:  # keep at least half of the days with tickets to learn from
        week_start = max(week_start, history.open_days[len(history.open_days) // 2])
    earlier = load_history(session, history.office_id, week_start - timedelta(days=settings.history_days),
                           week_start)
    if not earlier.open_days:
        return []
    learned = estimate(earlier, seed=settings.seed, resamples=50)
    actual: dict[date, dict[int, list[TicketRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in history.records:
        if week_start <= r.day < week_end:
            actual[r.day][r.hour].append(r)
    past = _Past(history, earlier, learned, pools, target, _staffed_hours(session, history, week_start, week_end),
                 _open_stretches(session, history, week_start, week_end), _pool_of_counters(history, pools), actual)
    plans = plan_weekdays(earlier, learned, pools, target)
    rows = []
    for day in sorted(d for d in history.open_days if d >= week_start):
        plan = plans.get(WEEKDAYS[day.weekday()])
        if plan is None:
            continue
        predicted, clerks_at = _model_day(past, day, plan.hours)
        rows += [_row(day, need, actual[day].get(need.hour, []), predicted.get(need.hour, []),
                      clerks_at.get(need.hour, 0.0), target) for need in plan.need if need.open]
    return rows
