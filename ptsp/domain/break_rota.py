"""Who sits at which counter each hour of a day, so that no service is left without a clerk in a break.

The shift plan (`shifts`) already staggers the clerks' rests: a long shift rests at its middle hour or
the one after, and rest hours never count as cover, so the plan's clerks per hour are the clerks
actually at work. This module turns that day of the roster into a rota a supervisor can pin up:

- hours the office itself is closed (the lunch closure, the Friday prayer gap) are closed for
  everyone and shown as such; nobody needs to cover them;
- in every open hour, first the services with expected residents are covered, greedily: the counter
  that serves the most services still uncovered is staffed (on a tie, one a free clerk already sits
  at), by the clerk whose own counter it is if they work that hour, otherwise by the lowest-numbered
  free clerk, who moves there ("covers"); then the other clerks keep their own counter (clerk k's own
  counter is the k-th counter in number order) or take the next free one;
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
             counters: Mapping[int, Sequence[str]], wanted: frozenset[str]) -> DayRota:
    """The rota of one day: `shifts` are (clerk, pattern) of the roster, `wanted` the services with demand."""
    numbers = sorted(counters)
    clerks = sorted(c for c, _ in shifts)
    pattern = dict(shifts)
    home = {clerk: numbers[i % len(numbers)] if numbers else None for i, clerk in enumerate(clerks)}
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
        missing = set(wanted)
        while missing:
            free = [c for c in working if c not in seat]
            options = [n for n in numbers if n not in taken and missing & set(counters[n])]
            if not free or not options:
                break
            # the counter that opens the most uncovered services; on a tie, one a free clerk already sits at
            homes = {home[c] for c in free}
            best = max(options, key=lambda n: (len(missing & set(counters[n])), n in homes, -n))
            sitting = [c for c in free if home[c] == best]
            clerk = sitting[0] if sitting else free[0]
            seat[clerk] = best
            taken.add(best)
            missing -= set(counters[best])
            if not sitting:
                rota.cells[(clerk, hour)] = RotaCell("counter", best, covering=True)
        for clerk in working:
            if clerk in seat:
                rota.cells.setdefault((clerk, hour), RotaCell("counter", seat[clerk]))
                continue
            choice = home[clerk] if home[clerk] not in taken else next((n for n in numbers if n not in taken), None)
            if choice is not None:
                taken.add(choice)
            rota.cells[(clerk, hour)] = RotaCell("counter", choice)
        served = {s for n in taken for s in counters[n]}
        left = sorted(s for s in wanted if s not in served)
        if left:
            rota.uncovered[hour] = left
    return rota
