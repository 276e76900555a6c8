"""The manager dashboard (live) and the charts page, with their JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal

from ptsp.analytics.charts import chart_data
from ptsp.analytics.dashboard import live_dashboard
from ptsp.analytics.printers import printer_health
from ptsp.context import get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.domain.hours import local_now
from ptsp.i18n.errors import describe

from .access import agency_choices, manager_page, visible_offices
from .blueprint import bp
from .filters import manager_json, parse_filters


def _dashboard_data() -> dict[str, Any]:
    filters = parse_filters({"office": request.args.get("office") or "", "agency": request.args.get("agency") or ""})
    session = get_read_db()
    ids = [o.id for o in filters.offices if o.services]
    return live_dashboard(session, filters.offices, now(), printers=printer_health(session, set(ids)),
                          agency_id=filters.agency_id)


@bp.get("/dashboard")
@manager_page
def dashboard() -> ResponseReturnValue:
    try:
        data = _dashboard_data()
    except DomainError as exc:
        return render_template("manager/dashboard.html", data={"offices": []}, error=describe(exc),
                               offices=visible_offices(), office="", **agency_choices()), exc.status
    return render_template("manager/dashboard.html", data=data, error=None, offices=visible_offices(),
                           office=request.args.get("office", ""), **agency_choices())


@bp.get("/dashboard/live")
@manager_page
def dashboard_live() -> ResponseReturnValue:
    """The live panels alone, swapped into the page when a fact arrives."""
    return render_template("manager/_live.html", data=_dashboard_data())


@bp.app_template_filter("number")
def number(value: float | None, digits: int | None = None) -> str:
    """A number in the page's language (Babel: 12,5 in Indonesian, 12.5 in English); "—" for none.
    `digits` fixes the decimals shown; without it, Babel's default pattern (up to three)."""
    if value is None:
        return "—"
    if digits is None:
        return format_decimal(value)
    return format_decimal(round(value, digits), format="#,##0." + "0" * digits if digits else "#,##0")


@bp.app_template_filter("manager_hhmm")
def local_hhmm(value: datetime | str | None, zone: str) -> str:
    """Show an instant (aware datetime or ISO text) as HH:MM in an office's time zone."""
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        instant = value
    if instant.tzinfo is None:
        return instant.strftime("%H:%M")
    return local_now(instant, zone).strftime("%H:%M")


@bp.get("/api/dashboard")
@manager_json
def dashboard_json() -> ResponseReturnValue:
    return jsonify(_dashboard_data())


@bp.get("/charts")
@manager_page
def charts() -> ResponseReturnValue:
    try:
        filters = parse_filters(request.args)
    except DomainError as exc:
        raw = {k: request.args.get(k, "")[:20] for k in ("from", "to")}
        return render_template("manager/charts.html", error=describe(exc), filters=parse_filters({}), raw=raw,
                               offices=visible_offices(), data=None, **agency_choices()), exc.status
    return render_template("manager/charts.html", error=None, filters=filters, raw=None, offices=visible_offices(),
                           data=chart_data(get_read_db(), filters.offices, filters.first, filters.last,
                                           filters.agency_id, now()), **agency_choices())


@bp.get("/api/charts")
@manager_json
def charts_json() -> ResponseReturnValue:
    filters = parse_filters(request.args)
    return jsonify(chart_data(get_read_db(), filters.offices, filters.first, filters.last, filters.agency_id,
                              now()))
