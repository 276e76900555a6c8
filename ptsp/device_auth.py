"""Helpers shared by the station blueprints (kiosk, display)."""

from __future__ import annotations

from flask import Response, abort, render_template

from .context import get_read_db
from .models import Device
from .services.accounts import device_for_token


def device_or_refuse(token: str | None, kind: str, refused_template: str) -> Device:
    """Return the device of `kind` holding `token`, or end the request with the station's 401 page."""
    device = device_for_token(get_read_db(), token) if token else None
    if device is None or device.kind != kind:
        abort(Response(render_template(refused_template), status=401))
    return device
