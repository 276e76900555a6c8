"""Closed days: Indonesia's national holidays, cuti bersama, and an office's own closure days.

One calendar for everything that asks "is the office closed on this local day, and why": the kiosk and the
ticket use case (no ticket on a closed day), planning (no demand, no shifts), the discipline scan (no
violation) and the leaderboard's default period. National holidays and cuti bersama (the collective leave
days the government adds around them) come from the `holidays` package's Indonesian calendar, its `public`
and `government` categories, named in Indonesian unless a page asks for another language the package has.
An office's own closures (a flood, an election day, a local holiday) are plain `{day: reason}` values read
from storage by the caller, so this module stays pure. A day mapped to `STAYS_OPEN` (None) instead of a reason
is a cuti bersama day the office stays open on (many public service offices do): the calendar drops that cuti
bersama, and every reader of it (kiosk, tickets, planning, discipline, leaderboard) follows.

When two kinds fall on one day, the national holiday is named (it is what residents know the day as).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

NATIONAL = "national"  # libur nasional
JOINT_LEAVE = "cuti_bersama"  # cuti bersama
OFFICE = "office"  # the office's own closure day
KINDS = (NATIONAL, JOINT_LEAVE, OFFICE)
STAYS_OPEN = None  # the value of an office day that overrides cuti bersama: the office stays open

OfficeDays = Mapping[date, str | None]  # the office's own days: day -> reason, or STAYS_OPEN


@dataclass(frozen=True)
class ClosedDay:
    day: date
    kind: str  # one of KINDS
    name: str  # the holiday's name, or the office's reason


@lru_cache(maxsize=4)
def _supported() -> tuple[str, ...]:
    return tuple(holidays.country_holidays("ID").supported_languages)


def calendar_language(language: str) -> str:
    """The package's language code for a page's language (`en` -> `en_US`), Indonesian when it has none."""
    supported = _supported()
    if language in supported:
        return language
    return next((code for code in supported if code.startswith(f"{language}_")), "id")


@lru_cache(maxsize=64)
def _national_year(year: int, language: str) -> Mapping[date, ClosedDay]:
    """One year's national holidays and cuti bersama (cached: the calendar of a year does not change)."""
    days: dict[date, ClosedDay] = {}
    for category, kind in (("government", JOINT_LEAVE), ("public", NATIONAL)):  # a public holiday wins a tie
        calendar = holidays.country_holidays("ID", years=year, language=language, categories=(category,))
        for day, name in calendar.items():
            days[day] = ClosedDay(day, kind, name)
    return days


def warm(today: date) -> None:
    """Load the package's Indonesian calendar and this year's and next year's days once, at start-up: the
    package imports its countries on first use (about 180 ms), which would otherwise fall on the first kiosk
    request or the first discipline scan, with the server's event loop held."""
    national_days(date(today.year, 1, 1), date(today.year + 2, 1, 1))


def national_days(start: date, end: date, language: str = "id") -> dict[date, ClosedDay]:
    """National holidays and cuti bersama in [start, end), in `language` (a page's language code)."""
    chosen = calendar_language(language)
    out: dict[date, ClosedDay] = {}
    for year in range(start.year, end.year + 1):
        out.update({d: c for d, c in _national_year(year, chosen).items() if start <= d < end})
    return dict(sorted(out.items()))


def closed_days(start: date, end: date, office_days: OfficeDays | None = None,
                language: str = "id") -> dict[date, ClosedDay]:
    """Every closed day in [start, end): the national calendar, then the office's own closures; a cuti bersama
    day the office stays open on (`STAYS_OPEN`) is not closed."""
    own = office_days or {}
    out = {d: ClosedDay(d, OFFICE, reason) for d, reason in own.items()
           if start <= d < end and reason is not STAYS_OPEN}
    out.update({d: c for d, c in national_days(start, end, language).items()
                if not (c.kind == JOINT_LEAVE and d in own and own[d] is STAYS_OPEN)})
    return dict(sorted(out.items()))


def closed_day(day: date, office_days: OfficeDays | None = None, language: str = "id") -> ClosedDay | None:
    """Why the office is closed on a local day, or None when it is a day like any other."""
    return closed_days(day, day + timedelta(days=1), office_days, language).get(day)
