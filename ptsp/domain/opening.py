"""Opening hours from demand: options per weekday with their costs, a recommendation, a cutoff.

For each weekday every window [open, close) of whole hours inside the candidate span, opening or
closing at most `max_shift_hours` from the span's ends, is an option;
the day's fixed breaks (lunch, the Friday prayer break) stay closed in every option. Residents who
used to come in an hour the option closes do not all vanish: a share `moves` comes in the nearest
open hour instead (early birds at opening, late comers at the last hour) and the rest is lost to
that day. Each option is then staffed hour by hour (`staffing_plan.hourly_need`) and costed:

    cost = clerk-hours + lost_value x residents lost + wait_value x resident-hours waited

with `lost_value` and `wait_value` in clerk-hours (how many clerk-hours the office would spend to
serve one more resident, or to save one resident an hour of waiting). The cheapest option per day
is recommended. If the recommended days add up to fewer open hours than the weekly minimum, the day
whose longer option costs least per added hour is lengthened, until the minimum is met. Holidays
are closed days (`office_calendar`: national holidays, cuti bersama and the office's own closures).

The last-ticket cutoff is the target wait plus the 90th percentile of service at the end of the
day, rounded up to 5 minutes: a resident who takes the last ticket is called within the target and
is, nine times in ten, served before closing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from . import office_calendar
from .staffing_plan import ServiceDemand, StaffingTarget, hourly_need


@dataclass(frozen=True)
class OpeningRules:
    min_weekly_hours: float = 30.0
    min_daily_hours: int = 4
    moves: float = 0.7
    lost_value: float = 1.0
    wait_value: float = 0.5
    max_shift_hours: int = 3  # options open at most this much later, or close this much earlier


@dataclass(frozen=True)
class HoursOption:
    weekday: str
    opens: int
    closes: int
    open_hours: int
    clerk_hours: int
    served: float
    lost: float
    average_wait_minutes: float
    service_level: float
    cost: float
    recommended: bool = False

    @property
    def label(self) -> str:
        return f"{self.opens:02d}:00-{self.closes:02d}:00"


def displaced_demand(
    hours: Sequence[int], arrivals: Sequence[float], open_hours: Sequence[int], moves: float
) -> tuple[list[float], float]:
    """Move a share of the arrivals of closed hours to the nearest open hour; return them and the lost."""
    shifted = [0.0] * len(hours)
    lost = 0.0
    if not open_hours:
        return shifted, float(sum(arrivals))
    index = {h: i for i, h in enumerate(hours)}
    for hour, value in zip(hours, arrivals, strict=True):
        if hour in open_hours or value == 0:
            shifted[index[hour]] += value
            continue
        nearest = min(open_hours, key=lambda h: (abs(h - hour), h))
        shifted[index[nearest]] += value * moves
        lost += value * (1.0 - moves)
    return shifted, lost


@dataclass(frozen=True)
class Day:
    """One weekday to open: its candidate hours, fixed breaks, demand, clerk pools and staffing target."""

    weekday: str
    hours: Sequence[int]
    breaks: frozenset[int]
    demands: Sequence[ServiceDemand]
    pools: Sequence[frozenset[str]]
    target: StaffingTarget


def evaluate_window(day: Day, opens: int, closes: int, rules: OpeningRules) -> HoursOption:
    """Cost one window of one weekday."""
    hours, breaks = day.hours, day.breaks
    open_hours = [h for h in hours if opens <= h < closes and h not in breaks]
    # Break hours keep their arrivals (tickets may be taken then); hourly_need carries them over.
    kept = set(open_hours) | {h for h in breaks if opens <= h < closes}
    moved, lost = [], 0.0
    for d in day.demands:
        arrivals, gone = displaced_demand(hours, d.arrivals, sorted(kept), rules.moves)
        moved.append(ServiceDemand(d.service, tuple(arrivals), d.service_minutes, d.standard_minutes))
        lost += gone
    share = [1.0 if h in open_hours else 0.0 for h in hours]
    need = hourly_need(hours, share, moved, day.pools, day.target)
    served = sum(n.arrivals for n in need if n.open)
    clerk_hours = sum(n.clerks for n in need)
    wait_hours = sum(n.arrivals * n.average_wait_minutes for n in need) / 60.0
    level = sum(n.arrivals * n.service_level for n in need if n.open) / served if served else 1.0
    cost = clerk_hours + rules.lost_value * lost + rules.wait_value * wait_hours
    return HoursOption(
        day.weekday, opens, closes, len(open_hours), clerk_hours, served, lost,
        wait_hours * 60.0 / served if served else 0.0, level, cost,
    )


def day_options(day: Day, rules: OpeningRules) -> list[HoursOption]:
    """Every window of at least `min_daily_hours` open hours within `hours`, cheapest first."""
    options = []
    hours, breaks = day.hours, day.breaks
    first, end = hours[0], hours[-1] + 1
    for opens in range(first, min(first + rules.max_shift_hours, end) + 1):
        for closes in range(max(opens + 1, end - rules.max_shift_hours), end + 1):
            open_count = sum(1 for h in range(opens, closes) if h not in breaks)
            if open_count < rules.min_daily_hours or opens in breaks or closes - 1 in breaks:
                continue
            options.append(evaluate_window(day, opens, closes, rules))
    return sorted(options, key=lambda o: (o.cost, -o.open_hours))


def recommend_week(options_by_day: dict[str, list[HoursOption]], rules: OpeningRules) -> dict[str, HoursOption]:
    """Pick the cheapest option per day, lengthening days until the weekly minimum is met."""
    chosen = {day: options[0] for day, options in options_by_day.items() if options}
    while sum(o.open_hours for o in chosen.values()) < rules.min_weekly_hours:
        best: tuple[float, str, HoursOption] | None = None
        for day, current in chosen.items():
            for option in options_by_day[day]:
                extra = option.open_hours - current.open_hours
                if extra > 0:
                    rate = (option.cost - current.cost) / extra
                    if best is None or rate < best[0]:
                        best = (rate, day, option)
        if best is None:
            break
        chosen[best[1]] = best[2]
    return chosen


def last_ticket_cutoff(target_minutes: float, service_p90_minutes: float) -> int:
    """Minutes before closing after which no ticket is issued, rounded up to 5."""
    return int(5 * math.ceil((target_minutes + service_p90_minutes) / 5.0))


def holidays_between(start: date, end: date, language: str = "id",
                     office_days: office_calendar.OfficeDays | None = None) -> dict[date, str]:
    """Closed days in [start, end) with their names: national holidays and cuti bersama, named in `language`
    (a page's language code) when the `holidays` package has it, in Indonesian otherwise, and the office's own
    closure days (`office_days`, day -> reason, or STAYS_OPEN on a cuti bersama day the office stays open). The
    one calendar is `office_calendar`."""
    return {day: c.name for day, c in office_calendar.closed_days(start, end, office_days, language).items()}
