"""Discipline of service: four rules over one office day, on plain values.

The office is open from its first opening to its last closing, except in the
closures it declares (the Friday prayer, `hours.Gap` of kind `closure`). The
other gaps of its hours (lunch) are staff breaks: clerks take their breaks
then, but the office stays open and every service must stay covered ("no
empty counter in opening hours, breaks included", seed article 000). That
time, `staffed_spans`, is what `uncovered_service`, `long_break` and
`idle_clerk` measure.

- `late_opening`: a counter's first opening of the day came later than
  `ready_minutes` (15) before the office opened, as the seed article asks (staff at
  their post 15 minutes before opening), plus `late_grace_minutes` (default 0); a
  counter first opened in the afternoon is measured against the afternoon's
  opening interval. The finding's minutes are counted from that deadline.
- `uncovered_service`: for at least `uncovered_minutes` (5), residents of a
  service waited while no counter serving it was open, during staffed time. A
  counter on break is not open, and a staff break of the office's hours
  (lunch) excuses nothing: breaks must be staggered so a service stays covered.
  Only declared closures are closed.
- `long_break`: a clerk's break time during staffed time (lunch included, a
  declared closure not) went over `break_minutes_per_day` (60) in total, or
  one break went over `break_minutes_each` (off unless set).
- `idle_clerk`: a counter was open with no ticket called or being served for
  at least `idle_minutes` (10) while a ticket it serves was waiting.

Each finding has a `key`, stable for the same facts, so recording a day twice
updates the same rows instead of adding new ones. An office may set a
tolerance per rule (`Settings.tolerance`): findings under it are recorded but
neither listed nor notified (`below_tolerance`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .errors import InvalidInput
from .intervals import Span, intersect, minutes, subtract, union
from .text import N_

KINDS = ("late_opening", "uncovered_service", "long_break", "idle_clerk")
LABELS = {
    "late_opening": N_("Loket dibuka terlambat"),
    "uncovered_service": N_("Layanan tanpa loket buka saat warga menunggu"),
    "long_break": N_("Istirahat melebihi batas"),
    "idle_clerk": N_("Petugas menganggur saat antrean menunggu"),
    # Not a scan finding: a complaint without a first response 24 hours after receipt (services.complaints).
    "complaint_late": N_("Pengaduan belum ditanggapi dalam 1×24 jam"),
    # Not a scan finding either: a jemput bola request without a first response (services.outreach).
    "outreach_late": N_("Permintaan jemput bola belum ditanggapi dalam 1×24 jam"),
}


@dataclass(frozen=True)
class Settings:
    ready_minutes: int = 15
    late_grace_minutes: int = 0
    break_minutes_per_day: int = 60
    break_minutes_each: int | None = None
    idle_minutes: int = 10
    uncovered_minutes: int = 5
    tolerance: dict[str, int] = field(default_factory=dict)  # kind -> findings under these minutes are hidden


MAX_TOLERANCE_MINUTES = 240


def parse_tolerance(raw: Mapping[str, object]) -> dict[str, int]:
    """Validate a tolerance per rule from a form or JSON: whole minutes 0..240, blank as 0; unknown keys ignored.

    Only rules with a tolerance above 0 are kept.
    """
    out: dict[str, int] = {}
    for kind in KINDS:
        value = raw.get(kind)
        text = "" if value is None else str(value).strip()
        if text == "":
            continue
        if not (text.isascii() and text.isdigit() and len(text) <= 4) or int(text) > MAX_TOLERANCE_MINUTES:
            raise InvalidInput("tolerance_invalid", rule=LABELS[kind], limit=MAX_TOLERANCE_MINUTES, value=text[:20])
        if int(text) > 0:
            out[kind] = int(text)
    return out


def below_tolerance(kind: str, minutes_lost: float, tolerance: dict[str, int]) -> bool:
    """Tell whether a finding is too small to list or notify under the office's tolerance."""
    return minutes_lost < tolerance.get(kind, 0)


@dataclass(frozen=True)
class Stretch:
    """A counter session (open or break), with its end resolved (now, if it still runs)."""

    counter_id: int
    staff_id: int
    state: str
    start: datetime
    end: datetime


@dataclass
class DayFacts:
    day: date
    open_spans: list[Span]  # the office's opening hours that day
    sessions: list[Stretch]
    counter_services: dict[int, set[int]]
    waiting: dict[int, list[Span]]  # service -> one span per stretch a ticket waited in it
    busy: dict[int, list[Span]] = field(default_factory=dict)  # counter -> spans with a ticket called or serving
    closed_spans: list[Span] = field(default_factory=list)  # the gaps the office declares closed (Friday prayer)


def staffed_spans(facts: DayFacts) -> list[Span]:
    """When the office is open and every service must be covered: first opening to last closing, staff
    breaks (lunch) included, declared closures left out."""
    if not facts.open_spans:
        return []
    return subtract([(facts.open_spans[0][0], facts.open_spans[-1][1])], facts.closed_spans)


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    start: datetime
    end: datetime
    minutes: float
    staff_id: int | None = None
    counter_id: int | None = None
    service_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _stamp(instant: datetime) -> str:
    return instant.strftime("%H%M%S")


