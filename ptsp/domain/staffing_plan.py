"""Clerks needed hour by hour, from expected arrivals per service.

**Demand that changes through the day.** Each service's work in progress is taken from the
infinite-server offered load (Jennings, Mandelbaum, Massey and Whitt, "Server staffing to meet
time-varying demand", Management Science 42(10), 1996): m(t) = E[residents that would be in service
at t if there were clerks enough], which for an hourly step of arrivals lam and exponential service
of mean S (hours) obeys m' = lam - m / S. Over an hour starting at m0 it is
m(t) = lam S + (m0 - lam S) e^(-t/S), so its hourly mean is lam S + (m0 - lam S) S (1 - e^(-1/S)).
The day starts empty. For a 10-minute service the lag is negligible (e^-6); for an hour-long
licensing interview a morning rush keeps loading the next hour, which a pointwise stationary
model would miss. Each hour is then staffed at the larger of its mean load and its load at the
hour's end (the "modified offered load" approach; the end-of-hour value keeps a rising hour, and the
first hour of the day, from being staffed for the emptier hall at its start), against the office's
target: `target_level` of residents called within `target_minutes`.

**Clerks who serve several services.** Counters and the services they serve form a graph; each
connected part is a pool. Within a pool any waiting resident can, through a chain of counters, be
reached by any clerk, so the pool is staffed as one Erlang C queue whose load is the sum of its
services' loads and whose mean service time is the arrival-weighted mean. This keeps the offered
work exact and credits the pooling that the shared counters really give; modelling each service
alone would over-staff an office whose clerks switch services, and modelling the whole office as
one pool would under-staff a desk (say, complaints) that no other counter can help. The simulation
(`ptsp.domain.simulate`) serves each service with its own service time, so it checks this choice.

**Service times that are not exponential.** Each pool-hour's waiting time is scaled by
(1 + scv) / 2 (Allen-Cunneen's M/G/n approximation), scv being the squared coefficient of
variation of the pool's service time: the arrival-weighted mixture of its services, each with its
estimated CV. For one exponential service this is Erlang C exactly; a pool that mixes short and long
services (scv above 1) gets the extra clerk that Erlang C with the mean alone would miss.

**Breaks of the office.** Tickets may be taken during a break but nobody is called; residents who
arrive then are added to the first hour after the break. They are all in the hall when the counters
reopen, which a rate spread over the hour understates (the simulation showed the hour after lunch
missing its target badly), so that hour also gets the clerks to call the backlog within the target
(`_reopening`).

**Points.** Each hour's demand is also shown in points: expected arrivals x the service's standard
minutes, the unit of the points ledger (one point = one standard minute of work).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .erlang import erlang_c


@dataclass(frozen=True)
class ServiceDemand:
    """One service's expected arrivals for each hour of a day (same length as the day's hours)."""

    service: str
    arrivals: tuple[float, ...]
    service_minutes: float
    standard_minutes: float
    cv: float = 1.0  # coefficient of variation of the service time (1 for exponential)


@dataclass(frozen=True)
class StaffingTarget:
    """The office's target and the rules the hourly staffing respects."""

    target_minutes: float
    target_level: float = 0.8
    max_occupancy: float | None = 0.9
    min_clerks: int = 1  # the promise: a clerk at the counter whenever the office is open


@dataclass(frozen=True)
class PoolHour:
    pool: int
    arrivals: float
    load: float
    service_minutes: float
    clerks: int
    service_level: float
    average_wait_minutes: float
    occupancy: float
    scv: float = 1.0  # squared coefficient of variation of the pool's service time


@dataclass(frozen=True)
class HourNeed:
    """One clock hour: demand (arrivals, points, Erlangs) and the clerks it needs."""

    hour: int
    open: bool
    arrivals: float
    points: float
    load: float
    clerks: int
    service_level: float
    average_wait_minutes: float
    pools: tuple[PoolHour, ...]


