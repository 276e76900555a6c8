"""Opening hours, breaks, closures and the local service day.

Opening hours are stored per weekday as a list of intervals (`offices.hours`);
the gaps between them are of two kinds, told apart by the office's declared
closures (`offices.closures`, per weekday `[from, to, reason]`):

- a **closure** is a gap the office declares closed (the Friday prayer): no
  counter need be open, and the discipline rules ignore it;
- every other gap is a **staff break** (lunch): the gap is when clerks take
  their break, but the office stays open, so each service must stay covered
  by staggering the breaks ("no empty counter in opening hours, breaks
  included", seed article 000).

Counters, the planner and the kiosk still see both kinds of gap as the hours'
gaps (the kiosk issues through them, the planner plans clerks for the
intervals); only the discipline rules read the distinction. All inputs are
plain values so the rules are testable without a clock or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMEZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

Interval = tuple[time, time]
CLOSURE = "closure"
STAFF_BREAK = "staff_break"


@dataclass(frozen=True)
class Closure:
    """A gap between two opening intervals of a weekday that the office declares closed."""

    start: time
    end: time
    reason: str


def zone_label(timezone: str) -> str:
    """Return WIB, WITA or WIT for an Indonesian timezone name."""
    try:
        return TIMEZONES[timezone]
    except KeyError:
        raise InvalidInput("unknown_timezone", timezone=timezone) from None


def local_now(now: datetime, timezone: str) -> datetime:
    """Convert an aware instant to the office's wall-clock time."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone))


def service_day(now: datetime, timezone: str) -> date:
    """Return the office-local calendar day that `now` falls on."""
    return local_now(now, timezone).date()


def day_start(day: date, timezone: str) -> datetime:
    """The aware instant a local day begins."""
    return datetime.combine(day, time(0), ZoneInfo(timezone))


def parse_time(text: str) -> time:
    """Read "HH:MM" (a 24-hour clock time); refuse anything else."""
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise InvalidInput("time_invalid", value=text) from None


def _weekday_mapping(raw: object, not_mapping: str) -> dict[str, Any]:
    """Return `raw` if it is a mapping keyed by weekday names (`mon` ... `sun`); refuse anything else."""
    if not isinstance(raw, dict):
        raise InvalidInput(not_mapping)
    unknown = set(raw) - set(WEEKDAYS)
    if unknown:
        raise InvalidInput("unknown_days", days=sorted(unknown))
    return raw


def parse_week(raw: dict[str, list[list[str]]]) -> dict[str, list[Interval]]:
    """Validate a week of `{"mon": [["08:00", "12:00"], ...]}` into sorted intervals."""
    raw = _weekday_mapping(raw, "opening_hours_not_mapping")
    week: dict[str, list[Interval]] = {}
    for day in WEEKDAYS:
        intervals = sorted((parse_time(a), parse_time(b)) for a, b in raw.get(day, []))
        for start, end in intervals:
            if end <= start:
                raise InvalidInput("closing_before_opening", day=day)
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            if start < end:
                raise InvalidInput("opening_hours_overlap", day=day)
        week[day] = intervals
    return week


def parse_closures(raw: object, week: dict[str, list[Interval]]) -> dict[str, list[Closure]]:
    """Validate `{"fri": [["11:30", "13:30", "Sholat Jumat"], ...]}` against the week's opening intervals.

    Each closure must be exactly one gap between two of that weekday's intervals: an office closes in
    a gap of its hours, it does not cut one of its intervals.
    """
    raw = _weekday_mapping(raw, "closures_not_mapping")
    out: dict[str, list[Closure]] = {}
    for day in WEEKDAYS:
        entries = raw.get(day) or []
        if not isinstance(entries, list):
            raise InvalidInput("closure_invalid", day=day)
        gaps = set(day_gaps(week.get(day, [])))
        closures = []
        for entry in entries:
            if not isinstance(entry, list | tuple) or len(entry) not in (2, 3):
                raise InvalidInput("closure_invalid", day=day)
            start, end = parse_time(entry[0]), parse_time(entry[1])
            if (start, end) not in gaps:
                raise InvalidInput("closure_not_a_gap", day=day, start=entry[0], end=entry[1])
            reason = str(entry[2]).strip()[:80] if len(entry) == 3 else ""
            closures.append(Closure(start, end, reason))
        if closures:
            out[day] = sorted(closures, key=lambda c: c.start)
    return out


