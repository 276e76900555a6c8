"""Proof by simulation: run a day's staffing against its demand with ciw, a discrete-event library.

One ciw network per pool (see `staffing_plan`), one node, one customer class per service, so each
service keeps its own service time while the pool's clerks serve whoever has waited longest.
Arrivals are Poisson with the hourly rates of the plan (ciw's PoissonIntervals); residents who come
during a break wait for it to end, as they do in the office. The clerks follow the hourly counts of
the shift plan (a ciw Schedule). At the end of each hour ciw replaces the clerks; with
pre-emption "resume" a resident being served is handed to a clerk of the next hour, who carries on
where the first stopped. (Without pre-emption ciw lets the leaving clerks finish while the new ones
already start, which briefly doubles the counters and flatters the plan: a steady 48 residents an
hour on 9 clerks then shows 96% called within 15 minutes instead of the 85% of Erlang C and of a
constant-staff run.) The wait is measured to a resident's first call, so a hand-over does not
count as a second wait. After the last hour no one new arrives and the last hour's clerks stay
until the hall is empty, so every resident's wait is known. Service times are exponential by
default (the Erlang model's own assumption) or lognormal with the estimated coefficient of
variation.

A resident's wait is from taking the ticket to being called, the same as the office's target
("80% called within 15 minutes"), less any time the counters were closed for a break in between (a
ticket taken at 11:55 before a noon break and called at 13:05 waited 10 minutes of counter time).
Results are averaged over seeded replications.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .staffing_plan import ServiceDemand

if TYPE_CHECKING:
    import ciw

_DRAIN_MINUTES = 24 * 60.0


@dataclass(frozen=True)
class HourResult:
    hour: int
    arrivals: float
    service_level: float
    average_wait_minutes: float


@dataclass(frozen=True)
class SimulationResult:
    replications: int
    arrivals: float
    service_level: float
    average_wait_minutes: float
    hours: tuple[HourResult, ...]

    def hour(self, hour: int) -> HourResult:
        return next(h for h in self.hours if h.hour == hour)


def split_clerks(clerks: int, pool_need: Sequence[int], pool_load: Sequence[float]) -> list[int]:
    """Share an hour's clerks among pools: each its need, extras to the busiest, cuts from the largest."""
    alloc = list(pool_need)
    spare = clerks - sum(alloc)
    order = sorted(range(len(alloc)), key=lambda p: -pool_load[p])
    i = 0
    while spare > 0 and order:
        alloc[order[i % len(order)]] += 1
        spare -= 1
        i += 1
    while spare < 0 and any(alloc):
        largest = max(range(len(alloc)), key=lambda p: alloc[p])
        alloc[largest] -= 1
        spare += 1
    return alloc


def _service_distribution(mean: float, cv: float | None) -> ciw.dists.Distribution:
    import ciw  # lazily: ciw brings networkx (~0.3 s) to every `ptsp` start otherwise

    if cv is None or abs(cv - 1.0) < 1e-9:
        return ciw.dists.Exponential(rate=1.0 / mean)
    if cv <= 0:
        return ciw.dists.Deterministic(value=mean)
    sigma2 = math.log(1.0 + cv * cv)
    return ciw.dists.Lognormal(mean=math.log(mean) - sigma2 / 2.0, sd=math.sqrt(sigma2))


def _simulate_pool(
    demands: Sequence[ServiceDemand],
    clerks: Sequence[int],
    cv: Mapping[str, float],
    seed: int,
) -> list[tuple[float, float]]:
    """Return (arrival minute, wait minutes) of everyone in one replication of one pool."""
    import ciw  # lazily, as in _service_distribution

    hours = len(clerks)
    day_end = 60.0 * hours
    ciw.seed(seed)
    arrivals: list[Any] = []  # ciw distributions (untyped) or None
    for d in demands:
        if sum(d.arrivals) <= 0:
            arrivals.append(None)
            continue
        rates = [a / 60.0 for a in d.arrivals]
        ends = [60.0 * (i + 1) for i in range(hours)]
        arrivals.append(ciw.dists.PoissonIntervals(rates, ends, day_end))
    if all(a is None for a in arrivals):
        return []
    schedule = ciw.Schedule(
        numbers_of_servers=[*clerks, max(clerks[-1], 1)],
        shift_end_dates=[*(60.0 * (i + 1) for i in range(hours)), day_end + _DRAIN_MINUTES],
        preemption="resume",
    )
    network = ciw.create_network(
        arrival_distributions={f"Class {i}": [a] for i, a in enumerate(arrivals)},
        service_distributions={
            f"Class {i}": [_service_distribution(d.service_minutes, cv.get(d.service))]
            for i, d in enumerate(demands)
        },
        number_of_servers=[schedule],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(day_end + _DRAIN_MINUTES)
    first: dict[int, tuple[float, float]] = {}
    for r in sim.get_all_records():
        seen = first.get(r.id_number)
        if seen is None or r.service_start_date < seen[1]:
            first[r.id_number] = (r.arrival_date, r.service_start_date)
    return [(arrived, called - arrived) for arrived, called in first.values()]


def simulate_day(
    hours: Sequence[int],
    demands: Sequence[ServiceDemand],
    pools: Sequence[frozenset[str]],
    clerks_by_pool: Sequence[Sequence[int]],
    target_minutes: float,
    replications: int = 10,
    seed: int = 1,
    cv: Mapping[str, float] | None = None,
    breaks: frozenset[int] = frozenset(),
) -> SimulationResult:
    """Simulate one day `replications` times; `clerks_by_pool[p][i]` staff pool p in hour i.

    Time in the office's `breaks` (clock hours the counters are closed) is not counted in a wait:
    the target is about the time the counters are open, as in the Erlang prediction.
    """
    cv = cv or {}
    closed = [i for i, h in enumerate(hours) if h in breaks]
    waits_by_hour: list[list[float]] = [[] for _ in hours]
    for rep in range(replications):
        for p, pool in enumerate(pools):
            members = [d for d in demands if d.service in pool]
            if not members:
                continue
            for minute, wait in _simulate_pool(members, clerks_by_pool[p], cv, seed * 1000 + rep * 17 + p):
                index = min(int(minute // 60), len(hours) - 1)
                shut = sum(max(0.0, min(minute + wait, 60.0 * (i + 1)) - max(minute, 60.0 * i)) for i in closed)
                waits_by_hour[index].append(wait - shut)
    results = []
    for hour, waits in zip(hours, waits_by_hour, strict=True):
        n = len(waits)
        level = sum(w <= target_minutes + 1e-9 for w in waits) / n if n else 1.0
        results.append(HourResult(hour, n / replications, level, sum(waits) / n if n else 0.0))
    everyone = [w for waits in waits_by_hour for w in waits]
    total = len(everyone)
    return SimulationResult(
        replications=replications,
        arrivals=total / replications,
        service_level=sum(w <= target_minutes + 1e-9 for w in everyone) / total if total else 1.0,
        average_wait_minutes=sum(everyone) / total if total else 0.0,
        hours=tuple(results),
    )
