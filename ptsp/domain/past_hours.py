"""The queueing model run on a day that already happened: actual arrivals, counters actually open.

The backtest asks "given the residents who came and the counters that were open, does the model say
how long they waited?" The plan's own per-hour formula (Erlang C, steady state) cannot answer that
for a real day: when fewer counters were open than the load, Erlang C has no finite wait, and a queue
left at 10:00 still has to be worked off at 11:00. So each pool of services is run through the day
minute by minute in two layers:

1. **Fluid backlog** (the deterministic part). Arrivals come at the hour's actual rate a (per
   minute), the open counters work at c = n / S (n = mean counters open in that hour, S = mean
   service minutes) and, when patience P is known, waiting residents leave at rate Q / P:
   dQ/dt = a - c - Q / P, Q >= 0, starting empty at the first hour of the day and carried from hour
   to hour. A resident arriving at minute m with Q(m) ahead is called, first come first served, when
   the counters' cumulative capacity from m has covered Q(m): that time (clock minutes, breaks and
   closed counters included) is their fluid wait w(m).
2. **Random part** (steady state). On top of w(m), each hour's waiting from chance (Poisson arrivals,
   varying service) is the plan's own figure at the counters open: Erlang A with the estimated
   patience (M/M/n+M, `erlang.erlang_a`) or, when patience cannot be estimated, Erlang C with the
   Allen-Cunneen factor (1 + scv) / 2 (`staffing_plan.pool_performance`). Its load is capped at 95%
   of the counters and its wait at what chance can build since the hall opened (`diffusion_cap`): above that
   the fluid layer already carries the queue, and counting it twice would predict waits that grow
   without bound. A fractional mean of counters (2.6) interpolates between 2 and 3.

The predicted mean wait of an hour is the mean over its minutes (weighted by arrivals) of w(m) plus
the random part, over the residents called before the day's counters close (the others' tickets
expire and have no wait, in the model as in the log);
its service level is the share called within the target, P(random wait <= T - w(m)),
zero where w(m) already exceeds T.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .erlang import erlang_a
from .staffing_plan import pool_performance

STEADY_CAP = 0.95  # share of the counters the random layer's load may reach (see the module docstring)
MINUTES = 60


@dataclass(frozen=True)
class PastHour:
    """One clock hour of one pool: actual arrivals, mean counters open, the service mix."""

    hour: int
    arrivals: float
    counters: float
    service_minutes: float
    scv: float = 1.0


@dataclass(frozen=True)
class HourPrediction:
    hour: int
    arrivals: float
    wait_minutes: float
    service_level: float


def calling_counters(first_minute: int, minutes: int, stretches: Sequence[tuple[float, float]],
                     service_minutes: float) -> np.ndarray:
    """Counters calling in each minute, from open stretches (start, end in minutes of the day).

    A clerk does not start a service that would run into a break or past closing, so a stretch calls
    residents until `service_minutes` before its end (its last resident is still served to the end).
    """
    calling = np.zeros(minutes)
    for begin, end in stretches:
        stop = max(begin, end - service_minutes)
        lo, hi = int(round(begin)) - first_minute, int(round(stop)) - first_minute
        lo, hi = max(lo, 0), min(hi, minutes)
        if hi > lo:
            calling[lo:hi] += 1.0
    return calling


@lru_cache(maxsize=65536)
def _steady(clerks: int, load: float, service_minutes: float, scv: float, target: float,
            patience: float | None) -> tuple[float, float]:
    """Service level within `target` and mean wait of the random layer, at whole clerks."""
    if load <= 1e-9 or clerks <= 0:
        return 1.0, 0.0
    load = min(load, STEADY_CAP * clerks)
    if patience is not None:
        found = erlang_a(clerks, load, service_minutes, patience, max(target, 0.0))
        return found.service_level, found.average_wait
    level, wait, _ = pool_performance(clerks, load, service_minutes, scv, max(target, 0.0))
    return level, wait


def steady(counters: float, load: float, service_minutes: float, scv: float, target: float,
           patience: float | None) -> tuple[float, float]:
    """The random layer at a fractional number of counters: linear between its whole neighbours."""
    low = math.floor(counters)
    share = counters - low
    a = _steady(low, round(load, 4), round(service_minutes, 4), round(scv, 3), round(target, 1), patience)
    if share < 1e-6:
        return a
    b = _steady(low + 1, round(load, 4), round(service_minutes, 4), round(scv, 3), round(target, 1), patience)
    if low == 0:  # no whole clerk: the fluid layer carries the queue, the random layer is that of one clerk
        return b
    return a[0] + share * (b[0] - a[0]), a[1] + share * (b[1] - a[1])


def diffusion_cap(hour: PastHour, elapsed_hours: float) -> float:
    """The most waiting chance can have built up `elapsed_hours` after the hall opened empty (minutes).

    A queue near or above its capacity is, to first order, the fluid layer; around it, chance moves the
    queue like a reflected Brownian motion with variance about 2 lambda per unit time, whose mean after
    t from empty is sqrt(2 lambda t / pi) residents, i.e. that many services shared by the counters.
    Steady-state Erlang waits near full load (hundreds of minutes at 95%) would take days to build;
    this keeps the random layer to what the day so far can hold.
    """
    queue = math.sqrt(2.0 * max(hour.arrivals, 0.0) * max(elapsed_hours, 1.0) / math.pi)
    return queue * hour.service_minutes / max(hour.counters, 1.0)


def _arrival_rate(hours: Sequence[PastHour], open_minutes: Sequence[bool] | None) -> np.ndarray:
    """Arrivals per minute: each hour's arrivals spread over its open minutes (all, when none is open)."""
    if open_minutes is None:
        return np.repeat([h.arrivals / MINUTES for h in hours], MINUTES)
    mask = np.asarray(open_minutes, dtype=bool).reshape(len(hours), MINUTES)
    shares = np.where(mask.any(axis=1, keepdims=True), mask, True).astype(float)
    shares /= shares.sum(axis=1, keepdims=True)
    return np.asarray((shares * np.array([h.arrivals for h in hours])[:, None]).ravel())


