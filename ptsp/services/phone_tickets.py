"""A walk-in ticket taken from a resident's phone at `/ambil/<office>` (docs/residents.md).

The kiosk's rules apply unchanged, because the ticket is issued by the kiosk's own use case (`tickets.issue`):
the office's calendar, hours and last-ticket cut-off, the daily quota, inactive services and agencies. Added here:
the office must offer phone tickets (`phone_tickets` in the set-up file), and one phone (its device key, the
SHA-256 of a random cookie) holds at most one live ticket per service. The ticket is marked `source = "phone"`;
it is no staff issue (no `staff_id`), so the points rules treat it like a kiosk's.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.errors import LiveTicketHeld, NotFound
from ..domain.lifecycle import OPEN_STATUSES
from ..models import Office, Ticket
from . import tickets
from .actors import Actor

SOURCE = "phone"
OPEN = tuple(status.value for status in OPEN_STATUSES)


def device_key(cookie: str) -> str:
    """What is stored of a phone's cookie: its SHA-256, so the database never holds the cookie itself."""
    return hashlib.sha256(cookie.encode()).hexdigest()


def office_for_phone(session: Session, slug: str) -> Office:
    """The office behind `/ambil/<slug>`; NotFound when there is none or it does not offer phone tickets."""
    office = session.scalar(select(Office).where(Office.slug == slug))
    if office is None or not office.phone_tickets:
        raise NotFound("phone_tickets_not_offered")
    return office


def live_ticket(session: Session, office: Office, service_id: int, key: str, now: datetime) -> Ticket | None:
    """This phone's open ticket of today for the service (as issued), if it has one."""
    day = office_hours.service_day(now, office.timezone)
    return session.scalar(select(Ticket).where(
        Ticket.office_id == office.id, Ticket.service_day == day, Ticket.issued_service_id == service_id,
        Ticket.phone_device == key, Ticket.status.in_(OPEN)).limit(1))


def live_tickets(session: Session, office: Office, key: str, now: datetime) -> list[Ticket]:
    """Every open ticket of today this phone took at the office, oldest first (the page links to them)."""
    day = office_hours.service_day(now, office.timezone)
    return list(session.scalars(select(Ticket).where(
        Ticket.office_id == office.id, Ticket.service_day == day, Ticket.phone_device == key,
        Ticket.status.in_(OPEN)).order_by(Ticket.id)))


def issue_from_phone(session: Session, *, slug: str, service_id: int, key: str, now: datetime) -> Ticket:
    """Issue a regular walk-in ticket for the holder of this phone; the caller commits."""
    office = office_for_phone(session, slug)
    held = live_ticket(session, office, service_id, key, now)
    if held is not None:
        raise LiveTicketHeld("phone_ticket_already_held", code=held.code)
    resident = Actor(kind="resident", office_id=office.id)
    ticket, _ = tickets.issue(session, office_id=office.id, service_id=service_id, actor=resident, now=now,
                              source=SOURCE)
    ticket.phone_device = key
    return ticket
