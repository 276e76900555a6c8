"""Use cases of the pages that set an office's opening hours and its calendar ("Atur jam buka").

The weekly hours are edited as a manager thinks of them: per weekday closed, or open from–to with breaks inside.
A break is a staff break (the office stays open, clerks stagger their rest) or a declared closure (the Friday
prayer: the office closes). They are stored in the shapes `ptsp/domain/hours.py` defines and the set-up file uses
(`offices.hours` intervals, `offices.closures` gaps), and checked by the same `parse_week` and `parse_closures`.

The calendar is `ptsp/services/office_calendar.py`: the office's own closure days, and per cuti bersama day an
override that keeps the office open. Everything here may be read by an admin or a manager of the office's scope;
it is changed by those not limited to one agency of it (`require_office_wide`: the hours are the whole office's).
Each change is written to the audit log in the same transaction, and the office's stations hear `office_changed`
after commit (a kiosk refreshes its open state at once); a refusal raises before anything changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain import office_calendar as calendar_rules
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..models import Office, OfficeClosedDay
from . import audit, office_calendar
from .actors import Actor
from .admin_scope import require_admin_office, require_office_wide
from .lookup import get_or_404

MAX_RANGE_DAYS = 31  # one closure range at most (a month: a flood, a renovation)


@dataclass(frozen=True)
class BreakInput:
    """A break inside a weekday's hours, "HH:MM" to "HH:MM"; `closes` when the office closes (the Friday prayer)
    rather than the clerks taking turns to rest."""

    start: str
    end: str
    closes: bool = False
    reason: str = ""


@dataclass(frozen=True)
class DayInput:
    """One weekday as the page edits it: `open` and `close` empty for a closed weekday."""

    open: str = ""
    close: str = ""
    breaks: tuple[BreakInput, ...] = ()

    @property
    def closed(self) -> bool:
        return not (self.open or self.close or self.breaks)


def readable_office(session: Session, actor: Actor, office_id: int) -> Office:
    """The office whose hours and calendar `actor` may read (an admin, a manager of its scope)."""
    office = get_or_404(session, Office, office_id)
    require_admin_office(session, actor, office.id)
    return office


def may_change(session: Session, actor: Actor, office: Office) -> bool:
    """Whether `actor` may change the office's hours and calendar (not a manager limited to one agency)."""
    try:
        require_office_wide(session, actor, office.id, "calendar_office_wide_only")
    except Forbidden:
        return False
    return True


def week_form(office: Office) -> dict[str, DayInput]:
    """The office's stored week as the page shows it: per weekday open, close and the breaks between."""
    week = office_hours.parse_week(office.hours or {})
    declared = office_hours.read_closures(office.closures or {})
    out = {}
    for day in office_hours.WEEKDAYS:
        intervals = week.get(day, [])
        if not intervals:
            out[day] = DayInput()
            continue
        closures = {(c.start, c.end): c.reason for c in declared.get(day, [])}
        breaks = tuple(BreakInput(_hm(a), _hm(b), (a, b) in closures, closures.get((a, b), ""))
                       for a, b in office_hours.day_gaps(intervals))
        out[day] = DayInput(_hm(intervals[0][0]), _hm(intervals[-1][1]), breaks)
    return out


def _hm(value: time) -> str:
    return value.strftime("%H:%M")


def _day_shapes(day: str, entry: DayInput) -> tuple[list[list[str]], list[list[str]]]:
    """One weekday's stored intervals and declared closures, after the checks a person understands: an open day
    has both times, closes after it opens, and its breaks lie inside its hours without touching each other."""
    if entry.closed:
        return [], []
    if not entry.open or not entry.close:
        raise InvalidInput("hours_day_incomplete", day=day)
    opens, closes = office_hours.parse_time(entry.open), office_hours.parse_time(entry.close)
    if closes <= opens:
        raise InvalidInput("closing_before_opening", day=day)
    breaks = []
    for item in entry.breaks:
        if not item.start or not item.end:
            raise InvalidInput("break_incomplete", day=day)
        start, end = office_hours.parse_time(item.start), office_hours.parse_time(item.end)
        if end <= start:
            raise InvalidInput("break_end_before_start", day=day, start=_hm(start), end=_hm(end))
        if start <= opens or end >= closes:
            raise InvalidInput("break_outside_hours", day=day, start=_hm(start), end=_hm(end), open=_hm(opens),
                               close=_hm(closes))
        breaks.append((start, end, item))
    breaks.sort(key=lambda b: b[0])
    for (a_start, a_end, _), (b_start, b_end, _) in zip(breaks, breaks[1:], strict=False):
        if b_start <= a_end:
            raise InvalidInput("breaks_overlap", day=day, first=f"{_hm(a_start)}–{_hm(a_end)}",
                               second=f"{_hm(b_start)}–{_hm(b_end)}")
    edges = [opens, *(t for start, end, _ in breaks for t in (start, end)), closes]
    intervals = [[_hm(a), _hm(b)] for a, b in zip(edges[::2], edges[1::2], strict=True)]
    closures = [[_hm(start), _hm(end), " ".join(item.reason.split())[:80]]
                for start, end, item in breaks if item.closes]
    return intervals, closures


