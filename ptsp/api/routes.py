"""REST routes: translate HTTP to use cases and back, nothing more."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from .. import __version__, schemas
from ..commands import run_command
from ..context import get_db, get_read_db, now, writes_at_once
from ..context import status_url as page_url
from ..cross_site import csrf_token_response
from ..domain.errors import DomainError, Forbidden, NotFound, Unauthorized
from ..extensions import login_limited, sign_in
from ..i18n.validation import invalid_input
from ..models import Counter, Office, Staff, Ticket
from ..printing_runner import print_issued
from ..services import presence, printing, resident, tickets
from ..services.accounts import authenticate
from ..services.actors import Actor
from ..services.counters import current_session
from ..services.lookup import get_or_404, office_scope, require_office
from ..services.serializers import counter_view, office_view, ticket_position, ticket_view, waiting_line
from ..services.snapshot import office_snapshot
from ..sign_out import sign_out
from .access import issue_limited, require_actor, resolve_actor
from .blueprint import bp
from .openapi import build_document, operation

# The refusals every route of its kind can give (400, 401, 403, 404, 409, 413, 422, 429) are derived by
# `openapi.derived_errors` from the route's `auth`, body, parameters and rate limit: list only a route's own.
COMMON_ERRORS: dict[int, str] = {}


class BadJson(DomainError):
    code = "malformed_json"
    status = 400


_Body = TypeVar("_Body", bound=BaseModel)


def parse_body(model: type[_Body]) -> _Body:
    """Validate the JSON body against `model` (400 for broken JSON, 422 for wrong content)."""
    if not request.is_json:
        raise BadJson("json_content_type_required")
    raw = request.get_data(cache=True) or b"{}"
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadJson("malformed_json") from None
        raise invalid_input(exc) from None


def status_url(ticket: Ticket) -> str:
    """The resident's status page (the QR target), not this JSON endpoint."""
    return page_url(ticket.public_token)


operation("/tickets", "post", "Issue a ticket (kiosk token or staff)", body=schemas.IssueTicket,
          responses={201: "The new ticket"}, auth=["device", "staff"])


@bp.post("/tickets")
@issue_limited
def issue() -> tuple[Response, int]:
    actor = require_actor("kiosk", "staff")
    body = parse_body(schemas.IssueTicket)
    session = get_db()
    ticket, position, job = printing.issue_with_job(session, office_id=body.office, service_id=body.service,
                                                    priority=body.priority, actor=actor, status_url=page_url,
                                                    now=now(), walk_in=body.walk_in)
    session.commit()
    printed = print_issued(session, ticket, job, position)
    return jsonify({**ticket_view(ticket), **position, "status_url": status_url(ticket), "print": printed}), 201


operation("/tickets/{ticket_id}", "get", "Read a ticket (staff or device of its office)",
          responses={200: "The ticket"}, auth=["device", "staff"])


@bp.get("/tickets/<int(max=2147483647):ticket_id>")
def get_ticket(ticket_id: int) -> Response:
    actor = require_actor("kiosk", "display", "agent", "staff")
    session = get_read_db()
    ticket = get_or_404(session, Ticket, ticket_id)
    require_office(session, actor, ticket.office_id)
    return jsonify({**ticket_view(ticket), **ticket_position(session, ticket, now())})


operation("/status/{token}", "get", "A resident's view of their ticket, by its unguessable token",
          responses={200: "The resident's own view: the ticket's state, place in line, estimated wait and the "
                          "counter that calls it (no priority class, no clerk)", 404: "Unknown token",
                     410: "The ticket's page is no longer kept (PTSP_STATUS_DAYS after its service day)"},
          params=[{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}])


@bp.get("/status/<token>")
def ticket_status(token: str) -> Response:
    session = get_read_db()
    ticket = resident.open_ticket(session, token, now(), current_app.config["STATUS_DAYS"])
    return jsonify(resident.own_view(session, ticket, token, now()))


