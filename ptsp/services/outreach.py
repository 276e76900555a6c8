"""Jemput bola requests (docs/outreach.md): a resident or their family asks for a home or hospital visit on the public
page, or the desk records one that came by phone or WhatsApp; the resident follows it by its code; a request
without a first response 24 hours after receipt goes to the supervisor chain like a complaint.

The office's side of a visit (officer and time, stages, the officer's report and the confirmation that credits
points) is `services.outreach_visits`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import complaints as codes
from ..domain import hours as office_hours
from ..domain import outreach as rules
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..models import Office, OutreachEvent, OutreachRequest, Service, Violation
from . import audit
from .actors import Actor
from .agencies import require_service_in_agency
from .complaints import office_by_slug as office_by_slug
from .discipline_notices import ensure_notices
from .lookup import get_or_404, require_office

ESCALATION_KIND = "outreach_late"  # the violation kind that carries an unanswered request to the inbox


def _service(session: Session, office: Office, raw: object) -> Service:
    value = str(raw or "").strip()
    service = session.get(Service, int(value)) if value.isascii() and value.isdigit() and len(value) < 10 else None
    if service is None or service.office_id != office.id or not service.active:
        raise InvalidInput("outreach_service_required")
    return service


def _add(session: Session, request: OutreachRequest, staff_id: int | None, now: datetime) -> OutreachRequest:
    """Store a new request with a fresh tracking code and its "received" event."""
    for _ in range(5):
        request.code = codes.new_code()
        try:
            with session.begin_nested():
                session.add(request)
                session.flush()
            break
        except IntegrityError:  # the same code drawn twice: draw again
            continue
    else:  # pragma: no cover - 31^10 codes
        raise RuntimeError("no free outreach code")
    session.add(OutreachEvent(request_id=request.id, office_id=request.office_id, status="received",
                              staff_id=staff_id, data={}, at=now))
    session.flush()
    return request


def _new(office: Office, service: Service, channel: str, fields: tuple[str, str, str, str], on_behalf: bool,
         now: datetime) -> OutreachRequest:
    name, contact, place, reason = fields
    return OutreachRequest(office_id=office.id, service_id=service.id, channel=channel, status="received",
                           on_behalf=on_behalf, name=name, contact=contact, place=place, reason=reason,
                           received_at=now, due_at=rules.due(now), updated_at=now)


def file_public(session: Session, *, office: Office, service: object, name: str | None, contact: str | None,
                place: str | None, reason: str | None, on_behalf: bool, consent: bool,
                now: datetime) -> OutreachRequest:
    """A request from the public page, by the resident or their family: no account; consent to keep the data."""
    chosen = _service(session, office, service)
    fields = rules.check_request(name, contact, place, reason)
    if not consent:
        raise InvalidInput("outreach_consent_required")
    return _add(session, _new(office, chosen, "web", fields, on_behalf, now), None, now)


def file_desk(session: Session, *, actor: Actor, office_id: int, channel: str, service: object, name: str | None,
              contact: str | None, place: str | None, reason: str | None, on_behalf: bool,
              now: datetime) -> OutreachRequest:
    """Record a request that came by phone, WhatsApp, letter or in person (the resident's consent asked by the
    officer on the line); supervisors and managers of the office, of the service's agency; audited."""
    if not actor.at_least("supervisor"):
        raise Forbidden("outreach_supervisors_only")
    office = get_or_404(session, Office, office_id)
    require_office(session, actor, office.id)
    if channel not in codes.DESK_CHANNELS:
        raise InvalidInput("complaint_channel_unknown", channel=channel[:20], choices=", ".join(codes.DESK_CHANNELS))
    chosen = _service(session, office, service)
    require_service_in_agency(session, actor, chosen.id)
    fields = rules.check_request(name, contact, place, reason)
    request = _add(session, _new(office, chosen, channel, fields, on_behalf, now), actor.staff_id, now)
    audit.record(session, actor=actor, now=now, office_id=office.id, entity="outreach", entity_id=request.id,
                 action="record", after={"channel": channel, "service": chosen.id})
    return request


def by_code(session: Session, slug: str, raw: str) -> tuple[Office, OutreachRequest]:
    """The request a tracking code names in that office; any miss is the same 404."""
    office = office_by_slug(session, slug)
    code = codes.normalize_code(raw)
    request = session.scalar(select(OutreachRequest).where(OutreachRequest.code == code)) if code else None
    if request is None or request.office_id != office.id:
        raise NotFound("outreach_code_unknown")
    return office, request


def _local(instant: datetime | None, zone: ZoneInfo) -> str | None:
    return instant.astimezone(zone).strftime("%d-%m-%Y %H:%M %Z") if instant is not None else None


def tracking_view(session: Session, office: Office, request: OutreachRequest, now: datetime) -> dict[str, Any]:
    """What the resident sees: the stages reached with their local dates, the visit's time once planned, and the
    first-response promise. Never the officer's name, who moved it, nor the notes (they may name others)."""
    zone = ZoneInfo(office.timezone)
    events = list(session.scalars(select(OutreachEvent).where(OutreachEvent.request_id == request.id)
                                  .order_by(OutreachEvent.at, OutreachEvent.id)))
    reached = {e.status: e for e in events}
    shown = [s for s in rules.STATUSES if s in reached or s in ("received", "scheduled", "done")]
    if "cancelled" in reached:
        shown = [s for s in rules.STATUSES if s in reached]
    service = session.get_one(Service, request.service_id)
    return {"code": codes.shown_code(request.code), "status": request.status, "label": rules.LABELS[request.status],
            "service": service.name_id, "received": _local(request.received_at, zone),
            "due": _local(request.due_at, zone), "visit_at": _local(request.scheduled_at, zone),
            "stages": [{"status": s, "label": rules.LABELS[s],
                        "at": _local(reached[s].at, zone) if s in reached else None} for s in shown],
            "responded": request.first_response_at is not None,
            "overdue": rules.overdue(request.first_response_at, request.due_at, now)}


def escalate_overdue(session: Session, *, now: datetime, office_ids: list[int] | None = None) -> list[Violation]:
    """Bring every request without a first response 24 hours after receipt to the supervisor chain.

    The complaints' rule and path (services.complaints.escalate_overdue): one violation of kind `outreach_late` per
    request, naming no clerk, on the office-local day it fell due, and its notices through the inbox. Idempotent."""
    query = select(OutreachRequest).where(OutreachRequest.first_response_at.is_(None), OutreachRequest.due_at < now,
                                          OutreachRequest.status == "received")
    if office_ids is not None:
        query = query.where(OutreachRequest.office_id.in_(office_ids))
    created: list[Violation] = []
    for request in session.scalars(query.order_by(OutreachRequest.id)):
        key = f"outreach:{request.id}"
        if session.scalar(select(Violation.id).where(Violation.kind == ESCALATION_KIND, Violation.key == key,
                                                     Violation.office_id == request.office_id)) is not None:
            continue
        zone = session.get_one(Office, request.office_id).timezone
        day = office_hours.service_day(request.due_at, zone)
        violation = Violation(
            office_id=request.office_id, day=day, kind=ESCALATION_KIND, key=key, staff_id=None,
            service_id=request.service_id, started_at=request.due_at, ended_at=now,
            minutes=round((now - request.due_at).total_seconds() / 60, 2),
            details={"outreach": request.id, "channel": request.channel}, detected_at=now)
        session.add(violation)
        session.flush()
        ensure_notices(session, office_id=request.office_id, day=day, now=now)
        created.append(violation)
    return created
