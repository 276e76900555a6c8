"""REST for points, the leaderboard, SKM/IKM and complaints; every read and write is office-scoped."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, jsonify, request
from pydantic import Field
from sqlalchemy import select

from ..analytics import leaderboard as board
from ..analytics.filters import date_range, scoped_offices
from ..analytics.skm import GROUPS, ikm
from ..context import get_db, get_read_db, now
from ..domain import hours as office_hours
from ..domain.complaints import STATUSES
from ..domain.errors import Forbidden, InvalidInput
from ..models import Complaint, ComplaintEvent, Office, Staff
from ..services import feedback, points
from ..services.actors import Actor
from .access import require_actor
from .blueprint import bp
from .openapi import operation
from .routes import COMMON_ERRORS, parse_body
from .schemas import Body

READ_ERRORS = {code: text for code, text in COMMON_ERRORS.items() if code not in (400, 409)}


class DecisionBody(Body):
    reason: str = Field(default="", max_length=300, description="Why; required to reject")


class ComplaintMove(Body):
    status: str = Field(min_length=1, max_length=16, description="Next status: verifying, handling or done")
    note: str | None = Field(default=None, max_length=2000, description="What was done; the answer when done")


def _query_param(name: str, description: str, enum: list[str] | None = None) -> dict:
    schema: dict = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


OFFICE_PARAM = _query_param("office", "Office id (default: every office in your scope)")
DATE_PARAMS = [_query_param("from", "First office-local day, YYYY-MM-DD"),
               _query_param("to", "Last office-local day, YYYY-MM-DD")]


def _manager() -> Actor:
    """Return a logged-in supervisor, manager or admin; clerks and devices are refused."""
    actor = require_actor("staff")
    if not actor.at_least("supervisor"):
        raise Forbidden("Hanya supervisor dan manajer (supervisors and managers only)")
    return actor


def _today(office_ids: list[int]) -> date:
    session = get_read_db()
    office = session.get(Office, office_ids[0]) if office_ids else None
    return office_hours.service_day(now(), office.timezone if office else "Asia/Jakarta")


operation("/points/holds", "get", "Held points waiting for a supervisor's decision",
          responses={200: "Held ledger lines, oldest first", **READ_ERRORS}, auth=["staff"], params=[OFFICE_PARAM])


@bp.get("/points/holds")
def list_holds() -> Response:
    actor = _manager()
    session = get_read_db()
    office_ids = scoped_offices(session, actor, request.args.get("office"))
    holds = [h for h in points.pending_holds(session, actor) if h["office"] in office_ids]
    return jsonify({"holds": holds})


def _decide(ticket_id: int, confirm: bool) -> Response:
    actor = _manager()
    body = parse_body(DecisionBody)
    session = get_db()
    lines = points.decide(session, ticket_id=ticket_id, confirm=confirm, reason=body.reason, actor=actor, now=now())
    session.commit()
    return jsonify({"lines": [points.ledger_view(line) for line in lines]})


operation("/points/holds/{ticket_id}/confirm", "post", "Confirm a ticket's held points (supervisor of its office)",
          body=DecisionBody, responses={200: "The release (and any rating bonus) lines", **COMMON_ERRORS},
          auth=["staff"])


@bp.post("/points/holds/<int(max=2147483647):ticket_id>/confirm")
def confirm_hold(ticket_id: int) -> Response:
    return _decide(ticket_id, True)


operation("/points/holds/{ticket_id}/reject", "post", "Reject a ticket's held points, with a reason",
          body=DecisionBody, responses={200: "The reject line", **COMMON_ERRORS}, auth=["staff"])


@bp.post("/points/holds/<int(max=2147483647):ticket_id>/reject")
def reject_hold(ticket_id: int) -> Response:
    return _decide(ticket_id, False)


operation("/points/leaderboard", "get", "Clerks ranked by points per staffed hour (supervisors and managers)",
          responses={200: "Ranked and not-yet-ranked clerks", **READ_ERRORS}, auth=["staff"],
          params=[OFFICE_PARAM, _query_param("period", "today (default), week or month", list(board.PERIODS))])


@bp.get("/points/leaderboard")
def get_leaderboard() -> Response:
    actor = _manager()
    session = get_read_db()
    office_ids = scoped_offices(session, actor, request.args.get("office"))
    result = board.leaderboard(session, office_ids, request.args.get("period", "today"), now(),
                               current_app.config["LEADERBOARD_MIN_TRANSACTIONS"])
    return jsonify(result)


operation("/points/me", "get", "The logged-in clerk's own rank and figures, today and this week",
          responses={200: "Own standing", 401: "Not logged in", 403: "Not allowed"}, auth=["staff"])


@bp.get("/points/me")
def my_points() -> Response:
    actor = require_actor("staff")
    if actor.office_id is None:
        raise Forbidden("Akun ini tidak terikat pada kantor (no office)")
    return jsonify(board.standing(get_read_db(), actor.staff_id, actor.office_id, now(),
                                  current_app.config["LEADERBOARD_MIN_TRANSACTIONS"]))


operation("/points/trend", "get", "Credited points per office-local day, one series per office",
          responses={200: "Days and series", **READ_ERRORS}, auth=["staff"],
          params=[OFFICE_PARAM, _query_param("days", "How many days up to today (1-366, default 30)")])


@bp.get("/points/trend")
def points_trend() -> Response:
    actor = _manager()
    session = get_read_db()
    office_ids = scoped_offices(session, actor, request.args.get("office"))
    days = request.args.get("days", "30")
    if not days.isdigit() or len(days) > 3:
        raise InvalidInput("days harus bilangan 1-366 (days must be 1-366)")
    return jsonify(board.trend(session, office_ids, int(days), now()))


operation("/skm/ikm", "get", "IKM (PermenPANRB 14/2017) per office, service, counter or clerk",
          responses={200: "One row per group", **READ_ERRORS}, auth=["staff"],
          params=[OFFICE_PARAM, _query_param("group", "office (default), service, counter or clerk", list(GROUPS)),
                  *DATE_PARAMS])


@bp.get("/skm/ikm")
def get_ikm() -> Response:
    actor = _manager()
    session = get_read_db()
    office_ids = scoped_offices(session, actor, request.args.get("office"))
    start, end = date_range(request.args.get("from"), request.args.get("to"), _today(office_ids))
    rows = ikm(session, office_ids, start, end, request.args.get("group", "office"))
    return jsonify({"from": start.isoformat(), "to": end.isoformat(), "rows": rows})


operation("/complaints", "get", "Complaints of the offices in scope, newest first",
          responses={200: "Complaints with their status history", **READ_ERRORS}, auth=["staff"],
          params=[OFFICE_PARAM, _query_param("status", "Only this status", list(STATUSES))])


@bp.get("/complaints")
def list_complaints() -> Response:
    actor = _manager()
    session = get_read_db()
    office_ids = scoped_offices(session, actor, request.args.get("office"))
    status = request.args.get("status")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"Status '{status}' tidak dikenal; pilih {', '.join(STATUSES)}")
    return jsonify({"complaints": complaint_list(session, office_ids, status)})


def complaint_list(session, office_ids: list[int], status: str | None = None) -> list[dict]:
    """Return the complaints of the offices, open and overdue first, with their events."""
    query = select(Complaint).where(Complaint.office_id.in_(office_ids)).order_by(Complaint.received_at.desc())
    if status:
        query = query.where(Complaint.status == status)
    complaints = list(session.scalars(query))
    events: dict[int, list[ComplaintEvent]] = {}
    if complaints:
        for event in session.scalars(select(ComplaintEvent).where(
                ComplaintEvent.complaint_id.in_([c.id for c in complaints])).order_by(ComplaintEvent.id)):
            events.setdefault(event.complaint_id, []).append(event)
    staff_ids = {e.staff_id for evs in events.values() for e in evs if e.staff_id}
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(staff_ids))).all()) \
        if staff_ids else {}
    views = [feedback.complaint_view(c, events.get(c.id, []), now(), names) for c in complaints]
    return sorted(views, key=lambda v: (v["status"] == "done", not v["overdue"]))


operation("/complaints/{complaint_id}/status", "post", "Move a complaint to its next status",
          body=ComplaintMove, responses={200: "The complaint", **COMMON_ERRORS}, auth=["staff"])


@bp.post("/complaints/<int(max=2147483647):complaint_id>/status")
def move_complaint(complaint_id: int) -> Response:
    actor = _manager()
    body = parse_body(ComplaintMove)
    session = get_db()
    complaint = feedback.move_complaint(session, complaint_id=complaint_id, status=body.status, note=body.note,
                                        actor=actor, now=now())
    session.commit()
    events = list(session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                  .order_by(ComplaintEvent.id)))
    return jsonify(feedback.complaint_view(complaint, events, now()))
