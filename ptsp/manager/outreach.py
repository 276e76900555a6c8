"""Jemput bola pages (docs/outreach.md): the office's list of visit requests, where a supervisor records a request
that came by phone or WhatsApp, assigns an officer and a time, moves the stages and confirms a reported visit; and
the officer's own page of the visits assigned to them, where they report a visit made. Plain forms (CSRF token)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics.complaints import intake_services
from ptsp.analytics.filters import offices_by_id, scoped_reach
from ptsp.analytics.outreach import my_visits, request_list
from ptsp.context import get_db, get_read_db, now
from ptsp.domain import outreach as rules
from ptsp.domain.complaints import DESK_CHANNELS
from ptsp.domain.errors import DomainError, InvalidInput
from ptsp.i18n.errors import describe
from ptsp.services import outreach, outreach_visits

from .access import agency_choices, current_actor, manager_page, visible_offices
from .blueprint import bp
from .points import refuses_bad_filters

STATUS_FILTERS = ("open", "all", *rules.STATUSES)


@bp.get("/outreach")
@manager_page
@refuses_bad_filters
def outreach_page() -> tuple[str, int]:
    return _page()


def _page(problem: str | None = None, status_code: int = 200, failed: int | None = None) -> tuple[str, int]:
    """The requests with their stages, the desk's intake form and, after a refusal, its reason."""
    session = get_read_db()
    actor = current_actor()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    status = request.args.get("status") or "open"
    if status not in STATUS_FILTERS:
        raise InvalidInput("unknown_status", status=status[:20])
    offices = offices_by_id(session, reach.office_ids)
    rows = request_list(session, reach.office_ids, {i: o.timezone for i, o in offices.items()}, now(),
                        reach.agency_id)
    summary = {"open": sum(r["status"] not in rules.CLOSED for r in rows),
               "overdue": sum(r["overdue"] for r in rows),
               "waiting": sum(r["status"] == "visited" for r in rows),
               "done": sum(r["status"] == "done" for r in rows)}
    shown = [r for r in rows if status == "all" or r["status"] == status
             or (status == "open" and r["status"] not in rules.CLOSED)]
    return render_template(
        "manager/outreach.html", rows=shown, summary=summary, status=status, statuses=rules.STATUSES,
        labels=rules.LABELS, moves=rules.MOVES, channel_labels=rules.CHANNEL_LABELS, desk_channels=DESK_CHANNELS,
        officers=outreach_visits.officers(session, reach.office_ids), me=actor.staff_id,
        intake_services=intake_services(session, actor, reach.office_ids), offices=visible_offices(),
        office=request.args.get("office", ""), office_names={i: o.name for i, o in offices.items()},
        problem=problem, failed=failed, form=request.form, max_travel=rules.MAX_TRAVEL_MINUTES,
        **agency_choices()), status_code


def _number(value: str | None, reason: str = "complaint_office_required") -> int:
    value = value or ""
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise InvalidInput(reason)
    return int(value)


def _act(action: Any, anchor: int | None = None, **args: Any) -> BaseResponse | tuple[str, int]:
    """Run one use case in the request's session and commit, or re-show the page with the refusal."""
    session = get_db()
    try:
        done = action(session, actor=current_actor(), now=now(), **args)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _page(describe(exc), exc.status, anchor)
    extra = {"recorded": done.code} if anchor is None else {"_anchor": f"outreach-{anchor}", "status": "all"}
    return redirect(url_for("manager.outreach_page", **extra), code=303)


@bp.post("/outreach/record")
@manager_page
def outreach_record() -> BaseResponse | tuple[str, int]:
    """The desk records a request that came by phone, WhatsApp, letter or in person."""
    form = request.form
    try:
        office_id = _number(form.get("office"))
    except DomainError as exc:
        return _page(describe(exc), exc.status)
    return _act(outreach.file_desk, office_id=office_id, channel=form.get("channel", ""),
                service=form.get("service"), name=form.get("name"), contact=form.get("contact"),
                place=form.get("place"), reason=form.get("reason"), on_behalf=form.get("on_behalf") == "1")


@bp.post("/outreach/<int(max=2147483647):request_id>/assign")
@manager_page
def outreach_assign(request_id: int) -> BaseResponse | tuple[str, int]:
    form = request.form
    return _act(outreach_visits.assign, request_id, request_id=request_id, officer=form.get("officer"),
                visit_local=form.get("visit_at"), note=form.get("note"))


@bp.post("/outreach/<int(max=2147483647):request_id>/move")
@manager_page
def outreach_move(request_id: int) -> BaseResponse | tuple[str, int]:
    form = request.form
    return _act(outreach_visits.move, request_id, request_id=request_id, status=form.get("status", ""),
                note=form.get("note"))


@bp.post("/outreach/<int(max=2147483647):request_id>/confirm")
@manager_page
def outreach_confirm(request_id: int) -> BaseResponse | tuple[str, int]:
    return _act(outreach_visits.confirm, request_id, request_id=request_id, travel=request.form.get("travel"))


@bp.route("/outreach/mine", methods=["GET", "POST"])
def outreach_mine() -> BaseResponse | tuple[str, int]:
    """The visits assigned to the logged-in officer (any staff role), and the report of one made."""
    if not current_user.is_authenticated:
        return redirect(url_for("manager.login_form", next=request.full_path))
    problem, status_code = None, 200
    if request.method == "POST":
        session = get_db()
        try:
            outreach_visits.report_visit(session, actor=current_actor(), now=now(),
                                         request_id=_number(request.form.get("request"), "outreach_not_found"),
                                         travel=request.form.get("travel"), note=request.form.get("note"))
            session.commit()
            return redirect(url_for("manager.outreach_mine", reported=1), code=303)
        except DomainError as exc:
            session.rollback()
            problem, status_code = describe(exc), exc.status
    session = get_read_db()
    own = [current_user.office_id] if current_user.office_id is not None else []
    zones = {i: o.timezone for i, o in offices_by_id(session, own).items()}
    visits = my_visits(session, current_user.id, zones)
    return render_template("manager/outreach_mine.html", visits=visits, problem=problem,
                           max_travel=rules.MAX_TRAVEL_MINUTES), status_code
