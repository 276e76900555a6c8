"""A week's shift plan: an integer program covering the hourly need with allowed shift patterns.

**Patterns.** A shift on a day starts at a whole hour within the start window and lasts one of the
allowed lengths (paid hours, breaks included). A shift that spans a break of the office (lunch,
the Friday prayer break) takes its rest then. A shift of `break_from_hours` or more that spans no
such break has a one-hour rest at its middle hour or the hour after it (two variants), so breaks are
staggered and the counters stay staffed. Rest hours never count as cover.

**Model** (solved with scipy.optimize.milp, i.e. HiGHS branch and bound):

    variables  y[d,p] >= 0 integer  clerks working pattern p on day d
               N >= 0 integer       clerks on the week's roster
    minimise   sum_{d,p} hours(p) y[d,p] + 0.01 N
    subject to sum_{p covers h} y[d,p] >= need[d,h]     every open hour h of every day d
               sum_p y[d,p] <= N                         a clerk works at most one shift a day
               N min_weekly <= sum hours(p) y[d,p] <= N max_weekly   required hours per week
               N <= max_clerks                           (when the office has a headcount)

The objective is clerk-hours; the small weight on N prefers fewer people among plans of equal
hours. The weekly-hours rows hold for the roster's total; a second integer program
(`assign_roster`) then hands the shifts to named clerks so that the rule holds clerk by clerk.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix

from .errors import InvalidInput


@dataclass(frozen=True)
class ShiftRules:
    """Which shifts a clerk may work."""

    lengths: tuple[int, ...] = (4, 5, 6, 7, 8, 9)
    earliest_start: int | None = None  # clock hour; default: the first open hour
    latest_start: int | None = None  # clock hour; default: as late as a shortest shift fits
    min_weekly_hours: float = 0.0
    max_weekly_hours: float = 40.0
    break_from_hours: int = 6
    max_clerks: int | None = None
    time_limit: float = 10.0

    def __post_init__(self) -> None:
        if not self.lengths or min(self.lengths) < 1:
            raise InvalidInput("shift_too_short", min=1)
        if self.min_weekly_hours < 0 or self.max_weekly_hours < self.min_weekly_hours:
            raise InvalidInput("weekly_hours_invalid")
        if self.max_weekly_hours < min(self.lengths):
            raise InvalidInput("weekly_hours_below_shift")


@dataclass(frozen=True)
class DayNeed:
    """Clerks needed per clock hour of one day; `breaks` are hours the office is closed in between."""

    label: str
    need: Mapping[int, int]
    breaks: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Pattern:
    start: int
    hours: int
    rest: frozenset[int]

    @property
    def end(self) -> int:
        return self.start + self.hours

    def covers(self, hour: int) -> bool:
        return self.start <= hour < self.end and hour not in self.rest

    def describe(self) -> str:
        rest = ",".join(f"{h:02d}" for h in sorted(self.rest))
        return f"{self.start:02d}:00-{self.end:02d}:00" + (f" (istirahat {rest}:00)" if rest else "")


@dataclass
class DayPlan:
    label: str
    shifts: list[tuple[Pattern, int]]
    need: dict[int, int]
    cover: dict[int, int]

    @property
    def clerk_hours(self) -> int:
        return sum(p.hours * k for p, k in self.shifts)


@dataclass
class ShiftPlan:
    status: str  # optimal, time_limit, infeasible
    clerks: int
    clerk_hours: int
    days: list[DayPlan]
    roster: dict[int, list[tuple[str, Pattern]]] = field(default_factory=dict)

    def weekly_hours(self) -> dict[int, int]:
        return {c: sum(p.hours for _, p in shifts) for c, shifts in self.roster.items()}


def _sparse(rows: Sequence[tuple[Mapping[int, float], float, float]], width: int) -> csr_matrix:
    cells = [(i, j, v) for i, (coefs, _, _) in enumerate(rows) for j, v in coefs.items()]
    i, j, v = zip(*cells, strict=True) if cells else ((), (), ())
    return coo_matrix((v, (i, j)), shape=(len(rows), width)).tocsr()


def day_patterns(day: DayNeed, rules: ShiftRules) -> list[Pattern]:
    """Every shift a clerk may work on `day`: inside the day's span, within the start window."""
    open_hours = sorted(h for h, n in day.need.items() if h not in day.breaks)
    if not open_hours:
        return []
    first, last = open_hours[0], open_hours[-1]
    earliest = first if rules.earliest_start is None else max(first, rules.earliest_start)
    latest = last if rules.latest_start is None else min(last, rules.latest_start)
    patterns = []
    for start in range(earliest, latest + 1):
        for length in sorted(set(rules.lengths)):
            end = start + length
            if end > last + 1:
                continue
            hours = set(range(start, end))
            office_rest = frozenset(hours & day.breaks)
            if office_rest or length < rules.break_from_hours:
                patterns.append(Pattern(start, length, office_rest))
                continue
            middle = start + length // 2
            for rest_hour in (middle, middle - 1 if length % 2 == 0 else middle + 1):
                if start < rest_hour < end - 1:
                    patterns.append(Pattern(start, length, frozenset({rest_hour})))
    return list(dict.fromkeys(patterns))


