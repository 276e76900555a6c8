"""The office's side of a jemput bola visit (docs/outreach.md): a supervisor assigns an officer and a time and moves
the stages; the assigned officer reports the visit with its travel minutes; another supervisor confirms it, which
credits the officer's points once (services.outreach_points).

Against a clerk who wants points: nobody assigns a visit to themselves, only the assigned officer reports it,
only after its time and within a week, not while their own counter was serving at that time, travel is bounded
(`MAX_TRAVEL_MINUTES`) and may be lowered but never raised on confirmation, and the officer never confirms their
own visit. Every step is an append-only event and an audit entry.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import outreach as rules
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..models import Office, OutreachEvent, OutreachRequest, Service, Staff, TicketEvent
from . import audit
from .actors import Actor
from .agencies import require_service_in_agency
from .lookup import require_office
from .outreach_points import sync_request


def _managed(session: Session, actor: Actor, request_id: int) -> OutreachRequest:
    request = session.get(OutreachRequest, request_id)
    if request is None:
        raise NotFound("outreach_not_found", id=request_id)
    if not actor.at_least("supervisor"):
        raise Forbidden("outreach_supervisors_only")
    require_office(session, actor, request.office_id)
    require_service_in_agency(session, actor, request.service_id)
    return request


def _step(session: Session, request: OutreachRequest, status: str, actor: Actor, now: datetime,
          note: str | None = None, **data: object) -> OutreachEvent:
    """Move the request to `status` and append its event; the first move past "received" is the first response."""
    rules.check_move(request.status, status)
    request.status, request.updated_at = status, now
    if request.first_response_at is None:  # the 1x24-hour first response (docs/complaints.md, the same rule)
        request.first_response_at = now
    if status in rules.CLOSED:
        request.closed_at = now
    event = OutreachEvent(request_id=request.id, office_id=request.office_id, status=status, note=note,
                          staff_id=actor.staff_id, data=data, at=now)
    session.add(event)
    session.flush()
    audit.record(session, actor=actor, now=now, office_id=request.office_id, entity="outreach",
                 entity_id=request.id, action=status, after=dict(data))
    return event


def _officer(session: Session, request: OutreachRequest, raw: object, actor: Actor) -> Staff:
    """An active clerk or supervisor of the request's office, of the service's agency if it has one, not the one
    assigning."""
    value = str(raw or "").strip()
    staff = session.get(Staff, int(value)) if value.isascii() and value.isdigit() and len(value) < 10 else None
    if staff is None or not staff.active or staff.office_id != request.office_id \
            or staff.role not in ("clerk", "supervisor"):
        raise InvalidInput("outreach_officer_unknown")
    agency = session.get_one(Service, request.service_id).agency_id
    if agency is not None and staff.agency_id not in (None, agency):
        raise InvalidInput("outreach_officer_unknown")
    if staff.id == actor.staff_id:
        raise Forbidden("outreach_self_assign")
    return staff


def local_time(value: str | None, timezone: str) -> datetime:
    """Read the office's local "YYYY-MM-DDTHH:MM" of a datetime-local field as an aware UTC instant."""
    try:
        local = datetime.strptime((value or "").strip()[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InvalidInput("outreach_time_invalid") from None
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def assign(session: Session, *, actor: Actor, request_id: int, officer: object, visit_local: str | None,
           note: str | None = None, now: datetime) -> OutreachRequest:
    """Give a request its officer and time (again, before the visit, to change them)."""
    request = _managed(session, actor, request_id)
    staff = _officer(session, request, officer, actor)
    at = rules.check_schedule(local_time(visit_local, session.get_one(Office, request.office_id).timezone), now)
    text = rules.check_note(note)
    _step(session, request, "scheduled", actor, now, text, officer=staff.id, scheduled_at=at.isoformat())
    request.officer_id, request.scheduled_at, request.travel_minutes = staff.id, at, None
    return request


def move(session: Session, *, actor: Actor, request_id: int, status: str, note: str | None,
         now: datetime) -> OutreachRequest:
    """Confirm a request (the office reached the resident) or cancel it (a reason is required)."""
    request = _managed(session, actor, request_id)
    if status not in ("confirmed", "cancelled"):
        raise InvalidInput("unknown_status_choice", status=status[:20], choices=("confirmed", "cancelled"))
    text = rules.check_note(note, required=status == "cancelled")
    _step(session, request, status, actor, now, text)
    return request


def _served_at_counter(session: Session, staff_id: int, since: datetime, until: datetime) -> bool:
    """Whether the officer finished a counter ticket while the visit says they were at the resident's."""
    return bool(session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.staff_id == staff_id, TicketEvent.kind == "completed", TicketEvent.at >= since,
        TicketEvent.at <= until)))


def report_visit(session: Session, *, actor: Actor, request_id: int, travel: object, note: str | None,
                 now: datetime) -> OutreachRequest:
    """The assigned officer reports the visit made, with the round trip's travel minutes; no points yet."""
    request = session.get(OutreachRequest, request_id)
    if request is None or actor.staff_id is None or request.officer_id != actor.staff_id:
        raise NotFound("outreach_not_found", id=request_id)  # another's visit is not theirs to see
    if request.status != "scheduled" or request.scheduled_at is None:
        raise InvalidTransition("outreach_move_not_allowed", current=request.status, target="visited")
    rules.check_report(request.scheduled_at, now)
    minutes = rules.check_travel(travel)
    standard = session.get_one(Service, request.service_id).standard_minutes
    if _served_at_counter(session, actor.staff_id, *rules.visit_window(request.scheduled_at, standard)):
        raise InvalidTransition("outreach_officer_at_counter")
    _step(session, request, "visited", actor, now, rules.check_note(note), officer=actor.staff_id,
          travel_minutes=minutes)
    request.travel_minutes = minutes
    return request


def confirm(session: Session, *, actor: Actor, request_id: int, travel: object = None,
            now: datetime) -> OutreachRequest:
    """A supervisor other than the officer confirms the reported visit, optionally lowering the travel minutes;
    the officer is credited the service's standard minutes plus the confirmed travel, once."""
    request = _managed(session, actor, request_id)
    if request.status != "visited" or request.officer_id is None or request.travel_minutes is None:
        raise InvalidTransition("outreach_move_not_allowed", current=request.status, target="done")
    if request.officer_id == actor.staff_id:
        raise Forbidden("own_points")
    minutes = request.travel_minutes if travel in (None, "") else rules.check_travel(travel)
    if minutes > request.travel_minutes:
        raise InvalidInput("outreach_travel_above_report", reported=request.travel_minutes)
    _step(session, request, "done", actor, now, officer=request.officer_id, travel_minutes=minutes)
    request.travel_minutes = minutes
    sync_request(session, request)
    return request


def officers(session: Session, office_ids: list[int]) -> list[Staff]:
    """Who may be sent on a visit: active clerks and supervisors of the offices."""
    return list(session.scalars(select(Staff).where(Staff.office_id.in_(office_ids), Staff.active.is_(True),
                                                     Staff.role.in_(("clerk", "supervisor"))).order_by(Staff.name)))

