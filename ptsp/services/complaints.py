"""Complaints from anyone (docs/complaints.md): the public complaint page, the desk's intake, the 1x24-hour first
response and its escalation, and the hand-off to SP4N-LAPOR!.

A complaint attached to a rating is filed by `services.feedback.rate`; here a resident files one with no ticket
(or with the status-page token of one), and a supervisor or manager records one that arrived by phone, WhatsApp,
letter or in person. Both get a tracking code the resident follows at /pengaduan/<slug>/k/<code>.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..domain import complaints as rules
from ..domain import hours as office_hours
from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..models import Complaint, ComplaintEvent, Office, Service, Ticket, Violation
from . import audit
from .actors import Actor
from .agencies import require_service_in_agency
from .discipline_notices import ensure_notices
from .lookup import get_or_404, require_office

ESCALATION_KIND = "complaint_late"  # the violation kind that carries an unanswered complaint to the inbox


def office_by_slug(session: Session, slug: str) -> Office:
    office = session.scalar(select(Office).where(Office.slug == slug[:64]))
    if office is None:
        raise NotFound("complaint_office_unknown", office=slug[:64])
    return office


def services_of(session: Session, office: Office) -> list[Service]:
    return list(session.scalars(select(Service).where(Service.office_id == office.id, Service.active.is_(True))
                                .order_by(Service.prefix)))


def _service(session: Session, office: Office, raw: object) -> Service | None:
    value = str(raw or "").strip()
    if not value:
        return None
    service = session.get(Service, int(value)) if value.isascii() and value.isdigit() and len(value) < 10 else None
    if service is None or service.office_id != office.id:
        raise InvalidInput("complaint_service_unknown")
    return service


def _ticket(session: Session, office: Office, raw: str | None) -> Ticket | None:
    """The ticket a resident names by its status-page token, or the address of its status page."""
    token = (raw or "").strip().rstrip("/").rsplit("/", 1)[-1][:64]
    if not token:
        return None
    ticket = session.scalar(select(Ticket).where(Ticket.public_token == token))
    if ticket is None or ticket.office_id != office.id:
        raise InvalidInput("complaint_ticket_unknown")
    return ticket


def _add(session: Session, complaint: Complaint, staff_id: int | None, now: datetime) -> Complaint:
    """Store a new complaint with a fresh tracking code and its "received" event."""
    for _ in range(5):
        complaint.code = rules.new_code()
        try:
            with session.begin_nested():
                session.add(complaint)
                session.flush()
            break
        except IntegrityError:  # the same code drawn twice: draw again
            continue
    else:  # pragma: no cover - 31^10 codes
        raise RuntimeError("no free complaint code")
    session.add(ComplaintEvent(complaint_id=complaint.id, office_id=complaint.office_id, status="received",
                               note=None, staff_id=staff_id, at=now))
    session.flush()
    return complaint


def file_public(session: Session, *, office: Office, text: str | None, service: object = None,
                ticket: str | None = None, contact: str | None = None, consent: bool = False,
                now: datetime) -> Complaint:
    """A resident's complaint from the public page: no account, no ticket needed."""
    body = rules.check_text(text)
    chosen = _service(session, office, service)
    named = _ticket(session, office, ticket)
    reach = rules.check_contact(contact, consent)
    if named is not None and chosen is None:
        chosen = session.get(Service, named.service_id)
    complaint = Complaint(
        office_id=office.id, ticket_id=named.id if named else None, service_id=chosen.id if chosen else None,
        counter_id=named.counter_id if named else None, staff_id=named.clerk_id if named else None,
        channel="web", text=body, status="received", received_at=now, due_at=rules.due(now), updated_at=now,
        contact=reach)
    return _add(session, complaint, None, now)


def file_desk(session: Session, *, actor: Actor, office_id: int, channel: str, text: str | None,
              service: object = None, contact: str | None = None, consent: bool = False,
              received_local: str | None = None, now: datetime) -> Complaint:
    """Record a complaint that reached the office by phone, WhatsApp, letter or in person; audited.

    Supervisors and managers of the office (of the service's agency, for an agency-limited one). The 24 hours run
    from when it reached the office (`received_local`, the office's local "YYYY-MM-DDTHH:MM" of a datetime-local
    field, at most a week back and not in the future; empty: now), not from its typing.
    """
    if not actor.at_least("supervisor"):
        raise Forbidden("complaints_supervisors_only")
    office = get_or_404(session, Office, office_id)
    require_office(session, actor, office.id)
    if channel not in rules.DESK_CHANNELS:
        raise InvalidInput("complaint_channel_unknown", channel=channel[:20], choices=", ".join(rules.DESK_CHANNELS))
    body = rules.check_text(text)
    chosen = _service(session, office, service)
    require_service_in_agency(session, actor, chosen.id if chosen else None)
    reach = rules.check_contact(contact, consent)
    received = _received(received_local, office) or now
    if received > now or received < now - timedelta(days=7):
        raise InvalidInput("complaint_received_out_of_range")
    complaint = Complaint(
        office_id=office.id, service_id=chosen.id if chosen else None, channel=channel, text=body,
        status="received", received_at=received, due_at=rules.due(received), updated_at=now, contact=reach)
    _add(session, complaint, actor.staff_id, received)
    audit.record(session, actor=actor, now=now, office_id=office.id, entity="complaint", entity_id=complaint.id,
                 action="record", after={"channel": channel, "service": complaint.service_id,
                                         "received_at": received.isoformat(), "contact_given": reach is not None})
    return complaint


