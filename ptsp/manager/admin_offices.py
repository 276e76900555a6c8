"""Administration pages for offices (settings, place in the tree, running text) and their agencies (instansi).

Managers and admins only (`admin_page`); every rule and scope check is in the use cases
(ptsp/services/office_admin.py, admin_scope.py). A refused form shows the reason and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.domain.hours import TIMEZONES
from ptsp.i18n.errors import describe
from ptsp.services import office_admin
from ptsp.services.actors import agency_scope

from .access import admin_page, current_actor
from .blueprint import bp

Page = str | tuple[str, int]
ID = "int(max=2147483647)"


def _refused(exc: DomainError) -> tuple[str, int]:
    back = ("manager.admin_offices", gettext("Kantor dan instansi"))
    return render_template("manager/admin/message.html", error=describe(exc), back=back), exc.status


def _choices() -> dict[str, Any]:
    return {"kinds": office_admin.KINDS, "zones": TIMEZONES, "recall_limits": office_admin.RECALL_LIMITS,
            "slot_lengths": office_admin.SLOT_MINUTES}


def _offices_page(*, error: str | None = None, status: int = 200, form: dict[str, str] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    page = render_template("manager/admin/offices.html", offices=office_admin.office_list(session, actor),
                           parents=office_admin.parent_choices(session, actor, None),
                           may_create=actor.role == "admin", error=error, form=form or {}, **_choices())
    return (page, status) if status != 200 else page


@bp.get("/admin/offices")
@admin_page
def admin_offices() -> Page:
    return _offices_page()


@bp.post("/admin/offices")
@admin_page
def admin_office_add() -> Page | BaseResponse:
    session = get_db()
    try:
        office = office_admin.create_office(session, current_actor(), request.form, now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _offices_page(error=describe(exc), status=exc.status, form=dict(request.form))
    return redirect(url_for("manager.admin_office_edit", office_id=office.id, saved=1))


def _office_page(office_id: int, *, error: str | None = None, status: int = 200,
                 form: dict[str, str] | None = None, agency_form: dict[str, str] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        office = office_admin.managed_office(session, actor, office_id)
        agencies = office_admin.agency_list(session, actor, office_id)
    except DomainError as exc:
        return _refused(exc)
    page = render_template(
        "manager/admin/office_edit.html", office=office, agencies=agencies,
        parents=office_admin.parent_choices(session, actor, office), office_wide=agency_scope(actor) is None,
        own_agency=agency_scope(actor), error=error, form=form, agency_form=agency_form or {},
        booking=office_admin.booking_state(session, office.id), **_choices())
    return (page, status) if status != 200 else page


@bp.get(f"/admin/offices/<{ID}:office_id>")
@admin_page
def admin_office_edit(office_id: int) -> Page:
    return _office_page(office_id)


def _run(run: Callable[[Any], Any], refused: Callable[[DomainError], Page], done: str) -> Page | BaseResponse:
    """Run one use case in a transaction: a refusal re-renders with its reason (nothing changed), else `done`."""
    session = get_db()
    try:
        run(session)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return refused(exc)
    return redirect(done)


@bp.post(f"/admin/offices/<{ID}:office_id>")
@admin_page
def admin_office_update(office_id: int) -> Page | BaseResponse:
    form = request.form
    return _run(lambda session: office_admin.update_office(session, current_actor(), office_id, form, now()),
                lambda exc: _office_page(office_id, error=describe(exc), status=exc.status, form=dict(form)),
                url_for("manager.admin_office_edit", office_id=office_id, saved=1))


@bp.post(f"/admin/offices/<{ID}:office_id>/agencies")
@admin_page
def admin_agency_add(office_id: int) -> Page | BaseResponse:
    form = request.form
    return _run(lambda session: office_admin.create_agency(session, current_actor(), office_id, form, now()),
                lambda exc: _office_page(office_id, error=describe(exc), status=exc.status, agency_form=dict(form)),
                url_for("manager.admin_office_edit", office_id=office_id, saved=1) + "#agencies")


def _agency_page(agency_id: int, *, error: str | None = None, status: int = 200,
                 form: dict[str, str] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        agency = office_admin.managed_agency(session, actor, agency_id)
    except DomainError as exc:
        return _refused(exc)
    page = render_template("manager/admin/agency_edit.html", agency=agency, form=form,
                           office_wide=agency_scope(actor) is None, own=agency_scope(actor) in (None, agency.id),
                           waiting=office_admin.still_waiting(session, agency), error=error)
    return (page, status) if status != 200 else page


@bp.get(f"/admin/agencies/<{ID}:agency_id>")
@admin_page
def admin_agency_edit(agency_id: int) -> Page:
    return _agency_page(agency_id)


@bp.post(f"/admin/agencies/<{ID}:agency_id>")
@admin_page
def admin_agency_update(agency_id: int) -> Page | BaseResponse:
    form = request.form
    return _run(lambda session: office_admin.update_agency(session, current_actor(), agency_id, form, now()),
                lambda exc: _agency_page(agency_id, error=describe(exc), status=exc.status, form=dict(form)),
                url_for("manager.admin_agency_edit", agency_id=agency_id, saved=1))


@bp.post(f"/admin/agencies/<{ID}:agency_id>/active")
@admin_page
def admin_agency_active(agency_id: int) -> Page | BaseResponse:
    active = request.form.get("active") == "1"
    return _run(lambda session: office_admin.set_agency_active(session, current_actor(), agency_id, active, now()),
                lambda exc: _agency_page(agency_id, error=describe(exc), status=exc.status),
                url_for("manager.admin_agency_edit", agency_id=agency_id, saved=1))
