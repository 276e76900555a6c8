"""From history to a plan: estimates, hourly need in points and clerks, shifts, simulation, backtest.

`build_plan` reads one office's history and returns everything the CLI and the manager pages show.
Demand repeats by weekday, so the hourly need and its simulation are computed once per weekday; the
shift plan is solved per week, because a holiday changes which days need clerks.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import opening
from ..domain.hours import WEEKDAYS
from ..domain.shifts import DayNeed, ShiftPlan, ShiftRules, plan_week
from ..domain.simulate import SimulationResult, simulate_day, split_clerks
from ..domain.staffing_plan import (
    StaffingTarget,
    service_pools,
)
from ..models import PointsLedgerEntry
from ..services.agencies import in_agency
from .backtest import BacktestHour, backtest
from .history import OfficeEstimates, OfficeHistory, day_hours, estimate, load_history
from .outreach import outreach_hours
from .plan_basics import PlanSettings, WeekdayPlan, plan_weekdays, predict_hour, weekday_demands

DEFAULT_SETTINGS = PlanSettings()


@dataclass
class WeekPlan:
    monday: date
    open_days: list[date]
    closed: dict[date, str]
    shifts: ShiftPlan


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
    # jemput bola officer-hours away from the counters per open day, by (weekday, local hour), from the visits of
    # the history window (analytics.outreach.outreach_hours); `outreach_officers` of them are added to the shifts
    outreach_hours: dict[tuple[str, int], float] = field(default_factory=dict)


def outreach_officers(hours: float) -> int:
    """The officers a shift plan adds for an hour's average outreach officer-hours: rounded half up, so an hour
    that is away half the time or more gets its officer, and a rare visit does not staff every week."""
    return int(hours + 0.5)


def _week_shifts(weekdays: dict[str, WeekdayPlan], days: list[date], rules: ShiftRules,
                 away: dict[tuple[str, int], int]) -> ShiftPlan:
    """The week's shifts for the counters' need plus the officers away on jemput bola visits in each hour."""
    needs = []
    for day in days:
        weekday = WEEKDAYS[day.weekday()]
        plan = weekdays[weekday]
        needs.append(DayNeed(f"{weekday} {day.isoformat()}",
                             {n.hour: n.clerks + away.get((weekday, n.hour), 0) for n in plan.need}, plan.breaks))
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
               settings: PlanSettings = DEFAULT_SETTINGS, agency_id: int | None = None) -> OfficePlan:
    """Plan `weeks` weeks from `start` for one office (one agency of it, when given) from its last `history_days`
    days."""
    history = load_history(session, office_id, start - timedelta(days=settings.history_days), start, agency_id)
    away = outreach_hours(session, office_id, history.timezone, list(history.open_days), agency_id)
    plan = plan_from_history(history, start, weeks, settings, away)
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
               PointsLedgerEntry.at < last, in_agency(PointsLedgerEntry.service_id, history.agency_id),
               PointsLedgerEntry.ticket_id.is_not(None))  # counter work; visits are `outreach_hours`
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
                      settings: PlanSettings = DEFAULT_SETTINGS,
                      outreach: dict[tuple[str, int], float] | None = None) -> OfficePlan:
    """Everything but the backtest, from history already read (the benchmark calls this directly).

    `outreach`: officer-hours away on jemput bola visits by (weekday, hour); the shifts cover them on top of the
    counters' need, and each weekday's `cover` (what the counters get, which the predictions and the simulation
    use) leaves them out."""
    outreach = outreach or {}
    away = {key: outreach_officers(hours) for key, hours in outreach.items() if outreach_officers(hours)}
    estimates = estimate(history, seed=settings.seed)
    pools = service_pools(history.counters, history.services)
    target = StaffingTarget(
        target_minutes=settings.target_minutes or history.target_wait_minutes,
        target_level=settings.target_level, max_occupancy=settings.max_occupancy,
    )
    weekdays = plan_weekdays(history, estimates, pools, target)
    end = start + timedelta(weeks=weeks)
    closed = opening.holidays_between(start, end, office_days=history.closed_days)
    week_plans = []
    monday = start
    while monday < end:
        days = [monday + timedelta(days=i) for i in range(7) if monday + timedelta(days=i) < end]
        open_days = [d for d in days if d not in closed and WEEKDAYS[d.weekday()] in weekdays]
        shifts = _week_shifts(weekdays, open_days, settings.shift_rules, away)
        if open_days and shifts.status != "infeasible":
            for day, day_plan in zip(open_days, shifts.days, strict=True):
                weekday = WEEKDAYS[day.weekday()]
                weekdays[weekday].cover = {hour: max(0, clerks - away.get((weekday, hour), 0))
                                           for hour, clerks in day_plan.cover.items()}
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
        cutoff_minutes=opening.last_ticket_cutoff(target.target_minutes, p90), outreach_hours=dict(outreach),
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
