"""Turn a reader's filters (office, agency, dates) into checked values within their scope.

One parser for every manager page, CSV export and read API: an office number, an agency number and a range
of office-local days. The API and the points pages answer 404 for an office that does not exist; the
dashboard, charts and export pages only list the offices in scope (ptsp/manager/filters.py).

Agencies (docs/mpp.md, "Agency scope"): `scoped_reach` is the one place a reader's agency is decided, from
`agency_scope(actor)` and the `agency` filter; `in_agency` (ptsp/services/agencies.py, re-exported here) is the
one rule of what belongs to an agency, a row whose service is one of the agency's services. Every reader applies
both instead of its own check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.hours import service_day
from ..models import Agency, Office
from ..services.actors import Actor, agency_scope
from ..services.agencies import in_agency as in_agency  # the readers' one rule, re-exported
from ..services.lookup import office_scope

DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_ID = 2**31 - 1


def office_number(raw: str) -> int:
    """Return the office id a filter names, or raise InvalidInput."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        raise InvalidInput("office_not_id", value=raw[:20])
    return int(raw)


def scoped_offices(session: Session, actor: Actor, office: str | None) -> list[int]:
    """Return the office ids to read: the one asked for (if in scope) or every office in scope."""
    scope = office_scope(session, actor)
    if office is None or office == "":
        query = select(Office.id).order_by(Office.id)
        if scope is not None:
            query = query.where(Office.id.in_(scope))
        return list(session.scalars(query))
    office_id = office_number(office)
    if session.get(Office, office_id) is None:
        raise NotFound("office_not_found", id=office_id)
    if scope is not None and office_id not in scope:
        raise Forbidden("office_out_of_scope", office=office_id)
    return [office_id]


@dataclass(frozen=True)
class Reach:
    """What one read covers: offices, and within them one agency's services (None: every service)."""

    office_ids: list[int]
    agency_id: int | None = None


def agency_number(raw: str) -> int:
    """Return the agency id a filter names, or raise InvalidInput."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        raise InvalidInput("agency_not_id", value=raw[:20])
    return int(raw)


def scoped_agency(session: Session, actor: Actor, raw: str | None, office_ids: list[int]) -> Reach:
    """Narrow the offices read to one agency: the reader's own when they are limited to one, else the one the
    `agency` filter names (None or "" or "all": every agency).

    An agency-limited reader asking for another agency is refused (403), not shown an empty page; an agency
    of an office out of scope is refused too; one of another office than the chosen one is bad input (422).
    """
    own = agency_scope(actor)
    asked = None if raw is None or raw.strip() in ("", "all") else agency_number(raw.strip())
    if asked is None and own is None:
        return Reach(office_ids)
    agency_id = asked if asked is not None else own
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound("agency_not_found", id=agency_id)
    if own is not None and agency.id != own:
        raise Forbidden("agency_out_of_scope", agency=agency.code)
    scope = office_scope(session, actor)
    if scope is not None and agency.office_id not in scope:
        raise Forbidden("agency_out_of_scope", agency=agency.code)
    if agency.office_id not in office_ids:
        if own is not None:  # an agency's manager reads their agency's office, whatever office was asked
            raise Forbidden("office_out_of_scope", office=office_ids[0] if len(office_ids) == 1 else "-")
        raise InvalidInput("agency_not_in_office", agency=agency.code)
    return Reach([agency.office_id], agency.id)


def scoped_reach(session: Session, actor: Actor, office: str | None, agency: str | None) -> Reach:
    """`scoped_offices`, then `scoped_agency`: the offices and agency one read covers."""
    return scoped_agency(session, actor, agency, scoped_offices(session, actor, office))


def reader_agency(session: Session, actor: Actor, office_id: int | None, raw: str | None) -> int | None:
    """The agency a read of one checked office (None: every office in scope) covers: `scoped_agency`'s answer."""
    office_ids = [office_id] if office_id is not None else scoped_offices(session, actor, None)
    return scoped_agency(session, actor, raw, office_ids).agency_id


def office_agencies(session: Session, office_ids: list[int]) -> list[Agency]:
    """The agencies of these offices, for the agency filter's choices (none: the filter is not shown)."""
    if not office_ids:
        return []
    return list(session.scalars(select(Agency).where(Agency.office_id.in_(office_ids))
                                .order_by(Agency.office_id, Agency.sort_order, Agency.name)))


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # outside, a day names no service day (and overflows)


def _day(raw: str, name: str) -> date:
    """Parse a date filter; refuse one outside FIRST_DAY..LAST_DAY (counting back from 0001-01-01 overflows)."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("param_not_date", name=name) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput("param_day_out_of_range", name=name, first=FIRST_DAY.isoformat(),
                           last=LAST_DAY.isoformat())
    return day


def parse_day(raw: str | None, name: str = "day") -> date | None:
    """Return an optional date filter, or raise InvalidInput (format, or out of range)."""
    return _day(raw, name) if raw else None


def date_range(start: str | None, end: str | None, today: date, default_days: int = DEFAULT_DAYS
               ) -> tuple[date, date]:
    """Return (from, to) office-local days, inclusive; default the last `default_days` days to today."""
    last = _day(end, "to") if end else today
    first = _day(start, "from") if start else last - timedelta(days=default_days - 1)
    if first > last:
        raise InvalidInput("start_after_end")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("range_too_long", max=MAX_DAYS)
    return first, last


def visible_offices(session: Session, actor: Actor) -> list[Office]:
    """Return the offices in the actor's scope, ordered by name."""
    scope = office_scope(session, actor)
    query = select(Office).order_by(Office.name)
    if scope is not None:
        query = query.where(Office.id.in_(scope))
    return list(session.scalars(query))


def offices_by_id(session: Session, office_ids: list[int]) -> dict[int, Office]:
    """Return the offices with these ids, keyed by id."""
    return {office.id: office for office in session.scalars(select(Office).where(Office.id.in_(office_ids)))}


def local_today(session: Session, office_ids: list[int], now: datetime) -> date:
    """Return today's service day in the first office's time zone (Jakarta when there is none)."""
    office = session.get(Office, office_ids[0]) if office_ids else None
    return service_day(now, office.timezone if office else "Asia/Jakarta")
