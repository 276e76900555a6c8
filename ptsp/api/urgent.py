"""REST for urgent cases (docs/urgent.md): staff ask for urgency (or an urgent desk ticket); a supervisor decides."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import Field

from ..context import get_db, now
from ..domain.errors import InvalidInput
from ..domain.urgent import NOTE_MAX, REASONS
from ..models import UrgentCase
from ..schemas import Body, Id
from ..services import urgent as use_cases
from ..services.serializers import iso
from .access import require_actor
from .blueprint import bp
from .openapi import operation
from .routes import parse_body


class AskUrgent(Body):
    ticket: Id | None = Field(default=None, ge=1, description="A waiting ticket of today; or else `service`")
    service: Id | None = Field(default=None, ge=1, description="Issue a new desk ticket of this service instead")
    reason: str = Field(max_length=24, description=f"One of {', '.join(REASONS)} (other needs a note)")
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class DecideUrgent(Body):
    approve: bool = Field(description="true signs the case off (the ticket becomes urgent); false refuses it")
    note: str | None = Field(default=None, max_length=NOTE_MAX, description="Why; required to refuse")


def case_view(case: UrgentCase) -> dict[str, Any]:
    return {
        "id": case.id, "office": case.office_id, "ticket": case.ticket_id, "code": case.ticket.code,
        "service": case.service_id, "desk_ticket": case.desk_ticket, "reason": case.reason, "note": case.note,
        "state": case.state, "requested_by": case.requested_by, "requested_at": iso(case.requested_at),
        "decided_by": case.decided_by, "decided_at": iso(case.decided_at), "decision_note": case.decision_note,
        "urgent": case.ticket.urgent_at is not None,
    }


operation("/urgent", "post", "Ask for urgency on a waiting ticket, or issue an urgent desk ticket; a supervisor's "
          "is signed off at once (outside the quota and after the last-ticket time for a desk ticket)",
          body=AskUrgent, responses={201: "The urgent case"}, auth=["staff"])


@bp.post("/urgent")
def ask_urgent() -> tuple[Response, int]:
    actor = require_actor("staff")
    body = parse_body(AskUrgent)
    if (body.ticket is None) == (body.service is None):
        raise InvalidInput("urgent_ticket_or_service")
    session = get_db()
    if body.ticket is not None:
        case = use_cases.ask(session, ticket_id=body.ticket, reason=body.reason, note=body.note, actor=actor,
                             now=now())
    else:
        assert body.service is not None and actor.office_id is not None
        case = use_cases.issue_desk(session, office_id=actor.office_id, service_id=body.service, reason=body.reason,
                                    note=body.note, actor=actor, now=now())
    view = case_view(case)
    session.commit()
    return jsonify(view), 201


operation("/urgent/{case_id}/decision", "post", "Sign off or refuse a pending urgent case (a supervisor of its "
          "office and agency, never the one who asked; once)", body=DecideUrgent,
          responses={200: "The decided case"}, auth=["staff"])


@bp.post("/urgent/<int(max=2147483647):case_id>/decision")
def decide_urgent(case_id: int) -> Response:
    actor = require_actor("staff")
    body = parse_body(DecideUrgent)
    session = get_db()
    case = use_cases.decide(session, case_id=case_id, approve=body.approve, note=body.note, actor=actor, now=now())
    view = case_view(case)
    session.commit()
    return jsonify(view)
