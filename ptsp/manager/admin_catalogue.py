"""Administration pages for services (with their published standard) and counters, for managers and admins.

Every rule and scope check is in the use cases (ptsp/services/catalogue_admin.py, admin_scope.py); a refused
form shows the reason with what was typed and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.domain.steps import MAX_STEPS
from ptsp.i18n.errors import describe
from ptsp.services import catalogue_admin as admin
from ptsp.services import steps
from ptsp.services.admin_scope import administered_offices

from .access import admin_page, current_actor
from .blueprint import bp

Page = str | tuple[str, int]
SERVICE_FIELDS = ("prefix", "name_id", "name_en", "standard_minutes", "daily_quota", "active", "requirements",
                  "fee_rupiah", "fee_basis", "completion_days")


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _ids(values: list[str]) -> list[int]:
    return [n for n in (_int(v) for v in values) if n is not None]


def _service_fields() -> dict[str, str]:
    fields = {name: request.form.get(name, "") for name in SERVICE_FIELDS}
    if "booking_share" in request.form:  # absent (an older form): the service keeps its share
        fields["booking_share"] = request.form["booking_share"]
    return fields


def _service_values(service: Any) -> dict[str, Any]:
    """A stored service as the edit form shows it (requirements one per line, none as an empty field)."""
    state = admin.service_state(service)
    shown = {key: "" if value is None else value for key, value in state.items()}
    return {**shown, "requirements": "\n".join(state["requirements"]), "agency": state["agency"] or ""}


def _rendered(page: str, status: int) -> Page:
    return (page, status) if status != 200 else page


def _catalogue_page(template: str, *, error: str | None = None, status: int = 200,
                    form: dict[str, Any] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    chosen = _int(request.args.get("office"))
    page = render_template(template, offices=administered_offices(session, actor), chosen=chosen,
                           catalogue=admin.catalogue(session, actor, chosen), actor=actor,
                           may_change=admin.may_change, error=error, form=form or {})
    return _rendered(page, status)


def _refused(exc: DomainError) -> tuple[str, int]:
    return render_template("manager/admin/message.html", error=describe(exc)), exc.status


def _command(run: Callable[[Any], Any], refused: Callable[[DomainError], Page],
             done: Callable[[Any], str]) -> Page | BaseResponse:
    """Run one change in a transaction; a refusal renders its page with the reason, nothing changed."""
    session = get_db()
    try:
        row = run(session)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return refused(exc)
    return redirect(done(row))


# --- services --------------------------------------------------------------------------------------------


@bp.get("/admin/services")
@admin_page
def admin_services() -> Page:
    return _catalogue_page("manager/admin/services.html")


@bp.post("/admin/services")
@admin_page
def admin_service_add() -> Page | BaseResponse:
    form = request.form
    return _command(
        lambda session: admin.create_service(
            session, current_actor(), office_id=_int(form.get("office")) or 0, agency_id=_int(form.get("agency")),
            fields=_service_fields(), now=now()),
        lambda exc: _catalogue_page("manager/admin/services.html", error=describe(exc), status=exc.status,
                                    form=dict(form)),
        lambda service: url_for("manager.admin_service_edit", service_id=service.id, saved=1))


def _service_page(service_id: int, *, error: str | None = None, status: int = 200,
                  form: dict[str, Any] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        service = admin.administered_service(session, actor, service_id)
    except DomainError as exc:
        return _refused(exc)
    office = admin.catalogue(session, actor, service.office_id)[0]
    page = render_template("manager/admin/service_edit.html", service=service, office=office, error=error,
                           form=form or _service_values(service), actor=actor, may_change=admin.may_change,
                           route_choices=steps.route_choices(session, service), max_route=MAX_STEPS - 1)
    return _rendered(page, status)


@bp.get("/admin/services/<int(max=2147483647):service_id>")
@admin_page
def admin_service_edit(service_id: int) -> Page:
    return _service_page(service_id)


@bp.post("/admin/services/<int(max=2147483647):service_id>")
@admin_page
def admin_service_update(service_id: int) -> Page | BaseResponse:
    form = request.form
    return _command(
        lambda session: admin.update_service(session, current_actor(), service_id,
                                             agency_id=_int(form.get("agency")), fields=_service_fields(), now=now()),
        lambda exc: _service_page(service_id, error=describe(exc), status=exc.status, form=dict(form)),
        lambda service: url_for("manager.admin_service_edit", service_id=service_id, saved=1))


@bp.post("/admin/services/<int(max=2147483647):service_id>/active")
@admin_page
def admin_service_active(service_id: int) -> Page | BaseResponse:
    active = request.form.get("active") == "1"
    return _command(
        lambda session: admin.set_service_active(session, current_actor(), service_id, active, now()),
        lambda exc: _service_page(service_id, error=describe(exc), status=exc.status),
        lambda service: url_for("manager.admin_service_edit", service_id=service_id, saved=1))


@bp.post("/admin/services/<int(max=2147483647):service_id>/route")
@admin_page
def admin_service_route(service_id: int) -> Page | BaseResponse:
    route = _ids([v for v in request.form.getlist("route") if v])
    return _command(
        lambda session: steps.set_route(session, current_actor(), service_id, route, now()),
        lambda exc: _service_page(service_id, error=describe(exc), status=exc.status),
        lambda service: url_for("manager.admin_service_edit", service_id=service_id, saved=1))


# --- counters --------------------------------------------------------------------------------------------


def _counter_form() -> dict[str, Any]:
    form = request.form
    return {"agency_id": _int(form.get("agency")), "number": form.get("number", ""), "name": form.get("name", ""),
            "service_ids": _ids(form.getlist("services"))}


@bp.get("/admin/counters")
@admin_page
def admin_counters() -> Page:
    return _catalogue_page("manager/admin/counters.html")


@bp.post("/admin/counters")
@admin_page
def admin_counter_add() -> Page | BaseResponse:
    form = request.form
    return _command(
        lambda session: admin.create_counter(session, current_actor(), office_id=_int(form.get("office")) or 0,
                                             **_counter_form(), now=now()),
        lambda exc: _catalogue_page("manager/admin/counters.html", error=describe(exc), status=exc.status,
                                    form={**form, "services": _ids(form.getlist("services"))}),
        lambda counter: url_for("manager.admin_counter_edit", counter_id=counter.id, saved=1))


def _counter_page(counter_id: int, *, error: str | None = None, status: int = 200,
                  form: dict[str, Any] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        counter = admin.administered_counter(session, actor, counter_id)
    except DomainError as exc:
        return _refused(exc)
    office = admin.catalogue(session, actor, counter.office_id)[0]
    shown = form or {"number": counter.number, "name": counter.name or "", "agency": counter.agency_id or "",
                     "services": [s.id for s in counter.services]}
    page = render_template("manager/admin/counter_edit.html", counter=counter, office=office, error=error,
                           form=shown, actor=actor, may_change=admin.may_change)
    return _rendered(page, status)


@bp.get("/admin/counters/<int(max=2147483647):counter_id>")
@admin_page
def admin_counter_edit(counter_id: int) -> Page:
    return _counter_page(counter_id)


@bp.post("/admin/counters/<int(max=2147483647):counter_id>")
@admin_page
def admin_counter_update(counter_id: int) -> Page | BaseResponse:
    form = request.form
    return _command(
        lambda session: admin.update_counter(session, current_actor(), counter_id, **_counter_form(), now=now()),
        lambda exc: _counter_page(counter_id, error=describe(exc), status=exc.status,
                                  form={**form, "services": _ids(form.getlist("services"))}),
        lambda counter: url_for("manager.admin_counter_edit", counter_id=counter_id, saved=1))


@bp.post("/admin/counters/<int(max=2147483647):counter_id>/active")
@admin_page
def admin_counter_active(counter_id: int) -> Page | BaseResponse:
    active = request.form.get("active") == "1"
    return _command(
        lambda session: admin.set_counter_active(session, current_actor(), counter_id, active, now()),
        lambda exc: _counter_page(counter_id, error=describe(exc), status=exc.status),
        lambda counter: url_for("manager.admin_counter_edit", counter_id=counter_id, saved=1))