def service_pools(
    counters: Mapping[Any, Iterable[str]], services: Iterable[str]
) -> list[frozenset[str]]:
    """Group services into pools: connected through counters that serve more than one."""
    parent: dict[str, str] = {s: s for s in services}

    def root(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for served in counters.values():
        served = [s for s in served if s in parent]
        for other in served[1:]:
            parent[root(other)] = root(served[0])
    groups: dict[str, set[str]] = {}
    for s in parent:
        groups.setdefault(root(s), set()).add(s)
    return sorted((frozenset(g) for g in groups.values()), key=lambda g: sorted(g))


def hourly_offered_load(arrivals: Sequence[float], service_minutes: float) -> list[float]:
    """Infinite-server offered load (Erlangs) to staff each hour for, the day starting empty.

    The larger of the hour's mean load and its load at the hour's end: in a rising hour the end,
    where the queue is longest (the mean would staff the first hour of the day for the empty hall
    at 08:00); in a falling hour the mean, which carries the lag of long services.
    """
    s = service_minutes / 60.0
    decay = math.exp(-1.0 / s)
    settle = s * (1.0 - decay)
    loads, m0 = [], 0.0
    for lam in arrivals:
        steady = lam * s
        end = steady + (m0 - steady) * decay
        loads.append(max(steady + (m0 - steady) * settle, end))
        m0 = end
    return loads


def shift_break_arrivals(arrivals: Sequence[float], open_hours: Sequence[bool]) -> list[float]:
    """Move arrivals of hours the counters are closed (a break) to the next open hour."""
    moved, carry = [], 0.0
    for value, is_open in zip(arrivals, open_hours, strict=True):
        if is_open:
            moved.append(value + carry)
            carry = 0.0
        else:
            moved.append(0.0)
            carry += value
    # Arrivals after the last open hour (carry left over) are not served that day: no staff for them.
    return moved


def pool_performance(clerks: int, load: float, service_minutes: float, scv: float,
                     target_minutes: float) -> tuple[float, float, float]:
    """Service level, mean wait and occupancy of `clerks` at `load` Erlangs (M/G/n, Allen-Cunneen).

    Erlang C for exponential service (scv = 1). Otherwise the waiting time is scaled by
    (1 + scv) / 2, the Allen-Cunneen approximation for M/G/n: a pool that mixes 5-minute letters with
    20-minute licences has scv above 1 and waits longer than Erlang C with the mean service says.
    """
    if load <= 1e-9:
        return 1.0, 0.0, 0.0
    if clerks <= load:
        return 0.0, math.inf, 1.0
    factor = (1.0 + scv) / 2.0
    waiting = erlang_c(clerks, load)
    level = 1.0 - waiting * math.exp(-(clerks - load) * target_minutes / (service_minutes * factor))
    wait = waiting * service_minutes / (clerks - load) * factor
    return level, wait, load / clerks


@lru_cache(maxsize=65536)
def _staff_hour(load: float, service_minutes: float, scv: float,
                target: StaffingTarget) -> tuple[int, float, float, float]:
    """Clerks, service level, mean wait and occupancy for one pool-hour (cached: the opening-hours
    options re-staff the same hours many times)."""
    if load <= 1e-9:
        return target.min_clerks, 1.0, 0.0, 0.0
    # A half-open hour is staffed for the hour's rate: tickets are taken in the closed part too, and
    # those residents are called when the counters open.
    cap = target.max_occupancy or 1.0
    clerks = max(target.min_clerks, math.floor(load) + 1, math.ceil(load / cap - 1e-9))
    limit = clerks + math.ceil(50 * math.sqrt(load)) + 100
    while clerks < limit:
        level, wait, busy = pool_performance(clerks, load, service_minutes, scv, target.target_minutes)
        if level >= target.target_level and busy <= cap:
            return clerks, level, wait, busy
        clerks += 1
    level, wait, busy = pool_performance(clerks, load, service_minutes, scv, target.target_minutes)
    return clerks, level, wait, busy


def _pool_hour(
    index: int, arrivals: float, load: float, service_minutes: float, scv: float, target: StaffingTarget
) -> PoolHour:
    if load <= 1e-9:
        return PoolHour(index, arrivals, 0.0, service_minutes, target.min_clerks, 1.0, 0.0, 0.0, scv)
    # Rounding to a millionth of an Erlang changes no answer and lets equal hours share the cache.
    clerks, level, wait, busy = _staff_hour(round(load, 6), round(service_minutes, 6), round(scv, 4), target)
    return PoolHour(index, arrivals, load, service_minutes, clerks, level, wait, busy, scv)


def _reopening(pool: PoolHour, backlog: float, target: StaffingTarget) -> PoolHour:
    """Add the clerks a backlog from a break needs: it is all in the hall when the counters reopen.

    n clerks start about n (1 + T/S) residents within T minutes (one each at once, then one every S),
    so calling `level` of a backlog B within the target takes ceil(level B / (1 + T/S)) clerks on
    top of those for the hour's own arrivals.
    """
    if backlog <= 1e-9:
        return pool
    own_load = max(pool.load - backlog * pool.service_minutes / 60.0, 0.0)
    own = _pool_hour(pool.pool, pool.arrivals - backlog, own_load, pool.service_minutes, pool.scv, target)
    extra = math.ceil(target.target_level * backlog / (1.0 + target.target_minutes / pool.service_minutes) - 1e-9)
    clerks = max(pool.clerks, own.clerks + extra)
    level, wait, busy = pool_performance(clerks, pool.load, pool.service_minutes, pool.scv, target.target_minutes)
    return PoolHour(pool.pool, pool.arrivals, pool.load, pool.service_minutes, clerks, level, wait, busy, pool.scv)


def _pool_day(
    shifted: np.ndarray, originals: np.ndarray, minutes: np.ndarray, cvs: np.ndarray, loads: np.ndarray
) -> tuple[Any, ...]:
    """Return one pool's hourly arrivals, load, mean service minutes, service time SCV and break backlog.

    Each array has a row per service of the pool: arrivals with the break shifted, arrivals as asked
    (`originals`), then the services' minutes and CVs (one value each) and hourly loads.
    """
    arrivals = shifted.sum(axis=0)
    safe = np.where(arrivals > 0, arrivals, 1.0)
    work = (shifted * minutes[:, None]).sum(axis=0)
    mean_s = np.where(arrivals > 0, work / safe, minutes.mean())
    # Second moment of the mixture: E[S^2] = sum of shares x S_s^2 (1 + cv_s^2).
    second = (shifted * (minutes**2 * (1 + cvs**2))[:, None]).sum(axis=0)
    scv = np.where(arrivals > 0, second / safe / mean_s**2 - 1.0, 1.0)
    backlog = (shifted - originals).clip(min=0).sum(axis=0)
    return arrivals.tolist(), loads.sum(axis=0).tolist(), mean_s.tolist(), scv.tolist(), backlog.tolist()


def hourly_need(
    hours: Sequence[int],
    open_share: Sequence[float],
    demands: Sequence[ServiceDemand],
    pools: Sequence[frozenset[str]],
    target: StaffingTarget,
) -> list[HourNeed]:
    """Staff every hour of one day; `open_share[i]` is the part of hour i the counters are open."""
    is_open = [share > 0 for share in open_share]
    if not demands:
        return [HourNeed(h, o, 0.0, 0.0, 0.0, target.min_clerks if o else 0, 1.0, 0.0, ()) for h, o in
                zip(hours, is_open, strict=True)]
    originals = np.array([d.arrivals for d in demands], dtype=float)
    shifted = np.array([shift_break_arrivals(d.arrivals, is_open) for d in demands], dtype=float)
    minutes = np.array([d.service_minutes for d in demands])
    cvs = np.array([d.cv for d in demands])
    loads = np.array([hourly_offered_load(row, m) for row, m in zip(shifted, minutes, strict=True)])
    points = (shifted * np.array([d.standard_minutes for d in demands])[:, None]).sum(axis=0)
    members = [np.array([d.service in pool for d in demands]) for pool in pools]
    pool_rows: list[tuple[Any, ...] | None] = [
        _pool_day(shifted[mask], originals[mask], minutes[mask], cvs[mask], loads[mask]) if mask.any() else None
        for mask in members
    ]
    total = shifted.sum(axis=0).tolist()
    result = []
    for i, hour in enumerate(hours):
        pool_hours = [] if not is_open[i] else [
            _reopening(_pool_hour(p, row[0][i], row[1][i], row[2][i], row[3][i], target), row[4][i], target)
            for p, row in enumerate(pool_rows) if row
        ]
        clerks = max(sum(ph.clerks for ph in pool_hours), target.min_clerks) if is_open[i] else 0
        served = sum(ph.arrivals for ph in pool_hours)
        level = sum(ph.service_level * ph.arrivals for ph in pool_hours) / served if served else 1.0
        wait = sum(ph.average_wait_minutes * ph.arrivals for ph in pool_hours) / served if served else 0.0
        result.append(HourNeed(
            hour=hour, open=is_open[i], arrivals=total[i], points=float(points[i]),
            load=sum(ph.load for ph in pool_hours), clerks=clerks,
            service_level=level, average_wait_minutes=wait, pools=tuple(pool_hours),
        ))
    return result
