"""Manager pages for points: the leaderboard with its trend chart, held points, and the points CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, render_template, request
from sqlalchemy import select

from ptsp.analytics import leaderboard as board
from ptsp.analytics.filters import date_range, scoped_offices
from ptsp.app import get_read_db, now
from ptsp.domain import hours as office_hours
from ptsp.domain.errors import DomainError
from ptsp.models import Office, PointsLedgerEntry, Service, Staff, Ticket
from ptsp.services import points

from . import bp
from .access import current_actor, manager_page, visible_offices


def refuses_bad_filters(view: Callable[..., Any]) -> Callable[..., Any]:
    """Render a domain error from the filters as the page's own error, with its status."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            return render_template("manager/filter_error.html", message=exc.message), exc.status

    return wrapper


def local_today(office_ids: list[int]):
    office = get_read_db().get(Office, office_ids[0]) if office_ids else None
    return office_hours.service_day(now(), office.timezone if office else "Asia/Jakarta")


@bp.get("/leaderboard")
@manager_page
@refuses_bad_filters
def leaderboard() -> str:
    session = get_read_db()
    actor = current_actor()
    office_ids = scoped_offices(session, actor, request.args.get("office"))
    period = request.args.get("period", "today")
    result = board.leaderboard(session, office_ids, period, now(), current_app.config["LEADERBOARD_MIN_TRANSACTIONS"])
    holds = [h for h in points.pending_holds(session, actor) if h["office"] in office_ids]
    names = dict(session.execute(select(Staff.id, Staff.name)).all()) if holds else {}
    return render_template("manager/leaderboard.html", board=result, offices=visible_offices(),
                           office=request.args.get("office", ""), period=period, periods=board.PERIODS,
                           trend=board.trend(session, office_ids, 30, now()), holds=holds, names=names)


def csv_response(rows: list[list[Any]], filename: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/export/points.csv")
@manager_page
@refuses_bad_filters
def export_points() -> Response:
    """The ledger lines of the offices in scope between two office-local days."""
    session = get_read_db()
    office_ids = scoped_offices(session, current_actor(), request.args.get("office"))
    start, end = date_range(request.args.get("from"), request.args.get("to"), local_today(office_ids))
    rows = session.execute(
        select(PointsLedgerEntry, Office.slug, Staff.username, Ticket.code, Service.prefix)
        .join(Office, Office.id == PointsLedgerEntry.office_id)
        .join(Staff, Staff.id == PointsLedgerEntry.staff_id)
        .join(Ticket, Ticket.id == PointsLedgerEntry.ticket_id)
        .join(Service, Service.id == PointsLedgerEntry.service_id)
        .where(PointsLedgerEntry.office_id.in_(office_ids), PointsLedgerEntry.service_day >= start,
               PointsLedgerEntry.service_day <= end)
        .order_by(PointsLedgerEntry.id)
    )
    table = [["id", "office", "day", "clerk", "ticket", "service", "kind", "points", "held", "reason",
              "event_ids", "rating_id", "acted_by", "at_utc"]]
    for line, slug, username, code, prefix in rows:
        table.append([line.id, slug, line.service_day.isoformat(), username, code, prefix, line.kind, line.points,
                      line.held, line.reason, " ".join(map(str, line.event_ids)), line.rating_id or "",
                      line.acted_by or "", line.at.isoformat()])
    return csv_response(table, f"points_{start.isoformat()}_{end.isoformat()}.csv")
