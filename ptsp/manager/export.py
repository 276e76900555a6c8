"""CSV exports, streamed: tickets and events, filtered by office (in scope) and local dates.

The form at /manager/export lists every export in `EXPORTS`; another export adds one entry there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Response, current_app, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from ptsp.analytics.bookings import booking_rows
from ptsp.analytics.export import event_rows, ticket_rows
from ptsp.context import now
from ptsp.domain.errors import DomainError
from ptsp.domain.text import N_
from ptsp.i18n.errors import describe

from .access import agency_choices, manager_page, visible_offices
from .blueprint import bp
from .filters import Filters, parse_filters

# (endpoint, label): the labels are msgids, translated when the form is shown
EXPORTS: list[tuple[str, str]] = [
    ("manager.export_tickets", N_("Tiket")),
    ("manager.export_events", N_("Riwayat kejadian tiket")),
    ("manager.export_points", N_("Buku poin petugas")),
    ("manager.export_ratings", N_("Penilaian warga (SKM)")),
    ("manager.export_bookings", N_("Janji (booking)")),
]


def _form(filters: Filters, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    raw = {k: request.args.get(k, "")[:20] for k in ("from", "to")} if error else None
    return render_template("manager/export.html", filters=filters, offices=visible_offices(), exports=EXPORTS,
                           error=error, raw=raw, **agency_choices()), status


@bp.get("/export")
@manager_page
def export_form() -> ResponseReturnValue:
    try:
        return _form(parse_filters(request.args))
    except DomainError as exc:
        return _form(parse_filters({}), describe(exc), exc.status)


def csv_response(rows: Iterable[Sequence[Any]], filename: str, *, bom: bool = False) -> Response:
    """Stream rows as a CSV attachment, written 500 rows at a time."""

    def body() -> Iterator[str]:
        if bom:
            yield "\ufeff"  # so a spreadsheet opens the file as UTF-8
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for count, row in enumerate(rows, 1):
            writer.writerow(row)
            if count % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(body()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _csv(name: str, producer: Callable) -> ResponseReturnValue:
    try:
        filters = parse_filters(request.args)
    except DomainError as exc:
        return _form(parse_filters({}), describe(exc), exc.status)
    office_ids = [o.id for o in filters.offices]

    def rows() -> Iterator[tuple]:
        session = current_app.extensions["ptsp.read_sessions"]()
        try:
            yield from producer(session, office_ids, filters.first, filters.last, filters.agency_id)
        finally:
            session.close()

    scope = f"office{filters.office_id}" if filters.office_id is not None else "all"
    if filters.agency_id is not None:
        scope = f"{scope}-agency{filters.agency_id}"
    filename = f"ptsp-{name}-{scope}-{filters.first.isoformat()}-{filters.last.isoformat()}.csv"
    return csv_response(rows(), filename, bom=True)


@bp.get("/export/tickets.csv")
@manager_page
def export_tickets() -> ResponseReturnValue:
    return _csv("tickets", ticket_rows)


@bp.get("/export/events.csv")
@manager_page
def export_events() -> ResponseReturnValue:
    return _csv("events", event_rows)


@bp.get("/export/bookings.csv")
@manager_page
def export_bookings() -> ResponseReturnValue:
    at = now()
    return _csv("bookings", lambda *args: booking_rows(*args, now=at))
