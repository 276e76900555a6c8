"""Administration pages "Atur jam buka": an office's weekly opening hours and breaks, and its calendar (national
holidays, cuti bersama it may keep open, its own closure days).

Not the opening-hours recommendation of the planning pages (`/manager/hours`): these pages set the hours the
kiosk, counters and planning follow. Managers and admins only (`admin_page`); every rule and scope check is in
`ptsp/services/hours_admin.py` and `office_calendar.py`. A refused form shows the reason and changes nothing.
"""

from __future__ import annotations

from datetime import date
from itertools import zip_longest
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain import hours as office_hours
from ptsp.domain.errors import DomainError, InvalidInput
from ptsp.i18n import current_language
from ptsp.i18n.errors import describe
from ptsp.services import hours_admin, office_calendar
from ptsp.services.admin_scope import administered_offices

from .access import admin_page, current_actor
from .blueprint import bp
from .planning import weekday_label

Page = str | tuple[str, int]
OFFICE = "<int(max=2147483647):office_id>"
BREAK_FIELDS = ("start", "end", "kind", "reason")


@bp.get("/admin/offices/hours")
@admin_page
def admin_hours_choose() -> Page | BaseResponse:
    """The nav's way in: the actor's one office's page, or a list to choose from."""
    offices = administered_offices(get_read_db(), current_actor())
    if len(offices) == 1:
        return redirect(url_for("manager.admin_hours", office_id=offices[0].id))
    return render_template("manager/admin/hours_choose.html", offices=offices)


def _shown_error(exc: DomainError) -> str:
    """The refusal in a sentence, a weekday key ("fri") named in the page's language."""
    day = exc.params.get("day")
    if isinstance(day, str) and day in office_hours.WEEKDAYS:
        exc = type(exc)(exc.reason, **{**exc.params, "day": weekday_label(day)})
    return describe(exc)


def _week_from_form(form: MultiDict[str, str]) -> dict[str, hours_admin.DayInput]:
    """The posted week: per weekday closed, or open, close and its break rows (blank rows are ignored)."""
    week = {}
    for day in office_hours.WEEKDAYS:
        if form.get(f"{day}-closed"):
            week[day] = hours_admin.DayInput()
            continue
        columns = [form.getlist(f"{day}-break-{name}") for name in BREAK_FIELDS]
        breaks = tuple(
            hours_admin.BreakInput(start.strip(), end.strip(), kind == "closure", reason)
            for start, end, kind, reason in zip_longest(*columns, fillvalue="") if start.strip() or end.strip())
        week[day] = hours_admin.DayInput(form.get(f"{day}-open", "").strip(), form.get(f"{day}-close", "").strip(),
                                         breaks)
    return week


def _hours_page(office_id: int, *, week: dict[str, hours_admin.DayInput] | None = None, error: str | None = None,
                error_day: str | None = None, status: int = 200) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        office = hours_admin.readable_office(session, actor, office_id)
    except DomainError as exc:
        return render_template("manager/refused.html", reason=describe(exc)), exc.status
    page = render_template(
        "manager/admin/hours.html", office=office, week=week or hours_admin.week_form(office),
        weekdays=office_hours.WEEKDAYS, summary=hours_admin.hours_summary(office),
        editable=hours_admin.may_change(session, actor, office), error=error, error_day=error_day,
        offices=administered_offices(session, actor))
    return (page, status) if status != 200 else page


@bp.get(f"/admin/offices/{OFFICE}/hours")
@admin_page
def admin_hours(office_id: int) -> Page:
    return _hours_page(office_id)


@bp.post(f"/admin/offices/{OFFICE}/hours")
@admin_page
def admin_hours_save(office_id: int) -> Page | BaseResponse:
    week = _week_from_form(request.form)
    session = get_db()
    try:
        hours_admin.set_week(session, current_actor(), office_id=office_id, week=week, now=now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        day = exc.params.get("day")
        return _hours_page(office_id, week=week, error=_shown_error(exc), status=exc.status,
                           error_day=day if isinstance(day, str) else None)
    return redirect(url_for("manager.admin_hours", office_id=office_id, saved=1))


def _year(raw: str | None, fallback: int) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) == 4 else fallback