@dataclass
class _FluidDay:
    """One pool's day minute by minute: arrivals, calling capacity, and the queue each arrival finds."""

    rate: np.ndarray
    capacity: np.ndarray
    queue: np.ndarray

    @classmethod
    def run(cls, rate: np.ndarray, capacity: np.ndarray, theta: float) -> _FluidDay:
        queue = np.zeros(rate.size)
        q = 0.0
        for m in range(rate.size):
            queue[m] = q  # the queue a resident arriving in minute m finds
            q = max(0.0, q + rate[m] - capacity[m] - theta * q)
        return cls(rate, capacity, queue)

    def clock_waits(self, work: np.ndarray) -> np.ndarray:
        """Clock minutes from each minute m until the counters have done work[m] more residents' worth.

        After the day the last hour's counters keep calling until the hall is empty (as the simulation
        does), so a late resident's wait stays finite.
        """
        capacity, size = self.capacity, self.rate.size
        tail = capacity[-1] if capacity[-1] > 0 else max(capacity.max(), 1e-9)
        done = np.concatenate([[0.0], np.cumsum(capacity)])
        start = np.arange(work.size)
        need = done[start] + work
        k = np.searchsorted(done, need, side="left")
        kk = np.minimum(k, done.size - 1)
        within = kk - start - (done[kk] - need) / np.maximum(capacity[np.maximum(kk - 1, 0)], 1e-9)
        beyond = (size - start) + (need - done[-1]) / tail
        waits = np.where(k < done.size, np.maximum(within, 0.0), beyond)
        return np.asarray(np.where(work <= 1e-12, 0.0, waits))


def _hour(day: _FluidDay, fluid_waits: np.ndarray, i: int, h: PastHour, target_minutes: float,
          patience_minutes: float | None) -> HourPrediction:
    """The prediction of the i-th hour of the day: fluid wait plus the random layer, and the level."""
    load = h.arrivals * h.service_minutes / MINUTES
    _, random_wait = steady(h.counters, load, h.service_minutes, h.scv, target_minutes, patience_minutes)
    random_wait = min(random_wait, diffusion_cap(h, i + 1))
    span = slice(i * MINUTES, (i + 1) * MINUTES)
    open_now = day.capacity > 0
    # The random wait is counter time: it is turned into clock time with the fluid backlog, so a
    # resident who comes just before a break waits through it, as in the office.
    work = day.queue.copy()
    work[span] += random_wait * np.where(open_now[span], day.capacity[span], h.counters / h.service_minutes)
    waits = day.clock_waits(work)[span]
    size = day.rate.size
    levels = []
    for m in range(span.start, span.stop, 5):  # every fifth minute: the level changes slowly
        usable = int(open_now[m:min(m + int(target_minutes), size)].sum()) + max(0, m + int(target_minutes) - size)
        left = usable - float(fluid_waits[m])
        levels.append(0.0 if left < 0 else steady(h.counters, load, h.service_minutes, h.scv, round(left),
                                                  patience_minutes)[0])
    # Residents whose call would come after the day's last counter closed are not called at all (their
    # ticket expires): like the actual waits, which are those of called residents, they are left out.
    weights = day.rate[span] * (np.arange(span.start, span.stop) + waits < size)
    if weights.sum() <= 0:
        weights = day.rate[span] if day.rate[span].sum() > 0 else np.ones(MINUTES)
    return HourPrediction(h.hour, h.arrivals, float(np.average(waits, weights=weights)), float(np.mean(levels)))


def predict_day(hours: Sequence[PastHour], target_minutes: float, patience_minutes: float | None,
                calling: Sequence[float] | np.ndarray | None = None,
                open_minutes: Sequence[bool] | None = None) -> list[HourPrediction]:
    """Predict the mean wait and service level of each hour of one pool's day (consecutive clock hours).

    `calling`, when given, is the number of counters calling in each minute of those hours (from the
    counter sessions, see `calling_counters`); otherwise each hour's mean counters work all its minutes.
    `open_minutes` marks the minutes the office is open: an hour's arrivals come in those (all its
    minutes when none is open).
    """
    if not hours:
        return []
    theta = 0.0 if patience_minutes is None else 1.0 / patience_minutes
    minutes_of = np.repeat([h.service_minutes if h.service_minutes > 0 else math.inf for h in hours], MINUTES)
    counters = (np.asarray(calling, dtype=float) if calling is not None
                else np.repeat([h.counters for h in hours], MINUTES))
    day = _FluidDay.run(_arrival_rate(hours, open_minutes), counters / minutes_of, theta)
    fluid_waits = day.clock_waits(day.queue)
    return [HourPrediction(h.hour, 0.0, 0.0, 1.0) if h.arrivals <= 0
            else _hour(day, fluid_waits, i, h, target_minutes, patience_minutes) for i, h in enumerate(hours)]