def read_closures(raw: object) -> dict[str, list[Closure]]:
    """Read stored closures leniently (they were validated when written): an entry that no longer parses is
    skipped, and one that no longer matches a gap of the hours simply closes nothing (`gaps_on`)."""
    out: dict[str, list[Closure]] = {}
    for day, entries in (raw.items() if isinstance(raw, dict) else ()):
        for entry in entries if isinstance(entries, list) else ():
            try:
                out.setdefault(day, []).append(Closure(parse_time(entry[0]), parse_time(entry[1]),
                                                       str(entry[2]) if len(entry) > 2 else ""))
            except (InvalidInput, TypeError, IndexError, KeyError):
                continue
    return out


def dump_closures(closures: dict[str, list[Closure]]) -> dict[str, list[list[str]]]:
    """Turn closures back into the stored JSON shape."""
    return {
        day: [[c.start.strftime("%H:%M"), c.end.strftime("%H:%M"), c.reason] for c in items]
        for day, items in closures.items()
    }


def day_gaps(intervals: list[Interval]) -> list[Interval]:
    """The gaps between a weekday's consecutive opening intervals."""
    return [(end, start) for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False) if start > end]


@dataclass(frozen=True)
class Gap:
    """A gap of one local day's hours, as aware datetimes: a declared closure or a staff break."""

    start: datetime
    end: datetime
    kind: str  # CLOSURE or STAFF_BREAK
    reason: str = ""


def gaps_on(week: dict[str, list[Interval]], closures: dict[str, list[Closure]], day: date,
            timezone: str) -> list[Gap]:
    """Each gap of a day's hours, marked closure (declared) or staff break (the office stays open)."""
    tz = ZoneInfo(timezone)
    weekday = WEEKDAYS[day.weekday()]
    declared = {(c.start, c.end): c.reason for c in closures.get(weekday, [])}
    return [
        Gap(datetime.combine(day, a, tz), datetime.combine(day, b, tz),
            CLOSURE if (a, b) in declared else STAFF_BREAK, declared.get((a, b), ""))
        for a, b in day_gaps(week.get(weekday, []))
    ]


def dump_week(week: dict[str, list[Interval]]) -> dict[str, list[list[str]]]:
    """Turn intervals back into the stored JSON shape."""
    return {
        day: [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in intervals]
        for day, intervals in week.items()
    }


@dataclass(frozen=True)
class DayHours:
    """One local day's opening hours as aware datetimes."""

    intervals: list[tuple[datetime, datetime]]
    last_ticket_at: datetime | None

    @property
    def opens_at(self) -> datetime | None:
        return self.intervals[0][0] if self.intervals else None

    @property
    def closes_at(self) -> datetime | None:
        return self.intervals[-1][1] if self.intervals else None


def hours_on(
    week: dict[str, list[Interval]], day: date, timezone: str, cutoff_minutes: int
) -> DayHours:
    """Return a day's open intervals and the time the last ticket may be taken."""
    tz = ZoneInfo(timezone)
    intervals = [
        (datetime.combine(day, a, tz), datetime.combine(day, b, tz))
        for a, b in week.get(WEEKDAYS[day.weekday()], [])
    ]
    last = intervals[-1][1] - timedelta(minutes=cutoff_minutes) if intervals else None
    return DayHours(intervals, last)


def is_open(hours: DayHours, now: datetime) -> bool:
    """Tell whether counters should be staffed at `now` (inside an interval, not in a break)."""
    return any(start <= now < end for start, end in hours.intervals)


def can_issue(hours: DayHours, now: datetime) -> bool:
    """Tell whether the kiosk may issue: from opening until the last-ticket cutoff.

    Residents may take a ticket during a break; they are served when it ends.
    """
    if hours.opens_at is None or hours.last_ticket_at is None:
        return False
    return hours.opens_at <= now < hours.last_ticket_at