def _command(action: str, payload: dict[str, Any]) -> Response | tuple[Response, int]:
    writes_at_once()  # the login is read in the command's own transaction
    actor = require_actor("staff")
    status, body = run_command(action, payload, actor)
    if status == 204:
        return Response(status=204)
    return jsonify(body), status


def _json_object() -> dict[str, Any]:
    if not request.get_data(cache=True):
        return {}
    if not request.is_json:
        raise BadJson("json_content_type_required")
    try:
        data = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        data = None
    if not isinstance(data, dict):
        raise BadJson("json_object_required")
    return data


_COUNTER_ACTIONS = {
    "open": ("open", schemas.Empty, "Open the counter for the logged-in clerk"),
    "break": ("break", schemas.BreakBody, "Put the counter on break, with a reason"),
    "close": ("close", schemas.Empty, "Close the counter"),
    "call-next": ("call_next", schemas.Empty, "Call the next ticket (204 when nobody waits)"),
    "recall": ("recall", schemas.Empty, "Call the current ticket again"),
    "call": ("call_ticket", schemas.CallBody, "Call a specific waiting ticket, with an audited reason"),
    "reinsert": ("reinsert", schemas.ReinsertBody, "Re-insert a resident who missed their call a few places ahead "
                 "of the back of the line (docs/queue.md)"),
    "complete-and-call-next": ("complete_and_call_next", schemas.CompleteAndCallBody,
                               "Complete the counter's ticket and call the next, in one transaction "
                               "(`completed`, and `ticket`: the called one or null when nobody waits)"),
}


def _document_actions(prefix: str, actions: dict[str, tuple], responses: dict[int, str]) -> None:
    for verb, (_action, model, summary) in actions.items():
        operation(f"{prefix}/{verb}", "post", summary, body=None if model is schemas.Empty else model,
                  responses=responses, auth=["staff"])


def _action_for(actions: dict[str, tuple], verb: str) -> str:
    if verb not in actions:
        raise NotFound("unknown_action", action=verb)
    return actions[verb][0]


_document_actions("/counters/{counter_id}", _COUNTER_ACTIONS, {200: "The counter or ticket", 204: "Nobody waiting"})


@bp.post("/counters/<int(max=2147483647):counter_id>/<verb>")
def counter_action(counter_id: int, verb: str):
    return _command(_action_for(_COUNTER_ACTIONS, verb), {**_json_object(), "counter": counter_id})


_TICKET_ACTIONS = {
    "start": ("start", schemas.Empty, "Start serving a called ticket"),
    "complete": ("complete", schemas.CompleteBody, "Complete with an outcome"),
    "no-show": ("no_show", schemas.Empty, "The resident did not come"),
    "transfer": ("transfer", schemas.TransferBody, "Transfer to another service's queue, keeping the place"),
    "cancel": ("cancel", schemas.CancelBody, "Cancel a waiting ticket (staff, or the resident's token)"),
    "park": ("park", schemas.Empty, "Park a ticket being served: the resident fetches a missing document"),
    "return": ("return_parked", schemas.Empty, "A parked resident is back: front of the parking counter's line"),
    "steps": ("plan_steps", schemas.StepsBody, "Plan the steps after the current one of a visit (docs/steps.md)"),
}
_document_actions("/tickets/{ticket_id}", _TICKET_ACTIONS, {200: "The ticket"})


@bp.post("/tickets/<int(max=2147483647):ticket_id>/<verb>")
def ticket_action(ticket_id: int, verb: str):
    action = _action_for(_TICKET_ACTIONS, verb)
    payload = {**_json_object(), "ticket": ticket_id}
    if verb == "cancel" and resolve_actor() is None:
        return _resident_cancel(payload)
    payload.pop("token", None)
    return _command(action, payload)


def _resident_cancel(payload: dict[str, Any]) -> Response:
    try:
        body = schemas.CancelBody.model_validate({k: v for k, v in payload.items() if k != "ticket"})
    except ValidationError as exc:
        raise invalid_input(exc) from None
    session = get_db()
    ticket = tickets.cancel(session, ticket_id=payload["ticket"], actor=Actor("resident"), now=now(),
                            token=body.token)
    session.commit()
    return jsonify({"ticket": ticket_view(ticket)})


