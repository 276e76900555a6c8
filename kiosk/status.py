"""The resident's ticket page behind the QR code: `/t/<token>`, no login, no personal data."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, jsonify, render_template

from ptsp.context import get_read_db, now
from ptsp.domain.errors import NotFound
from ptsp.domain.hours import local_now
from ptsp.models import Ticket
from ptsp.services.serializers import ticket_position

from .blueprint import status_bp

# Tokens are secrets.token_urlsafe: anything else (too long, a NUL byte) names no ticket.
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _ticket(token: str) -> Ticket | None:
    if not TOKEN.fullmatch(token):
        return None
    return get_read_db().query(Ticket).filter_by(public_token=token).first()


def ticket_state(ticket: Ticket, token: str) -> dict[str, Any]:
    """What the page shows: the ticket's status, place in line, wait, and the counter that called it."""
    office, service = ticket.office, ticket.service
    return {
        "id": ticket.id,
        "office": office.id,
        "office_name": office.name,
        "code": ticket.code,
        "status": ticket.status,
        "priority": ticket.priority,
        "call_count": ticket.call_count,
        "service": ticket.service_id,
        "service_name": {"id": service.name_id, "en": service.name_en},
        "counter_number": ticket.counter.number if ticket.counter_id and ticket.counter else None,
        "issued_at": local_now(ticket.issued_at, office.timezone).strftime("%H:%M"),
        "rating_url": f"/t/{token}/nilai",
        **ticket_position(get_read_db(), ticket, now()),
    }


@status_bp.get("/<token>")
def show(token: str) -> tuple[str, int]:
    ticket = _ticket(token)
    if ticket is None:
        return render_template("kiosk/status_unknown.html"), 404
    return render_template("kiosk/status.html", token=token, state=ticket_state(ticket, token)), 200


@status_bp.get("/<token>/state")
def state(token: str) -> Response:
    ticket = _ticket(token)
    if ticket is None:
        raise NotFound("unknown_ticket_token")
    return jsonify(ticket_state(ticket, token))
