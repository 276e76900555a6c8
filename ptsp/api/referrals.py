"""REST for referrals: clerks refer a case to a department; the department reports progress with its token."""

from __future__ import annotations

from typing import Literal

from flask import Response, jsonify, request
from pydantic import Field

from ..analytics.complaints import quarterly_complaints
from ..analytics.filters import reader_agency
from ..analytics.referrals import events_of, quarterly_ranking, referral_view
from ..analytics.referrals import list_referrals as query_referrals
from ..context import get_db, get_read_db, now
from ..domain import referrals as rules
from ..domain.errors import InvalidInput, NotFound, Unauthorized
from ..models import Department, Referral
from ..schemas import Body, Id
from ..services import referrals as use_cases
from ..services.agencies import require_service_in_agency
from ..services.lookup import office_scope, require_office
from .access import require_actor
from .blueprint import bp
from .openapi import operation
from .routes import parse_body


class ReferCase(Body):
    ticket: Id = Field(ge=1, description="The ticket whose case is referred")
    department: Id = Field(ge=1, description="Department id (GET /departments)")
    note: str = Field(min_length=1, max_length=1000, description="What the department must do, and why")


class ReportProgress(Body):
    status: Literal["received", "verification", "field_check", "in_progress", "done", "returned"] = Field(
        description="Forward only; the first report must be received (or returned)")
    note: str | None = Field(default=None, max_length=1000)


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not 1 <= int(raw) <= 2**31 - 1:
        raise InvalidInput("param_not_positive_id", name=name)
    return int(raw)


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _is_department_call() -> bool:
    token = _bearer()
    return token is not None and token.startswith(use_cases.TOKEN_PREFIX)


def _department(session) -> Department:
    token = _bearer()
    department = use_cases.department_for_token(session, token) if token else None
    if department is None:
        raise Unauthorized("unknown_department_token")
    return department


def _department_view(d: Department) -> dict:
    return {"id": d.id, "slug": d.slug, "name": d.name, "office": d.office_id, "response_hours": d.response_hours}


operation("/departments", "get", "Departments a clerk of the office may refer to (its own and those above)",
          responses={200: "Departments"}, auth=["staff"],
          params=[{"name": "office", "in": "query", "required": False, "schema": {"type": "integer"}}])


@bp.get("/departments")
def list_departments() -> Response:
    actor = require_actor("staff")
    session = get_read_db()
    office_id = _int_arg("office") or actor.office_id
    if office_id is None:
        raise InvalidInput("office_param_required")
    require_office(session, actor, office_id)
    return jsonify([_department_view(d) for d in use_cases.departments_for(session, office_id)])


operation("/referrals", "post", "Refer a ticket's case to a department (1x24-hour response clock starts)",
          body=ReferCase, responses={201: "The referral"}, auth=["staff"])


@bp.post("/referrals")
def create_referral() -> tuple[Response, int]:
    actor = require_actor("staff")
    body = parse_body(ReferCase)
    session = get_db()
    referral = use_cases.refer(session, ticket_id=body.ticket, department_id=body.department, note=body.note,
                               actor=actor, now=now())
    session.commit()
    return jsonify(referral_view(referral, now())), 201


_LIST_PARAMS = [
    {"name": "office", "in": "query", "required": False, "schema": {"type": "integer"}},
    {"name": "agency", "in": "query", "required": False, "schema": {"type": "integer"}},
    {"name": "department", "in": "query", "required": False, "schema": {"type": "integer"}},
    {"name": "status", "in": "query", "required": False, "schema": {"type": "string"}},
    {"name": "breached", "in": "query", "required": False, "schema": {"type": "boolean"}},
]
operation("/referrals", "get", "Referrals from the offices the caller may see, newest first",
          responses={200: "Referrals with deadline and breach"}, auth=["staff"],
          params=_LIST_PARAMS)


def _status_arg() -> str | None:
    status = request.args.get("status") or None
    if status is not None and status not in (rules.REFERRED, *rules.STEPS, rules.RETURNED):
        raise InvalidInput("unknown_status", status=status)
    return status


