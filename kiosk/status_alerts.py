"""The status page's "Beri tahu saya": subscribe a ticket to alerts that reach a closed page (docs/alerts.md).

`POST /t/<token>/alerts` keeps a browser's Web Push subscription, or a phone number for the office's WhatsApp/SMS
gateway given with the resident's consent; `DELETE /t/<token>/alerts` forgets them; `GET /t/alerts-key` gives
the server's VAPID public key; `GET /t/alerts-sw.js` is the service worker that shows the alerts (served from
here, so its scope is the status pages). Only an open ticket (waiting or called) may subscribe; everything is
deleted when the ticket ends.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, current_app, jsonify, request

from ptsp.alert_runner import vapid_public_key
from ptsp.api.routes import parse_body
from ptsp.context import get_db, now
from ptsp.domain.errors import InvalidInput
from ptsp.extensions import limiter
from ptsp.notify.webpush import endpoint_allowed
from ptsp.schemas import AlertSubscribe
from ptsp.services import alerts
from ptsp.services.resident import open_ticket

from .blueprint import status_bp

WORKER = Path(__file__).parent / "static" / "kiosk" / "alerts-sw.js"

# Subscribing and forgetting share one bucket per ticket (its token), PTSP_RATELIMIT_ALERTS.
alerts_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_ALERTS"]), scope="alerts",
                                      key_func=lambda: f"ticket:{(request.view_args or {}).get('token', '')}")


@status_bp.get("/alerts-sw.js")
def service_worker() -> Response:
    response = Response(WORKER.read_bytes(), mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/t/"
    response.headers["Cache-Control"] = "no-cache"  # a new version reaches the phones at their next visit
    return response


@status_bp.get("/alerts-key")
def push_key() -> Response:
    """The server's VAPID public key, asked for when a resident presses "Beri tahu saya" (made on first use)."""
    return jsonify({"key": vapid_public_key(current_app)})


@status_bp.post("/<token>/alerts")
@alerts_limited
def subscribe(token: str) -> tuple[Response, int]:
    body = parse_body(AlertSubscribe)
    session = get_db()
    ticket = open_ticket(session, token, now(), current_app.config["STATUS_DAYS"])
    if body.push is None and body.phone is None:
        raise InvalidInput("alerts_nothing_to_subscribe")
    if body.push is not None:
        if not endpoint_allowed(body.push.endpoint, bool(current_app.config["PUSH_ALLOW_LOCAL"])):
            raise InvalidInput("push_endpoint_refused")
        alerts.subscribe_push(session, ticket, body.push.endpoint, body.push.keys.p256dh, body.push.keys.auth, now())
    if body.phone is not None:
        alerts.subscribe_phone(session, ticket, body.phone, body.consent, now())
    session.commit()
    return jsonify(alerts.subscription_state(session, ticket)), 201


@status_bp.delete("/<token>/alerts")
@alerts_limited
def unsubscribe(token: str) -> Response:
    session = get_db()
    ticket = open_ticket(session, token, now(), current_app.config["STATUS_DAYS"])
    alerts.unsubscribe(session, ticket)
    session.commit()
    return jsonify(alerts.subscription_state(session, ticket))
