"""Pairing a station's browser: its token once in a header, a device cookie back (ptsp/device_auth.py)."""

from __future__ import annotations

from flask import Response, jsonify, request

from ..context import get_read_db
from ..device_auth import set_device_cookie
from ..domain.errors import Forbidden, Unauthorized
from ..models import Device
from ..schemas import PairDevice
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
