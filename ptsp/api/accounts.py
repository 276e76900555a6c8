"""REST for sessions, devices and accounts: revoke a device, (de)activate an account, set a password.

A supervisor or manager acts within their office scope on accounts of a lower role; an administrator on any.
Every command is written to the account and device log (`GET /account-events`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Response, jsonify
from sqlalchemy import Select, select

from .. import schemas
from ..context import get_db, get_read_db, now
from ..domain.errors import Forbidden
from ..extensions import sign_in
from ..models import AccountEvent, Device, Staff
from ..services import account_security as security
from ..services.actors import Actor
from ..services.lookup import office_scope, require_office
from .access import require_actor
from .blueprint import bp
from .manager_scope import OFFICE_PARAM, require_manager
from .openapi import operation
from .referrals import _int_arg
from .routes import COMMON_ERRORS, parse_body, staff_view

_Row = TypeVar("_Row")


def _username(actor: Actor) -> str | None:
    staff = get_read_db().get(Staff, actor.id)
    return staff.username if staff is not None else None


def _scoped(query: Select[_Row], column: Any, actor: Actor) -> Select[_Row]:
    """Narrow `query` to `?office=` (when in scope) or to every office of the caller's scope."""
    office_id = _int_arg("office")
    if office_id is not None:
        require_office(get_read_db(), actor, office_id)
        return query.where(column == office_id)
    scope = office_scope(get_read_db(), actor)
    return query if scope is None else query.where(column.in_(scope))


operation("/devices", "get", "Devices (kiosks, displays, print agents, tablets) in the caller's scope",
          responses={200: "Devices, revoked ones with their revocation time", **COMMON_ERRORS}, auth=["staff"],
          params=[OFFICE_PARAM])


@bp.get("/devices")
def list_devices() -> Response:
    actor = require_manager()
    query = _scoped(select(Device).order_by(Device.id), Device.office_id, actor)
    return jsonify([security.device_view(d) for d in get_read_db().scalars(query)])


operation("/devices/{device_id}/revoke", "post", "Revoke a device token: refused at once by REST and pages, "
          "and by its open socket on its next event", responses={200: "The revoked device", **COMMON_ERRORS},
          auth=["staff"])


@bp.post("/devices/<int(max=2147483647):device_id>/revoke")
def revoke_device(device_id: int) -> Response:
    actor = require_manager()
    session = get_db()
    device = security.revoke_device(session, actor, device_id, now(), actor_name=_username(actor))
    session.commit()
    return jsonify(security.device_view(device))


def _staff_command(staff_id: int, active: bool) -> Response:
    actor = require_manager()
    session = get_db()
    staff = security.set_active(session, actor, staff_id, active, now(), actor_name=_username(actor))
    session.commit()
    return jsonify({**staff_view(staff), "active": staff.active})


operation("/staff/{staff_id}/deactivate", "post", "Deactivate an account and end all of its sessions",
          responses={200: "The account", **COMMON_ERRORS}, auth=["staff"])


@bp.post("/staff/<int(max=2147483647):staff_id>/deactivate")
def deactivate_staff(staff_id: int) -> Response:
    return _staff_command(staff_id, False)


operation("/staff/{staff_id}/activate", "post", "Reactivate an account",
          responses={200: "The account", **COMMON_ERRORS}, auth=["staff"])


@bp.post("/staff/<int(max=2147483647):staff_id>/activate")
def activate_staff(staff_id: int) -> Response:
    return _staff_command(staff_id, True)


operation("/staff/{staff_id}/password", "post", "Reset another account's password and end its sessions",
          body=schemas.ResetPassword, responses={200: "The account and its new password (shown once)",
                                                 **COMMON_ERRORS}, auth=["staff"])


@bp.post("/staff/<int(max=2147483647):staff_id>/password")
def reset_password(staff_id: int) -> Response:
    actor = require_manager()
    body = parse_body(schemas.ResetPassword)
    session = get_db()
    staff, password = security.reset_password(session, actor, staff_id, now(), password=body.password,
                                              actor_name=_username(actor))
    session.commit()
    return jsonify({**staff_view(staff), "password": password})


operation("/auth/password", "post", "Change your own password; every other session of your account ends",
          body=schemas.ChangePassword, responses={200: "The account", **COMMON_ERRORS}, auth=["staff"])


@bp.post("/auth/password")
def change_password() -> Response:
    actor = require_actor("staff")
    if actor.id is None:
        raise Forbidden("caller_kind_not_allowed", kind="staff")
    body = parse_body(schemas.ChangePassword)
    session = get_db()
    staff = security.change_own_password(session, actor.id, body.current, body.new, now())
    session.commit()
    sign_in(staff)  # this browser stays logged in, under the new epoch
    return jsonify(staff_view(staff))


operation("/account-events", "get", "The account and device log: who revoked, deactivated or reset what, when",
          responses={200: "Events, newest first", **COMMON_ERRORS}, auth=["staff"], params=[OFFICE_PARAM])


@bp.get("/account-events")
def account_events() -> Response:
    actor = require_manager()
    query = _scoped(select(AccountEvent).order_by(AccountEvent.id.desc()).limit(500), AccountEvent.office_id,
                    actor)
    return jsonify([security.event_view(e) for e in get_read_db().scalars(query)])
