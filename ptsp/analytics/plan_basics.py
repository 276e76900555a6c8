"""What the plan and its backtest share: settings, a weekday's hourly need and its Erlang prediction.

Split from `planning` so that the backtest (`backtest`) can re-plan past weeks without importing the
module that calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain import opening
from ..domain.hours import WEEKDAYS
from ..domain.shifts import ShiftRules
from ..domain.simulate import SimulationResult, split_clerks
from ..domain.staffing_plan import HourNeed, ServiceDemand, StaffingTarget, hourly_need, pool_performance
from .history import OfficeEstimates, OfficeHistory, day_hours

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


def service_minutes(history: OfficeHistory, estimates: OfficeEstimates, service: str) -> float:
    found = estimates.service_time.get(service)
    return found.mean if found is not None and found.mean > 0 else history.services[service][1]


def weekday_demands(history: OfficeHistory, estimates: OfficeEstimates, weekday: str,
                    hours: list[int]) -> list[ServiceDemand]:
    """Expected arrivals per hour of each service on a weekday, with mean and standard minutes."""
    return [
        ServiceDemand(service, tuple(estimates.rate(service, weekday, h) for h in hours),
                      service_minutes(history, estimates, service), standard, service_cv(estimates, service))
        for service, (_, standard) in sorted(history.services.items())
    ]


def service_cv(estimates: OfficeEstimates, service: str) -> float:
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
