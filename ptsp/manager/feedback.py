"""Manager pages for resident feedback: IKM, the complaint list, and the ratings CSV."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, render_template, request

from ptsp.analytics.complaints import complaint_list
from ptsp.analytics.export import rating_rows
from ptsp.analytics.filters import date_range, offices_by_id, scoped_reach
from ptsp.analytics.skm import GROUPS, ikm
from ptsp.context import get_read_db, now
from ptsp.domain.complaints import LABELS, LAPOR_URL, STATUSES
from ptsp.domain.errors import InvalidInput
from ptsp.domain.skm import ELEMENTS, GRADES

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
def complaints_page() -> str:
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
        "overdue": sum(c["status"] != "done" and c["overdue"] for c in everything),
        "done": sum(c["status"] == "done" for c in everything),
        "done_late": sum(c["status"] == "done" and c["overdue"] for c in everything),
    }
    shown = [c for c in everything if status == "all" or c["status"] == status
             or (status == "open" and c["status"] != "done")]
    return render_template("manager/complaints.html", complaints=shown[:200], more=max(0, len(shown) - 200),
                           summary=summary, offices=visible_offices(), office=request.args.get("office", ""),
                           status=status, statuses=STATUSES, labels=LABELS,
                           office_names={i: o.name for i, o in offices.items()}, lapor=LAPOR_URL,
                           **agency_choices())


def _local(instant: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(instant).astimezone(zone).strftime("%d-%m-%Y %H:%M %Z")


@bp.get("/export/ratings.csv")
@manager_page
@refuses_bad_filters
def export_ratings() -> Response:
    """Every rating of the offices in scope given between two office-local days (no personal data exists)."""
    return scoped_csv("ratings", rating_rows)
