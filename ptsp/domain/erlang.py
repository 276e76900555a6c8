"""Queueing formulas for staffing counters: Erlang B, Erlang C and Erlang A.

Notation: residents arrive at rate lambda, a clerk serves one in a mean time S
(rate mu = 1/S), the offered load is A = lambda * S Erlangs and n clerks serve one
first-come first-served queue. Times come in any unit, as long as all the times
given to one function share it.

Erlang B (M/M/n/n, blocking) uses the recursion B(0) = 1,
B(k) = A B(k-1) / (k + A B(k-1)). Every step stays between 0 and 1, so no factorial
or power of A is ever formed and 500 or 5000 clerks are as safe as 5.

Erlang C (M/M/n, residents wait as long as it takes) is derived from Erlang B:
C = n B / (n - A (1 - B)). With A >= n the queue grows without end: the probability
of waiting is 1, the average wait is infinite and the service level is 0.
Service level within T is 1 - C exp(-(n - A) T / S) and the average speed of answer
is C S / (n - A).

Erlang A (M/M/n+M, Palm's model) lets each waiting resident give up after an
exponential patience with mean P (rate theta = 1/P). The method follows Garnett,
Mandelbaum and Reiman (2002) and Mandelbaum and Zeltyn's notes on the Palm/Erlang-A
queue. With x = n mu / theta and y = lambda / theta, the queue states above n form a
birth-death chain whose weights relative to state n are z(k) = prod_{i<=k} y/(x+i),
and their sum is the function A(x, y) = 1 + sum_k z(k) (equal to
x e^y y^-x gamma(x, y), with gamma the lower incomplete gamma function). Then:

- probability of waiting: P(W>0) = A(x, y) B / (1 + (A(x, y) - 1) B), with B = Erlang B;
- abandonment: P(Ab | W>0) = sum_k k z(k) / (y A(x, y)), the rate theta E[Q]
  divided by the rate of arrivals that wait;
- average wait: E[W] = P(Ab) / theta (Little's law applied to the abandoning);
- service level within T, counted as the share of all arrivals who are called
  within T (anyone who gives up counts as a miss, however early):
  1 - P(W>0) + P(W>0) x/(x+1) [A(x+1, y) - e^{-(x+1) theta T + y (1 - e^{-theta T})}
  A(x+1, y e^{-theta T})] / A(x, y).
  This comes from the tail of the offered wait, P(V > t | W>0) =
  gamma(x, y e^{-theta t}) / gamma(x, y), integrated against the resident's own
  patience.

The chain is summed numerically, in logarithms (log z(k) = k log y - log Gamma(x+k+1)
+ log Gamma(x+1)), over a window of states around the largest term, truncated where
the terms have fallen e^-45 below it. No incomplete gamma function is
evaluated directly: its regularised form underflows when the load is far below
the clerks, while the logarithmic sum does not. The tests check this sum against
scipy's incomplete gamma function where both are representable, and the service
level against a direct solution of the Markov chain.

How many clerks a target needs, and how a given number performs, is answered from
these formulas in `ptsp.domain.staffing_calculator`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, gammaln, logsumexp

from .errors import InvalidInput

# How far below the largest term (in natural logarithms) the truncated chain stops.
_TRUNCATION_DEPTH = 45.0


class InvalidStaffingInput(InvalidInput):
    """Raised when a queueing or staffing question has inputs that make no sense (`value` is what was given)."""


@dataclass(frozen=True)
class ImpatientQueueMetrics:
    """Steady-state figures of an M/M/n+M (Erlang A) queue."""

    probability_of_waiting: float
    abandonment_probability: float
    average_wait: float
    service_level: float
    occupancy: float


def check_servers(servers: int) -> None:
    """Refuse a number of clerks that is not a whole number >= 0."""
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise InvalidStaffingInput("staffing_servers_invalid", value=servers)


def check_nonnegative(name: str, value: float) -> None:
    """Refuse a value that is negative or not finite."""
    if not math.isfinite(value) or value < 0:
        raise InvalidStaffingInput("staffing_value_negative", field=name, value=value)


def check_positive(name: str, value: float) -> None:
    """Refuse a value that is not above 0 or not finite."""
    if not math.isfinite(value) or value <= 0:
        raise InvalidStaffingInput("staffing_value_not_positive", field=name, value=value)


def erlang_b_step(previous: float, servers: int, load: float) -> float:
    """Advance Erlang B from servers - 1 to servers."""
    carried = load * previous
    return carried / (servers + carried)


def erlang_b(servers: int, load: float) -> float:
    """Return the Erlang B blocking probability for `servers` and `load` Erlangs."""
    check_servers(servers)
    check_nonnegative("load", load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = erlang_b_step(blocking, k, load)
    return blocking


def erlang_c_from_b(blocking: float, servers: int, load: float) -> float:
    """Return Erlang C from the Erlang B value of the same clerks and load."""
    if load == 0:
        return 0.0
    if load >= servers:
        return 1.0
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c(servers: int, load: float) -> float:
    """Return the Erlang C probability that an arrival waits (1.0 when unstable)."""
    return erlang_c_from_b(erlang_b(servers, load), servers, load)


def probability_of_waiting(servers: int, load: float) -> float:
    """Return the M/M/n probability that a resident is not called at once."""
    return erlang_c(servers, load)


def service_level_from_c(
    waiting: float, servers: int, load: float, service_time: float, target_time: float
) -> float:
    """Return the M/M/n service level from the Erlang C value."""
    if load >= servers and load > 0:
        return 0.0
    return 1.0 - waiting * math.exp(-(servers - load) * target_time / service_time)


def service_level(servers: int, load: float, service_time: float, target_time: float) -> float:
    """Return the M/M/n share of residents called within `target_time`."""
    check_positive("service_time", service_time)
    check_nonnegative("target_time", target_time)
    return service_level_from_c(erlang_c(servers, load), servers, load, service_time, target_time)


def average_wait_from_c(waiting: float, servers: int, load: float, service_time: float) -> float:
    """Return the M/M/n mean wait from the Erlang C value (infinite when unstable)."""
    if load == 0:
        return 0.0
    if load >= servers:
        return math.inf
    return waiting * service_time / (servers - load)


def average_speed_of_answer(servers: int, load: float, service_time: float) -> float:
    """Return the M/M/n mean wait before being called (infinite when unstable)."""
    check_positive("service_time", service_time)
    return average_wait_from_c(erlang_c(servers, load), servers, load, service_time)


def occupancy(servers: int, load: float) -> float:
    """Return the share of clerk time spent serving, capped at 1 when overloaded."""
    check_servers(servers)
    check_nonnegative("load", load)
    if load == 0:
        return 0.0
    if load >= servers:
        return 1.0
    return load / servers


def _chain_sums(x: float, y: float) -> tuple[float, float]:
    """Return log A(x, y) = log sum_k z(k), z(k) = prod_{i<=k} y/(x+i), and the mean of k."""
    if y == 0:
        return 0.0, 0.0
    # log z(k) is concave in k with its peak near y - x; only a window around the peak
    # matters, which keeps overloaded queues with very patient residents cheap.
    log_y = math.log(y)
    peak = max(0, math.ceil(y - x))
    half_width = 64
    while True:
        first = max(0, peak - half_width)
        last = peak + half_width
        # Within the window, add the steps log(y / (x + i)) one by one: a difference of
        # two log-gamma values near x would cancel away digits when x is large.
        offset = 0.0
        if first > 0:
            offset = first * log_y - (gammaln(x + first + 1) - gammaln(x + 1))
        steps = log_y - np.log(x + np.arange(first + 1, last + 1, dtype=float))
        # Kept apart from the offset, which can be as large as y and would swamp them.
        log_terms = np.concatenate(([0.0], np.cumsum(steps)))
        floor = log_terms.max() - _TRUNCATION_DEPTH
        if log_terms[-1] < floor and (first == 0 or log_terms[0] < floor):
            break
        half_width *= 2
    states = np.arange(first, last + 1, dtype=float)
    log_sum = float(logsumexp(log_terms))
    counted = states > 0
    log_weighted = float(logsumexp(log_terms[counted] + np.log(states[counted])))
    return offset + log_sum, math.exp(log_weighted - log_sum)


def impatient_metrics(
    servers: int,
    blocking: float,
    load: float,
    service_time: float,
    patience: float,
    target_time: float,
) -> ImpatientQueueMetrics:
    """Return the M/M/n+M figures from the Erlang B value of the same clerks and load."""
    if load == 0:
        return ImpatientQueueMetrics(0.0, 0.0, 0.0, 1.0, 0.0)
    theta = 1.0 / patience
    x = servers / (service_time * theta)
    y = load / (service_time * theta)
    log_a, mean_ahead = _chain_sums(x, y)
    if blocking == 0.0:
        waiting, not_waiting = 0.0, 1.0
    elif blocking == 1.0:
        waiting, not_waiting = 1.0, 0.0
    else:
        # P(W>0) = A B / (1 + (A - 1) B), rearranged so that a huge A cannot overflow.
        logit = log_a + math.log(blocking) - math.log1p(-blocking)
        waiting, not_waiting = float(expit(logit)), float(expit(-logit))
    abandon_given_wait = mean_ahead / y
    abandonment = waiting * abandon_given_wait
    decay = theta * target_time
    log_a_next, _ = _chain_sums(x + 1, y)
    log_a_late, _ = _chain_sums(x + 1, y * math.exp(-decay))
    log_late_share = -(x + 1) * decay - y * math.expm1(-decay) + log_a_late - log_a_next
    # expm1 keeps the small difference accurate when few are called within the target.
    served_in_time_given_wait = (
        x / (x + 1) * math.exp(log_a_next - log_a) * -math.expm1(log_late_share)
    )
    level = not_waiting + waiting * served_in_time_given_wait
    busy = load * (1.0 - abandonment) / servers if servers else 0.0
    return ImpatientQueueMetrics(
        probability_of_waiting=waiting,
        abandonment_probability=abandonment,
        average_wait=abandonment * patience,
        service_level=min(max(level, 0.0), 1.0),
        occupancy=min(busy, 1.0),
    )


def erlang_a(
    servers: int, load: float, service_time: float, patience: float, target_time: float
) -> ImpatientQueueMetrics:
    """Return the M/M/n+M figures for residents with exponential `patience` (a mean)."""
    check_servers(servers)
    check_nonnegative("load", load)
    check_positive("service_time", service_time)
    check_positive("patience", patience)
    check_nonnegative("target_time", target_time)
    return impatient_metrics(
        servers, erlang_b(servers, load), load, service_time, patience, target_time
    )


def offered_load(arrivals_per_hour: float, service_minutes: float) -> float:
    """Return the offered load in Erlangs for hourly arrivals and minutes of service."""
    return arrivals_per_hour * service_minutes / 60.0
