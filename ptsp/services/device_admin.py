"""Device administration: pair (make a device and its one-time set-up link, or for the station showing a pairing
code), rename, revoke; each audited. `actor` None is the `ptsp device` command, whose entries read `cli`.

Pairing stays the one of docs/security.md: the token is shown once, on the administration page, inside the
station's set-up address after `#` (`/kiosk/#token=…`), which the station's pairing page reads and exchanges
for its HttpOnly device cookie; a print agent takes the token itself (`ptsp print-agent --token`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput
from ..models import Device, Office
from . import account_security as security
from . import pairing_codes
from .accounts import make_device_token, refuse_duplicate_device_name
from .actors import Actor
from .admin_scope import admin_scope, require_admin_office
from .audit import record
from .lookup import get_or_404

PAIRING_PATHS = {"kiosk": "/kiosk/", "display": "/display/", "tablet": "/feedback/tablet?counter={counter}"}


def device_state(device: Device) -> dict[str, Any]:
    return {"name": device.name, "kind": device.kind, "office": device.office_id,
            "revoked_at": device.revoked_at.isoformat() if device.revoked_at else None}


def device_list(session: Session, actor: Actor) -> list[Device]:
    scope = admin_scope(session, actor)
    query = select(Device).order_by(Device.revoked_at.is_not(None), Device.office_id, Device.kind, Device.name)
    if scope is not None:
        query = query.where(Device.office_id.in_(scope))
    return list(session.scalars(query))


def _check(session: Session, actor: Actor | None, office_id: int) -> None:
    """The `ptsp device` command (actor None) acts on every office; a manager or admin within their scope."""
    if actor is not None:
        require_admin_office(session, actor, office_id)


def add_device(session: Session, actor: Actor | None, *, office_id: int, kind: str, name: str,
               now: datetime) -> tuple[Device, str]:
    """Make a device in an administered office; return it with its token (shown once, never stored)."""
    _check(session, actor, office_id)
    office = get_or_404(session, Office, office_id)
    device, token = make_device_token(session, office=office, kind=kind, name=name.strip(), now=now)
    session.flush()
    record(session, actor=actor, now=now, office_id=office_id, entity="device", entity_id=device.id,
           action="created", after=device_state(device))
    return device, token


def pair_with_code(session: Session, actor: Actor, *, code: str, office_id: int, kind: str, name: str,
                   now: datetime) -> Device:
    """Make a device for the station showing `code`; that station's browser collects it (no token is shown).

    The kind must be the one the station asked as: a code shown on a display cannot make a kiosk.
    """
    require_admin_office(session, actor, office_id)
    row = pairing_codes.open_code(session, code, now)
    if kind != row.kind:
        raise InvalidInput("pairing_code_kind_mismatch", kind=kind, station=row.kind)
    device, _token = add_device(session, actor, office_id=office_id, kind=kind, name=name, now=now)
    pairing_codes.claim(session, row, device, now)
    record(session, actor=actor, now=now, office_id=office_id, entity="device", entity_id=device.id,
           action="paired_by_code", after={**device_state(device), "code_requested_at": row.created_at.isoformat()})
    return device


def _device(session: Session, actor: Actor | None, device_id: int) -> Device:
    device = get_or_404(session, Device, device_id)
    _check(session, actor, device.office_id)
    return device


def rename_device(session: Session, actor: Actor | None, device_id: int, name: str, now: datetime) -> Device:
    device = _device(session, actor, device_id)
    refuse_duplicate_device_name(session, device.office_id, name, except_id=device.id)
    before = device_state(device)
    device.name = name.strip()
    record(session, actor=actor, now=now, office_id=device.office_id, entity="device", entity_id=device.id,
           action="renamed", before=before, after=device_state(device))
    return device


def revoke_device(session: Session, actor: Actor | None, device_id: int, now: datetime) -> Device:
    """Revoke: the device's pages, fetches and sockets are refused from now on."""
    device = _device(session, actor, device_id)
    before = device_state(device)
    security.revoke_device(session, actor, device_id, now)
    record(session, actor=actor, now=now, office_id=device.office_id, entity="device", entity_id=device.id,
           action="revoked", before=before, after=device_state(device))
    return device


def pairing_path(kind: str) -> str | None:
    """The station address a device of `kind` is paired at (`#token=…` appended), or None for an agent."""
    return PAIRING_PATHS.get(kind)
