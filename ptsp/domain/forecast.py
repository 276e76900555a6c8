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
- **Patience.** A resident who walks away shows their patience; one who is called while still
  there shows only that their patience was longer than their wait (right-censored). With patience
  taken as exponential, the maximum-likelihood mean is the total waiting time of everyone (the
  "time on test") divided by the number who walked away. The interval treats 2 x total / mean as
  chi-square (2d degrees of freedom, d walk-aways), the standard result for exponential lives under
  censoring (e.g. Lawless, Statistical Models and Methods for Lifetime Data, 2nd ed., s. 2.2 and 3.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class PatienceEstimate:
    """Mean patience in minutes (exponential, censored MLE) with a chi-square interval."""

    walked_away: int
    stayed: int
    time_on_test: float
    mean: float
    low: float
    high: float


def patience(
    walked_away_minutes: Sequence[float],
    stayed_minutes: Sequence[float],
    confidence: float = DEFAULT_CONFIDENCE,
) -> PatienceEstimate:
    """Estimate mean patience from waits ended by walking away and waits ended by a call.

    With nobody walking away the estimate is unbounded (mean = inf) and only the lower bound,
    from 2 degrees of freedom, says something: patience is at least that long.
    """
    gone = [max(0.0, m) for m in walked_away_minutes]
    stayed = [max(0.0, m) for m in stayed_minutes]
    total = float(sum(gone) + sum(stayed))
    d = len(gone)
    alpha = _alpha(confidence)
    from scipy import stats  # lazily, as in service_times

    # Type I censoring: the lower bound uses 2d + 2 degrees of freedom, the upper 2d.
    low = 2 * total / float(stats.chi2.ppf(1 - alpha / 2, 2 * d + 2)) if total > 0 else 0.0
    if d == 0:
        return PatienceEstimate(0, len(stayed), total, math.inf, low, math.inf)
    high = 2 * total / float(stats.chi2.ppf(alpha / 2, 2 * d))
    return PatienceEstimate(d, len(stayed), total, total / d, low, high)
