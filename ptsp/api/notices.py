"""REST for the two superiors' notices of violations, and for the clerk's own violations and answers."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, jsonify, request
from pydantic import Field

from ..context import get_db, get_read_db, now
from ..domain.errors import InvalidInput
from ..domain.hours import service_day
from ..models import Office, Violation, ViolationNotice
from ..schemas import Body
from ..services import discipline_notices as notices
from .access import require_actor
from .blueprint import bp
from .openapi import operation
from .routes import parse_body

MAX_DAYS = 90
DEFAULT_DAYS = 14


class Acknowledge(Body):
    note: str = Field(min_length=1, max_length=notices.NOTE_MAX,
                      description="What the superior did about the violation (required)")


class Answer(Body):
    text: str = Field(min_length=1, max_length=notices.ANSWER_MAX, description="The clerk's answer")


operation("/notices", "get", "The caller's own notices of violations (as level-1 or level-2 superior)",
          responses={200: "Unread count and notices, unread first"}, auth=["staff"],
          params=[{"name": "unread", "in": "query", "required": False, "schema": {"type": "boolean"}}])


@bp.get("/notices")
def list_notices() -> Response:
    actor = require_actor("staff")
    raw = request.args.get("unread", "").lower()
    if raw not in ("", "0", "1", "true", "false"):
        raise InvalidInput("param_not_boolean", name="unread")
    session = get_read_db()
    staff_id = actor.staff_id or 0
    rows = notices.inbox(session, staff_id, unread_only=raw in ("1", "true"))
    names = notices.Names.of(session, [n.violation for n in rows])
    return jsonify({"unread": notices.unread_count(session, staff_id),
                    "notices": [notices.notice_view(n, names) for n in rows]})


def _notice_answer(notice_id: int) -> Response:
    session = get_db()
    notice = session.get_one(ViolationNotice, notice_id)
    names = notices.Names.of(session, [notice.violation])
    return jsonify(notices.notice_view(notice, names))


operation("/notices/{notice_id}/read", "post", "Mark one of the caller's own notices read",
          responses={200: "The notice"}, auth=["staff"])


@bp.post("/notices/<int(max=2147483647):notice_id>/read")
def read_notice(notice_id: int) -> Response:
    actor = require_actor("staff")
    session = get_db()
    notices.mark_read(session, notice_id=notice_id, actor=actor, now=now())
    session.commit()
    return _notice_answer(notice_id)


operation("/notices/{notice_id}/acknowledge", "post",
          "Acknowledge one of the caller's own notices with a note (once; the clerk's answer is then final)",
          body=Acknowledge, responses={200: "The notice"}, auth=["staff"])


@bp.post("/notices/<int(max=2147483647):notice_id>/acknowledge")
def acknowledge_notice(notice_id: int) -> Response:
    actor = require_actor("staff")
    body = parse_body(Acknowledge)
    session = get_db()
    notices.acknowledge(session, notice_id=notice_id, actor=actor, note=body.note, now=now())
    session.commit()
    return _notice_answer(notice_id)


operation("/violations/mine", "get", "The caller's own violations, newest first, with answers and acknowledgements",
          responses={200: "Own violations"}, auth=["staff"],
          params=[{"name": "days", "in": "query", "required": False, "schema": {"type": "integer"},
                   "description": f"Today and this many days back in all (1-{MAX_DAYS}, default {DEFAULT_DAYS})"}])


def _days_arg() -> int:
    raw = request.args.get("days", "")
    if raw == "":
        return DEFAULT_DAYS
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10) or not 1 <= int(raw) <= MAX_DAYS:
        raise InvalidInput("param_out_of_range", name="days", min=1, max=MAX_DAYS)
    return int(raw)


@bp.get("/violations/mine")
def my_violations() -> Response:
    actor = require_actor("staff")
    days = _days_arg()
    session = get_read_db()
    office = session.get(Office, actor.office_id) if actor.office_id is not None else None
    today = service_day(now(), office.timezone if office is not None else "Asia/Jakarta")
    rows = notices.own_violations(session, actor.staff_id or 0, since=today - timedelta(days=days - 1))
    names = notices.Names.of(session, rows, {n.recipient_id for v in rows for n in v.notices})
    return jsonify([notices.own_violation_view(v, names) for v in rows])


operation("/violations/{violation_id}/answer", "put",
          "Write or edit the caller's answer to their own violation (until a superior acknowledges it)",
          body=Answer, responses={200: "The violation with the answer"}, auth=["staff"])


@bp.put("/violations/<int(max=2147483647):violation_id>/answer")
def answer_violation(violation_id: int) -> Response:
    actor = require_actor("staff")
    body = parse_body(Answer)
    session = get_db()
    notices.answer(session, violation_id=violation_id, actor=actor, text=body.text, now=now())
    session.commit()
    violation = session.get_one(Violation, violation_id)
    names = notices.Names.of(session, [violation], {n.recipient_id for n in violation.notices})
    return jsonify(notices.own_violation_view(violation, names))
