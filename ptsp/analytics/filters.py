"""Turn a reader's filters (office, dates) into checked values within their office scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.hours import service_day
from ..models import Office
from ..services.actors import Actor
from ..services.common import office_scope

MAX_DAYS = 366


def scoped_offices(session: Session, actor: Actor, office: str | None) -> list[int]:
    """Return the office ids to read: the one asked for (if in scope) or every office in scope."""
    scope = office_scope(session, actor)
    if office is None or office == "":
        query = select(Office.id).order_by(Office.id)
        if scope is not None:
            query = query.where(Office.id.in_(scope))
        return list(session.scalars(query))
    if not office.isdigit() or len(office) > 10 or int(office) > 2**31 - 1:
        raise InvalidInput(f"Kantor '{office}' bukan nomor kantor (office must be an id)")
    office_id = int(office)
    if session.get(Office, office_id) is None:
        raise NotFound(f"Kantor {office_id} tidak ditemukan (not found)")
    if scope is not None and office_id not in scope:
        raise Forbidden("Anda tidak berwenang untuk kantor ini (not allowed for this office)")
    return [office_id]


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"Tanggal '{name}' harus YYYY-MM-DD (date must be YYYY-MM-DD)") from None


def date_range(start: str | None, end: str | None, today: date, default_days: int = 30) -> tuple[date, date]:
    """Return (from, to) office-local days, inclusive; default the last `default_days` days to today."""
    last = _day(end, "to") if end else today
    first = _day(start, "from") if start else last - timedelta(days=default_days - 1)
    if last < first:
        raise InvalidInput("Tanggal akhir sebelum tanggal awal (to is before from)")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Rentang paling panjang {MAX_DAYS} hari (range too long)")
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