def set_week(session: Session, actor: Actor, *, office_id: int, week: Mapping[str, DayInput], now: datetime
             ) -> Office:
    """Replace the office's weekly hours and declared closures; audited with the state before and after."""
    office = get_or_404(session, Office, office_id)
    require_office_wide(session, actor, office.id, "calendar_office_wide_only")
    raw_hours: dict[str, list[list[str]]] = {}
    raw_closures: dict[str, list[list[str]]] = {}
    for day, entry in week.items():
        if day not in office_hours.WEEKDAYS:
            raise InvalidInput("unknown_days", days=[day])
        day_intervals, day_closures = _day_shapes(day, entry)
        if day_intervals:
            raw_hours[day] = day_intervals
        if day_closures:
            raw_closures[day] = day_closures
    parsed = office_hours.parse_week(raw_hours)  # the set-up file's own checks, so both agree
    hours = office_hours.dump_week(parsed)  # every weekday, as the set-up file stores it
    closures = office_hours.dump_closures(office_hours.parse_closures(raw_closures, parsed))
    before = {"hours": office.hours or {}, "closures": office.closures or {}}
    after = {"hours": hours, "closures": closures}
    if before != after:
        office.hours, office.closures = hours, closures
        session.flush()
        audit.record(session, actor=actor, now=now, office_id=office.id, entity="office_hours", entity_id=office.id,
                     action="updated", before=before, after=after)
        office_calendar.tell_stations(session, office, now)
    return office


@dataclass(frozen=True)
class CalendarDay:
    """One day of the calendar page: a national day (perhaps kept open) or the office's own closure."""

    day: date
    kind: str  # national, cuti_bersama, office
    name: str
    past: bool
    stays_open: bool = False
    note: str = ""  # the reason given for keeping a cuti bersama day open


def year_calendar(session: Session, actor: Actor, *, office_id: int, year: int, now: datetime,
                  language: str = "id") -> list[CalendarDay]:
    """The office's closed days of one year, national and its own, with the cuti bersama days it keeps open."""
    office = readable_office(session, actor, office_id)
    if not 2000 <= year <= 2100:
        raise InvalidInput("calendar_year_invalid", year=year)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    today = office_hours.service_day(now, office.timezone)
    rows = {r.day: r for r in session.scalars(select(OfficeClosedDay).where(
        OfficeClosedDay.office_id == office.id, OfficeClosedDay.day >= start, OfficeClosedDay.day < end))}
    days = []
    for day, national in calendar_rules.national_days(start, end, language).items():
        row = rows.get(day)
        kept = row is not None and row.stays_open and national.kind == calendar_rules.JOINT_LEAVE
        days.append(CalendarDay(day, national.kind, national.name, day < today, kept, row.reason if kept and row
                                else ""))
    days += [CalendarDay(day, calendar_rules.OFFICE, row.reason, day < today)
             for day, row in rows.items() if not row.stays_open]
    return sorted(days, key=lambda d: (d.day, d.kind != calendar_rules.OFFICE))


def add_closures(session: Session, actor: Actor, *, office_id: int, first: date, last: date | None, reason: str,
                 now: datetime) -> list[OfficeClosedDay]:
    """Close the office on one day or on each day of a range (at most MAX_RANGE_DAYS), all with one reason."""
    last = last or first
    if last < first:
        raise InvalidInput("closure_range_reversed", first=first.isoformat(), last=last.isoformat())
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput("closure_range_too_long", max=MAX_RANGE_DAYS)
    return [office_calendar.add_closure(session, actor, office_id=office_id, day=first + timedelta(days=i),
                                        reason=reason, now=now)
            for i in range((last - first).days + 1)]


def keep_open(session: Session, actor: Actor, *, office_id: int, day: date, note: str, now: datetime
              ) -> OfficeClosedDay:
    """Keep the office open on a cuti bersama day (today or later): the kiosk issues, planning plans it."""
    office = office_calendar.managed_office(session, actor, office_id)
    office_calendar.require_future(office, day, now)
    national = calendar_rules.national_days(day, day + timedelta(days=1)).get(day)
    if national is None or national.kind != calendar_rules.JOINT_LEAVE:
        raise InvalidInput("stays_open_not_cuti_bersama", day=day.isoformat())
    taken = office_calendar.day_row(session, office.id, day)
    if taken is not None and taken.stays_open:
        raise InvalidInput("calendar_day_stays_open", day=day.isoformat())
    if taken is not None:
        raise InvalidInput("closure_day_taken", day=day.isoformat(), reason=taken.reason)
    row = OfficeClosedDay(office_id=office.id, day=day, reason=office_calendar.clean_reason(note), created_at=now,
                          created_by=actor.staff_id, stays_open=True)
    session.add(row)
    session.flush()
    office_calendar.audit_day(session, actor, row, "created", now)
    office_calendar.tell_stations(session, office, now)
    return row


def close_again(session: Session, actor: Actor, *, office_id: int, day: date, now: datetime) -> None:
    """Withdraw a future stays-open override: the cuti bersama closes the office again."""
    office = office_calendar.managed_office(session, actor, office_id)
    row = office_calendar.day_row(session, office.id, day)
    if row is None or not row.stays_open:
        raise NotFound("stays_open_not_found", day=day.isoformat())
    office_calendar.require_future(office, day, now)
    office_calendar.audit_day(session, actor, row, "deleted", now, removed=True)
    session.delete(row)
    office_calendar.tell_stations(session, office, now)


def hours_summary(office: Office) -> dict[str, Any]:
    """What the page notes beside the week: the zone label and the last-ticket cut-off."""
    return {"zone": office_hours.zone_label(office.timezone), "last_ticket_minutes": office.last_ticket_minutes}
