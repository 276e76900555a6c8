"""Who sits at which counter each hour of a day, so that no service is left without a clerk in a break.

The shift plan (`shifts`) gives every clerk whose shift spans a gap of the hours their rest in that
gap, and staggers the rest of a long shift that spans none (its middle hour or the one after). The
rota follows the discipline rule (`discipline`, seed article 000: no empty counter in opening hours,
breaks included) and tells the two kinds of gap apart (`hours`):

- an hour inside a **declared closure** (the Friday prayer) is closed for everyone and shown with
  its reason; nobody needs to cover it;
- an hour inside a **staff break** (lunch) is open: the clerks rest *in turns*. The services with
  residents then (expected in the gap, or still waiting from the open hour before it) are covered
  with the fewest clerks by the same greedy cover as an open hour; the others rest. A clerk kept at a
  counter through the gap takes their rest in the nearest hour of their shift (the hour after first,
  then the hour before, then further) in which their services stay covered without them, or, when
  there is none, in the nearest such hour, which is then listed uncovered;
- in every open hour, first the services with expected residents are covered, greedily: the counter
  that serves the most services still uncovered is staffed (on a tie, one a free clerk already sits
  at), by the clerk whose own counter it is if they work that hour, otherwise by the lowest-numbered
  free clerk, who moves there ("covers"); then the other clerks keep their own counter (clerk k's own
  counter is the k-th counter in number order) or take the next free one;
- an hour in which a service with residents has no clerk at any of its counters is listed as
  uncovered, with its services, so the gap is visible instead of silently accepted.

Deterministic: the same roster always gives the same rota.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time

from .errors import InvalidInput
from .hours import day_gaps, parse_week, read_closures
from .shifts import Pattern


@dataclass(frozen=True)
class RotaCell:
    kind: str  # "counter", "rest", "off" (outside the shift), "closed" (a declared closure of the office)
    counter: int | None = None
    covering: bool = False  # moved from their own counter to keep a service open
    moved: bool = False  # a rest taken outside the staff break, because the clerk covered a service in it


@dataclass
class DayRota:
    hours: list[int]
    closed: dict[int, str]  # hour -> reason of the declared closure ("" when none was given)
    clerks: list[int]
    staff_breaks: frozenset[int] = frozenset()  # hours of a staff break: open, rests taken in turns
    cells: dict[tuple[int, int], RotaCell] = field(default_factory=dict)  # (clerk, hour) -> cell
    uncovered: dict[int, list[str]] = field(default_factory=dict)  # hour -> services with nobody

    def cell(self, clerk: int, hour: int) -> RotaCell:
        return self.cells[(clerk, hour)]


def split_gap_hours(hours: Mapping[str, object], closures: object, weekday: str,
                    breaks: Iterable[int]) -> tuple[dict[int, str], frozenset[int]]:
    """Sort a weekday's break hours (clock hours with no open minute) into declared closures and staff breaks.

    `hours` and `closures` are the office's stored JSON. An hour is closed when a declared closure that
    is one gap of the weekday's hours contains it whole (its reason is kept); every other break hour lies
    in a staff break. Hours that no longer parse close nothing.
    """
    try:
        intervals = parse_week(dict(hours)).get(weekday, []) if hours else []
    except InvalidInput:
        intervals = []
    gaps = set(day_gaps(intervals))
    declared = [c for c in read_closures(closures).get(weekday, []) if (c.start, c.end) in gaps]
    closed: dict[int, str] = {}
    staff: set[int] = set()
    for hour in sorted(set(breaks)):
        start, end = time(hour), time(hour + 1) if hour < 23 else time(23, 59)
        found = next((c for c in declared if c.start <= start and end <= c.end), None)
        if found is not None:
            closed[hour] = found.reason
        else:
            staff.add(hour)
    return closed, frozenset(staff)


def _cover(clerks: Sequence[int], numbers: Sequence[int], counters: Mapping[int, Sequence[str]],
           wanted: Iterable[str], home: Mapping[int, int | None]) -> tuple[dict[int, int], set[int]]:
    """Seat clerks greedily until every wanted service has one: (clerk -> counter, clerks who moved)."""
    seat: dict[int, int] = {}
    moved: set[int] = set()
    taken: set[int] = set()
    missing = set(wanted)
    while missing:
        free = [c for c in clerks if c not in seat]
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
            moved.add(clerk)
    return seat, moved


def _left(seat: Mapping[int, int | None], counters: Mapping[int, Sequence[str]], wanted: Iterable[str]) -> list[str]:
    served = {s for n in seat.values() if n is not None for s in counters[n]}
    return sorted(s for s in wanted if s not in served)


def day_rota(hours: Sequence[int], closed: Mapping[int, str] | Iterable[int], shifts: Sequence[tuple[int, Pattern]],
             counters: Mapping[int, Sequence[str]], wanted: frozenset[str],
             staff_breaks: Mapping[int, frozenset[str]] | None = None) -> DayRota:
    """The rota of one day.

    `shifts` are (clerk, pattern) of the roster, `wanted` the services with demand that day, `closed` the
    hours of declared closures (hour -> reason), `staff_breaks` the hours of staff breaks, each with the
    services that have residents then (expected, or waiting from the open hour before the break).
    """
    closed_at = dict(closed) if isinstance(closed, Mapping) else dict.fromkeys(closed, "")
    in_break = dict(staff_breaks or {})
    numbers = sorted(counters)
    clerks = sorted(c for c, _ in shifts)
    pattern = dict(shifts)
    home = {clerk: numbers[i % len(numbers)] if numbers else None for i, clerk in enumerate(clerks)}
    rota = DayRota(list(hours), closed_at, clerks, frozenset(h for h in in_break if h not in closed_at))
    rest_moved: dict[int, set[int]] = {c: set() for c in clerks}
    open_hours = [h for h in hours if h not in closed_at and h not in in_break]

    def working(hour: int) -> list[int]:
        return [c for c in clerks if pattern[c].covers(hour) and hour not in rest_moved[c]]

    def still_covered(hour: int, without: int) -> bool:
        crew = [c for c in working(hour) if c != without]
        seat, _ = _cover(crew, numbers, counters, wanted, home)
        return not _left(seat, counters, wanted)

    for hour in hours:
        if hour in closed_at:
            for clerk in clerks:
                rota.cells[(clerk, hour)] = RotaCell("closed")
            continue
        if hour not in in_break:
            continue
        # a staff break: the fewest clerks keep the services with residents covered, the others rest
        present = [c for c in clerks if pattern[c].start <= hour < pattern[c].end]
        seat, moved = _cover(present, numbers, counters, in_break[hour], home)
        for clerk in clerks:
            if clerk in seat:
                rota.cells[(clerk, hour)] = RotaCell("counter", seat[clerk], covering=clerk in moved)
                p = pattern[clerk]
                nearest = sorted((h for h in open_hours if p.covers(h) and h not in rest_moved[clerk]),
                                 key=lambda h: (abs(h - hour), h < hour))
                pick = next((h for h in nearest if still_covered(h, clerk)), nearest[0] if nearest else None)
                if pick is not None:
                    rest_moved[clerk].add(pick)
            else:
                inside = clerk in present
                rota.cells[(clerk, hour)] = RotaCell("rest" if inside else "off")
        left = _left(seat, counters, in_break[hour])
        if left:
            rota.uncovered[hour] = left

    for hour in open_hours:
        crew = working(hour)
        for clerk in clerks:
            if clerk not in crew:
                p = pattern[clerk]
                if hour in rest_moved[clerk]:
                    rota.cells[(clerk, hour)] = RotaCell("rest", moved=True)
                else:
                    rota.cells[(clerk, hour)] = RotaCell("rest" if p.start <= hour < p.end else "off")
        seat, moved = _cover(crew, numbers, counters, wanted, home)
        taken = set(seat.values())
        for clerk in crew:
            if clerk in seat:
                rota.cells[(clerk, hour)] = RotaCell("counter", seat[clerk], covering=clerk in moved)
                continue
            choice = home[clerk] if home[clerk] not in taken else next((n for n in numbers if n not in taken), None)
            if choice is not None:
                taken.add(choice)
            rota.cells[(clerk, hour)] = RotaCell("counter", choice)
        left = _left({n: n for n in taken}, counters, wanted)
        if left:
            rota.uncovered[hour] = left
    rota.uncovered = dict(sorted(rota.uncovered.items()))
    return rota
