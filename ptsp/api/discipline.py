"""REST for discipline violations: each supervisor sees those of the staff they answer for (two levels)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request

from ..analytics.discipline import count_visible, overview, visible_violations
from ..analytics.filters import reader_agency
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


_FILTERS = (("office", "integer"), ("agency", "integer"), ("kind", "string"), ("from", "string"), ("to", "string"))
PER_PAGE_MAX = 500

operation("/violations", "get", "Discipline violations the caller supervises (own reports and theirs), newest "
          "first, a page at a time (`page` from 1, `per_page` up to 500; the total in `X-Total-Count`); withdrawn "
          "ones and those under their office's tolerance are left out",
          responses={200: "Violations, newest first"}, auth=["staff"],
          params=[{"name": n, "in": "query", "required": False, "schema": {"type": t}}
                  for n, t in (*_FILTERS, ("page", "integer"), ("per_page", "integer"))])
operation("/violations/ranking", "get", "The visible violations grouped per clerk and rule, biggest loss first "
          "(minutes lost, then count), with totals per kind",
          responses={200: "{total, per_kind, ranking: [{office, staff, kind, count, minutes, last_day}]}"},
          auth=["staff"],
          params=[{"name": n, "in": "query", "required": False, "schema": {"type": t}} for n, t in _FILTERS])


def _filters() -> tuple[Any, dict[str, Any]]:
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
    return actor, {"office_id": office_id, "kind": kind, "first_day": _day_arg("from"), "last_day": _day_arg("to"),
                   "agency_id": reader_agency(session, actor, office_id, request.args.get("agency"))}


@bp.get("/violations/ranking")
def violation_ranking() -> Response:
    actor, filters = _filters()
    seen = overview(get_read_db(), actor, **filters)
    return jsonify({"total": seen.total, "per_kind": seen.per_kind, "ranking": seen.ranking})


@bp.get("/violations")
def list_violations() -> Response:
    actor, filters = _filters()
    page, per_page = _int_arg("page") or 1, _int_arg("per_page") or PER_PAGE_MAX
    if per_page > PER_PAGE_MAX:
        raise InvalidInput("param_too_large", name="per_page", limit=PER_PAGE_MAX)
    session = get_read_db()
    total = count_visible(session, actor, **filters)
    rows = visible_violations(session, actor, limit=per_page, offset=(page - 1) * per_page, **filters)
    response = jsonify([
        {"id": v.id, "office": v.office_id, "day": v.day.isoformat(), "kind": v.kind, "staff": v.staff_id,
         "counter": v.counter_id, "service": v.service_id, "started_at": v.started_at.isoformat(),
         "ended_at": v.ended_at.isoformat(), "minutes": v.minutes, "details": v.details}
        for v in rows
    ])
    response.headers["X-Total-Count"] = str(total)
    return response
