"""Opening hours, breaks and the local service day.

Opening hours are stored per weekday as a list of open intervals; the gaps
between them are breaks (lunch, the Friday prayer break). All inputs are
plain values so the rules are testable without a clock or a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIMEZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

Interval = tuple[time, time]


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


def _parse_time(text: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except (ValueError, AttributeError):
        raise InvalidInput("time_invalid", value=text) from None


def parse_week(raw: dict[str, list[list[str]]]) -> dict[str, list[Interval]]:
    """Validate a week of `{"mon": [["08:00", "12:00"], ...]}` into sorted intervals."""
    if not isinstance(raw, dict):
        raise InvalidInput("opening_hours_not_mapping")
    unknown = set(raw) - set(WEEKDAYS)
    if unknown:
        raise InvalidInput("unknown_days", days=sorted(unknown))
    week: dict[str, list[Interval]] = {}
    for day in WEEKDAYS:
        intervals = sorted((_parse_time(a), _parse_time(b)) for a, b in raw.get(day, []))
        for start, end in intervals:
            if end <= start:
                raise InvalidInput("closing_before_opening", day=day)
        for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
            if start < end:
                raise InvalidInput("opening_hours_overlap", day=day)
        week[day] = intervals
    return week


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
