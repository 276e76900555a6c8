"""REST for what residents tell an office: SKM/IKM survey results and complaints; office-scoped."""

from __future__ import annotations

from flask import Response, jsonify, request
from pydantic import Field
from sqlalchemy import select

from ..analytics.complaints import complaint_list
from ..analytics.filters import date_range, scoped_reach
from ..analytics.skm import GROUPS, ikm
from ..context import get_db, get_read_db, now
from ..domain.complaints import STATUSES
from ..domain.errors import InvalidInput
from ..models import ComplaintEvent
from ..schemas import Body
from ..services import feedback
from .blueprint import bp
from .manager_scope import AGENCY_PARAM, DATE_PARAMS, OFFICE_PARAM, office_today, query_param, require_manager
from .openapi import operation
from .routes import parse_body


class ComplaintMove(Body):
    status: str = Field(min_length=1, max_length=16, description="Next status: verifying, handling or done")
    note: str | None = Field(default=None, max_length=2000, description="What was done; the answer when done")


operation("/skm/ikm", "get", "IKM (PermenPANRB 14/2017) per office, service, counter or clerk",
          responses={200: "One row per group"}, auth=["staff"],
          params=[OFFICE_PARAM, AGENCY_PARAM,
                  query_param("group", "office (default), service, counter or clerk", list(GROUPS)),
                  *DATE_PARAMS])


@bp.get("/skm/ikm")
def get_ikm() -> Response:
    actor = require_manager()
    session = get_read_db()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    start, end = date_range(request.args.get("from"), request.args.get("to"), office_today(reach.office_ids))
    rows = ikm(session, reach.office_ids, start, end, request.args.get("group", "office"), reach.agency_id)
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), "rows": rows})


operation("/complaints", "get", "Complaints of the offices in scope, newest first",
          responses={200: "Complaints with their status history"}, auth=["staff"],
          params=[OFFICE_PARAM, AGENCY_PARAM, query_param("status", "Only this status", list(STATUSES))])


@bp.get("/complaints")
def list_complaints() -> Response:
    actor = require_manager()
    session = get_read_db()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidInput("unknown_status_choice", status=status, choices=STATUSES)
    return jsonify({"complaints": complaint_list(session, reach.office_ids, now(), status, reach.agency_id)})


operation("/complaints/{complaint_id}/status", "post", "Move a complaint to its next status",
          body=ComplaintMove, responses={200: "The complaint"}, auth=["staff"])


@bp.post("/complaints/<int(max=2147483647):complaint_id>/status")
def move_complaint(complaint_id: int) -> Response:
    actor = require_manager()
    body = parse_body(ComplaintMove)
    session = get_db()
    complaint = feedback.move_complaint(session, complaint_id=complaint_id, status=body.status, note=body.note,
                                        actor=actor, now=now())
    session.commit()
    events = list(session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                  .order_by(ComplaintEvent.id)))
    return jsonify(feedback.complaint_view(complaint, events, now()))
