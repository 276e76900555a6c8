"""Urgent cases (docs/urgent.md): asking for urgency, a supervisor's sign-off or refusal, an urgent desk ticket.

Each function takes a session and `now`, writes the case row (the record for review) and queues the
`urgent_changed` fact; the caller commits. A ticket is urgent (`Ticket.urgent_at`) only once signed off.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import facts
from ..domain import hours as office_hours
from ..domain import urgent as rules
from ..domain.errors import Forbidden, InvalidTransition, NotFound, OfficeClosed
from ..models import Office, Ticket, UrgentCase
from . import tickets
from .actors import Actor
from .agencies import require_service_in_agency
from .lookup import get_or_404, publish, require_office, waiting_counts
from .serializers import ticket_view

OPEN_STATES = (rules.State.PENDING.value, rules.State.APPROVED.value)


def _signs_off(session: Session, actor: Actor, ticket: Ticket) -> bool:
    """Whether `actor` may sign off this ticket's urgency: a supervisor or above of its office's scope and, when
    limited to one agency, of that agency's services."""
    if actor.kind != "staff" or not rules.may_sign_off(actor.role):
        return False
    try:
        require_office(session, actor, ticket.office_id)
        require_service_in_agency(session, actor, ticket.service_id)
    except Forbidden:
        return False
    return True


def _today_waiting(session: Session, ticket: Ticket, now: datetime) -> None:
    if ticket.status != "waiting" or ticket.service_day != office_hours.service_day(now, ticket.office.timezone):
        raise InvalidTransition("urgent_ticket_not_waiting", ticket=ticket.code, status=ticket.status)


def _announce(session: Session, case: UrgentCase, ticket: Ticket) -> None:
    waiting = waiting_counts(session, ticket.office_id, ticket.service_day)
    publish(session, ticket.office_id, facts.URGENT_CHANGED,
            {"ticket": ticket_view(ticket), "urgent": {"id": case.id, "state": case.state}, "waiting": waiting})


def _open_case(session: Session, ticket: Ticket, reason: str, note: str, actor: Actor, now: datetime,
               desk: bool) -> UrgentCase:
    """Write the request; a supervisor's own mark is its sign-off (the ticket is urgent at once)."""
    approved = _signs_off(session, actor, ticket)
    case = UrgentCase(
        office_id=ticket.office_id, ticket_id=ticket.id, service_id=ticket.service_id, desk_ticket=desk,
        reason=reason, note=note, requested_by=actor.staff_id, requested_at=now,
        state=(rules.State.APPROVED if approved else rules.State.PENDING).value,
        decided_by=actor.staff_id if approved else None, decided_at=now if approved else None,
    )
    session.add(case)
    if approved:
        ticket.urgent_at = now
    session.flush()
    _announce(session, case, ticket)
    return case


def ask(session: Session, *, ticket_id: int, reason: str, note: str | None, actor: Actor, now: datetime
        ) -> UrgentCase:
    """Ask for urgency on today's waiting ticket: pending until a supervisor signs it off (theirs is signed off)."""
    if actor.kind != "staff" or actor.staff_id is None:
        raise Forbidden("urgent_staff_only")
    text = rules.check_request(reason, note)
    ticket = get_or_404(session, Ticket, ticket_id)
    require_office(session, actor, ticket.office_id)
    _today_waiting(session, ticket, now)
    if session.scalar(select(UrgentCase.id).where(UrgentCase.ticket_id == ticket.id,
                                                  UrgentCase.state.in_(OPEN_STATES))) is not None:
        raise InvalidTransition("urgent_already_asked", ticket=ticket.code)
    return _open_case(session, ticket, reason, text, actor, now, desk=False)


def issue_desk(session: Session, *, office_id: int, service_id: int, reason: str, note: str | None, actor: Actor,
               now: datetime) -> UrgentCase:
    """Issue a desk ticket for an urgent case. A supervisor's (their sign-off) is neither refused by the daily quota
    nor by the last-ticket time, a closed day still refuses it; a clerk's is an ordinary ticket, refused as any
    other, whose urgency waits for a sign-off."""
    if actor.kind != "staff" or actor.staff_id is None:
        raise Forbidden("urgent_staff_only")
    text = rules.check_request(reason, note)
    exempt = rules.may_sign_off(actor.role)
    if exempt:
        require_office(session, actor, office_id)
        require_service_in_agency(session, actor, service_id)
        office = get_or_404(session, Office, office_id)
        week = office_hours.parse_week(office.hours)
        day = office_hours.service_day(now, office.timezone)
        if not rules.desk_ticket_hours(office_hours.hours_on(week, day, office.timezone, 0), now):
            raise OfficeClosed("office_closed")
    ticket, _ = tickets.issue(session, office_id=office_id, service_id=service_id, walk_in=True, actor=actor,
                              now=now, exempt=exempt)
    return _open_case(session, ticket, reason, text, actor, now, desk=True)


def decide(session: Session, *, case_id: int, approve: bool, note: str | None, actor: Actor, now: datetime
           ) -> UrgentCase:
    """Sign off (approve) or refuse a pending request, once, with a note (a refusal must say why)."""
    case = session.get(UrgentCase, case_id, with_for_update=True)
    if case is None:
        raise NotFound("urgent_case_not_found", id=case_id)
    ticket = session.get_one(Ticket, case.ticket_id, with_for_update=True)  # not called meanwhile (PostgreSQL)
    if actor.kind != "staff" or not rules.may_sign_off(actor.role):
        raise Forbidden("urgent_sign_off_supervisors_only")
    require_office(session, actor, case.office_id)
    require_service_in_agency(session, actor, ticket.service_id)
    text = (note or "").strip()[:rules.NOTE_MAX]
    rules.check_decision(case.state, case.requested_by, actor.staff_id, approve, text)
    if approve:
        _today_waiting(session, ticket, now)
        ticket.urgent_at = now
    case.state = (rules.State.APPROVED if approve else rules.State.DECLINED).value
    case.decided_by, case.decided_at, case.decision_note = actor.staff_id, now, text or None
    session.flush()
    _announce(session, case, ticket)
    return case


def marks(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The open urgency of each of these tickets: "pending" or "approved" (none: not in the answer)."""
    if not ticket_ids:
        return {}
    rows = session.execute(select(UrgentCase.ticket_id, UrgentCase.state).where(
        UrgentCase.ticket_id.in_(ticket_ids), UrgentCase.state.in_(OPEN_STATES)))
    return {ticket_id: state for ticket_id, state in rows}
