"""Estimates from history, each with its uncertainty: arrival rates, service times, patience.

All functions take plain numbers (counts, minutes) so they are testable without a database;
`ptsp.analytics.history` turns the event log into these numbers.

- **Arrival rate.** Arrivals in one clock hour of one weekday, counted over `days` open days, are
  taken as Poisson with mean `rate` per day-hour. The estimate is count / days, and the interval is
  the exact (Garwood) interval from the gamma distribution: lower = Gamma(count, 1).ppf(a/2) / days,
  upper = Gamma(count + 1, 1).ppf(1 - a/2) / days, which stays honest at counts of 0, 1 or 2 where a
  normal approximation would give a negative lower bound.
- **Service time.** From each finished ticket's started_at to finished_at. Mean with a Student t
  interval; the 90th percentile with the distribution-free order-statistic interval (the ranks
  whose binomial(n, 0.9) probabilities bracket the confidence); the coefficient of variation
  (CV = sd / mean) with a seeded percentile bootstrap, since its sampling distribution has no
  simple closed form for skewed service times.
- **Patience.** Only residents who leave *before being called* show their patience: a walk-away.
  One who cancelled while waiting walked away at a known time; one whose ticket expired uncalled left
  at an unknown time before the expiry (interval-censored). One who was called shows only that their
  patience was longer than their wait (right-censored). A no-show (called, did not come) is counted
  but not used: whether they left before the call or were just outside is unknown. With patience taken
  as exponential, and only exact walk-aways, the maximum-likelihood mean is the total waiting time of
  everyone (the "time on test") divided by the number who walked away, and 2 x total / mean is
  chi-square with 2d degrees of freedom (d walk-aways), the standard result for exponential lives
  under censoring (e.g. Lawless, Statistical Models and Methods for Lifetime Data, 2nd ed., s. 2.2 and
  3.5). With expired tickets the likelihood is maximised numerically and the interval is the
  likelihood-ratio one. Fewer than `MIN_WALK_AWAYS` walk-aways: no estimate (see `patience`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.special import gammaincinv

DEFAULT_CONFIDENCE = 0.95


def _alpha(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return 1.0 - confidence


@dataclass(frozen=True)
class RateEstimate:
    """Arrivals per day in one bucket (a clock hour of a weekday), with an exact Poisson interval."""

    count: int
    days: int
    rate: float
    low: float
    high: float


def arrival_rate(count: int, days: int, confidence: float = DEFAULT_CONFIDENCE) -> RateEstimate:
    """Estimate a Poisson rate per day from `count` arrivals over `days` observed days."""
    if count < 0 or days < 0:
        raise ValueError("count and days must not be negative")
    if days == 0:
        return RateEstimate(count, 0, 0.0, 0.0, math.inf)
    alpha = _alpha(confidence)
    # gammaincinv(a, q) is the q-quantile of Gamma(a, 1), the same as stats.gamma.ppf but a plain
    # ufunc: hundreds of buckets per office are estimated in microseconds.
    low = float(gammaincinv(count, alpha / 2)) / days if count > 0 else 0.0
    high = float(gammaincinv(count + 1, 1 - alpha / 2)) / days
    return RateEstimate(count, days, count / days, low, high)


@dataclass(frozen=True)
class ServiceTimeEstimate:
    """Minutes of service per resident: mean (t interval), quantiles and CV (bootstrap intervals)."""

    n: int
    mean: float
    mean_low: float
    mean_high: float
    median: float
    p90: float
    p90_low: float
    p90_high: float
    cv: float
    cv_low: float
    cv_high: float


def _cv(sample: np.ndarray, axis: int = -1) -> np.ndarray:
    mean = sample.mean(axis=axis)
    cv: np.ndarray = np.divide(sample.std(axis=axis, ddof=1), mean, out=np.zeros_like(mean), where=mean > 0)
    return cv


def service_times(
    minutes: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
    resamples: int = 200,
    seed: int = 0,
) -> ServiceTimeEstimate | None:
    """Describe a sample of service minutes; None when there is no sample at all."""
    sample = np.asarray([m for m in minutes if m >= 0], dtype=float)
    n = sample.size
    if n == 0:
        return None
    alpha = _alpha(confidence)
    mean = float(sample.mean())
    median = float(np.median(sample))
    p90 = float(np.quantile(sample, 0.9))
    if n == 1:
        return ServiceTimeEstimate(1, mean, 0.0, math.inf, median, p90, 0.0, math.inf, 0.0, 0.0, math.inf)
    from scipy import stats  # lazily: scipy.stats takes ~0.6 s to import, and every `ptsp` start would pay it

    sd = float(sample.std(ddof=1))
    half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / math.sqrt(n)
    ordered = np.sort(sample)
    # Ranks l < u with P(X(l) <= q90 <= X(u)) >= confidence, from Binomial(n, 0.9) (1-based ranks).
    low_rank = int(stats.binom.ppf(alpha / 2, n, 0.9))
    high_rank = int(stats.binom.ppf(1 - alpha / 2, n, 0.9)) + 1
    p90_low = float(ordered[low_rank - 1]) if low_rank >= 1 else 0.0
    p90_high = float(ordered[high_rank - 1]) if high_rank <= n else math.inf
    # Large samples get fewer resamples (at most about 250 000 draws): their interval is narrow and
    # its Monte Carlo error small, and the planning of hundreds of offices stays fast.
    resamples = max(50, min(resamples, 250_000 // n))
    rng = np.random.default_rng(seed)
    draws = sample[rng.integers(0, n, size=(resamples, n))]
    cvs = _cv(draws, axis=1)
    lo, hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
    return ServiceTimeEstimate(
        n=n,
        mean=mean,
        mean_low=max(0.0, mean - half),
        mean_high=mean + half,
        median=median,
        p90=p90,
        p90_low=p90_low,
        p90_high=p90_high,
        cv=float(sd / mean) if mean > 0 else 0.0,
        cv_low=float(np.percentile(cvs, lo)),
        cv_high=float(np.percentile(cvs, hi)),
    )


MIN_WALK_AWAYS = 10  # fewer walk-aways than this: patience is reported as not estimable


@dataclass(frozen=True)
class PatienceEstimate:
    """Mean patience in minutes (exponential, censored MLE) with its interval.

    `walked_away` residents left before being called at a known time (cancelled while waiting);
    `expired` left before being called at an unknown time (their ticket expired; interval-censored);
    `stayed` were called (right-censored at their wait); `no_shows` were called and did not come, and
    are counted only (they say nothing certain about patience). `estimable` is False when fewer than
    `MIN_WALK_AWAYS` walked away: the mean and upper bound are then None and only `low` says anything.
    """

    walked_away: int
    stayed: int
    time_on_test: float
    mean: float | None
    low: float
    high: float | None
    expired: int = 0
    no_shows: int = 0
    estimable: bool = True
    reason: str = ""  # why not estimable: "few_walk_aways", or "beyond_waits" (the fit outlasts every wait seen)
    longest_wait: float | None = None

    @property
    def walk_aways(self) -> int:
        return self.walked_away + self.expired


def _log_likelihood(rate: float, events: int, exposure: float, unknown: Sequence[float]) -> float:
    """Exponential log-likelihood: exact walk-aways, right-censored waits, walk-aways before `unknown`."""
    tail = sum(math.log(-math.expm1(-rate * u)) for u in unknown if u > 0)
    return events * math.log(rate) - rate * exposure + tail


def patience(
    walked_away_minutes: Sequence[float],
    stayed_minutes: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
    expired_minutes: Sequence[float] = (),
    no_shows: int = 0,
    min_walk_aways: int = MIN_WALK_AWAYS,
    longest_wait: float | None = None,
) -> PatienceEstimate:
    """Estimate mean patience from waits ended by walking away and waits ended by a call.

    Exact walk-aways (minutes until the cancel) and right-censored waits (called residents) give the
    classic estimate total time / walk-aways with the chi-square interval. Expired tickets left at an
    unknown time before their expiry (`expired_minutes`, issue to expiry): each adds log(1 - e^(-u/P))
    to the likelihood (interval-censored), so the mean is then found numerically and its interval is the
    likelihood-ratio one (chi-square, 1 degree of freedom). With fewer than `min_walk_aways` walk-aways
    (exact plus expired) the estimate is withheld: `estimable` is False, `mean` and `high` are None.
    A fitted mean longer than `longest_wait` (the longest wait seen) is an extrapolation: the data say
    only that few leave, not how patient the rest are; it is kept in `mean` but `estimable` is False.
    """
    gone = [max(0.0, m) for m in walked_away_minutes]
    stayed = [max(0.0, m) for m in stayed_minutes]
    unknown = [max(0.0, m) for m in expired_minutes]
    total = float(sum(gone) + sum(stayed))
    d = len(gone)
    alpha = _alpha(confidence)
    from scipy import stats  # lazily, as in service_times

    # Type I censoring: the lower bound uses 2d + 2 degrees of freedom, the upper 2d.
    low = 2 * total / float(stats.chi2.ppf(1 - alpha / 2, 2 * d + 2)) if total > 0 else 0.0
    base: dict[str, Any] = {"walked_away": d, "stayed": len(stayed), "time_on_test": total, "expired": len(unknown),
            "no_shows": no_shows, "longest_wait": longest_wait}
    if d + len(unknown) < max(1, min_walk_aways) or (total <= 0 and not unknown):
        return PatienceEstimate(**base, mean=None, low=low, high=None, estimable=False, reason="few_walk_aways")
    if not unknown:
        high = 2 * total / float(stats.chi2.ppf(alpha / 2, 2 * d))
        found = PatienceEstimate(**base, mean=total / d, low=low, high=high)
    else:
        found = _interval_censored(base, d, total, unknown, alpha)
    if longest_wait is not None and found.mean is not None and found.mean > longest_wait:
        return replace(found, estimable=False, reason="beyond_waits")
    return found


def _interval_censored(base: dict[str, Any], d: int, total: float, unknown: list[float],
                       alpha: float) -> PatienceEstimate:
    from scipy import optimize, stats

    def nll(log_rate: float) -> float:
        return -_log_likelihood(math.exp(log_rate), d, total, unknown)

    scale = max([*unknown, total / max(d, 1), 1.0])
    lo_bracket, hi_bracket = math.log(1e-6 / scale), math.log(1e3 / min([u for u in unknown if u > 0] or [1.0]))
    best = optimize.minimize_scalar(nll, bounds=(lo_bracket, hi_bracket), method="bounded",
                                    options={"xatol": 1e-9})
    peak = float(best.x)
    cut = -float(best.fun) - float(stats.chi2.ppf(1 - alpha, 1)) / 2

    def excess(log_rate: float) -> float:
        return -nll(log_rate) - cut

    fastest = optimize.brentq(excess, peak, hi_bracket) if excess(hi_bracket) < 0 else hi_bracket
    slowest = optimize.brentq(excess, lo_bracket, peak) if excess(lo_bracket) < 0 else None
    return PatienceEstimate(**base, mean=math.exp(-peak), low=math.exp(-fastest),
                            high=math.exp(-slowest) if slowest is not None else None)
