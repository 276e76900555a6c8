"""Manager pages for resident feedback: IKM, the complaint list with the desk's intake and the SP4N-LAPOR! hand-off,
and the ratings CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics.complaints import agency_summary, complaint_list, intake_services
from ptsp.analytics.export import rating_rows
from ptsp.analytics.filters import date_range, offices_by_id, scoped_reach
from ptsp.analytics.skm import GROUPS, ikm
from ptsp.context import get_db, get_read_db, now
from ptsp.domain.complaints import CHANNEL_LABELS, DESK_CHANNELS, LABELS, LAPOR_URL, STATUSES
from ptsp.domain.errors import DomainError, InvalidInput
from ptsp.domain.skm import ELEMENTS, GRADES
from ptsp.i18n.errors import describe
from ptsp.services import complaints

from .access import agency_choices, current_actor, manager_page, visible_offices
from .blueprint import bp
from .points import local_today, refuses_bad_filters, scoped_csv


@bp.get("/ikm")
@manager_page
@refuses_bad_filters
def ikm_page() -> str:
    session = get_read_db()
    reach = scoped_reach(session, current_actor(), request.args.get("office"), request.args.get("agency"))
    start, end = date_range(request.args.get("from"), request.args.get("to"), local_today(reach.office_ids))
    group = request.args.get("group", "office")
    rows = ikm(session, reach.office_ids, start, end, group, reach.agency_id)
    return render_template("manager/ikm.html", rows=rows, offices=visible_offices(), office=request.args.get(
        "office", ""), group=group, groups=GROUPS, start=start, end=end, elements=ELEMENTS, grades=GRADES,
                           **agency_choices())


@bp.get("/complaints")
@manager_page
@refuses_bad_filters
def complaints_page() -> tuple[str, int]:
    return _complaints()


def _complaints(problem: str | None = None, status_code: int = 200, failed: int | None = None) -> tuple[str, int]:
    """The complaint list with its summary per agency, the desk's intake form and, after a refusal, its reason."""
    session = get_read_db()
    reach = scoped_reach(session, current_actor(), request.args.get("office"), request.args.get("agency"))
    office_ids = reach.office_ids
    status = request.args.get("status") or "open"
    if status not in (*STATUSES, "open", "all"):
        raise InvalidInput("unknown_status", status=status)
    everything = complaint_list(session, office_ids, now(), agency_id=reach.agency_id)
    offices = offices_by_id(session, office_ids)
    for complaint in everything:
        zone = ZoneInfo(offices[complaint["office"]].timezone)
        complaint["local"] = {key: _local(complaint[key], zone) for key in ("received_at", "due_at")}
        for event in complaint["events"]:
            event["local"] = _local(event["at"], zone)
    summary = {
        "open": sum(c["status"] != "done" for c in everything),
        "overdue": sum(c["overdue"] for c in everything),
        "done": sum(c["status"] == "done" for c in everything),
        "waiting_late": sum(c["overdue"] and c["first_response_at"] is None for c in everything),
    }
    shown = [c for c in everything if status == "all" or c["status"] == status
             or (status == "open" and c["status"] != "done")]
    services = intake_services(session, current_actor(), office_ids)
    return render_template("manager/complaints.html", complaints=shown[:200], more=max(0, len(shown) - 200),
                           summary=summary, per_agency=agency_summary(session, everything),
                           offices=visible_offices(), office=request.args.get("office", ""),
                           status=status, statuses=STATUSES, labels=LABELS, channel_labels=CHANNEL_LABELS,
                           desk_channels=DESK_CHANNELS, intake_services=services, problem=problem, failed=failed,
                           form=request.form, office_names={i: o.name for i, o in offices.items()}, lapor=LAPOR_URL,
                           **agency_choices()), status_code


@bp.post("/complaints/record")
@manager_page
def complaint_record() -> BaseResponse | tuple[str, int]:
    """The desk records a complaint that came by phone, WhatsApp, letter or in person."""
    form = request.form
    session = get_db()
    try:
        filed = complaints.file_desk(session, actor=current_actor(), office_id=_number(form.get("office", "")),
                                     channel=form.get("channel", ""), text=form.get("text"),
                                     service=form.get("service"), contact=form.get("contact"),
                                     consent=form.get("consent") == "1", received_local=form.get("received_at"),
                                     now=now())
        code = filed.code
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _complaints(describe(exc), exc.status)
    return redirect(url_for("manager.complaints_page", recorded=code), code=303)


@bp.post("/complaints/<int(max=2147483647):complaint_id>/lapor")
@manager_page
def complaint_lapor_number(complaint_id: int) -> BaseResponse | tuple[str, int]:
    """Record the SP4N-LAPOR! tracking number of a complaint forwarded there (audited)."""
    session = get_db()
    try:
        complaints.set_lapor_number(session, actor=current_actor(), complaint_id=complaint_id,
                                    number=request.form.get("lapor_number"), now=now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _complaints(describe(exc), exc.status, complaint_id)
    return redirect(url_for("manager.complaints_page", status="all", _anchor=f"complaint-{complaint_id}"), code=303)


@bp.get("/complaints/<int(max=2147483647):complaint_id>/lapor.<any(json, csv):fmt>")
@manager_page
def complaint_lapor_export(complaint_id: int, fmt: str) -> Response | tuple[str, int]:
    """One complaint in the shape SP4N-LAPOR! takes (docs/complaints.md), as JSON or a one-row CSV."""
    try:
        row = complaints.lapor_export(get_read_db(), actor=current_actor(), complaint_id=complaint_id)
    except DomainError as exc:
        return _complaints(describe(exc), exc.status, complaint_id)
    name = f"pengaduan-{complaint_id}-lapor.{fmt}"
    if fmt == "json":
        body, kind = json.dumps(row, ensure_ascii=False, indent=2), "application/json"
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(complaints.LAPOR_FIELDS))
        writer.writeheader()
        writer.writerow(row)
        body, kind = out.getvalue(), "text/csv; charset=utf-8"
    return Response(body, mimetype=kind.split(";")[0], headers={
        "Content-Disposition": f"attachment; filename={name}", "Content-Type": kind})


def _number(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise InvalidInput("complaint_office_required")
    return int(value)


def _local(instant: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(instant).astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")


@bp.get("/export/ratings.csv")
@manager_page
@refuses_bad_filters
def export_ratings() -> Response:
    """Every rating of the offices in scope given between two office-local days (no personal data exists)."""
    return scoped_csv("ratings", rating_rows)
