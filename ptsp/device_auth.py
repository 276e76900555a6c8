"""Paired station pages: the device cookie that replaces a token in the URL (docs/security.md).

A kiosk, display or rating tablet is paired once: its set-up address carries the token in the URL fragment
(`/kiosk/#token=…`, which browsers never send), the page's script posts it in an `Authorization: Bearer`
header to `POST /api/v1/devices/pair`, and the answer sets this module's cookie. From then on the page, its
fetches, `speech.wav` and its Socket.IO connection are recognised by the cookie alone.

The cookie is not the token: it is the device's id, kind and a fingerprint of its token's hash, signed with
the app secret (itsdangerous), one cookie per kind so one browser can be a kiosk and a display at once.
Every request loads the device again, so a revoked device (`revoked_at`) or a replaced token stops at once.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Response, abort, current_app, render_template, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from . import config_cache
from .context import get_read_db
from .models import Device

PAGE_KINDS = ("kiosk", "display", "tablet")  # devices with pages; a print agent keeps its bearer token
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers cap cookie lifetimes at 400 days; each page load renews it
_SALT = "ptsp.device-cookie"
_FINGERPRINT = 24  # hex characters of the token's sha256 kept in the cookie: binds it to that token


def cookie_name(kind: str) -> str:
    return f"ptsp_device_{kind}"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)  # type: ignore[arg-type]


def _fingerprint(device: Device) -> str:
    return device.token_hash[:_FINGERPRINT]


def set_device_cookie(response: Response, device: Device) -> None:
    """Pair this browser as `device`: HttpOnly, SameSite=Strict, Secure when served over HTTPS."""
    value = _serializer().dumps([device.id, device.kind, _fingerprint(device)])
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
    response.set_cookie(cookie_name(device.kind), value, max_age=COOKIE_MAX_AGE, path="/", secure=secure,
                        httponly=True, samesite="Strict")


def cookie_device_id(kind: str) -> int | None:
    """The device id a well-signed cookie of `kind` names, without the database (a rate limit's key)."""
    raw = request.cookies.get(cookie_name(kind))
    try:
        device_id, cookie_kind, _fingerprint = _serializer().loads(raw, max_age=COOKIE_MAX_AGE) if raw else (0, "", "")
    except (BadSignature, ValueError, TypeError):
        return None
    return device_id if cookie_kind == kind and isinstance(device_id, int) else None


def device_from_cookie(session: Session, kind: str, cookies: Any = None) -> Device | None:
    """The unrevoked device of `kind` this browser was paired as, or None (no, stale or forged cookie)."""
    if kind not in PAGE_KINDS:
        return None
    raw = (request.cookies if cookies is None else cookies).get(cookie_name(kind))
    if not raw:
        return None
    try:
        device_id, cookie_kind, fingerprint = _serializer().loads(raw, max_age=COOKIE_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    if cookie_kind != kind or not isinstance(device_id, int) or not isinstance(fingerprint, str):
        return None
    device = config_cache.device_row(session, device_id)
    if device is None or device.kind != kind or device.revoked_at is not None:
        return None
    return device if hmac.compare_digest(_fingerprint(device), fingerprint) else None


def pairing_page(kind: str, *, status: int, token_in_url: bool = False) -> Response:
    """The readable page of an unpaired station: how to pair, and the script that pairs from `#token=`."""
    path = {"kiosk": "/kiosk/", "display": "/display/", "tablet": "/feedback/tablet?counter=1"}[kind]
    page = render_template("device/pair.html", kind=kind, path=path, token_in_url=token_in_url)
    response = Response(page, status=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def paired_device(kind: str) -> Device:
    """Return the device of `kind` this browser was paired as, or end the request with the pairing page.

    A `?token=` in the address is refused even when the token is good: such addresses end up in proxy
    logs and browser history, and accepting them would keep them alive.
    """
    if "token" in request.args:
        abort(pairing_page(kind, status=400, token_in_url=True))
    device = device_from_cookie(get_read_db(), kind)
    if device is None:
        abort(pairing_page(kind, status=401))
    return device


def renew_cookie(response: Response, device: Device) -> Response:
    """Give a station page's answer a fresh cookie, so a device in daily use never reaches the age limit."""
    set_device_cookie(response, device)
    return response
