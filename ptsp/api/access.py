"""Who is calling the API: a device by bearer token or by its paired page's cookie, or a logged-in staff member."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .. import config_cache
from ..context import get_read_db
from ..device_auth import PAGE_KINDS, device_from_cookie
from ..domain.errors import DomainError, Forbidden, Unauthorized
from ..extensions import limiter
from ..services.accounts import device_for_token, hash_token
from ..services.actors import Actor


def bearer_actor() -> Actor | None:
    """The device of the request's `Authorization: Bearer` token, None without the header; a bad one is refused.

    Looked up once per request: the rate limit's key and the route both ask (a second read of the devices table
    per kiosk request, measured in docs/benchmarks.md).
    """
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    known = g.get("ptsp_bearer")
    if known is not None and known[0] == header:
        return known[1]
    actor = _device_actor(header)
    g.ptsp_bearer = (header, actor)
    return actor


def _device_actor(header: str) -> Actor:
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("authorization_not_bearer")
    session = get_read_db()
    token = token.strip()
    device = config_cache.device(session, hash_token(token), lambda: device_for_token(session, token))
    if device is None:
        raise Unauthorized("unknown_device_token")
    return Actor("device", device.id, device.kind, device.office_id)


def resolve_actor(*kinds: str) -> Actor | None:
    """Return the caller, None when anonymous; a bad bearer token is refused outright.

    Without a bearer token, a logged-in staff member is the caller where staff may act; otherwise the paired
    device cookie of a wanted kind (a kiosk's page calling `/kiosk/state`) is, so a manager who also paired
    this browser as a kiosk is still the manager on the manager's pages, and the kiosk on the kiosk's.
    """
    actor = bearer_actor()
    if actor is not None:
        return actor
    staff = current_user.is_authenticated
    if staff and (not kinds or "staff" in kinds):
        return staff_actor()
    for kind in kinds:
        device = _cookie_actor(kind) if kind in PAGE_KINDS else None
        if device is not None:
            return device
    if staff:
        return staff_actor()
    return None


def _cookie_actor(kind: str) -> Actor | None:
    """The paired page's device of `kind` from its cookie, read once per request (as `bearer_actor`)."""
    known: dict[str, Actor | None] = g.setdefault("ptsp_cookie_actors", {})
    if kind not in known:
        device = device_from_cookie(get_read_db(), kind)
        known[kind] = None if device is None else Actor("device", device.id, device.kind, device.office_id)
    return known[kind]


def staff_actor() -> Actor:
    """The logged-in staff member as an actor, with the agency they may be scoped to (agency_scope)."""
    return Actor("staff", current_user.id, current_user.role, current_user.office_id, current_user.agency_id)


def actor_limit_key() -> str:
    """The bucket of a rate limit: the resolved device or staff member, else the client's address.

    Keyed on who the caller is, not on the raw header: `bearer x`, `Bearer  x` and `Bearer x` are one device,
    and a paired page's device cookie is that device too.
    """
    try:
        actor = resolve_actor("staff", *sorted(PAGE_KINDS))
    except DomainError:
        actor = None
    if actor is None:
        return f"address:{get_remote_address()}"
    return f"{actor.kind}:{actor.id}"


# Issuing a ticket: one bucket per kiosk or clerk, shared by `POST /api/v1/tickets` and the kiosk page's `/kiosk/issue`.
issue_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_ISSUE"]), scope="issue",
                                     key_func=actor_limit_key)


def require_actor(*kinds: str) -> Actor:
    """Return the caller if it is one of `kinds` (`staff`, `kiosk`, `display`, `agent`, `tablet`)."""
    actor = resolve_actor(*kinds)
    if actor is None:
        raise Unauthorized("login_or_token_required")
    kind = "staff" if actor.kind == "staff" else actor.role
    if kind not in kinds:
        raise Forbidden("caller_kind_not_allowed", kind=kind)
    return actor
