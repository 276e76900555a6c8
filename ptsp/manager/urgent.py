"""Manager pages for urgent cases (docs/urgent.md): the requests waiting for a sign-off (live), an urgent desk
ticket, and the review of every case with counts per clerk and per supervisor."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics import filters
from ptsp.analytics import urgent as figures
from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.domain.urgent import REASONS
from ptsp.i18n.errors import describe
from ptsp.models import Office, Service
from ptsp.services import urgent as use_cases

from .access import agency_choices, current_actor, manager_page, visible_offices
from .blueprint import bp
from .points import local_today, refuses_bad_filters


def _reach() -> filters.Reach:
    return filters.scoped_reach(get_read_db(), current_actor(), request.args.get("office"), request.args.get("agency"))


def _desk_services() -> list[Service]:
    """The services of the reader's own office they may issue an urgent desk ticket for (their agency's, if one)."""
    actor = current_actor()
    if actor.office_id is None:
        return []
    reach = filters.scoped_agency(get_read_db(), actor, None, [actor.office_id])
    services = [s for s in get_read_db().get_one(Office, actor.office_id).services if s.active]
    return [s for s in services if reach.agency_id is None or s.agency_id == reach.agency_id]


def _page(problem: str | None = None, status: int = 200, done: str | None = None) -> tuple[str, int]:
    reach = _reach()
    first, last = filters.date_range(request.args.get("from"), request.args.get("to"), local_today(reach.office_ids))
    review = figures.review(get_read_db(), reach, first, last, now())
    return render_template(
        "manager/urgent.html", pending=figures.pending(get_read_db(), reach, now()), review=review,
        reasons=REASONS, offices=visible_offices(), office=request.args.get("office", ""), first=first, last=last,
        services=_desk_services(), problem=problem, done=done, **agency_choices()), status


@bp.get("/urgent")
@manager_page
@refuses_bad_filters
def urgent_page() -> tuple[str, int]:
    done = {"approved": gettext("Disetujui: tiket dipanggil berikutnya."), "declined": gettext("Ditolak."),
            "issued": gettext("Tiket darurat diterbitkan.")}.get(request.args.get("done", ""))
    return _page(done=done)


@bp.get("/urgent/pending")
@manager_page
@refuses_bad_filters
def urgent_pending() -> str:
    """The pending list alone, which the page fetches again when it hears `urgent_changed`."""
    return render_template("manager/urgent_pending.html", pending=figures.pending(get_read_db(), _reach(), now()),
                           reasons=REASONS)


def _kept() -> dict[str, Any]:
    return {k: v for k, v in request.args.items() if k in ("office", "agency", "from", "to")}


@bp.post("/urgent/<int(max=2147483647):case_id>/decision")
@manager_page
@refuses_bad_filters
def urgent_decision(case_id: int) -> Any:
    """Sign off or refuse one request from the pending list (a form with its CSRF token)."""
    approve = request.form.get("decision") == "approve"
    try:
        use_cases.decide(get_db(), case_id=case_id, approve=approve, note=request.form.get("note"),
                         actor=current_actor(), now=now())
    except DomainError as exc:
        get_db().rollback()
        return _page(describe(exc), exc.status)
    get_db().commit()
    return redirect(url_for("manager.urgent_page", done="approved" if approve else "declined", **_kept()))


@bp.post("/urgent/desk")
@manager_page
@refuses_bad_filters
def urgent_desk() -> BaseResponse | tuple[str, int]:
    """Issue an urgent desk ticket in the reader's own office: signed off by them, so outside the daily quota and
    after the last-ticket time (not on a closed day)."""
    actor = current_actor()
    raw = request.form.get("service", "")
    if actor.office_id is None or not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) < 2**31):
        return _page(gettext("Pilih layanan."), 422)
    try:
        use_cases.issue_desk(get_db(), office_id=actor.office_id, service_id=int(raw),
                             reason=request.form.get("reason", ""), note=request.form.get("note"), actor=actor,
                             now=now())
    except DomainError as exc:
        get_db().rollback()
        return _page(describe(exc), exc.status)
    get_db().commit()
    return redirect(url_for("manager.urgent_page", done="issued", **_kept()))