def _received(value: str | None, office: Office) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        local = datetime.strptime(value[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        raise InvalidInput("complaint_received_invalid") from None
    return local.replace(tzinfo=ZoneInfo(office.timezone)).astimezone(UTC)


def by_code(session: Session, slug: str, raw: str) -> tuple[Office, Complaint]:
    """The complaint a resident's tracking code names in that office; any miss is the same 404."""
    office = office_by_slug(session, slug)
    code = rules.normalize_code(raw)
    complaint = session.scalar(select(Complaint).where(Complaint.code == code)) if code else None
    if complaint is None or complaint.office_id != office.id:
        raise NotFound("complaint_code_unknown")
    return office, complaint


def tracking_view(session: Session, office: Office, complaint: Complaint, now: datetime) -> dict[str, Any]:
    """What the resident sees: each stage reached with its local date, the answer, and the first-response promise.

    Never the contact, the clerk or who moved it."""
    zone = ZoneInfo(office.timezone)
    events = list(session.scalars(select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)
                                  .order_by(ComplaintEvent.at, ComplaintEvent.id)))
    reached = {e.status: e for e in events}
    stages = [{"status": s, "label": rules.LABELS[s], "at": _local(reached[s].at, zone) if s in reached else None,
               "note": reached[s].note if s in reached else None}
              for s in rules.STATUSES if s in reached or s not in rules.OPTIONAL]
    return {"code": rules.shown_code(complaint.code or ""), "status": complaint.status,
            "label": rules.LABELS[complaint.status], "received": _local(complaint.received_at, zone),
            "due": _local(complaint.due_at, zone), "stages": stages,
            "answer": reached["done"].note if "done" in reached else None,
            "responded": complaint.first_response_at is not None,
            "overdue": rules.overdue(complaint.first_response_at, complaint.due_at, now),
            "lapor_number": complaint.lapor_number}


def _local(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")


def escalate_overdue(session: Session, *, now: datetime, office_ids: list[int] | None = None) -> list[Violation]:
    """Bring every complaint without a first response 24 hours after receipt to the supervisor chain.

    Each becomes a violation of kind `complaint_late` naming no clerk (the office's heads hear of it, and their
    superiors: services.discipline_notices), on the office-local day it fell due. Idempotent: one violation per
    complaint (its key), so running it every minute adds only the newly overdue ones.
    """
    query = select(Complaint).where(Complaint.first_response_at.is_(None), Complaint.due_at < now,
                                    Complaint.status == "received")
    if office_ids is not None:
        query = query.where(Complaint.office_id.in_(office_ids))
    zones: dict[int, str] = {}
    created: list[Violation] = []
    for complaint in session.scalars(query.order_by(Complaint.id)):
        key = f"complaint:{complaint.id}"
        if session.scalar(select(Violation.id).where(Violation.kind == ESCALATION_KIND, Violation.key == key,
                                                     Violation.office_id == complaint.office_id)) is not None:
            continue
        if complaint.office_id not in zones:
            zones[complaint.office_id] = session.get_one(Office, complaint.office_id).timezone
        day = office_hours.service_day(complaint.due_at, zones[complaint.office_id])
        violation = Violation(
            office_id=complaint.office_id, day=day, kind=ESCALATION_KIND, key=key, staff_id=None,
            service_id=complaint.service_id, started_at=complaint.due_at, ended_at=now,
            minutes=round((now - complaint.due_at).total_seconds() / 60, 2),
            details={"complaint": complaint.id, "channel": complaint.channel}, detected_at=now)
        session.add(violation)
        session.flush()
        ensure_notices(session, office_id=complaint.office_id, day=day, now=now)
        created.append(violation)
    return created


LAPOR_FIELDS = ("id", "tracking_code", "received_at", "channel", "office", "agency", "service", "text", "status",
                "first_response_at", "answer", "lapor_number")


def lapor_export(session: Session, *, actor: Actor, complaint_id: int) -> dict[str, Any]:
    """One complaint as SP4N-LAPOR! needs it to take the case over (docs/complaints.md): no contact, no clerk."""
    complaint = _managed(session, actor, complaint_id)
    office = session.get_one(Office, complaint.office_id)
    service = session.get(Service, complaint.service_id) if complaint.service_id else None
    agency = service.agency.name if service is not None and service.agency is not None else None
    answer = session.scalar(select(ComplaintEvent.note).where(ComplaintEvent.complaint_id == complaint.id,
                                                              ComplaintEvent.status == "done"))
    return {
        "id": complaint.id, "tracking_code": rules.shown_code(complaint.code) if complaint.code else None,
        "received_at": complaint.received_at.isoformat(), "channel": complaint.channel, "office": office.name,
        "agency": agency, "service": service.name_id if service else None, "text": complaint.text,
        "status": complaint.status,
        "first_response_at": complaint.first_response_at.isoformat() if complaint.first_response_at else None,
        "answer": answer, "lapor_number": complaint.lapor_number,
    }


def set_lapor_number(session: Session, *, actor: Actor, complaint_id: int, number: str | None,
                     now: datetime) -> Complaint:
    """Record (or clear) the SP4N-LAPOR! tracking number of a forwarded complaint; audited."""
    complaint = _managed(session, actor, complaint_id)
    value = rules.check_lapor_number(number)
    before = complaint.lapor_number
    if value != before:
        complaint.lapor_number, complaint.updated_at = value, now
        audit.record(session, actor=actor, now=now, office_id=complaint.office_id, entity="complaint",
                     entity_id=complaint.id, action="lapor_number", before={"lapor_number": before},
                     after={"lapor_number": value})
        session.flush()
    return complaint


def _managed(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    complaint = get_or_404(session, Complaint, complaint_id)
    if not actor.at_least("supervisor"):
        raise Forbidden("complaints_supervisors_only")
    require_office(session, actor, complaint.office_id)
    require_service_in_agency(session, actor, complaint.service_id)
    return complaint
