"""REST for kiosk printing: printer health for staff, and a staff reprint of a ticket."""

from __future__ import annotations

from flask import Response, jsonify

from ..analytics.printers import printer_health
from ..context import get_db, get_read_db, now, status_url
from ..models import Office, Ticket
from ..printing_runner import run_job
from ..services import printing
from ..services.lookup import get_or_404, require_office
from .access import require_actor
from .blueprint import bp
from .openapi import operation

operation("/offices/{office_id}/printers", "get", "Kiosk printers of an office: online, paper, last error, backlog",
          responses={200: "One entry per printer"}, auth=["staff"])


@bp.get("/offices/<int(max=2147483647):office_id>/printers")
def office_printers(office_id: int) -> Response:
    actor = require_actor("staff")
    session = get_read_db()
    get_or_404(session, Office, office_id)
    require_office(session, actor, office_id)
    return jsonify(printer_health(session, {office_id}))


operation("/tickets/{ticket_id}/reprint", "post", "Print a ticket again on its kiosk (supervisor or office clerk)",
          responses={201: "The reprint job and how printing went"}, auth=["staff"])


@bp.post("/tickets/<int(max=2147483647):ticket_id>/reprint")
def reprint(ticket_id: int) -> tuple[Response, int]:
    actor = require_actor("staff")
    session = get_db()
    ticket = get_or_404(session, Ticket, ticket_id)
    url = status_url(ticket.public_token)
    job = printing.request_reprint(session, ticket_id=ticket_id, actor=actor, status_url=url, now=now())
    session.commit()
    return jsonify(run_job(session, job.id)), 201
