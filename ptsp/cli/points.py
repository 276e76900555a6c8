"""`ptsp points`: the clerk points ledger."""

from __future__ import annotations

import sys

import click

from ._base import _app, _office, cli


@cli.group()
def points() -> None:
    """Clerk points: the ledger and its recomputation."""


@points.command("recompute")
@click.option("--office", "office_slug", help="Only this office (default: all)")
@click.option("--show", default=20, show_default=True, help="How many differences to list")
@click.option("--append-missing", is_flag=True, help="First append lines that are missing (never changes a line)")
def points_recompute(office_slug: str | None, show: int, append_missing: bool) -> None:
    """Recompute all points from ticket_events and ratings and report any difference from the ledger.

    Exits 1 when the ledger and the event log disagree. Changes nothing unless
    --append-missing is given (for history imported as bare events).
    """
    from ..services import points as ledger
    from ..services.outreach_points import VisitDifference, recompute_visits
    from ..services.points import Difference

    app = _app()
    with app.app_context():
        from ..context import db_session

        if append_missing:
            with db_session() as session:
                office_id = _office(session, office_slug).id if office_slug else None
                added = ledger.append_missing(session, office_id)
                session.commit()
            click.echo(f"Appended {added} missing ledger line(s).")
        with db_session(readonly=True) as session:
            office_id = _office(session, office_slug).id if office_slug else None
            report = ledger.recompute(session, office_id)
            visits = recompute_visits(session, office_id)  # jemput bola visits (docs/outreach.md)
    click.echo(f"Checked {report.tickets} ticket(s): {report.lines} ledger line(s) expected, "
               f"{report.points:g} point(s) credited.")
    click.echo(f"Checked {visits.visits} jemput bola visit(s): {visits.lines} ledger line(s) expected, "
               f"{visits.points:g} point(s) credited.")
    differences: list[Difference | VisitDifference] = [*report.differences, *visits.differences]
    if not differences:
        click.echo("The ledger matches the event log.")
        return
    click.echo(f"{len(differences)} difference(s) between the ledger and the event log:")
    for difference in differences[:show]:
        click.echo(f"  {difference.describe()}")
    if len(differences) > show:
        click.echo(f"  ... and {len(differences) - show} more")
    sys.exit(1)