def late_openings(facts: DayFacts, settings: Settings) -> list[Finding]:
    """Counters whose first opening of the day came after `ready_minutes` before the opening of the interval
    it was meant for (plus the grace).

    That interval is the first one still running when the counter opened: a counter staffed only for the
    afternoon is measured against the afternoon's opening, one opened at 10:00 against the morning's.
    """
    if not facts.open_spans:
        return []
    closes = facts.open_spans[-1][1]
    firsts: dict[int, Stretch] = {}
    for s in sorted(facts.sessions, key=lambda s: s.start):
        if s.state == "open" and s.start < closes:
            firsts.setdefault(s.counter_id, s)
    found = []
    for counter_id, first in sorted(firsts.items()):
        opens = next(start for start, end in facts.open_spans if end > first.start)
        expected_by = opens - timedelta(minutes=settings.ready_minutes)
        if first.start > expected_by + timedelta(minutes=settings.late_grace_minutes):
            found.append(Finding(
                "late_opening", f"counter:{counter_id}", expected_by, first.start,
                (first.start - expected_by).total_seconds() / 60,
                staff_id=first.staff_id, counter_id=counter_id,
                details={"opens_at": opens.isoformat(), "opened_at": first.start.isoformat(),
                         "expected_by": expected_by.isoformat()},
            ))
    return found


def _open_spans_for(facts: DayFacts, service_id: int) -> list[Span]:
    return union([(s.start, s.end) for s in facts.sessions
                  if s.state == "open" and service_id in facts.counter_services.get(s.counter_id, set())])


def uncovered(facts: DayFacts, settings: Settings) -> list[Finding]:
    """Stretches when a service's residents waited and none of its counters was open."""
    found = []
    staffed = staffed_spans(facts)
    services = set(facts.waiting) | {s for ids in facts.counter_services.values() for s in ids}
    for service_id in sorted(services):
        waits = facts.waiting.get(service_id, [])
        gaps = intersect(union(waits), subtract(staffed, _open_spans_for(facts, service_id)))
        for start, end in gaps:
            length = minutes([(start, end)])
            if length < settings.uncovered_minutes:
                continue
            left = [s for s in facts.sessions if s.state == "open" and s.end <= start
                    and service_id in facts.counter_services.get(s.counter_id, set())]
            last = max(left, key=lambda s: s.end, default=None)
            tickets = sum(1 for w_start, w_end in waits if w_start < end and w_end > start)
            found.append(Finding(
                "uncovered_service", f"service:{service_id}:{_stamp(start)}", start, end, length,
                staff_id=last.staff_id if last else None, counter_id=last.counter_id if last else None,
                service_id=service_id, details={"tickets_waiting": tickets,
                                                "last_left_at": last.end.isoformat() if last else None},
            ))
    return found


def long_breaks(facts: DayFacts, settings: Settings) -> list[Finding]:
    """Clerks whose breaks in staffed time (lunch included) went over the allowance, per day or per break."""
    found = []
    staffed = staffed_spans(facts)
    by_staff: dict[int, list[Span]] = {}
    for s in facts.sessions:
        if s.state == "break":
            by_staff.setdefault(s.staff_id, []).extend(intersect([(s.start, s.end)], staffed))
    for staff_id, spans in sorted(by_staff.items()):
        if not spans:
            continue
        total = minutes(union(spans))
        if total > settings.break_minutes_per_day:
            found.append(Finding(
                "long_break", f"day:{staff_id}", min(spans)[0], max(e for _s, e in spans),
                total - settings.break_minutes_per_day, staff_id=staff_id,
                details={"break_minutes": round(total, 1), "allowed_per_day": settings.break_minutes_per_day},
            ))
        if settings.break_minutes_each is not None:
            for start, end in union(spans):
                length = minutes([(start, end)])
                if length > settings.break_minutes_each:
                    found.append(Finding(
                        "long_break", f"break:{staff_id}:{_stamp(start)}", start, end,
                        length - settings.break_minutes_each, staff_id=staff_id,
                        details={"break_minutes": round(length, 1), "allowed_each": settings.break_minutes_each},
                    ))
    return found


def idle_clerks(facts: DayFacts, settings: Settings) -> list[Finding]:
    """Open counters with nothing called or served while a ticket they serve waited."""
    found = []
    staffed = staffed_spans(facts)
    for s in sorted(facts.sessions, key=lambda s: (s.counter_id, s.start)):
        if s.state != "open":
            continue
        served = facts.counter_services.get(s.counter_id, set())
        waiting = union([w for service_id in served for w in facts.waiting.get(service_id, [])])
        idle = subtract(intersect([(s.start, s.end)], staffed), facts.busy.get(s.counter_id, []))
        for start, end in intersect(idle, waiting):
            length = minutes([(start, end)])
            if length >= settings.idle_minutes:
                found.append(Finding(
                    "idle_clerk", f"counter:{s.counter_id}:{_stamp(start)}", start, end, length,
                    staff_id=s.staff_id, counter_id=s.counter_id,
                ))
    return found


def detect(facts: DayFacts, settings: Settings) -> list[Finding]:
    """Run every rule over one office day."""
    return [*late_openings(facts, settings), *uncovered(facts, settings),
            *long_breaks(facts, settings), *idle_clerks(facts, settings)]
