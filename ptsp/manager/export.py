"""CSV exports, streamed: tickets and events, filtered by office (in scope) and local dates.

The form at /manager/export lists every export in `EXPORTS`; another export adds one entry there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

from flask import Response, current_app, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from ptsp.analytics.export import event_rows, ticket_rows
from ptsp.domain.errors import DomainError

from . import bp
from .access import manager_page, visible_offices
from .filters import Filters, parse_filters

# (endpoint, label in Indonesian, label in English)
EXPORTS: list[tuple[str, str, str]] = [
    ("manager.export_tickets", "Tiket", "Tickets"),
    ("manager.export_events", "Riwayat kejadian tiket", "Ticket events"),
]


def _form(filters: Filters, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    raw = {k: request.args.get(k, "")[:20] for k in ("from", "to")} if error else None
    return render_template("manager/export.html", filters=filters, offices=visible_offices(), exports=EXPORTS,
                           error=error, raw=raw), status


@bp.get("/export")
@manager_page
def export_form() -> ResponseReturnValue:
    try:
        return _form(parse_filters(request.args))
    except DomainError as exc:
        return _form(parse_filters({}), exc.message, exc.status)


def _stream(rows: Iterator[tuple]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, 1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv(name: str, producer: Callable) -> ResponseReturnValue:
    try:
        filters = parse_filters(request.args)
    except DomainError as exc:
        return _form(parse_filters({}), exc.message, exc.status)
    office_ids = [o.id for o in filters.offices]

    def generate() -> Iterator[str]:
        session = current_app.extensions["ptsp.read_sessions"]()
        try:
            yield "\ufeff"  # so a spreadsheet opens the file as UTF-8
            yield from _stream(producer(session, office_ids, filters.first, filters.last))
        finally:
            session.close()

    scope = f"office{filters.office_id}" if filters.office_id is not None else "all"
    filename = f"ptsp-{name}-{scope}-{filters.first.isoformat()}-{filters.last.isoformat()}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/export/tickets.csv")
@manager_page
def export_tickets() -> ResponseReturnValue:
    return _csv("tickets", ticket_rows)


@bp.get("/export/events.csv")
@manager_page
def export_events() -> ResponseReturnValue:
    return _csv("events", event_rows)
