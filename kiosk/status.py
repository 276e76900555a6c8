"""The resident's ticket page behind the QR code: `/t/<token>`, no login, no personal data.

The page lives while its ticket does; a ticket that ended on a past day still shows its final state and the
rating link for `PTSP_STATUS_DAYS` days after its service day, then answers 410 "no longer available"
(docs/security.md, "Residents' privacy").
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, render_template

from ptsp.context import get_read_db, now
from ptsp.domain.errors import Gone, NotFound
from ptsp.i18n.errors import describe
from ptsp.services.alerts import subscription_state
from ptsp.services.resident import open_ticket, own_view
from ptsp.services.service_standard import standard_view

from .blueprint import status_bp


@status_bp.get("/<token>")
def show(token: str) -> tuple[str, int]:
    try:
        ticket = open_ticket(get_read_db(), token, now(), current_app.config["STATUS_DAYS"])
    except NotFound:
        return render_template("kiosk/status_missing.html", gone=False), 404
    except Gone as exc:
        return render_template("kiosk/status_missing.html", gone=True, message=describe(exc)), 410
    state = own_view(get_read_db(), ticket, token, now())
    return render_template("kiosk/status.html", token=token, state=state,
                           alerts=subscription_state(get_read_db(), ticket),
                           standard=standard_view(ticket.service), office_slug=ticket.office.slug), 200


@status_bp.get("/<token>/state")
def state(token: str) -> Response:
    ticket = open_ticket(get_read_db(), token, now(), current_app.config["STATUS_DAYS"])
    return jsonify(own_view(get_read_db(), ticket, token, now()))