def _closures_page(office_id: int, *, year: int | None = None, error: str | None = None, status: int = 200,
                   form: dict[str, str] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    try:
        office = hours_admin.readable_office(session, actor, office_id)
        today = office_hours.service_day(now(), office.timezone)
        year = year or _year(request.args.get("year"), today.year)
        days = hours_admin.year_calendar(session, actor, office_id=office.id, year=year, now=now(),
                                         language=current_language())
    except DomainError as exc:
        return render_template("manager/refused.html", reason=describe(exc)), exc.status
    page = render_template(
        "manager/admin/closures.html", office=office, days=days, year=year, today=today,
        editable=hours_admin.may_change(session, actor, office), error=error, form=form or {},
        zone=office_hours.zone_label(office.timezone), max_days=hours_admin.MAX_RANGE_DAYS,
        reason_max=office_calendar.REASON_MAX, offices=administered_offices(session, actor))
    return (page, status) if status != 200 else page


@bp.get(f"/admin/offices/{OFFICE}/closures")
@admin_page
def admin_closures(office_id: int) -> Page:
    return _closures_page(office_id)


def _day(raw: str | None, name: str) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInput("param_not_date", name=name) from None


def _calendar_command(office_id: int, run: Any, form: dict[str, str] | None = None) -> Page | BaseResponse:
    """Run one calendar change; on refusal roll back and show the year's page with the reason."""
    session = get_db()
    year = _year(request.form.get("year"), 0) or None
    try:
        changed = run(session)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _closures_page(office_id, year=year, error=describe(exc), status=exc.status, form=form)
    return redirect(url_for("manager.admin_closures", office_id=office_id, year=changed.year, saved=1))


@bp.post(f"/admin/offices/{OFFICE}/closures")
@admin_page
def admin_closure_add(office_id: int) -> Page | BaseResponse:
    form = request.form

    def run(session: Any) -> date:
        first = _day(form.get("first"), gettext("Dari tanggal"))
        last = _day(form.get("last"), gettext("Sampai tanggal")) if form.get("last") else None
        rows = hours_admin.add_closures(session, current_actor(), office_id=office_id, first=first, last=last,
                                        reason=form.get("reason", ""), now=now())
        return rows[0].day

    return _calendar_command(office_id, run, dict(form))


@bp.post(f"/admin/offices/{OFFICE}/closures/<day>/remove")
@admin_page
def admin_closure_remove(office_id: int, day: str) -> Page | BaseResponse:
    def run(session: Any) -> date:
        chosen = _day(day, gettext("Tanggal"))
        office_calendar.remove_closure(session, current_actor(), office_id=office_id, day=chosen, now=now())
        return chosen

    return _calendar_command(office_id, run)


@bp.post(f"/admin/offices/{OFFICE}/closures/<day>/keep-open")
@admin_page
def admin_closure_keep_open(office_id: int, day: str) -> Page | BaseResponse:
    def run(session: Any) -> date:
        chosen = _day(day, gettext("Tanggal"))
        hours_admin.keep_open(session, current_actor(), office_id=office_id, day=chosen,
                              note=request.form.get("note", ""), now=now())
        return chosen

    return _calendar_command(office_id, run)


@bp.post(f"/admin/offices/{OFFICE}/closures/<day>/close-again")
@admin_page
def admin_closure_close_again(office_id: int, day: str) -> Page | BaseResponse:
    def run(session: Any) -> date:
        chosen = _day(day, gettext("Tanggal"))
        hours_admin.close_again(session, current_actor(), office_id=office_id, day=chosen, now=now())
        return chosen

    return _calendar_command(office_id, run)
