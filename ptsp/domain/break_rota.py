"""Who sits at which counter each hour of a day, so that no service is left without a clerk in a break.

The shift plan (`shifts`) already staggers the clerks' rests: a long shift rests at its middle hour or
the one after, and rest hours never count as cover, so the plan's clerks per hour are the clerks
actually at work. This module turns that day of the roster into a rota a supervisor can pin up:

- hours the office itself is closed (the lunch closure, the Friday prayer gap) are closed for
  everyone and shown as such; nobody needs to cover them;
- in every open hour, first each group of services (a pool: services linked by shared counters) gets
  a clerk at one of its counters, the clerk already sitting at a counter of that pool if there is
  one, otherwise the lowest-numbered free clerk moves there ("covers"); then the other clerks keep
  their own counter (clerk k's own counter is the k-th counter in number order) or take the next free
  one;
- an hour in which a service with expected residents has no clerk at any of its counters is listed
  as uncovered, with its services, so the gap is visible instead of silently accepted.

Deterministic: the same roster always gives the same rota.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .shifts import Pattern


@dataclass(frozen=True)
class RotaCell:
    kind: str  # "counter", "rest", "off" (outside the shift), "closed" (the office is closed)
    counter: int | None = None
    covering: bool = False  # moved from their own counter to keep a service open


@dataclass
class DayRota:
    hours: list[int]
    closed: frozenset[int]
    clerks: list[int]
    cells: dict[tuple[int, int], RotaCell] = field(default_factory=dict)  # (clerk, hour) -> cell
    uncovered: dict[int, list[str]] = field(default_factory=dict)  # hour -> services with nobody

    def cell(self, clerk: int, hour: int) -> RotaCell:
        return self.cells[(clerk, hour)]


def day_rota(hours: Sequence[int], closed: frozenset[int], shifts: Sequence[tuple[int, Pattern]],
             counters: Mapping[int, Sequence[str]], pools: Sequence[frozenset[str]],
             wanted: frozenset[str]) -> DayRota:
    """The rota of one day: `shifts` are (clerk, pattern) of the roster, `wanted` the services with demand."""
    numbers = sorted(counters)
    clerks = sorted(c for c, _ in shifts)
    pattern = dict(shifts)
    home = {clerk: numbers[i % len(numbers)] if numbers else None for i, clerk in enumerate(clerks)}
    pool_counters = [[n for n in numbers if pool & set(counters[n])] for pool in pools]
    rota = DayRota(list(hours), closed, clerks)
    for hour in hours:
        if hour in closed:
            for clerk in clerks:
                rota.cells[(clerk, hour)] = RotaCell("closed")
            continue
        working = [c for c in clerks if pattern[c].covers(hour)]
        for clerk in clerks:
            if clerk not in working:
                inside = pattern[clerk].start <= hour < pattern[clerk].end
                rota.cells[(clerk, hour)] = RotaCell("rest" if inside else "off")
        seat: dict[int, int] = {}
        taken: set[int] = set()
        for pool, own in zip(pools, pool_counters, strict=True):
            if not own or not pool & wanted:
                continue
            sitting = [c for c in working if c not in seat and home[c] in own and home[c] not in taken]
            if sitting:
                seat[sitting[0]] = home[sitting[0]]  # type: ignore[assignment]
                taken.add(seat[sitting[0]])
                continue
            free = [c for c in working if c not in seat]
            spare = [n for n in own if n not in taken]
            if free and spare:
                seat[free[0]] = spare[0]
                taken.add(spare[0])
                rota.cells[(free[0], hour)] = RotaCell("counter", spare[0], covering=True)
        for clerk in working:
            if clerk in seat:
                rota.cells.setdefault((clerk, hour), RotaCell("counter", seat[clerk]))
                continue
            choice = home[clerk] if home[clerk] not in taken else next((n for n in numbers if n not in taken), None)
            if choice is not None:
                taken.add(choice)
            rota.cells[(clerk, hour)] = RotaCell("counter", choice)
        served = {s for n in taken for s in counters[n]}
        missing = sorted(s for s in wanted if s not in served)
        if missing:
            rota.uncovered[hour] = missing
    return rota
