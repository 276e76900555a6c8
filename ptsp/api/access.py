"""Who is calling the API: a device by bearer token, or a logged-in staff member."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from ..context import get_read_db
from ..domain.errors import Forbidden, Unauthorized
from ..services.accounts import device_for_token
from ..services.actors import Actor


def resolve_actor() -> Actor | None:
    """Return the caller, None when anonymous; a bad bearer token is refused outright."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("authorization_not_bearer")
        device = device_for_token(get_read_db(), token.strip())
        if device is None:
            raise Unauthorized("unknown_device_token")
        return Actor("device", device.id, device.kind, device.office_id)
    if current_user.is_authenticated:
        return Actor("staff", current_user.id, current_user.role, current_user.office_id)
    return None


def require_actor(*kinds: str) -> Actor:
    """Return the caller if it is one of `kinds` (`staff`, `kiosk`, `display`, `agent`)."""
    actor = resolve_actor()
    if actor is None:
        raise Unauthorized("login_or_token_required")
    kind = "staff" if actor.kind == "staff" else actor.role
    if kind not in kinds:
        raise Forbidden("caller_kind_not_allowed", kind=kind)
    return actor