def _cover_rows(
    days: Sequence[DayNeed], columns: list[tuple[int, Pattern]], by_day: list[list[int]], n_y: int
) -> list[tuple[dict[int, float], float, float]]:
    """Return the rows (coefficients, low, high) covering each open hour's need and counting each day's clerks in N."""
    rows: list[tuple[dict[int, float], float, float]] = []
    for d, day in enumerate(days):
        for hour, need in sorted(day.need.items()):
            if need <= 0 or hour in day.breaks:
                continue
            cover = {j: 1.0 for j in by_day[d] if columns[j][1].covers(hour)}
            if not cover:
                raise InvalidInput("hour_not_coverable", day=day.label, hour=f"{hour:02d}:00")
            rows.append((cover, float(need), np.inf))
        rows.append(({j: 1.0 for j in by_day[d]} | {n_y: -1.0}, -np.inf, 0.0))
    return rows


def plan_week(days: Sequence[DayNeed], rules: ShiftRules = ShiftRules()) -> ShiftPlan:
    """Solve the shift plan for a week of day needs (see the module docstring for the model)."""
    patterns = [day_patterns(day, rules) for day in days]
    columns = [(d, p) for d, pats in enumerate(patterns) for p in pats]
    n_y = len(columns)
    n = n_y + 1  # the last variable is N
    by_day: list[list[int]] = [[] for _ in days]
    for j, (d, _) in enumerate(columns):
        by_day[d].append(j)
    rows = _cover_rows(days, columns, by_day, n_y)
    hours = {j: float(p.hours) for j, (_, p) in enumerate(columns)}
    rows.append((hours | {n_y: -rules.max_weekly_hours}, -np.inf, 0.0))
    if rules.min_weekly_hours > 0:
        rows.append((hours | {n_y: -rules.min_weekly_hours}, 0.0, np.inf))
    matrix = _sparse(rows, n)
    cost = np.array([hours[j] for j in range(n_y)] + [0.01])
    upper = np.full(n, np.inf)
    if rules.max_clerks is not None:
        upper[n_y] = rules.max_clerks
    result = milp(
        cost,
        constraints=LinearConstraint(matrix, [r[1] for r in rows], [r[2] for r in rows]),
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), upper),
        options={"time_limit": rules.time_limit, "mip_rel_gap": 1e-6},
    )
    if result.x is None:
        return ShiftPlan("infeasible", 0, 0, [DayPlan(d.label, [], dict(d.need), {}) for d in days])
    x = np.round(result.x).astype(int)
    plans = []
    for d, day in enumerate(days):
        shifts = [(columns[j][1], int(x[j])) for j in by_day[d] if x[j] > 0]
        covered = {h: sum(k for p, k in shifts if p.covers(h)) for h in day.need}
        plans.append(DayPlan(day.label, shifts, dict(day.need), covered))
    plan = ShiftPlan(
        status="optimal" if result.status == 0 else "time_limit",
        clerks=int(x[n_y]),
        clerk_hours=sum(dp.clerk_hours for dp in plans),
        days=plans,
    )
    plan.roster = assign_roster(plan, rules)
    return plan


