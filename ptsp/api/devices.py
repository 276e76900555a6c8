"""Pairing a station's browser: its token once in a header, or a short code an administrator enters; a device
cookie back (ptsp/device_auth.py, ptsp/services/pairing_codes.py)."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request
from flask_limiter.util import get_remote_address

from ..context import get_db, get_read_db, now
from ..device_auth import set_device_cookie
from ..domain.errors import Forbidden, NotFound, Unauthorized
from ..extensions import limiter
from ..models import Device
from ..schemas import PairDevice
from ..services import pairing_codes
from .access import bearer_actor
from .blueprint import bp
from .openapi import operation
from .routes import parse_body

operation("/devices/pair", "post",
          "Pair this browser as a kiosk, display or rating tablet: the token goes in the Authorization header "
          "(never in a URL); the answer sets the HttpOnly device cookie that the station's pages, fetches and "
          "Socket.IO connection use from then on",
          body=PairDevice, auth=["device"],
          responses={200: "Paired: the device, and a Set-Cookie ptsp_device_<kind>", 400: "Malformed JSON",
                     401: "No or unknown device token", 403: "The token belongs to another kind of device",
                     422: "Invalid input"})


@bp.post("/devices/pair")
def pair_device() -> Response:
    if not request.headers.get("Authorization"):
        raise Unauthorized("pairing_token_required")
    actor = bearer_actor()
    body = parse_body(PairDevice)
    if actor is None or actor.role != body.kind:
        raise Forbidden("device_kind_mismatch", kind=actor.role if actor else "", wanted=body.kind)
    device = get_read_db().get_one(Device, actor.id)
    response = jsonify({"device": {"id": device.id, "kind": device.kind, "name": device.name,
                                   "office": device.office_id}})
    response.headers["Cache-Control"] = "no-store"
    set_device_cookie(response, device)
    return response


PAIRING_COOKIE = "ptsp_pairing"
PAIRING_PATH = "/api/v1/devices/pairing-code"


def _pairing_limit() -> str:
    return str(current_app.config["RATELIMIT_PAIRING_CODE"])


operation("/devices/pairing-code", "post",
          "An unpaired station asks for a short code to show; an administrator enters it on the devices page. "
          "The answer sets an HttpOnly cookie holding the station's secret, which alone may collect the device "
          "(docs/security.md). Rate-limited per client address",
          body=PairDevice, changes_state=False,
          responses={201: "The code (e.g. ACDE-FG23), when it expires, and Set-Cookie ptsp_pairing"})


@bp.post("/devices/pairing-code")
@limiter.limit(_pairing_limit, key_func=get_remote_address)
def request_pairing_code() -> tuple[Response, int]:
    body = parse_body(PairDevice)
    session = get_db()
    new = pairing_codes.request_code(session, body.kind, now(), request.cookies.get(PAIRING_COOKIE))
    session.commit()
    response = jsonify({"code": pairing_codes.shown(new.code), "kind": body.kind,
                        "expires_at": new.expires_at.isoformat(),
                        "expires_in": int(pairing_codes.TTL.total_seconds())})
    response.headers["Cache-Control"] = "no-store"
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
    response.set_cookie(PAIRING_COOKIE, new.secret, max_age=int(pairing_codes.TTL.total_seconds()) * 2,
                        path=PAIRING_PATH, secure=secure, httponly=True, samesite="Strict")
    return response, 201


operation("/devices/pairing-code/collect", "post",
          "The station that asked for a code collects its device once an administrator entered the code: "
          "sets the device cookie, as pairing by token does. Needs the ptsp_pairing cookie of that browser",
          responses={200: "Paired: the device, and a Set-Cookie ptsp_device_<kind>",
                     202: "Waiting: no administrator has entered the code yet",
                     404: "No live code for this browser (never asked, expired or collected): ask for a new one"})


@bp.post("/devices/pairing-code/collect")
def collect_pairing_code() -> Response:
    secret = request.cookies.get(PAIRING_COOKIE)
    if not secret:
        raise NotFound("pairing_code_gone")
    session = get_db()
    device = pairing_codes.collect(session, secret, now())
    if device is None:
        response = jsonify({"status": "waiting"})
        response.status_code = 202
    else:
        session.commit()
        response = jsonify({"status": "paired", "device": {"id": device.id, "kind": device.kind,
                                                           "name": device.name, "office": device.office_id}})
        set_device_cookie(response, device)
        response.delete_cookie(PAIRING_COOKIE, path=PAIRING_PATH)
    response.headers["Cache-Control"] = "no-store"
    return response
