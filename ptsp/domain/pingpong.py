"""Ping-pong: a resident sent back and forth instead of being served.

One ticket's journey is read as three paths, in time order:
- services: the service it was issued for, then the target of each transfer;
- counters: the counters that called it, with a repeat call at the same
  counter (recall, requeue and call again) counted once;
- departments: the departments it was referred to.

The ticket is ping-pong when any of these holds:
- `service_bounce`: it came back to a service it had left (A → B → A);
- `counter_bounce`: it came back to a counter it had left (1 → 2 → 1);
- `department_bounce`: it was referred to a department again after another
  one, or a department returned it, or it was referred to the same one twice;
- `many_handoffs`: more than `max_handoffs` transfers and referrals together
  (default 2: a third handoff is one too many).

A visit of several steps (ptsp/domain/steps.py) is read leg by leg: a planned step is neither a handoff nor a
bounce, so the services and counters paths start again at each step (`legs`). A transfer within a step still
counts, and a plan may never name a service the visit has already been in, so a bounce cannot hide in a plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_HANDOFFS = 2
REASONS = ("service_bounce", "counter_bounce", "department_bounce", "many_handoffs")


@dataclass
class Leg:
    """One planned step of a visit: the services (the step's own, then its transfers) and counters it went to."""

    services: list[int]
    counters: list[int] = field(default_factory=list)


@dataclass
class Journey:
    services: list[int]
    counters: list[int] = field(default_factory=list)
    departments: list[int] = field(default_factory=list)
    returned_referrals: int = 0
    next_legs: list[Leg] = field(default_factory=list)  # the later planned steps of a visit of several steps

    @property
    def legs(self) -> list[Leg]:
        return [Leg(self.services, self.counters), *self.next_legs]

    @property
    def handoffs(self) -> int:
        return sum(len(leg.services) - 1 for leg in self.legs) + len(self.departments)


def collapse(path: list[int]) -> list[int]:
    """Drop immediate repeats: [1, 1, 2, 2, 1] → [1, 2, 1]."""
    return [x for i, x in enumerate(path) if i == 0 or path[i - 1] != x]


def revisits(path: list[int]) -> bool:
    """Tell whether a path returns to a place it has left."""
    seen: set[int] = set()
    for place in collapse(path):
        if place in seen:
            return True
        seen.add(place)
    return False


def reasons(journey: Journey, max_handoffs: int = MAX_HANDOFFS) -> list[str]:
    """Return why a journey is ping-pong (empty when it is not)."""
    found = []
    if any(revisits(leg.services) for leg in journey.legs):
        found.append("service_bounce")
    if any(revisits(leg.counters) for leg in journey.legs):
        found.append("counter_bounce")
    if journey.returned_referrals or len(journey.departments) != len(set(journey.departments)) \
            or len(set(journey.departments)) > 1:
        found.append("department_bounce")
    if journey.handoffs > max_handoffs:
        found.append("many_handoffs")
    return found
