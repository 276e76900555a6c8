"""The office's calendar: its own closure days (add, list, remove) and "is it closed on this day, and why".

The rules are `ptsp/domain/office_calendar.py` (national holidays and cuti bersama from the `holidays`
package, then the office's own days); this module reads and writes the office's days. Adding or removing a
closure day is for an administrator, or a manager of the office (or of an office above it) who is not limited
to one agency of it (`admin_scope.require_office_wide`), or the `ptsp` command; each change is written to the
audit log in the same transaction (the command's as "cli"), and the office's stations hear `office_changed` after
commit (the kiosk refreshes its state at once). A past day cannot be changed: it feeds history.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import facts
from ..domain import hours as office_hours
from ..domain import office_calendar
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.office_calendar import ClosedDay
from ..models import Office, OfficeClosedDay
from . import audit
from .actors import Actor
from .admin_scope import require_office_wide
from .lookup import get_or_404, publish, require_office
from .serializers import office_view

REASON_MAX = 200
LOOK_AHEAD_DAYS = 60  # how far `next_open_day` looks (Idul Fitri with its cuti bersama is about ten days)


def office_days(session: Session, office_id: int, start: date | None = None, end: date | None = None
                ) -> dict[date, str | None]:
    """The office's own days in [start, end) (all of them when open-ended): day -> reason of a closure day, or
    `STAYS_OPEN` (None) on a cuti bersama day the office stays open on."""
    query = select(OfficeClosedDay.day, OfficeClosedDay.reason, OfficeClosedDay.stays_open).where(
        OfficeClosedDay.office_id == office_id)
    if start is not None:
        query = query.where(OfficeClosedDay.day >= start)
    if end is not None:
        query = query.where(OfficeClosedDay.day < end)
    return {day: office_calendar.STAYS_OPEN if stays_open else reason
            for day, reason, stays_open in session.execute(query.order_by(OfficeClosedDay.day))}


def closed_days(session: Session, office_id: int, start: date, end: date, language: str = "id"
                ) -> dict[date, ClosedDay]:
    """Every closed day of the office in [start, end): national holidays, cuti bersama, its own days."""
    return office_calendar.closed_days(start, end, office_days(session, office_id, start, end), language)


def closed_day(session: Session, office_id: int, day: date, language: str = "id") -> ClosedDay | None:
    """Why the office is closed on a local day, or None."""
    return closed_days(session, office_id, day, day + timedelta(days=1), language).get(day)


def next_open_day(session: Session, office: Office, after: date) -> tuple[date, datetime] | None:
    """The first day after `after` with opening hours that is not closed, and when it opens (aware)."""
    week = office_hours.parse_week(office.hours)
    end = after + timedelta(days=LOOK_AHEAD_DAYS)
    closed = closed_days(session, office.id, after + timedelta(days=1), end)
    day = after + timedelta(days=1)
    while day < end:
        opens = office_hours.hours_on(week, day, office.timezone, office.last_ticket_minutes).opens_at
        if day not in closed and opens is not None:
            return day, opens
        day += timedelta(days=1)
    return None


def managed_office(session: Session, actor: Actor, office_id: int) -> Office:
    """The office whose calendar `actor` may change: the `ptsp` command, an admin, or a manager of its scope not
    limited to one agency (the calendar is the whole office's)."""
    if not (actor.kind == "system" or actor.at_least("manager")):
        raise Forbidden("closures_managers_only")
    office = get_or_404(session, Office, office_id)
    if actor.kind != "system":
        require_office_wide(session, actor, office.id, "calendar_office_wide_only")
    return office


def tell_stations(session: Session, office: Office, now: datetime) -> None:
    """Queue `office_changed` for after commit: a kiosk refreshes its open state and holiday screen at once."""
    session.flush()
    publish(session, office.id, facts.OFFICE_CHANGED, {"settings": office_view(office, now)})


def require_future(office: Office, day: date, now: datetime) -> None:
    """Refuse a day before the office's today: past days feed history and are not changed."""
    if day < office_hours.service_day(now, office.timezone):
        raise InvalidInput("closure_day_past", day=day.isoformat())


def closure_view(row: OfficeClosedDay) -> dict[str, Any]:
    return {"office": row.office_id, "day": row.day.isoformat(), "reason": row.reason}


def day_row(session: Session, office_id: int, day: date) -> OfficeClosedDay | None:
    """The office's own row for a day: a closure day or a stays-open override (one per day)."""
    return session.scalar(select(OfficeClosedDay).where(OfficeClosedDay.office_id == office_id,
                                                        OfficeClosedDay.day == day))


def audit_day(session: Session, actor: Actor, row: OfficeClosedDay, action: str, now: datetime,
              *, removed: bool = False) -> None:
    """Write one audit entry for an office day (the `ptsp` command's as "cli")."""
    entity = "calendar_override" if row.stays_open else "office_closure"
    state = {"day": row.day.isoformat(), "reason": row.reason, "stays_open": row.stays_open}
    audit.record(session, actor=None if actor.kind == "system" else actor, now=now, office_id=row.office_id,
                 entity=entity, entity_id=row.id, action=action, before=state if removed else None,
                 after=None if removed else state)


def add_closure(session: Session, actor: Actor, *, office_id: int, day: date, reason: str, now: datetime
                ) -> OfficeClosedDay:
    """Close the office for a whole local day, with a reason residents will read on the kiosk."""
    office = managed_office(session, actor, office_id)
    text = clean_reason(reason)
    if not text:
        raise InvalidInput("closure_reason_missing")
    require_future(office, day, now)
    taken = day_row(session, office.id, day)
    if taken is not None and taken.stays_open:
        raise InvalidInput("calendar_day_stays_open", day=day.isoformat())
    if taken is not None:
        raise InvalidInput("closure_day_taken", day=day.isoformat(), reason=taken.reason)
    row = OfficeClosedDay(office_id=office.id, day=day, reason=text, created_at=now, created_by=actor.staff_id,
                          stays_open=False)
    session.add(row)
    session.flush()
    audit_day(session, actor, row, "created", now)
    tell_stations(session, office, now)
    return row


def clean_reason(reason: str) -> str:
    """A reason with its spaces folded; refused when longer than REASON_MAX."""
    text = " ".join(reason.split())
    if len(text) > REASON_MAX:
        raise InvalidInput("closure_reason_too_long", max=REASON_MAX)
    return text


def remove_closure(session: Session, actor: Actor, *, office_id: int, day: date, now: datetime) -> None:
    """Open the office again on a day it had closed, today or later (a national holiday cannot be removed here)."""
    office = managed_office(session, actor, office_id)
    row = day_row(session, office.id, day)
    if row is None or row.stays_open:
        raise NotFound("closure_not_found", day=day.isoformat())
    require_future(office, day, now)
    audit_day(session, actor, row, "deleted", now, removed=True)
    session.delete(row)
    tell_stations(session, office, now)


def list_closures(session: Session, actor: Actor, *, office_id: int, start: date, end: date,
                  language: str = "id") -> dict[str, Any]:
    """The office's calendar in [start, end): its own closure days and the national days, for staff of it."""
    if actor.kind != "system":
        if not actor.at_least("clerk"):
            raise Forbidden("calendar_staff_only")
        require_office(session, actor, get_or_404(session, Office, office_id).id)
    else:
        get_or_404(session, Office, office_id)
    own = office_days(session, office_id, start, end)
    national = office_calendar.national_days(start, end, language)
    return {
        "office": [{"day": d.isoformat(), "reason": r} for d, r in own.items() if r is not office_calendar.STAYS_OPEN],
        "national": [{"day": d.isoformat(), "kind": c.kind, "name": c.name} for d, c in national.items()],
        "stays_open": [d.isoformat() for d, r in own.items() if r is office_calendar.STAYS_OPEN],
    }
