"""Administration pages for devices (pair by link or by the code a station shows, rename, revoke) and the audit
log, for managers and admins."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.i18n.errors import describe
from ptsp.services import device_admin, pairing_codes
from ptsp.services.actors import DEVICE_KINDS
from ptsp.services.admin_scope import admin_scope, administered_offices
from ptsp.services.audit import entry_views, page_of_entries

from .access import admin_page, current_actor
from .blueprint import bp

Page = str | tuple[str, int]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _devices_page(*, error: str | None = None, status: int = 200, shown: dict[str, Any] | None = None,
                  form: dict[str, str] | None = None, code_form: dict[str, str] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    page = render_template("manager/admin/devices.html", devices=device_admin.device_list(session, actor),
                           offices=administered_offices(session, actor), kinds=DEVICE_KINDS, error=error,
                           shown=shown, form=form or {}, code_form=code_form or {},
                           station_kinds=pairing_codes.STATION_KINDS)
    return (page, status) if status != 200 else page


@bp.get("/admin/devices")
@admin_page
def admin_devices() -> Page:
    return _devices_page()


@bp.post("/admin/devices")
@admin_page
def admin_device_add() -> Page:
    form = request.form
    session = get_db()
    try:
        device, token = device_admin.add_device(session, current_actor(), office_id=_int(form.get("office")) or 0,
                                                kind=form.get("kind", ""), name=form.get("name", ""), now=now())
        path = device_admin.pairing_path(device.kind)
        shown = {"name": device.name, "kind": device.kind, "token": token,
                 "link": f"{request.host_url.rstrip('/')}{path}#token={token}" if path else None}
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _devices_page(error=describe(exc), status=exc.status, form=dict(form))
    return _devices_page(shown=shown)


@bp.post("/admin/devices/code")
@admin_page
def admin_device_pair_code() -> Page:
    """Pair the station showing a code: it receives its device cookie by itself (no token is shown)."""
    form = request.form
    session = get_db()
    try:
        device = device_admin.pair_with_code(session, current_actor(), code=form.get("code", ""),
                                             office_id=_int(form.get("office")) or 0, kind=form.get("kind", ""),
                                             name=form.get("name", ""), now=now())
        shown = {"name": device.name, "kind": device.kind, "by_code": True}
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _devices_page(error=describe(exc), status=exc.status, code_form=dict(form))
    return _devices_page(shown=shown)


def _device_command(run: Any) -> Page | BaseResponse:
    session = get_db()
    try:
        run(session)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _devices_page(error=describe(exc), status=exc.status)
    return redirect(url_for("manager.admin_devices", saved=1))


@bp.post("/admin/devices/<int(max=2147483647):device_id>/rename")
@admin_page
def admin_device_rename(device_id: int) -> Page | BaseResponse:
    name = request.form.get("name", "")
    return _device_command(lambda session: device_admin.rename_device(session, current_actor(), device_id, name,
                                                                      now()))


@bp.post("/admin/devices/<int(max=2147483647):device_id>/revoke")
@admin_page
def admin_device_revoke(device_id: int) -> Page | BaseResponse:
    return _device_command(lambda session: device_admin.revoke_device(session, current_actor(), device_id, now()))


@bp.get("/admin/audit")
@admin_page
def admin_audit() -> str:
    session = get_read_db()
    result = page_of_entries(session, admin_scope(session, current_actor()), _int(request.args.get("page")) or 1)
    return render_template("manager/admin/audit.html", result=result, rows=entry_views(session, result.entries))
