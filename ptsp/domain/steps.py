"""A visit of several steps: one ticket that goes through several services in order (docs/steps.md).

The ticket keeps its number and token for the whole visit. Its planned next steps are a list of services;
finishing the current step (`step_completed`) puts it in the line of the next one with its original queued
time, and the last step's `completed` closes it. The event log is split into legs, one per step, and each
leg earns its clerk that step's points once (`visit_entries`), as if it were a ticket of its own.

What a clerk cannot do with a plan: repeat a service the visit has already been in (so a plan cannot send a
resident back and hide a ping-pong, nor earn the same service twice), plan more than `MAX_STEPS` steps in all,
or earn a step they planned themselves without a supervisor (`self_planned` hold).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from .errors import InvalidInput
from .points import CONFIRMED, REJECTED, Entry, Event, IssueShare, PointsRules, RatingFact, ticket_entries

MAX_STEPS = 6  # the most services one visit may be planned through, the current and done steps included
STEP_DONE = "step_completed"  # a step finished and the ticket went to the next step's line
PLANNED = "steps_planned"  # a clerk planned (or replanned) the steps after the current one


def check_plan(visited: Sequence[int], planned: Sequence[int], allowed: Iterable[int],
               max_steps: int = MAX_STEPS) -> list[int]:
    """Return `planned` as a list if it may follow a visit that has been in `visited` (in order, the current
    service last); raise InvalidInput naming the rule it breaks.

    `allowed` are the services a step may be (the office's open ones). No service twice in one visit: neither
    one already visited (done, transferred through or current) nor one planned twice.
    """
    plan = [int(service) for service in planned]
    allowed_set = set(allowed)
    unknown = [s for s in plan if s not in allowed_set]
    if unknown:
        raise InvalidInput("unknown_target_service", service=unknown[0])
    seen = set(visited)
    for service in plan:
        if service in seen:
            raise InvalidInput("step_service_repeated", service=service)
        seen.add(service)
    steps_done = len(list(dict.fromkeys(visited)))
    if steps_done + len(plan) > max_steps:
        raise InvalidInput("too_many_steps", max=max_steps)
    return plan


def route_plan(own: int, route: Sequence[int], allowed: Iterable[int], max_steps: int = MAX_STEPS) -> list[int]:
    """The next steps a new ticket for service `own` carries from the service's route: the route's open services
    in order, without `own` or a repeat, cut at `max_steps` in all. Lenient: an administrator's route that
    names a closed service skips it instead of refusing the resident a ticket."""
    allowed_set, seen, plan = set(allowed), {own}, list[int]()
    for service in route:
        if service in allowed_set and service not in seen and len(plan) + 1 < max_steps:
            plan.append(service)
            seen.add(service)
    return plan


def legs(events: Sequence[Event]) -> list[list[Event]]:
    """Split one ticket's events (in log order) into its steps' legs.

    A leg runs from the end of the one before to its own `step_completed` (rewritten as `completed`, which is
    what the points rules read) or, for the last leg, to the end of the log. Every leg starts with the ticket's
    `issued` event, which rules 7-9 read. A supervisor's decision belongs to the leg its `step` names.
    """
    issued = [e for e in events if e.kind == "issued"][:1]
    out: list[list[Event]] = [list(issued)]
    decisions: list[Event] = []
    for event in events:
        if event.kind in (CONFIRMED, REJECTED):
            decisions.append(event)
        elif event.kind == STEP_DONE:
            out[-1].append(replace(event, kind="completed"))
            out.append(list(issued))
        elif event.kind != "issued":
            out[-1].append(event)
    for decision in decisions:
        step = int(decision.data.get("step", 0))
        if 0 <= step < len(out):
            out[step].append(decision)
    for leg in out:
        leg.sort(key=lambda e: e.id)
    return out


def planners(events: Sequence[Event]) -> list[int | None]:
    """Per leg, the staff member whose plan put that step in the visit (None: the service's route or no plan).

    A plan names the steps after the leg it is made in; a later plan replaces what it names.
    """
    by_leg: dict[int, int | None] = {}
    leg = 0
    for event in events:
        if event.kind == STEP_DONE:
            leg += 1
        elif event.kind == PLANNED:
            for offset in range(1, len(event.data.get("services") or []) + 1):
                by_leg[leg + offset] = event.staff_id
            for later in [k for k in by_leg if k > leg + len(event.data.get("services") or [])]:
                del by_leg[later]
    return [by_leg.get(k) for k in range(leg + 1)]


def visit_entries(
    events: Sequence[Event],
    *,
    service_id: int,
    standard_minutes: float,
    rating: RatingFact | None,
    rules: PointsRules,
    share: IssueShare | None = None,
) -> list[Entry]:
    """Every ledger line a ticket's events call for, leg by leg, each line marked with its leg's `step`.

    A ticket of one step gives exactly `ticket_entries`. Each step's clerk is credited that step's standard
    once, by the same rules; the resident's rating counts for the last step (the one that closes the visit).
    A step completed by the clerk who planned it is held for a supervisor (`self_planned`).
    """
    split = legs(events)
    who_planned = planners(events)
    entries: list[Entry] = []
    for step, leg in enumerate(split):
        last = step == len(split) - 1
        finished = next((e for e in leg if e.kind == "completed"), None)
        extra = ("self_planned",) if finished is not None and finished.staff_id is not None \
            and who_planned[step] == finished.staff_id else ()
        found = ticket_entries(leg, service_id=service_id, standard_minutes=standard_minutes,
                               rating=rating if last else None, rules=rules, share=share, extra_causes=extra)
        entries.extend(replace(entry, step=step) for entry in found)
    return entries
