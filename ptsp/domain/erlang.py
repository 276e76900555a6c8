"""Queueing formulas for staffing counters: Erlang B, Erlang C and Erlang A.

Notation: residents arrive at rate lambda, a clerk serves one in a mean time S
(rate mu = 1/S), the offered load is A = lambda * S Erlangs and n clerks serve one
first-come first-served queue. Times come in any unit, as long as all the times
given to one function share it; `required_clerks` works in hours and minutes.

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

Staffing answers choose the smallest number of clerks meeting the service level
(and the occupancy cap if given); shrinkage then inflates it to the clerks to
schedule, ceil(n / (1 - shrinkage)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, gammaln, logsumexp

# How far below the largest term (in natural logarithms) the truncated chain stops.
_TRUNCATION_DEPTH = 45.0
# Spare clerks above the load searched before a target is declared unreachable.
_SEARCH_SPARE = 100


class InvalidStaffingInput(ValueError):
    """Raised when a queueing or staffing question has inputs that make no sense."""


@dataclass(frozen=True)
class ImpatientQueueMetrics:
    """Steady-state figures of an M/M/n+M (Erlang A) queue."""

    probability_of_waiting: float
    abandonment_probability: float
    average_wait: float
    service_level: float
    occupancy: float


@dataclass(frozen=True)
class StaffingAnswer:
    """The clerks needed for a target, and how the queue behaves with them.

    The figures describe `raw_clerks` serving at the counters; `clerks` is the
    number to schedule once shrinkage (breaks, leave, training) is allowed for.
    """

    clerks: int
    raw_clerks: int
    probability_of_waiting: float
    service_level: float
    average_wait_minutes: float
    occupancy: float
    abandonment_probability: float | None


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 0:
        raise InvalidStaffingInput(f"servers must be a whole number >= 0, got {servers!r}")


def _check_nonnegative(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise InvalidStaffingInput(f"{name} must be a finite number >= 0, got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise InvalidStaffingInput(f"{name} must be a finite number > 0, got {value!r}")


def _erlang_b_step(previous: float, servers: int, load: float) -> float:
    """Advance Erlang B from servers - 1 to servers."""
    carried = load * previous
    return carried / (servers + carried)


def erlang_b(servers: int, load: float) -> float:
    """Return the Erlang B blocking probability for `servers` and `load` Erlangs."""
    _check_servers(servers)
    _check_nonnegative("load", load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = _erlang_b_step(blocking, k, load)
    return blocking


def _erlang_c_from_b(blocking: float, servers: int, load: float) -> float:
    if load == 0:
        return 0.0
    if load >= servers:
        return 1.0
    return servers * blocking / (servers - load * (1.0 - blocking))


def erlang_c(servers: int, load: float) -> float:
    """Return the Erlang C probability that an arrival waits (1.0 when unstable)."""
    return _erlang_c_from_b(erlang_b(servers, load), servers, load)


def probability_of_waiting(servers: int, load: float) -> float:
    """Return the M/M/n probability that a resident is not called at once."""
    return erlang_c(servers, load)


def _service_level_from_c(
    waiting: float, servers: int, load: float, service_time: float, target_time: float
) -> float:
    if load >= servers and load > 0:
        return 0.0
    return 1.0 - waiting * math.exp(-(servers - load) * target_time / service_time)


def service_level(servers: int, load: float, service_time: float, target_time: float) -> float:
    """Return the M/M/n share of residents called within `target_time`."""
    _check_positive("service_time", service_time)
    _check_nonnegative("target_time", target_time)
    return _service_level_from_c(erlang_c(servers, load), servers, load, service_time, target_time)


def _average_wait_from_c(waiting: float, servers: int, load: float, service_time: float) -> float:
    if load == 0:
        return 0.0
    if load >= servers:
        return math.inf
    return waiting * service_time / (servers - load)


def average_speed_of_answer(servers: int, load: float, service_time: float) -> float:
    """Return the M/M/n mean wait before being called (infinite when unstable)."""
    _check_positive("service_time", service_time)
    return _average_wait_from_c(erlang_c(servers, load), servers, load, service_time)


def occupancy(servers: int, load: float) -> float:
    """Return the share of clerk time spent serving, capped at 1 when overloaded."""
    _check_servers(servers)
    _check_nonnegative("load", load)
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


def _impatient_metrics(
    servers: int,
    blocking: float,
    load: float,
    service_time: float,
    patience: float,
    target_time: float,
) -> ImpatientQueueMetrics:
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
    _check_servers(servers)
    _check_nonnegative("load", load)
    _check_positive("service_time", service_time)
    _check_positive("patience", patience)
    _check_nonnegative("target_time", target_time)
    return _impatient_metrics(
        servers, erlang_b(servers, load), load, service_time, patience, target_time
    )


def offered_load(arrivals_per_hour: float, service_minutes: float) -> float:
    """Return the offered load in Erlangs for hourly arrivals and minutes of service."""
    return arrivals_per_hour * service_minutes / 60.0


def _validate_staffing(
    arrivals_per_hour: float,
    service_minutes: float,
    target_minutes: float,
    target_level: float,
    max_occupancy: float | None,
    shrinkage: float,
    patience_minutes: float | None,
) -> None:
    _check_nonnegative("arrivals_per_hour", arrivals_per_hour)
    _check_positive("service_minutes", service_minutes)
    _check_nonnegative("target_minutes", target_minutes)
    if not (math.isfinite(target_level) and 0 < target_level <= 1):
        raise InvalidStaffingInput(
            f"target_level must be above 0 and at most 1 (0.8 means 80%), got {target_level!r}"
        )
    if max_occupancy is not None and not (math.isfinite(max_occupancy) and 0 < max_occupancy <= 1):
        raise InvalidStaffingInput(
            f"max_occupancy must be above 0 and at most 1, got {max_occupancy!r}"
        )
    if not (math.isfinite(shrinkage) and 0 <= shrinkage < 1):
        raise InvalidStaffingInput(f"shrinkage must be at least 0 and below 1, got {shrinkage!r}")
    if patience_minutes is not None:
        _check_positive("patience_minutes", patience_minutes)


def _scheduled(raw_clerks: int, shrinkage: float) -> int:
    # Round away float noise first: 7 / (1 - 0.3) is 10.000000000000002, not 11 clerks.
    return math.ceil(round(raw_clerks / (1.0 - shrinkage), 9))


def required_clerks(
    arrivals_per_hour: float,
    service_minutes: float,
    target_minutes: float,
    target_level: float,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    patience_minutes: float | None = None,
) -> StaffingAnswer:
    """Return the fewest clerks calling `target_level` of residents within `target_minutes`.

    Erlang C is used, or Erlang A when `patience_minutes` is given. With no arrivals
    the answer is 0 clerks: nobody waits, so the service level is 1.
    """
    _validate_staffing(
        arrivals_per_hour,
        service_minutes,
        target_minutes,
        target_level,
        max_occupancy,
        shrinkage,
        patience_minutes,
    )
    if arrivals_per_hour == 0:
        return StaffingAnswer(
            clerks=0,
            raw_clerks=0,
            probability_of_waiting=0.0,
            service_level=1.0,
            average_wait_minutes=0.0,
            occupancy=0.0,
            abandonment_probability=None if patience_minutes is None else 0.0,
        )
    load = offered_load(arrivals_per_hour, service_minutes)
    cap = 1.0 if max_occupancy is None else max_occupancy
    if patience_minutes is None:
        # Below floor(load) + 1 clerks the queue is unstable and misses any target.
        first = max(1, math.floor(load) + 1, math.floor(load / cap))
    else:
        # Clerks serve at most n / load of the arrivals, so fewer than level * load fail.
        first = max(1, math.floor(target_level * load))
    last = math.ceil(load / cap) + math.ceil(50 * math.sqrt(load)) + _SEARCH_SPARE
    blocking = erlang_b(first - 1, load)
    for servers in range(first, last + 1):
        blocking = _erlang_b_step(blocking, servers, load)
        answer = _evaluate(
            servers, blocking, load, service_minutes, target_minutes, patience_minutes
        )
        if answer.service_level >= target_level and answer.occupancy <= cap:
            return StaffingAnswer(
                clerks=_scheduled(servers, shrinkage),
                raw_clerks=servers,
                probability_of_waiting=answer.probability_of_waiting,
                service_level=answer.service_level,
                average_wait_minutes=answer.average_wait_minutes,
                occupancy=answer.occupancy,
                abandonment_probability=answer.abandonment_probability,
            )
    raise InvalidStaffingInput(
        f"no staffing up to {last} clerks reaches {target_level:.0%} within "
        f"{target_minutes} minutes; the target is too strict to compute"
    )


def _evaluate(
    servers: int,
    blocking: float,
    load: float,
    service_minutes: float,
    target_minutes: float,
    patience_minutes: float | None,
) -> StaffingAnswer:
    """Describe `servers` clerks (shrinkage not applied) for the staffing search."""
    if patience_minutes is None:
        waiting = _erlang_c_from_b(blocking, servers, load)
        return StaffingAnswer(
            clerks=servers,
            raw_clerks=servers,
            probability_of_waiting=waiting,
            service_level=_service_level_from_c(
                waiting, servers, load, service_minutes, target_minutes
            ),
            average_wait_minutes=_average_wait_from_c(waiting, servers, load, service_minutes),
            occupancy=occupancy(servers, load),
            abandonment_probability=None,
        )
    metrics = _impatient_metrics(
        servers, blocking, load, service_minutes, patience_minutes, target_minutes
    )
    return StaffingAnswer(
        clerks=servers,
        raw_clerks=servers,
        probability_of_waiting=metrics.probability_of_waiting,
        service_level=metrics.service_level,
        average_wait_minutes=metrics.average_wait,
        occupancy=metrics.occupancy,
        abandonment_probability=metrics.abandonment_probability,
    )


def evaluate_staffing(
    clerks: int,
    arrivals_per_hour: float,
    service_minutes: float,
    target_minutes: float,
    patience_minutes: float | None = None,
) -> StaffingAnswer:
    """Return how `clerks` at the counters perform, with no shrinkage applied."""
    _check_servers(clerks)
    _check_nonnegative("arrivals_per_hour", arrivals_per_hour)
    _check_positive("service_minutes", service_minutes)
    _check_nonnegative("target_minutes", target_minutes)
    if patience_minutes is not None:
        _check_positive("patience_minutes", patience_minutes)
    load = offered_load(arrivals_per_hour, service_minutes)
    return _evaluate(
        clerks,
        erlang_b(clerks, load),
        load,
        service_minutes,
        target_minutes,
        patience_minutes,
    )


def staffing_calc_report(answer: StaffingAnswer) -> dict[str, float | int]:
    """Return the fields of `ptsp staffing calc --json` for a staffing answer."""
    report: dict[str, float | int] = {
        "clerks": answer.clerks,
        "clerks_before_shrinkage": answer.raw_clerks,
        "probability_of_waiting": answer.probability_of_waiting,
        "service_level": answer.service_level,
        "average_wait_minutes": answer.average_wait_minutes,
        "occupancy": answer.occupancy,
    }
    if answer.abandonment_probability is not None:
        report["abandonment_probability"] = answer.abandonment_probability
    return report
