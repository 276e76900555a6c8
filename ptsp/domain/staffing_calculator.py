"""How many clerks a service-level target needs, and how a given number of clerks performs.

The staffing calculator of the manager pages and `ptsp staffing calc` ask these questions; the
queueing formulas they rest on (Erlang B, C and A) are in `ptsp.domain.erlang`. Times are in
hours (arrivals) and minutes (service, target, patience).

Staffing answers choose the smallest number of clerks meeting the service level
(and the occupancy cap if given); shrinkage then inflates it to the clerks to
schedule, ceil(n / (1 - shrinkage)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .erlang import (
    InvalidStaffingInput,
    average_wait_from_c,
    check_nonnegative,
    check_positive,
    check_servers,
    erlang_b,
    erlang_b_step,
    erlang_c_from_b,
    impatient_metrics,
    occupancy,
    offered_load,
    service_level_from_c,
)

# Spare clerks above the load searched before a target is declared unreachable.
_SEARCH_SPARE = 100


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


def _validate_staffing(
    arrivals_per_hour: float,
    service_minutes: float,
    target_minutes: float,
    target_level: float,
    max_occupancy: float | None,
    shrinkage: float,
    patience_minutes: float | None,
) -> None:
    check_nonnegative("arrivals_per_hour", arrivals_per_hour)
    check_positive("service_minutes", service_minutes)
    check_nonnegative("target_minutes", target_minutes)
    if not (math.isfinite(target_level) and 0 < target_level <= 1):
        raise InvalidStaffingInput("staffing_target_level_invalid", value=target_level)
    if max_occupancy is not None and not (math.isfinite(max_occupancy) and 0 < max_occupancy <= 1):
        raise InvalidStaffingInput("staffing_max_occupancy_invalid", value=max_occupancy)
    if not (math.isfinite(shrinkage) and 0 <= shrinkage < 1):
        raise InvalidStaffingInput("staffing_shrinkage_invalid", value=shrinkage)
    if patience_minutes is not None:
        check_positive("patience_minutes", patience_minutes)


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
        return _nobody_arrives(patience_minutes)
    load = offered_load(arrivals_per_hour, service_minutes)
    cap = 1.0 if max_occupancy is None else max_occupancy
    first, last = _search_range(load, cap, target_level, patience_minutes)
    blocking = erlang_b(first - 1, load)
    for servers in range(first, last + 1):
        blocking = erlang_b_step(blocking, servers, load)
        answer = _evaluate(
            servers, blocking, load, service_minutes, target_minutes, patience_minutes
        )
        if answer.service_level >= target_level and answer.occupancy <= cap:
            return replace(answer, clerks=_scheduled(servers, shrinkage))
    raise InvalidStaffingInput(
        "staffing_target_unreachable", clerks=last, level=f"{target_level:.0%}", minutes=target_minutes
    )


def _nobody_arrives(patience_minutes: float | None) -> StaffingAnswer:
    """Return the answer for no arrivals: 0 clerks, nobody waits."""
    return StaffingAnswer(
        clerks=0,
        raw_clerks=0,
        probability_of_waiting=0.0,
        service_level=1.0,
        average_wait_minutes=0.0,
        occupancy=0.0,
        abandonment_probability=None if patience_minutes is None else 0.0,
    )


def _search_range(
    load: float, cap: float, target_level: float, patience_minutes: float | None
) -> tuple[int, int]:
    """Return the fewest and the most clerks the search for a staffing tries."""
    if patience_minutes is None:
        # Below floor(load) + 1 clerks the queue is unstable and misses any target.
        first = max(1, math.floor(load) + 1, math.floor(load / cap))
    else:
        # Clerks serve at most n / load of the arrivals, so fewer than level * load fail.
        first = max(1, math.floor(target_level * load))
    last = math.ceil(load / cap) + math.ceil(50 * math.sqrt(load)) + _SEARCH_SPARE
    return first, last


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
        waiting = erlang_c_from_b(blocking, servers, load)
        return StaffingAnswer(
            clerks=servers,
            raw_clerks=servers,
            probability_of_waiting=waiting,
            service_level=service_level_from_c(
                waiting, servers, load, service_minutes, target_minutes
            ),
            average_wait_minutes=average_wait_from_c(waiting, servers, load, service_minutes),
            occupancy=occupancy(servers, load),
            abandonment_probability=None,
        )
    metrics = impatient_metrics(
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
    check_servers(clerks)
    check_nonnegative("arrivals_per_hour", arrivals_per_hour)
    check_positive("service_minutes", service_minutes)
    check_nonnegative("target_minutes", target_minutes)
    if patience_minutes is not None:
        check_positive("patience_minutes", patience_minutes)
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
