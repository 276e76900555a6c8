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


def split_gap_hours(hours: dict[str, list[list[str]]], closures: object, weekday: str,
                    breaks: Iterable[int]) -> tuple[dict[int, str], frozenset[int]]:
    """Sort a weekday's break hours (clock hours with no open minute) into declared closures and staff breaks.

    `hours` and `closures` are the office's stored JSON. An hour is closed when a declared closure that
    is one gap of the weekday's hours contains it whole (its reason is kept); every other break hour lies
    in a staff break. Hours that no longer parse close nothing.
    """
    try:
        intervals = parse_week(hours).get(weekday, []) if hours else []
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


class _Rota:
    """The state of one day's rota while it is built: the roster, the counters, and the rests moved so far."""

    def __init__(self, rota: DayRota, shifts: Sequence[tuple[int, Pattern]], counters: Mapping[int, Sequence[str]],
                 wanted: frozenset[str]) -> None:
        self.rota, self.counters, self.wanted = rota, counters, wanted
        self.numbers = sorted(counters)
        self.pattern = dict(shifts)
        self.home = {c: self.numbers[i % len(self.numbers)] if self.numbers else None
                     for i, c in enumerate(rota.clerks)}
        self.rest_moved: dict[int, set[int]] = {c: set() for c in rota.clerks}
        self.open_hours = [h for h in rota.hours if h not in rota.closed and h not in rota.staff_breaks]

    def working(self, hour: int) -> list[int]:
        return [c for c in self.rota.clerks if self.pattern[c].covers(hour) and hour not in self.rest_moved[c]]

    def still_covered(self, hour: int, without: int) -> bool:
        crew = [c for c in self.working(hour) if c != without]
        seat, _ = _cover(crew, self.numbers, self.counters, self.wanted, self.home)
        return not _left(seat, self.counters, self.wanted)

    def move_rest(self, clerk: int, hour: int) -> None:
        """A clerk kept at a counter in the staff break `hour` rests in the nearest hour that stays covered."""
        p = self.pattern[clerk]
        nearest = sorted((h for h in self.open_hours if p.covers(h) and h not in self.rest_moved[clerk]),
                         key=lambda h: (abs(h - hour), h < hour))
        pick = next((h for h in nearest if self.still_covered(h, clerk)), nearest[0] if nearest else None)
        if pick is not None:
            self.rest_moved[clerk].add(pick)

    def staff_break(self, hour: int, residents: frozenset[str]) -> None:
        """The fewest clerks keep the services with residents covered; the others rest."""
        present = [c for c in self.rota.clerks if self.pattern[c].start <= hour < self.pattern[c].end]
        seat, moved = _cover(present, self.numbers, self.counters, residents, self.home)
        for clerk in self.rota.clerks:
            if clerk in seat:
                self.rota.cells[(clerk, hour)] = RotaCell("counter", seat[clerk], covering=clerk in moved)
                self.move_rest(clerk, hour)
            else:
                self.rota.cells[(clerk, hour)] = RotaCell("rest" if clerk in present else "off")
        left = _left(seat, self.counters, residents)
        if left:
            self.rota.uncovered[hour] = left

    def open_hour(self, hour: int) -> None:
        """Cover the day's services first, then seat the other working clerks at their own or a free counter."""
        crew = self.working(hour)
        for clerk in self.rota.clerks:
            if clerk not in crew:
                p = self.pattern[clerk]
                moved_here = hour in self.rest_moved[clerk]
                kind = "rest" if moved_here or p.start <= hour < p.end else "off"
                self.rota.cells[(clerk, hour)] = RotaCell(kind, moved=moved_here)
        seat, moved = _cover(crew, self.numbers, self.counters, self.wanted, self.home)
        taken = set(seat.values())
        for clerk in crew:
            if clerk in seat:
                self.rota.cells[(clerk, hour)] = RotaCell("counter", seat[clerk], covering=clerk in moved)
                continue
            mine = self.home[clerk]
            choice = mine if mine not in taken else next((n for n in self.numbers if n not in taken), None)
            if choice is not None:
                taken.add(choice)
            self.rota.cells[(clerk, hour)] = RotaCell("counter", choice)
        left = _left({n: n for n in taken}, self.counters, self.wanted)
        if left:
            self.rota.uncovered[hour] = left


def day_rota(hours: Sequence[int], closed: Mapping[int, str] | Iterable[int], shifts: Sequence[tuple[int, Pattern]],
             counters: Mapping[int, Sequence[str]], wanted: frozenset[str],
             staff_breaks: Mapping[int, frozenset[str]] | None = None) -> DayRota:
    """The rota of one day.

    `shifts` are (clerk, pattern) of the roster, `wanted` the services with demand that day, `closed` the
    hours of declared closures (hour -> reason), `staff_breaks` the hours of staff breaks, each with the
    services that have residents then (expected, or waiting from the open hour before the break).
    """
    closed_at = dict(closed) if isinstance(closed, Mapping) else dict.fromkeys(closed, "")
    in_break = {h: s for h, s in (staff_breaks or {}).items() if h not in closed_at}
    rota = DayRota(list(hours), closed_at, sorted(c for c, _ in shifts), frozenset(in_break))
    build = _Rota(rota, shifts, counters, wanted)
    for hour in hours:  # closures and staff breaks first: a staff break moves rests into open hours
        if hour in closed_at:
            for clerk in rota.clerks:
                rota.cells[(clerk, hour)] = RotaCell("closed")
        elif hour in in_break:
            build.staff_break(hour, in_break[hour])
    for hour in build.open_hours:
        build.open_hour(hour)
    rota.uncovered = dict(sorted(rota.uncovered.items()))
    return rota
