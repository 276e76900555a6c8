"""The kiosk's "Sudah punya janji?": check a booking in and answer like an issued ticket (docs/appointments.md)."""

from __future__ import annotations

from flask import Response, jsonify

from ptsp.api.access import issue_limited, require_actor
from ptsp.api.routes import parse_body
from ptsp.context import get_db, now, status_url
from ptsp.domain import hours as office_hours
from ptsp.domain.errors import Forbidden
from ptsp.models import Office
from ptsp.printing_runner import print_issued
from ptsp.schemas import CheckInBooking
from ptsp.services.appointments import close_missed
from ptsp.services.check_in import check_in as check_booking_in
from ptsp.services.serializers import ticket_view

from .blueprint import bp


@bp.post("/check-in")
@issue_limited
def check_in() -> tuple[Response, int]:
    """Check in the booking whose code (or URL) the kiosk read, print its ticket, return what the screen shows."""
    actor = require_actor("kiosk")
    body = parse_body(CheckInBooking)
    if body.office != actor.office_id:
        raise Forbidden("kiosk_of_other_office")
    session = get_db()
    office = session.get_one(Office, actor.office_id)
    close_missed(session, office.id, now())  # its own transaction: a refused check-in does not undo the record
    session.commit()
    done = check_booking_in(session, office=office, text=body.text, actor=actor, status_url=status_url, now=now())
    session.commit()
    ticket = done.ticket
    outcome = print_issued(session, ticket, done.job)
    url = status_url(ticket.public_token)
    slot = office_hours.local_now(ticket.appointment_at, office.timezone).strftime("%H:%M") \
        if ticket.appointment_at else None
    return jsonify({
        "ticket": ticket_view(ticket), **done.position, "status_url": url,
        "service_name": {"id": ticket.service.name_id, "en": ticket.service.name_en},
        "print": outcome,
        "check_in": {"timing": done.timing.value, "slot": slot},
    }), 201
