"""Funnel plots: is an office's rate low for its exposure, or only noisy?

A small office serving 40 residents in 10 open hours and a large one serving
4,000 in 1,000 hours have the same rate, but the small one's rate is far less
certain. A raw ranking puts small offices at both ends by chance alone. A funnel
plot compares each office's count with the Poisson spread expected at its
exposure (open hours or clerk-hours) around the pooled rate of all offices.

Limits follow Spiegelhalter, "Funnel plots for comparing institutional
performance", Statistics in Medicine 24 (2005) 1185-1202: exact Poisson
quantiles, interpolated so the limit is a smooth curve of the exposure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Generic, TypeVar

from .errors import InvalidInput

# Two-sided levels: 95% (about 2 standard deviations) warns, 99.8% (about 3) alarms.
LEVELS = (0.95, 0.998)


def poisson_limit(expected: float, probability: float) -> float:
    """Return the interpolated `probability` quantile of a Poisson count with mean `expected`."""
    if expected <= 0:
        return 0.0
    from scipy.stats import poisson  # here, not at the top: scipy.stats takes ~0.6 s to import (see LAZY_IMPORTS)

    count = float(poisson.ppf(probability, expected))
    below, at = float(poisson.cdf(count - 1, expected)), float(poisson.cdf(count, expected))
    if at == below:
        return count
    return count - (at - probability) / (at - below)


@dataclass(frozen=True)
class Limits:
    exposure: float
    expected: float
    lower: dict[float, float]  # level -> lowest rate inside the funnel
    upper: dict[float, float]
    tau2: float = 0.0


def limits(pooled_rate: float, exposure: float, levels: tuple[float, ...] = LEVELS, tau2: float = 0.0) -> Limits:
    """Return the funnel's rate limits at one exposure.

    With `tau2` > 0 (over-dispersion, see `overdispersion`) the limits are the normal ones widened by the
    between-office variance: rate ± z * sqrt(pooled / exposure + tau2).
    """
    if exposure <= 0:
        raise InvalidInput("exposure_not_positive")
    expected = pooled_rate * exposure
    if tau2 > 0:
        spread = math.sqrt(pooled_rate / exposure + tau2)
        z = {lv: NormalDist().inv_cdf(1 - (1 - lv) / 2) for lv in levels}
        return Limits(exposure, expected, {lv: max(0.0, pooled_rate - z[lv] * spread) for lv in levels},
                      {lv: pooled_rate + z[lv] * spread for lv in levels}, tau2)
    lower = {lv: poisson_limit(expected, (1 - lv) / 2) / exposure for lv in levels}
    upper = {lv: poisson_limit(expected, 1 - (1 - lv) / 2) / exposure for lv in levels}
    return Limits(exposure, expected, lower, upper)


MIN_OFFICES_FOR_DISPERSION = 10


def overdispersion(points: list[tuple[int, float]], pooled_rate: float) -> float:
    """Estimate the between-office variance of the rate (tau squared), 0 when Poisson noise explains the spread.

    Spiegelhalter (2005), section 6: z-scores winsorised at their 10% and 90% quantiles, phi = mean of z
    squared; when n * phi > n - 1, tau2 = (n phi - (n - 1)) / (sum w - sum w^2 / sum w) with w = 1 / var,
    var = pooled / exposure. Only with at least ten offices: fewer cannot tell real differences from noise.
    """
    exposed = [(c, e) for c, e in points if e > 0]
    n = len(exposed)
    if n < MIN_OFFICES_FOR_DISPERSION or pooled_rate <= 0:
        return 0.0
    z = sorted((c / e - pooled_rate) / math.sqrt(pooled_rate / e) for c, e in exposed)
    low, high = z[int(0.1 * (n - 1))], z[math.ceil(0.9 * (n - 1))]
    phi = sum(min(max(v, low), high) ** 2 for v in z) / n
    if n * phi <= n - 1:
        return 0.0
    w = [e / pooled_rate for _c, e in exposed]
    return (n * phi - (n - 1)) / (sum(w) - sum(x * x for x in w) / sum(w))


K = TypeVar("K")


@dataclass(frozen=True)
class FunnelPoint(Generic[K]):
    key: K
    count: int
    exposure: float
    rate: float
    expected: float
    flag: str  # low_alarm (below 99.8%), low_warn (below 95%), ok, high_warn, high_alarm
    limits: Limits | None


def flag_for(count: float, lim: Limits) -> str:
    """Place a count against its funnel: below or above the 95% and 99.8% limits."""
    rate = count / lim.exposure
    low95, low998 = lim.lower[LEVELS[0]], lim.lower[LEVELS[1]]
    high95, high998 = lim.upper[LEVELS[0]], lim.upper[LEVELS[1]]
    if rate < low998:
        return "low_alarm"
    if rate < low95:
        return "low_warn"
    if rate > high998:
        return "high_alarm"
    if rate > high95:
        return "high_warn"
    return "ok"


def funnel(points: list[tuple[K, int, float]], adjust: bool = True) -> tuple[float, list[FunnelPoint[K]]]:
    """Place (key, count, exposure) points in a funnel around their pooled rate.

    Points without exposure (an office that never opened) get flag `no_exposure`
    and do not move the pooled rate. With `adjust`, limits widen for over-dispersion
    (see `overdispersion`); the estimate is on each point's `limits.tau2`.
    """
    exposed = [(k, c, e) for k, c, e in points if e > 0]
    total_exposure = sum(e for _k, _c, e in exposed)
    pooled = sum(c for _k, c, _e in exposed) / total_exposure if total_exposure else 0.0
    tau2 = overdispersion([(c, e) for _k, c, e in exposed], pooled) if adjust else 0.0
    placed: list[FunnelPoint[K]] = []
    for key, count, exposure in points:
        if count < 0:
            raise InvalidInput("count_negative")
        if exposure <= 0:
            placed.append(FunnelPoint(key, count, 0.0, 0.0, 0.0, "no_exposure", None))
            continue
        lim = limits(pooled, exposure, tau2=tau2)
        placed.append(FunnelPoint(key, count, exposure, count / exposure, lim.expected, flag_for(count, lim), lim))
    return pooled, placed


def curve(pooled_rate: float, max_exposure: float, steps: int = 60, start: float = 0.0, tau2: float = 0.0
          ) -> list[Limits]:
    """Return the funnel's limits at `steps` exposures from `start` up to `max_exposure`, for drawing."""
    if max_exposure <= 0 or pooled_rate <= 0:
        return []
    first = min(max(start, max_exposure / steps**2), max_exposure)
    return [limits(pooled_rate, first + (max_exposure - first) * (i / steps) ** 2, tau2=tau2)
            for i in range(steps + 1)]