def assign_roster(plan: ShiftPlan, rules: ShiftRules = ShiftRules()) -> dict[int, list[tuple[str, Pattern]]]:
    """Give each day's shifts to distinct clerks so every clerk's week is within the weekly hours.

    First greedily (busiest day first, longest shift to the clerk with the fewest hours so far);
    if that breaks the weekly band, a second small integer program: x[c,d,p] (clerk c works pattern
    p on day d) sums over clerks to the plan's count of each pattern, a clerk works at most one shift
    a day, and each clerk's week lies in [min_weekly_hours, max_weekly_hours]. Should that find no
    roster in its time limit, the greedy one stands and `weekly_hours()` shows it.
    """
    greedy = _greedy_roster(plan)
    if all(rules.min_weekly_hours <= sum(p.hours for _, p in shifts) <= rules.max_weekly_hours
           for shifts in greedy.values()):
        return greedy
    clerks = list(range(1, plan.clerks + 1))
    slots = [(d, pattern, count) for d, day in enumerate(plan.days) for pattern, count in day.shifts]
    if not clerks or not slots:
        return {c: [] for c in clerks}
    index = {(c, k): i for i, (c, k) in enumerate(itertools.product(clerks, range(len(slots))))}
    rows: list[tuple[dict[int, float], float, float]] = []
    for k, (_, _, count) in enumerate(slots):
        rows.append(({index[(c, k)]: 1.0 for c in clerks}, count, count))
    for c in clerks:
        for d in range(len(plan.days)):
            rows.append(({index[(c, k)]: 1.0 for k, slot in enumerate(slots) if slot[0] == d}, 0.0, 1.0))
        week = {index[(c, k)]: float(slot[1].hours) for k, slot in enumerate(slots)}
        rows.append((week, rules.min_weekly_hours, rules.max_weekly_hours))
    matrix = _sparse(rows, len(index))
    result = milp(
        np.zeros(len(index)),
        constraints=LinearConstraint(matrix, [r[1] for r in rows], [r[2] for r in rows]),
        integrality=np.ones(len(index)),
        bounds=Bounds(0, 1),
        options={"time_limit": rules.time_limit},
    )
    if result.x is None:
        return greedy
    roster: dict[int, list[tuple[str, Pattern]]] = {c: [] for c in clerks}
    for (c, k), i in index.items():
        if result.x[i] > 0.5:
            d, pattern, _ = slots[k]
            roster[c].append((plan.days[d].label, pattern))
    order = {dp.label: i for i, dp in enumerate(plan.days)}
    return {c: sorted(s, key=lambda item: order[item[0]]) for c, s in roster.items()}


def _greedy_roster(plan: ShiftPlan) -> dict[int, list[tuple[str, Pattern]]]:
    roster: dict[int, list[tuple[str, Pattern]]] = {c: [] for c in range(1, plan.clerks + 1)}
    worked = dict.fromkeys(roster, 0)
    for day in sorted(plan.days, key=lambda dp: -dp.clerk_hours):
        todays = sorted((p for p, k in day.shifts for _ in range(k)), key=lambda p: -p.hours)
        free = sorted(roster, key=lambda c: (worked[c], c))
        for pattern, clerk in zip(todays, free, strict=False):
            roster[clerk].append((day.label, pattern))
            worked[clerk] += pattern.hours
    order = {dp.label: i for i, dp in enumerate(plan.days)}
    return {c: sorted(s, key=lambda item: order[item[0]]) for c, s in roster.items()}