def _breached_arg() -> bool:
    raw = request.args.get("breached", "").lower()
    if raw not in ("", "0", "1", "true", "false"):
        raise InvalidInput("param_not_boolean", name="breached")
    return raw in ("1", "true")


@bp.get("/referrals")
def list_referrals() -> Response:
    actor = require_actor("staff")
    session = get_read_db()
    office_id = _int_arg("office")
    if office_id is not None:
        require_office(session, actor, office_id)
    agency_id = reader_agency(session, actor, office_id, request.args.get("agency"))
    return jsonify(query_referrals(session, office_scope(session, actor), now(), office_id=office_id,
                                   department_id=_int_arg("department"), status=_status_arg(),
                                   breached_only=_breached_arg(), agency_id=agency_id))


operation("/referrals/ranking", "get", "Departments ranked by breach rate and response time over a quarter",
          responses={200: "{quarter, departments: ranking best first, complaints: per agency [{agency, agency_name, "
                         "complaints, answered, breaches, median_response_hours, p90_response_hours}]}"},
          auth=["staff"],
          params=[{"name": "quarter", "in": "query", "required": False, "schema": {"type": "string"},
                   "description": "e.g. 2026Q4; default: the current quarter"},
                  {"name": "agency", "in": "query", "required": False, "schema": {"type": "integer"}}])


@bp.get("/referrals/ranking")
def referral_ranking() -> Response:
    actor = require_actor("staff")
    session = get_read_db()
    raw = request.args.get("quarter")
    quarter = rules.Quarter.parse(raw) if raw else rules.Quarter.of(now(), "Asia/Jakarta")
    agency_id = reader_agency(session, actor, None, request.args.get("agency"))
    scope = office_scope(session, actor)
    ranking = quarterly_ranking(session, scope, quarter, now(), agency_id)
    return jsonify({"quarter": str(quarter), "departments": ranking,
                    "complaints": quarterly_complaints(session, scope, quarter, now(), agency_id)})


operation("/referrals/{referral_id}", "get", "One referral with its progress (staff, or its department's token)",
          responses={200: "The referral and its events"}, auth=["staff", "department"])


@bp.get("/referrals/<int(max=2147483647):referral_id>")
def get_referral(referral_id: int) -> Response:
    session = get_read_db()
    referral = session.get(Referral, referral_id)
    if _is_department_call():
        if referral is None or referral.department_id != _department(session).id:
            raise NotFound("referral_not_found", id=referral_id)
    else:
        actor = require_actor("staff")
        if referral is None:
            raise NotFound("referral_not_found", id=referral_id)
        require_office(session, actor, referral.office_id)
        require_service_in_agency(session, actor, referral.service_id)
    return jsonify(referral_view(referral, now(), events_of(session, referral.id)))


operation("/referrals/{referral_id}/progress", "post", "The department reports progress (its token only)",
          body=ReportProgress, responses={200: "The referral"}, auth=["department"])


@bp.post("/referrals/<int(max=2147483647):referral_id>/progress")
def report_progress(referral_id: int) -> Response:
    session = get_db()
    department = _department(session)
    body = parse_body(ReportProgress)
    referral = use_cases.report_progress(session, referral_id=referral_id, status=body.status, note=body.note,
                                         department=department, now=now())
    session.commit()
    return jsonify(referral_view(referral, now(), events_of(session, referral.id)))


operation("/department/referrals", "get", "The calling department's own referrals (its token)",
          responses={200: "Referrals, newest first"}, auth=["department"],
          params=_LIST_PARAMS[2:])


@bp.get("/department/referrals")
def department_referrals() -> Response:
    session = get_read_db()
    department = _department(session)
    return jsonify({"department": _department_view(department),
                    "referrals": query_referrals(session, None, now(), department_id=department.id,
                                                 status=_status_arg(), breached_only=_breached_arg())})
