"""REST for an office's calendar: its closure days (administrators and the office's managers change them),
national holidays and cuti bersama beside them (`ptsp/services/office_calendar.py`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Response, jsonify, request
from pydantic import Field

from ..context import get_db, get_read_db, now
from ..domain.errors import InvalidInput
from ..domain.hours import service_day
from ..i18n import current_language
from ..models import Office
from ..schemas import Body
from ..services import office_calendar
from .access import require_actor
from .blueprint import bp
from .openapi import operation
from .routes import parse_body

MAX_DAYS = 3660
DEFAULT_DAYS = 366


class AddClosure(Body):
    day: date = Field(description="Office-local day the office is closed, YYYY-MM-DD (today or later)")
    reason: str = Field(min_length=1, max_length=office_calendar.REASON_MAX,
                        description="Why, as residents read it on the kiosk: 'Kantor tutup: <reason>'")


def _date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("param_not_date", name=name) from None


operation("/offices/{office_id}/closures", "get",
          "The office's calendar from `from` (default today, office-local) for `days` days (1-3660, default 366): "
          "its own closure days and the national holidays and cuti bersama, named in the reader's language",
          responses={200: "{office: [{day, reason}], national: [{day, kind, name}], stays_open: [day]}"},
          auth=["staff"],
          params=[{"name": "from", "in": "query", "required": False, "schema": {"type": "string"}},
                  {"name": "days", "in": "query", "required": False, "schema": {"type": "integer"}}])


@bp.get("/offices/<int(max=2147483647):office_id>/closures")
def list_closures(office_id: int) -> Response:
    actor = require_actor("staff")
    session = get_read_db()
    office = session.get(Office, office_id)
    raw_from, raw_days = request.args.get("from"), request.args.get("days", "")
    start = _date(raw_from, "from") if raw_from else service_day(now(), office.timezone if office else "Asia/Jakarta")
    if raw_days and (not (raw_days.isascii() and raw_days.isdigit()) or not 1 <= int(raw_days) <= MAX_DAYS):
        raise InvalidInput("param_out_of_range", name="days", min=1, max=MAX_DAYS)
    days = int(raw_days) if raw_days else DEFAULT_DAYS
    return jsonify(office_calendar.list_closures(session, actor, office_id=office_id, start=start,
                                                 end=start + timedelta(days=days), language=current_language()))


operation("/offices/{office_id}/closures", "post",
          "Close the office for a whole local day, with its reason (administrators, managers of the office)",
          body=AddClosure, responses={201: "{office, day, reason}"}, auth=["staff"])


@bp.post("/offices/<int(max=2147483647):office_id>/closures")
def add_closure(office_id: int) -> tuple[Response, int]:
    actor = require_actor("staff")
    body = parse_body(AddClosure)
    session = get_db()
    row = office_calendar.add_closure(session, actor, office_id=office_id, day=body.day, reason=body.reason,
                                      now=now())
    view = office_calendar.closure_view(row)
    session.commit()
    return jsonify(view), 201


operation("/offices/{office_id}/closures/{day}", "delete",
          "Open the office again on one of its closure days (administrators, managers of the office)",
          responses={200: "{ok: true}"}, auth=["staff"])


@bp.delete("/offices/<int(max=2147483647):office_id>/closures/<day>")
def remove_closure(office_id: int, day: str) -> Response:
    actor = require_actor("staff")
    session = get_db()
    office_calendar.remove_closure(session, actor, office_id=office_id, day=_date(day, "day"), now=now())
    session.commit()
    return jsonify({"ok": True})
