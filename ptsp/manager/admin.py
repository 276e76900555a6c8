"""Administration pages for staff: list, add, edit role, supervisor and agency, (de)activate, reset a password.

Managers and admins only (`admin_page`); every rule and scope check is in the use cases
(ptsp/services/staff_admin.py, admin_scope.py). A refused form shows the reason and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.i18n.errors import describe
from ptsp.services import staff_admin
from ptsp.services.actors import agency_scope
from ptsp.services.admin_scope import administered_offices, grantable_roles

from .access import admin_page, current_actor
from .blueprint import bp

Page = str | tuple[str, int]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _staff_page(*, error: str | None = None, status: int = 200, shown: dict[str, Any] | None = None,
                form: dict[str, str] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    page = render_template(
        "manager/admin/staff.html", staff=staff_admin.staff_list(session, actor),
        offices=administered_offices(session, actor), roles=grantable_roles(actor),
        supervisors=staff_admin.supervisor_options(session, actor),
        agencies=staff_admin.agency_options(session, actor), agency_limited=agency_scope(actor) is not None,
        error=error, shown=shown, form=form or {})
    return (page, status) if status != 200 else page


@bp.get("/admin/staff")
@admin_page
def admin_staff() -> Page:
    return _staff_page()


@bp.post("/admin/staff")
@admin_page
def admin_staff_add() -> Page:
    form = request.form
    session = get_db()
    try:
        staff, password = staff_admin.create_staff(
            session, current_actor(), username=form.get("username", ""), name=form.get("name", ""),
            role=form.get("role", ""), office_id=_int(form.get("office")),
            supervisor_id=_int(form.get("supervisor")), now=now(), agency_id=_int(form.get("agency")))
        shown = {"username": staff.username, "password": password, "created": True}
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _staff_page(error=describe(exc), status=exc.status, form=dict(form))
    return _staff_page(shown=shown)


def _edit_page(staff_id: int, *, error: str | None = None, status: int = 200,
               shown: dict[str, Any] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        staff = staff_admin.managed_staff(session, actor, staff_id)
    except DomainError as exc:
        return render_template("manager/admin/message.html", error=describe(exc)), exc.status
    page = render_template(
        "manager/admin/staff_edit.html", member=staff, roles=grantable_roles(actor),
        supervisors=[s for s in staff_admin.supervisor_choices(session, actor, staff.office_id) if s.id != staff.id],
        agencies=staff_admin.agency_options(session, actor, staff.office_id),
        agency_limited=agency_scope(actor) is not None, error=error, shown=shown)
    return (page, status) if status != 200 else page


@bp.get("/admin/staff/<int(max=2147483647):staff_id>")
@admin_page
def admin_staff_edit(staff_id: int) -> Page:
    return _edit_page(staff_id)


def _command(staff_id: int, run: Any) -> Page | BaseResponse:
    """Run one staff command in a transaction; a refusal shows its reason on the edit page, nothing changed."""
    session = get_db()
    try:
        shown = run(session)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _edit_page(staff_id, error=describe(exc), status=exc.status)
    if shown:
        return _edit_page(staff_id, shown=shown)
    return redirect(url_for("manager.admin_staff_edit", staff_id=staff_id, saved=1))


@bp.post("/admin/staff/<int(max=2147483647):staff_id>")
@admin_page
def admin_staff_update(staff_id: int) -> Page | BaseResponse:
    form = request.form
    return _command(staff_id, lambda session: staff_admin.update_staff(
        session, current_actor(), staff_id, name=form.get("name", ""), role=form.get("role", ""),
        supervisor_id=_int(form.get("supervisor")), now=now(), agency_id=_int(form.get("agency"))) and None)


@bp.post("/admin/staff/<int(max=2147483647):staff_id>/active")
@admin_page
def admin_staff_active(staff_id: int) -> Page | BaseResponse:
    active = request.form.get("active") == "1"
    return _command(staff_id, lambda session: staff_admin.set_staff_active(
        session, current_actor(), staff_id, active, now()) and None)


@bp.post("/admin/staff/<int(max=2147483647):staff_id>/password")
@admin_page
def admin_staff_reset(staff_id: int) -> Page | BaseResponse:
    def run(session: Any) -> dict[str, Any]:
        staff, password = staff_admin.reset_staff_password(session, current_actor(), staff_id, now())
        return {"username": staff.username, "password": password}

    return _command(staff_id, run)
