"""How sure a clerk's points per hour is, and which clerks can be told apart.

**Interval.** A clerk's points in a period are a sum of per-ticket points
`w_i` (the standard minutes of each completed ticket, plus its rating bonus).
Tickets come as a Poisson process, so the total is a weighted sum of Poisson
counts. Its interval is the gamma interval of Fay and Feuer ("Confidence
intervals for directly standardized rates: a method based on the gamma
distribution", Statistics in Medicine 16 (1997) 791-801), with
y = sum(w), v = sum(w^2), m = max(w):

    lower = Gamma(shape = y^2 / v,             scale = v / y            ).ppf(alpha / 2)
    upper = Gamma(shape = (y + m)^2 / (v + m^2), scale = (v + m^2) / (y + m)).ppf(1 - alpha / 2)

With equal weights it is exactly the classic (Garwood) Poisson interval
times the weight; unequal weights (a 20-minute and a 5-minute service)
widen it as they should. Dividing by the hours of work gives the rate's
interval. It is deterministic (no resampling seed), works from a single
ticket, and at zero tickets still gives an upper bound (from the office's
usual ticket size `fallback_weight`).

**Bands.** Clerks sorted by estimate (ties: more points, then name) are
cut into bands from the top: the first clerk leads band 1; each next clerk
joins the current band when their upper bound reaches the band leader's
lower bound (`upper >= leader.lower`), otherwise they lead a new band. So
two clerks share a band exactly when the lower one could, within the
interval, be as good as the band's best; a band number says "clearly
behind every band above".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LEVEL = 0.90  # two-sided: 5 % below, 5 % above


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    lower: float
    upper: float


def points_interval(weights: Sequence[float], level: float = LEVEL, fallback_weight: float = 1.0
                    ) -> tuple[float, float]:
    """Return the two-sided `level` interval of the expected total of Poisson-weighted points."""
    if not 0 < level < 1:
        raise ValueError("level must lie strictly between 0 and 1")
    from scipy.stats import gamma  # here, not at the top: scipy.stats takes ~0.6 s to import (see funnel.py)

    positive = [float(w) for w in weights if w > 0]
    tail = (1 - level) / 2
    y = sum(positive)
    v = sum(w * w for w in positive)
    m = max(positive) if positive else max(fallback_weight, 0.0)
    lower = float(gamma.ppf(tail, y * y / v, scale=v / y)) if y > 0 else 0.0
    if m <= 0:
        return lower, y
    top_v, top_y = v + m * m, y + m
    upper = float(gamma.ppf(1 - tail, top_y * top_y / top_v, scale=top_v / top_y))
    return lower, upper


def rate_interval(weights: Sequence[float], hours: float, level: float = LEVEL, fallback_weight: float = 1.0
                  ) -> Interval | None:
    """Return points per hour with its interval, or None without hours to divide by."""
    if hours <= 0:
        return None
    lower, upper = points_interval(weights, level, fallback_weight)
    total = sum(float(w) for w in weights if w > 0)
    return Interval(total / hours, lower / hours, upper / hours)


@dataclass(frozen=True, slots=True)
class Entry:
    interval: Interval
    points: float = 0.0
    name: str = ""


def bands(entries: Sequence[Entry]) -> list[tuple[int, int]]:
    """Return (index into `entries`, band) from the best estimate down; band 1 is the best, numbered without gaps.

    Ties in the estimate go to more points, then the name, then the input order.
    """
    order = sorted(range(len(entries)),
                   key=lambda i: (-entries[i].interval.estimate, -entries[i].points, entries[i].name, i))
    out: list[tuple[int, int]] = []
    leader: Interval | None = None
    band = 0
    for i in order:
        interval = entries[i].interval
        if leader is None or interval.upper < leader.lower:
            band += 1
            leader = interval
        out.append((i, band))
    return out
