"""REST for points: held points, the leaderboard, a clerk's own figures and the trend; office-scoped."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from pydantic import Field

from ..analytics import leaderboard as board
from ..analytics.filters import parse_day, scoped_reach
from ..context import get_db, get_read_db, now
from ..domain.errors import Forbidden, InvalidInput
from ..schemas import Body
from ..services import points
from .access import require_actor
from .blueprint import bp
from .manager_scope import AGENCY_PARAM, OFFICE_PARAM, query_param, require_manager
from .openapi import operation
from .routes import parse_body


class DecisionBody(Body):
    reason: str = Field(default="", max_length=300, description="Why; required to reject")


operation("/points/holds", "get", "Held points waiting for a supervisor's decision",
          responses={200: "Held ledger lines, oldest first"}, auth=["staff"], params=[OFFICE_PARAM, AGENCY_PARAM])


@bp.get("/points/holds")
def list_holds() -> Response:
    actor = require_manager()
    session = get_read_db()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    holds = [h for h in points.pending_holds(session, actor, agency_id=reach.agency_id)
             if h["office"] in reach.office_ids]
    return jsonify({"holds": holds})


def _decide(ticket_id: int, confirm: bool) -> Response:
    actor = require_manager()
    body = parse_body(DecisionBody)
    session = get_db()
    lines = points.decide(session, ticket_id=ticket_id, confirm=confirm, reason=body.reason, actor=actor, now=now())
    session.commit()
    return jsonify({"lines": [points.ledger_view(line) for line in lines]})


operation("/points/holds/{ticket_id}/confirm", "post", "Confirm a ticket's held points (supervisor of its office)",
          body=DecisionBody, responses={200: "The release (and any rating bonus) lines"},
          auth=["staff"])


@bp.post("/points/holds/<int(max=2147483647):ticket_id>/confirm")
def confirm_hold(ticket_id: int) -> Response:
    return _decide(ticket_id, True)


operation("/points/holds/{ticket_id}/reject", "post", "Reject a ticket's held points, with a reason",
          body=DecisionBody, responses={200: "The reject line"}, auth=["staff"])


@bp.post("/points/holds/<int(max=2147483647):ticket_id>/reject")
def reject_hold(ticket_id: int) -> Response:
    return _decide(ticket_id, False)


operation("/points/leaderboard", "get",
          "Clerks in bands by points per hour with work, each with a 90 % interval (supervisors and managers)",
          responses={200: "period, day, chosen {period, day, reason: "
                          "asked|today_has_data|today_closed|today_empty|no_data, automatic, closed_name (the closed "
                          "day's name, when today_closed)}, offices {id: {start, end}}, level, bands, "
                          "min_transactions, min_hours; "
                          "ranked (best band first) and unranked rows: staff, name, office, office_name, band "
                          "(null when unranked), points, held, transactions, bonuses, staffed_hours, work_hours, "
                          "per_hour, per_hour_low, per_hour_high, per_staffed_hour"},
          auth=["staff"],
          params=[OFFICE_PARAM, AGENCY_PARAM,
                  query_param("period", "today, week or month; left out: today when it has points in the scope, "
                                        "else the last earlier day that has", list(board.PERIODS)),
                  query_param("day", "One office-local day (YYYY-MM-DD) instead of a period")])


@bp.get("/points/leaderboard")
def get_leaderboard() -> Response:
    actor = require_manager()
    session = get_read_db()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    result = board.leaderboard(session, reach.office_ids, request.args.get("period") or None, now(),
                               current_app.config["LEADERBOARD_MIN_TRANSACTIONS"],
                               day=parse_day(request.args.get("day")), agency_id=reach.agency_id)
    return jsonify(result)


operation("/points/me", "get", "The logged-in clerk's own band, interval and figures, today and this week",
          responses={200: "Own standing"}, auth=["staff"])


@bp.get("/points/me")
def my_points() -> Response:
    actor = require_actor("staff")
    if actor.staff_id is None:
        raise Forbidden()
    if actor.office_id is None:
        raise Forbidden("account_without_office")
    return jsonify(board.standing(get_read_db(), actor.staff_id, actor.office_id, now(),
                                  current_app.config["LEADERBOARD_MIN_TRANSACTIONS"]))


operation("/points/trend", "get", "Credited points per office-local day, one series per office",
          responses={200: "Days and series"}, auth=["staff"],
          params=[OFFICE_PARAM, AGENCY_PARAM, query_param("days", "How many days up to today (1-366, default 30)")])


@bp.get("/points/trend")
def points_trend() -> Response:
    actor = require_manager()
    session = get_read_db()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    days = request.args.get("days", "30")
    if not (days.isascii() and days.isdigit()) or len(days) > 3:
        raise InvalidInput("days_out_of_range", max=366)
    return jsonify(board.trend(session, reach.office_ids, int(days), now(), reach.agency_id))
