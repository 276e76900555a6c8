"""Ending sessions, revoking devices, (de)activating accounts and setting passwords, each one logged.

Every command here appends one `AccountEvent` (who, when, what, to whom) in the caller's transaction.
`actor` is the staff member acting through the API, or None for the `ptsp` command on the server itself,
which may act on any account or device. A supervisor or manager acts only within their office scope
(their office and the offices below it) and only on accounts of a lower role; an administrator on anyone.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..models import AccountEvent, Device, Staff
from .accounts import password_hash_method
from .actors import ROLES, Actor
from .lookup import office_scope

MIN_PASSWORD = 8


def log_event(session: Session, *, actor: Actor | None, kind: str, now: datetime, target_staff: Staff | None = None,
              target_device: Device | None = None, actor_name: str | None = None, **detail: Any) -> AccountEvent:
    """Append one entry to the account and device log."""
    office_id = (target_device.office_id if target_device is not None
                 else target_staff.office_id if target_staff is not None else None)
    event = AccountEvent(
        at=now, actor_staff_id=actor.staff_id if actor else None,
        actor=f"staff:{actor_name or actor.id}" if actor else "cli", kind=kind,
        target_staff_id=target_staff.id if target_staff is not None else None,
        target_device_id=target_device.id if target_device is not None else None,
        office_id=office_id, detail=detail,
    )
    session.add(event)
    return event


def end_sessions(staff: Staff) -> None:
    """End every session of the account: cookies made under the old epoch no longer log anyone in."""
    staff.session_epoch = (staff.session_epoch or 0) + 1


def logout(session: Session, staff_id: int, now: datetime) -> None:
    """Log the account out everywhere (a logout ends all of its sessions, not only this browser's)."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        return
    end_sessions(staff)
    log_event(session, actor=Actor("staff", staff.id, staff.role, staff.office_id), kind="logout", now=now,
              target_staff=staff, actor_name=staff.username)


def _check_scope(session: Session, actor: Actor | None, office_id: int | None) -> None:
    if actor is None:
        return
    if not actor.at_least("supervisor"):
        raise Forbidden("supervisors_only")
    scope = office_scope(session, actor)
    if scope is not None and office_id not in scope:
        raise Forbidden("office_out_of_scope", office=office_id)


def staff_for(session: Session, actor: Actor | None, staff_id: int) -> Staff:
    """The account `actor` may manage: in their scope, of a lower role (an admin: anyone but themselves)."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("staff_not_found", id=staff_id)
    if actor is None:
        return staff
    if actor.id == staff.id:
        raise Forbidden("not_on_own_account")
    _check_scope(session, actor, staff.office_id)
    if actor.role != "admin" and ROLES.index(staff.role) >= ROLES.index(actor.role or "clerk"):
        raise Forbidden("account_role_too_high", role=staff.role)
    return staff


def device_for(session: Session, actor: Actor | None, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("device_not_found", id=device_id)
    _check_scope(session, actor, device.office_id)
    return device


def revoke_device(session: Session, actor: Actor | None, device_id: int, now: datetime,
                  actor_name: str | None = None) -> Device:
    """Revoke a device's token: REST, pages and sockets refuse it from now on."""
    device = device_for(session, actor, device_id)
    if device.revoked_at is not None:
        raise InvalidTransition("device_already_revoked", id=device_id)
    device.revoked_at = now
    log_event(session, actor=actor, kind="device_revoked", now=now, target_device=device, actor_name=actor_name,
              device_kind=device.kind, name=device.name)
    return device


def set_active(session: Session, actor: Actor | None, staff_id: int, active: bool, now: datetime,
               actor_name: str | None = None) -> Staff:
    """Deactivate (ending every session) or reactivate an account."""
    staff = staff_for(session, actor, staff_id)
    if staff.active == active:
        raise InvalidTransition("account_already_active" if active else "account_already_inactive",
                                username=staff.username)
    staff.active = active
    if not active:
        end_sessions(staff)
    log_event(session, actor=actor, kind="staff_activated" if active else "staff_deactivated", now=now,
              target_staff=staff, actor_name=actor_name, username=staff.username)
    return staff


def set_password(session: Session, staff: Staff, password: str) -> None:
    """Hash and store a new password, and end every session of the account."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password_too_short", min=MIN_PASSWORD)
    staff.password_hash = generate_password_hash(password, method=password_hash_method(session))
    end_sessions(staff)


def change_own_password(session: Session, staff_id: int, current: str, new: str, now: datetime) -> Staff:
    """Change one's own password, knowing the current one; every session of the account ends."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise NotFound("staff_not_found", id=staff_id)
    if not check_password_hash(staff.password_hash, current):
        raise Forbidden("wrong_current_password")
    set_password(session, staff, new)
    actor = Actor("staff", staff.id, staff.role, staff.office_id)
    log_event(session, actor=actor, kind="password_changed", now=now, target_staff=staff, actor_name=staff.username)
    return staff


def reset_password(session: Session, actor: Actor | None, staff_id: int, now: datetime, password: str | None = None,
                   actor_name: str | None = None) -> tuple[Staff, str]:
    """Set another account's password (generated when not given) and end its sessions; return it once."""
    staff = staff_for(session, actor, staff_id)
    password = password or secrets.token_urlsafe(12)
    set_password(session, staff, password)
    log_event(session, actor=actor, kind="password_reset", now=now, target_staff=staff, actor_name=actor_name,
              username=staff.username)
    return staff, password


def staff_by_username(session: Session, username: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.username == username))
    if staff is None:
        raise NotFound("staff_username_not_found", username=username)
    return staff


def event_view(event: AccountEvent) -> dict[str, Any]:
    return {"id": event.id, "at": event.at.isoformat(), "actor": event.actor, "actor_staff": event.actor_staff_id,
            "kind": event.kind, "staff": event.target_staff_id, "device": event.target_device_id,
            "office": event.office_id, "detail": event.detail}


def device_view(device: Device) -> dict[str, Any]:
    return {"id": device.id, "office": device.office_id, "kind": device.kind, "name": device.name,
            "created_at": device.created_at.isoformat(),
            "revoked_at": device.revoked_at.isoformat() if device.revoked_at else None}
