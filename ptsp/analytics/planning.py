"""From history to a plan: estimates, hourly need in points and clerks, shifts, simulation, backtest.

`build_plan` reads one office's history and returns everything the CLI and the manager pages show.
Demand repeats by weekday, so the hourly need and its simulation are computed once per weekday; the
shift plan is solved per week, because a holiday changes which days need clerks.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import opening
from ..domain.hours import WEEKDAYS, parse_week
from ..domain.past_hours import HourPrediction, PastHour, calling_counters, predict_day
from ..domain.shifts import DayNeed, ShiftPlan, ShiftRules, plan_week
from ..domain.simulate import SimulationResult, simulate_day, split_clerks
from ..domain.staffing_plan import (
    HourNeed,
    ServiceDemand,
    StaffingTarget,
    hourly_need,
    pool_performance,
    service_pools,
)
from ..models import Counter, CounterSession, PointsLedgerEntry
from .history import OfficeEstimates, OfficeHistory, TicketRecord, day_hours, estimate, load_history

MIN_CV_SAMPLE = 30  # completed services before a service's own CV replaces the exponential's 1


@dataclass(frozen=True)
class PlanSettings:
    target_level: float = 0.8
    target_minutes: float | None = None  # default: the office's target_wait_minutes
    max_occupancy: float | None = 0.9
    history_days: int = 56
    shift_rules: ShiftRules = ShiftRules()
    simulate: bool = True
    replications: int = 10
    seed: int = 1
    backtest_days: int = 28  # the last days of the history checked against the model
    opening_rules: opening.OpeningRules = opening.OpeningRules()


@dataclass
class WeekdayPlan:
    weekday: str
    hours: list[int]
    shares: list[float]
    demands: list[ServiceDemand]
    need: list[HourNeed]
    cover: dict[int, int] = field(default_factory=dict)
    predicted: dict[int, tuple[float, float]] = field(default_factory=dict)  # hour -> (level, wait)
    simulated: SimulationResult | None = None

    @property
    def breaks(self) -> frozenset[int]:
        return frozenset(h for h, s in zip(self.hours, self.shares, strict=True) if s == 0)


@dataclass
class WeekPlan:
    monday: date
    open_days: list[date]
    closed: dict[date, str]
    shifts: ShiftPlan


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


@dataclass
class OfficePlan:
    history: OfficeHistory
    estimates: OfficeEstimates
    pools: list[frozenset[str]]
    target: StaffingTarget
    weekdays: dict[str, WeekdayPlan]
    weeks: list[WeekPlan]
    backtest: list[BacktestHour]
    opening_options: dict[str, list[opening.HoursOption]]
    opening_choice: dict[str, opening.HoursOption]
    cutoff_minutes: int
    # points credited in the ledger per open day, by (weekday, local hour): the work the clerks were paid
    # for in the history window, read from the same ledger as the leaderboard
    ledger_points: dict[tuple[str, int], float] = field(default_factory=dict)


def _service_minutes(history: OfficeHistory, estimates: OfficeEstimates, service: str) -> float:
    found = estimates.service_time.get(service)
    return found.mean if found is not None and found.mean > 0 else history.services[service][1]


def weekday_demands(history: OfficeHistory, estimates: OfficeEstimates, weekday: str,
                    hours: list[int]) -> list[ServiceDemand]:
    """Expected arrivals per hour of each service on a weekday, with mean and standard minutes."""
    return [
        ServiceDemand(service, tuple(estimates.rate(service, weekday, h) for h in hours),
                      _service_minutes(history, estimates, service), standard, _service_cv(estimates, service))
        for service, (_, standard) in sorted(history.services.items())
    ]


def _service_cv(estimates: OfficeEstimates, service: str) -> float:
    """The estimated CV once 30 services are seen; before that, exponential (CV 1)."""
    found = estimates.service_time.get(service)
    return found.cv if found is not None and found.n >= MIN_CV_SAMPLE and found.cv > 0 else 1.0


def predict_hour(need: HourNeed, clerks: int, target: StaffingTarget) -> tuple[float, float]:
    """Service level and mean wait (M/G/n, see staffing_plan) of an hour staffed with `clerks`."""
    if not need.pools or need.arrivals <= 0:
        return 1.0, 0.0
    split = split_clerks(clerks, [p.clerks for p in need.pools], [p.load for p in need.pools])
    level = wait = 0.0
    for pool, n in zip(need.pools, split, strict=True):
        if pool.arrivals <= 0:
            continue
        answer_level, answer_wait, _ = pool_performance(n, pool.load, pool.service_minutes, pool.scv,
                                                        target.target_minutes)
        level += answer_level * pool.arrivals
        wait += answer_wait * pool.arrivals
    return level / need.arrivals, wait / need.arrivals


def plan_weekdays(history: OfficeHistory, estimates: OfficeEstimates, pools: list[frozenset[str]],
                  target: StaffingTarget) -> dict[str, WeekdayPlan]:
    plans = {}
    for weekday in WEEKDAYS:
        hours, shares = day_hours(history.hours, weekday)
        if not hours:
            continue
        demands = weekday_demands(history, estimates, weekday, hours)
        need = hourly_need(hours, shares, demands, pools, target)
        plans[weekday] = WeekdayPlan(weekday, hours, shares, demands, need)
    return plans


def _week_shifts(weekdays: dict[str, WeekdayPlan], days: list[date], rules: ShiftRules) -> ShiftPlan:
    needs = []
    for day in days:
        plan = weekdays[WEEKDAYS[day.weekday()]]
        needs.append(DayNeed(f"{WEEKDAYS[day.weekday()]} {day.isoformat()}",
                             {n.hour: n.clerks for n in plan.need}, plan.breaks))
    return plan_week(needs, rules)


def _simulate(plan: WeekdayPlan, pools: list[frozenset[str]], estimates: OfficeEstimates,
              target: StaffingTarget, settings: PlanSettings) -> SimulationResult:
    by_pool = [[0] * len(plan.hours) for _ in pools]
    for i, need in enumerate(plan.need):
        clerks = plan.cover.get(need.hour, need.clerks)
        loads = [0.0] * len(pools)
        needs = [0] * len(pools)
        for ph in need.pools:
            loads[ph.pool], needs[ph.pool] = ph.load, ph.clerks
        for p, n in enumerate(split_clerks(clerks, needs, loads)):
            by_pool[p][i] = n
    cv = {d.service: d.cv for d in plan.demands}
    return simulate_day(plan.hours, plan.demands, pools, by_pool, target.target_minutes,
                        replications=settings.replications, seed=settings.seed, cv=cv, breaks=plan.breaks)


def build_plan(session: Session, office_id: int, start: date, weeks: int,
               settings: PlanSettings = PlanSettings()) -> OfficePlan:
    """Plan `weeks` weeks from `start` for one office from its last `history_days` days."""
    history = load_history(session, office_id, start - timedelta(days=settings.history_days), start)
    plan = plan_from_history(history, start, weeks, settings)
    plan.backtest = backtest(session, history, settings, plan.target, plan.pools)
    plan.ledger_points = ledger_points_by_hour(session, history)
    return plan


def ledger_points_by_hour(session: Session, history: OfficeHistory) -> dict[tuple[str, int], float]:
    """Average points credited per open day, by weekday and local hour of the ledger line.

    Reads `points_ledger`, the leaderboard's source, so the plan's demand in points (expected arrivals x
    standard minutes) stands next to the points the clerks were actually credited in those hours.
    """
    days = set(history.open_days)
    if not days:
        return {}
    zone = ZoneInfo(history.timezone)
    first = datetime.combine(min(days), datetime.min.time(), zone)
    last = datetime.combine(max(days) + timedelta(days=1), datetime.min.time(), zone)
    rows = session.execute(
        select(PointsLedgerEntry.at, PointsLedgerEntry.points)
        .where(PointsLedgerEntry.office_id == history.office_id, PointsLedgerEntry.at >= first,
               PointsLedgerEntry.at < last)
    )
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for at, points in rows:
        local = at.astimezone(zone)
        if local.date() in days:
            totals[(WEEKDAYS[local.weekday()], local.hour)] += points
    per_weekday: defaultdict[str, int] = defaultdict(int)
    for day in days:
        per_weekday[WEEKDAYS[day.weekday()]] += 1
    return {key: total / per_weekday[key[0]] for key, total in totals.items()}


def plan_from_history(history: OfficeHistory, start: date, weeks: int,
                      settings: PlanSettings = PlanSettings()) -> OfficePlan:
    """Everything but the backtest, from history already read (the benchmark calls this directly)."""
    estimates = estimate(history, seed=settings.seed)
    pools = service_pools(history.counters, history.services)
    target = StaffingTarget(
        target_minutes=settings.target_minutes or history.target_wait_minutes,
        target_level=settings.target_level, max_occupancy=settings.max_occupancy,
    )
    weekdays = plan_weekdays(history, estimates, pools, target)
    end = start + timedelta(weeks=weeks)
    closed = opening.holidays_between(start, end)
    week_plans = []
    monday = start
    while monday < end:
        days = [monday + timedelta(days=i) for i in range(7) if monday + timedelta(days=i) < end]
        open_days = [d for d in days if d not in closed and WEEKDAYS[d.weekday()] in weekdays]
        shifts = _week_shifts(weekdays, open_days, settings.shift_rules)
        if open_days and shifts.status != "infeasible":
            for day, day_plan in zip(open_days, shifts.days, strict=True):
                weekdays[WEEKDAYS[day.weekday()]].cover = dict(day_plan.cover)
        week_plans.append(WeekPlan(monday, open_days, {d: closed[d] for d in days if d in closed}, shifts))
        monday += timedelta(days=7)
    for plan in weekdays.values():
        for need in plan.need:
            if need.open:
                plan.predicted[need.hour] = predict_hour(need, plan.cover.get(need.hour, need.clerks), target)
        if settings.simulate:
            plan.simulated = _simulate(plan, pools, estimates, target, settings)
    options, choice = opening_recommendation(history, estimates, pools, target, settings.opening_rules)
    p90 = max((e.p90 for e in estimates.service_time.values() if e is not None), default=None)
    if p90 is None:
        p90 = max((m for _, m in history.services.values()), default=10.0)
    return OfficePlan(
        history=history, estimates=estimates, pools=pools, target=target, weekdays=weekdays, weeks=week_plans,
        backtest=[], opening_options=options, opening_choice=choice,
        cutoff_minutes=opening.last_ticket_cutoff(target.target_minutes, p90),
    )


def opening_recommendation(history: OfficeHistory, estimates: OfficeEstimates, pools: list[frozenset[str]],
                           target: StaffingTarget, rules: opening.OpeningRules
                           ) -> tuple[dict[str, list[opening.HoursOption]], dict[str, opening.HoursOption]]:
    """Options per weekday over the current span widened by an hour each side, and the pick."""
    options = {}
    for weekday in WEEKDAYS:
        hours, shares = day_hours(history.hours, weekday)
        if not hours:
            continue
        span = [hours[0] - 1, *hours, hours[-1] + 1]
        breaks = frozenset(h for h, s in zip(hours, shares, strict=True) if s == 0)
        demands = weekday_demands(history, estimates, weekday, span)
        options[weekday] = opening.day_options(opening.Day(weekday, span, breaks, demands, pools, target), rules)
    choice = opening.recommend_week(options, rules)
    for weekday, picked in choice.items():
        options[weekday] = [
            opening.HoursOption(**{**o.__dict__, "recommended": o == picked}) for o in options[weekday]
        ]
        choice[weekday] = next(o for o in options[weekday] if o.recommended)
    return options, choice


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
               CounterSession.started_at < hi)
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
            CounterSession.started_at < hi,
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
        means = {s: estimates.counter_minutes.get(s) or _service_minutes(history, estimates, s) for s in weights}
        mean_s = sum(weights[s] * means[s] for s in weights) / total
        second = sum(weights[s] * means[s] ** 2 * (1 + _service_cv(estimates, s) ** 2) for s in weights) / total
        result.append(PastHour(hour, float(len(mine)), counters.get(hour, 0.0), mean_s,
                               max(second / mean_s**2 - 1.0, 0.0) if mean_s > 0 else 1.0))
    return result


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
    patience = learned.patience.mean if learned.patience.estimable else None
    plans = plan_weekdays(earlier, learned, pools, target)
    staffed = _staffed_hours(session, history, week_start, week_end)
    stretches = _open_stretches(session, history, week_start, week_end)
    counter_pool = _pool_of_counters(history, pools)
    actual: dict[date, dict[int, list[TicketRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in history.records:
        if week_start <= r.day < week_end:
            actual[r.day][r.hour].append(r)
    rows = []
    for day in sorted(d for d in history.open_days if d >= week_start):
        plan = plans.get(WEEKDAYS[day.weekday()])
        if plan is None:
            continue
        by_pool: list[dict[int, float]] = [defaultdict(float) for _ in pools]
        clerks_at: dict[int, float] = defaultdict(float)
        for (when, hour, number), share in staffed.items():
            if when == day:
                clerks_at[hour] += share
                if number in counter_pool:
                    by_pool[counter_pool[number]][hour] += share
        predicted: dict[int, list[HourPrediction]] = defaultdict(list)
        first = plan.hours[0] * 60
        open_mask = _open_minutes(history.hours, WEEKDAYS[day.weekday()], first, 60 * len(plan.hours))
        for i, pool in enumerate(pools):
            past = _past_pool_hours(actual[day], by_pool[i], plan.hours, pool, learned, earlier)
            came = sum(h.arrivals for h in past)
            mean_s = sum(h.arrivals * h.service_minutes for h in past) / came if came else past[0].service_minutes
            calling = calling_counters(first, 60 * len(plan.hours), [
                (a, b) for a, b, number in stretches.get(day, []) if counter_pool.get(number) == i], mean_s)
            for found in predict_day(past, target.target_minutes, patience, calling, open_mask):
                predicted[found.hour].append(found)
        for need in plan.need:
            if not need.open:
                continue
            level, wait = predict_hour(need, need.clerks, target)
            tickets = actual[day].get(need.hour, [])
            waits = [r.wait_minutes for r in tickets if r.wait_minutes is not None]
            model = [p for p in predicted.get(need.hour, []) if p.arrivals > 0]
            came = sum(p.arrivals for p in model)
            rows.append(BacktestHour(
                day=day, hour=need.hour, forecast_arrivals=need.arrivals, actual_arrivals=len(tickets),
                planned_clerks=need.clerks, actual_clerks=clerks_at.get(need.hour, 0.0),
                plan_wait=wait, plan_level=level,
                model_wait=sum(p.wait_minutes * p.arrivals for p in model) / came if came else None,
                model_level=sum(p.service_level * p.arrivals for p in model) / came if came else None,
                actual_wait=sum(waits) / len(waits) if waits else None,
                actual_level=sum(w <= target.target_minutes for w in waits) / len(waits) if waits else None,
                called=len(waits),
            ))
    return rows
