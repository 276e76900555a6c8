"""Manager pages for points: the leaderboard with its trend chart, held points, and the points CSV."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import wraps
from typing import Any

from flask import Response, current_app, render_template, request

from ptsp.analytics import filters
from ptsp.analytics import leaderboard as board
from ptsp.analytics.export import points_rows
from ptsp.analytics.filters import date_range, parse_day, scoped_reach
from ptsp.context import get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.i18n.errors import describe
from ptsp.services import points

from .access import agency_choices, current_actor, manager_page, visible_offices
from .blueprint import bp
from .export import csv_response


def refuses_bad_filters(view: Callable[..., Any]) -> Callable[..., Any]:
    """Render a domain error from the filters as the page's own error, with its status."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            return render_template("manager/filter_error.html", message=describe(exc)), exc.status

    return wrapper


def local_today(office_ids: list[int]) -> date:
    """Return today's service day in the first office's time zone."""
    return filters.local_today(get_read_db(), office_ids, now())


@bp.get("/leaderboard")
@manager_page
@refuses_bad_filters
def leaderboard() -> str:
    session = get_read_db()
    actor = current_actor()
    reach = scoped_reach(session, actor, request.args.get("office"), request.args.get("agency"))
    office_ids = reach.office_ids
    result = board.leaderboard(session, office_ids, request.args.get("period") or None, now(),
                               current_app.config["LEADERBOARD_MIN_TRANSACTIONS"],
                               day=parse_day(request.args.get("day")), agency_id=reach.agency_id)
    period = result["period"]
    holds = [h for h in points.pending_holds(session, actor, agency_id=reach.agency_id) if h["office"] in office_ids]
    names = board.staff_names(session) if holds else {}
    return render_template("manager/leaderboard.html", board=result, offices=visible_offices(),
                           office=request.args.get("office", ""), period=period, day=result["day"] or "",
                           periods=board.PERIODS, trend=board.trend(session, office_ids, 30, now(), reach.agency_id),
                           holds=holds, names=names, **agency_choices())


@bp.get("/export/points.csv")
@manager_page
@refuses_bad_filters
def export_points() -> Response:
    """The ledger lines of the offices in scope between two office-local days."""
    return scoped_csv("points", points_rows)


def scoped_csv(name: str, producer: Callable[..., Iterable[Sequence[Any]]]) -> Response:
    """Answer the producer's rows for the office and local days asked for, as `<name>_<from>_<to>.csv`."""
    session = get_read_db()
    reach = scoped_reach(session, current_actor(), request.args.get("office"), request.args.get("agency"))
    start, end = date_range(request.args.get("from"), request.args.get("to"), local_today(reach.office_ids))
    rows = list(producer(session, reach.office_ids, start, end, reach.agency_id))
    return csv_response(rows, f"{name}_{start.isoformat()}_{end.isoformat()}.csv")
