"""REST for discipline violations: each supervisor sees those of the staff they answer for (two levels)."""

from __future__ import annotations

from datetime import date

from flask import Response, jsonify, request

from ..analytics.discipline import visible_violations
from ..context import get_read_db
from ..domain.discipline import KINDS
from ..domain.errors import Forbidden, InvalidInput
from ..services.lookup import require_office
from .access import require_actor
from .blueprint import bp
from .openapi import operation
from .referrals import _int_arg


def _day_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput("param_not_date", name=name) from None


operation("/violations", "get", "Discipline violations the caller supervises (own reports and theirs)",
          responses={200: "Violations, newest first"}, auth=["staff"],
          params=[{"name": n, "in": "query", "required": False, "schema": {"type": t}}
                  for n, t in (("office", "integer"), ("kind", "string"), ("from", "string"), ("to", "string"))])


@bp.get("/violations")
def list_violations() -> Response:
    actor = require_actor("staff")
    if not actor.at_least("supervisor"):
        raise Forbidden("supervisors_only")
    session = get_read_db()
    office_id = _int_arg("office")
    if office_id is not None:
        require_office(session, actor, office_id)
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise InvalidInput("unknown_kind", kind=kind, choices=KINDS)
    rows = visible_violations(session, actor, office_id=office_id, kind=kind, first_day=_day_arg("from"),
                              last_day=_day_arg("to"))
    return jsonify([
        {"id": v.id, "office": v.office_id, "day": v.day.isoformat(), "kind": v.kind, "staff": v.staff_id,
         "counter": v.counter_id, "service": v.service_id, "started_at": v.started_at.isoformat(),
         "ended_at": v.ended_at.isoformat(), "minutes": v.minutes, "details": v.details}
        for v in rows
    ])
