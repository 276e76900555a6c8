"""Resident feedback use cases: rate a finished ticket, file a complaint, move a complaint along."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import complaints as rules
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..domain.skm import FIELDS, check_answer, check_elements
from ..models import Complaint, ComplaintEvent, Counter, Office, Rating, Ticket, TicketEvent
from . import points
from .actors import Actor
from .agencies import require_service_in_agency
from .lookup import get_or_404, require_office

TABLET_MINUTES = 15  # how long after completion the counter tablet still offers a ticket for rating


def ticket_for_token(session: Session, token: str) -> Ticket:
    """Return the ticket a resident's public token names, or raise NotFound."""
    ticket = session.scalar(select(Ticket).where(Ticket.public_token == token)) if token else None
    if ticket is None or not secrets.compare_digest(ticket.public_token, token):
        raise NotFound("ticket_not_found")
    return ticket


def _completion(session: Session, ticket: Ticket) -> TicketEvent | None:
    return session.scalar(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                    TicketEvent.kind == "completed").order_by(TicketEvent.id))


def rating_of(session: Session, ticket: Ticket) -> Rating | None:
    return session.scalar(select(Rating).where(Rating.ticket_id == ticket.id))


def rate(
    session: Session,
    *,
    ticket: Ticket,
    quick: object,
    elements: dict[str, Any] | None,
    complaint: str | None,
    channel: str,
    now: datetime,
    device_id: int | None = None,
    staff_session_id: int | None = None,
) -> tuple[Rating, Complaint | None]:
    """Record the one rating of a finished ticket, with the optional SKM answers and complaint.

    Nothing about the resident is stored: the rating points at the ticket, the
    service, the counter and the clerk who completed it. `staff_session_id` names the staff member whose
    login session the rating's browser carried: the rating counts for the survey, never for a points bonus.
    """
    quick = check_answer(quick, "penilaian")
    answers = check_elements(elements)
    text = rules.check_text(complaint) if complaint and complaint.strip() else None
    if ticket.status != "done":
        raise InvalidTransition("rating_not_open_yet")
    if rating_of(session, ticket) is not None:
        raise InvalidTransition("already_rated")
    completed = _completion(session, ticket)
    rating = Rating(
        ticket_id=ticket.id, office_id=ticket.office_id, service_id=ticket.service_id,
        counter_id=completed.counter_id if completed else ticket.counter_id,
        staff_id=completed.staff_id if completed else ticket.clerk_id,
        channel=channel, device_id=device_id, staff_session_id=staff_session_id, quick=quick, at=now,
        **(answers or {}),
    )
    session.add(rating)
    session.flush()
    filed = None
    if text:
        filed = _file(session, ticket, rating, text, channel, now)
    points.sync_ticket(session, ticket)
    return rating, filed


def _file(session: Session, ticket: Ticket, rating: Rating, text: str, channel: str, now: datetime) -> Complaint:
    complaint = Complaint(
        office_id=ticket.office_id, ticket_id=ticket.id, rating_id=rating.id, service_id=rating.service_id,
        counter_id=rating.counter_id, staff_id=rating.staff_id, channel=channel, text=text, status="received",
        received_at=now, due_at=rules.due(now), updated_at=now, code=rules.new_code(),
    )
    session.add(complaint)
    session.flush()
    session.add(ComplaintEvent(complaint_id=complaint.id, office_id=complaint.office_id, status="received",
                               note=None, staff_id=None, at=now))
    return complaint


def move_complaint(session: Session, *, complaint_id: int, status: str, note: str | None, actor: Actor,
                   now: datetime) -> Complaint:
    """Move a complaint to its next status; supervisors and managers of the office."""
    complaint = get_or_404(session, Complaint, complaint_id)
    if not actor.at_least("supervisor"):
        raise Forbidden("complaints_supervisors_only")
    require_office(session, actor, complaint.office_id)
    require_service_in_agency(session, actor, complaint.service_id)
    note = rules.check_move(complaint.status, status, note)
    complaint.status, complaint.updated_at = status, now
    if complaint.first_response_at is None:  # the 1x24-hour first response (docs/complaints.md)
        complaint.first_response_at = now
    if status == "done":
        complaint.closed_at = now
    session.add(ComplaintEvent(complaint_id=complaint.id, office_id=complaint.office_id, status=status,
                               note=note, staff_id=actor.staff_id, at=now))
    session.flush()
    return complaint


def complaint_view(complaint: Complaint, events: list[ComplaintEvent], now: datetime,
                   names: dict[int, str] | None = None) -> dict[str, Any]:
    names = names or {}
    return {
        "id": complaint.id, "office": complaint.office_id, "ticket": complaint.ticket_id,
        "service": complaint.service_id, "counter": complaint.counter_id, "channel": complaint.channel,
        "text": complaint.text, "status": complaint.status, "received_at": complaint.received_at.isoformat(),
        "due_at": complaint.due_at.isoformat(),
        "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None,
        "overdue": rules.overdue(complaint.first_response_at, complaint.due_at, now),
        "first_response_at": complaint.first_response_at.isoformat() if complaint.first_response_at else None,
        "code": rules.shown_code(complaint.code) if complaint.code else None, "contact": complaint.contact,
        "lapor_number": complaint.lapor_number,
        "events": [{"status": e.status, "note": e.note, "staff": e.staff_id,
                    "staff_name": names.get(e.staff_id) if e.staff_id is not None else None,
                    "at": e.at.isoformat()} for e in events],
    }


def rating_view(rating: Rating) -> dict[str, Any]:
    return {"id": rating.id, "ticket": rating.ticket_id, "quick": rating.quick, "channel": rating.channel,
            "elements": {name: getattr(rating, name) for name in FIELDS} if rating.u1 is not None else None,
            "at": rating.at.isoformat()}


def tablet_ticket(session: Session, actor: Actor, counter_number: int, now: datetime) -> tuple[Counter, Ticket | None]:
    """Return the counter a tablet stands at and its last ticket still open for rating (or None)."""
    if actor.kind != "device" or actor.role != "tablet":
        raise Forbidden("rating_tablets_only")
    counter = session.scalar(select(Counter).where(Counter.office_id == actor.office_id,
                                                   Counter.number == counter_number))
    if counter is None:
        raise InvalidInput("unknown_counter", counter=counter_number)
    last = session.scalar(
        select(Ticket).join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(TicketEvent.kind == "completed", TicketEvent.counter_id == counter.id,
               TicketEvent.office_id == actor.office_id)
        .order_by(TicketEvent.at.desc(), TicketEvent.id.desc()).limit(1)
    )
    if last is None or last.finished_at is None or now - last.finished_at > timedelta(minutes=TABLET_MINUTES):
        return counter, None
    if rating_of(session, last) is not None:
        return counter, None
    return counter, last


def resident_complaint(session: Session, ticket: Ticket) -> dict[str, Any] | None:
    """Return what the resident may see of their complaint: number, status, the office's answer and deadline."""
    complaint = session.scalar(select(Complaint).where(Complaint.ticket_id == ticket.id))
    if complaint is None:
        return None
    zone = ZoneInfo(session.get_one(Office, ticket.office_id).timezone)
    answer = session.scalar(select(ComplaintEvent.note).where(ComplaintEvent.complaint_id == complaint.id,
                                                              ComplaintEvent.status == "done"))
    return {"number": complaint.id, "status": rules.LABELS[complaint.status], "answer": answer,
            "due": complaint.due_at.astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")}