operation("/offices", "get", "Offices the caller may see", responses={200: "Offices"},
          auth=["device", "staff"])


@bp.get("/offices")
def list_offices() -> Response:
    actor = require_actor("kiosk", "display", "agent", "staff")
    session = get_read_db()
    scope = office_scope(session, actor)
    query = session.query(Office).order_by(Office.id)
    if scope is not None:
        query = query.filter(Office.id.in_(scope))
    return jsonify([office_view(o, now()) for o in query])


operation("/offices/{office_id}/queue", "get", "Live queue: waiting per service, counters, current calls",
          responses={200: "The office snapshot with its sequence number"},
          auth=["device", "staff"])


@bp.get("/offices/<int(max=2147483647):office_id>/queue")
def office_queue(office_id: int) -> Response:
    actor = require_actor("kiosk", "display", "agent", "staff")
    session = get_read_db()
    require_office(session, actor, office_id)
    snapshot = office_snapshot(session, office_id, now())
    office = get_or_404(session, Office, office_id)
    for service in snapshot["services"]:
        service["line"] = [e.ticket_id for e in waiting_line(session, office, service["id"], now())]
    return jsonify(snapshot)


operation("/counters/{counter_id}", "get", "A counter and its state", responses={200: "The counter"},
          auth=["staff"])


@bp.get("/counters/<int(max=2147483647):counter_id>")
def get_counter(counter_id: int) -> Response:

    actor = require_actor("staff")
    session = get_read_db()
    counter = get_or_404(session, Counter, counter_id)
    require_office(session, actor, counter.office_id)
    return jsonify(counter_view(counter, current_session(session, counter.id)))


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(build_document(__version__, current_app._get_current_object()))  # type: ignore[attr-defined]


operation("/auth/login", "post", "Staff login (sets the session cookie)", body=schemas.Login,
          responses={200: "The staff member", 401: "Wrong username or password"}, changes_state=False)


@bp.post("/auth/login")
@login_limited
def login() -> Response:

    body = parse_body(schemas.Login)
    staff = authenticate(get_read_db(), body.username, body.password)
    if staff is None:
        raise Unauthorized("wrong_credentials")
    if staff.must_change_password:
        raise Forbidden("password_change_required")
    sign_in(staff)
    return jsonify(staff_view(staff))


operation("/auth/csrf", "get", "This session's CSRF token (send it as X-CSRFToken on a cookie-authenticated "
          "POST, login included)", responses={200: "The token"})


@bp.get("/auth/csrf")
def csrf_token() -> Response:
    return csrf_token_response()


operation("/auth/logout", "post", "Staff logout: ends every session of the account, on every device",
          responses={200: "Logged out"}, changes_state=False)


@bp.post("/auth/logout")
def logout() -> Response:
    sign_out()
    return jsonify({"ok": True})


operation("/auth/me", "get", "The logged-in staff member", responses={200: "Staff"},
          auth=["staff"])


@bp.get("/auth/me")
def me() -> Response:
    actor = require_actor("staff")

    return jsonify(staff_view(get_read_db().get(Staff, actor.id)))


def staff_view(staff: Any) -> dict[str, Any]:
    return {"id": staff.id, "username": staff.username, "name": staff.name, "role": staff.role,
            "office": staff.office_id, "supervisor": staff.supervisor_id}


operation("/offices/{office_id}/displays", "get", "Lobby displays of an office and whether each is connected",
          responses={200: "Displays with last heartbeat and acknowledged call"}, auth=["staff"])


@bp.get("/offices/<int(max=2147483647):office_id>/displays")
def office_displays(office_id: int) -> Response:

    actor = require_actor("staff")
    session = get_read_db()
    require_office(session, actor, office_id)
    get_or_404(session, Office, office_id)
    return jsonify(presence.displays(session, office_id, now()))
