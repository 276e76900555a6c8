"""`ptsp retention`: how long residents' data is kept, and the purge that enforces it (docs/security.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import click

from ..domain.errors import InvalidInput
from ._base import _app, cli


@cli.group()
def retention() -> None:
    """Residents' data: complaint text and ticket status tokens past their retention."""


def cutoffs(today: date, before: date | None, complaint_days: int, status_days: int) -> tuple[date, date]:
    """The complaint-text and ticket-token cut-offs (days before which data goes), checked."""
    if complaint_days < 1 or status_days < 1:
        raise InvalidInput("retention_days_too_small", complaint_days=complaint_days, status_days=status_days)
    if before is not None and before >= today:
        raise InvalidInput("purge_before_not_past", before=before.isoformat(), today=today.isoformat())
    complaints = before or today - timedelta(days=complaint_days)
    # One day more than the status page is kept: a token is never purged while its office's local day
    # (which may run ahead of UTC) still shows the page.
    return complaints, today - timedelta(days=status_days + 1)


@retention.command("purge")
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Remove the text of closed complaints received before this day (YYYY-MM-DD, UTC); "
                   "default: PTSP_COMPLAINT_TEXT_DAYS (365) days ago")
@click.option("--dry-run", is_flag=True, help="Only report what would be removed")
def purge(before: datetime | None, dry_run: bool) -> None:
    """Remove residents' complaint text and old ticket status tokens; keep every score and count.

    Safe to run every night (a second run changes nothing). Ticket tokens older than PTSP_STATUS_DAYS + 1
    days are replaced, so a discarded paper ticket's QR code opens nothing.
    """
    from ..context import db_session, now
    from ..services import retention as rules
    from ..services.appointment_retention import purge_bookings
    from ..services.outreach_retention import purge_outreach

    app = _app()
    with app.app_context():
        today = now().astimezone(UTC).date()
        complaints, tokens = cutoffs(today, before.date() if before else None,
                                     app.config["COMPLAINT_TEXT_DAYS"], app.config["STATUS_DAYS"])
        with db_session() as session:
            report = rules.purge(session, complaints_before=datetime.combine(complaints, time(), UTC),
                                 tokens_before=tokens, dry_run=dry_run)
            bookings = purge_bookings(session, today=today, dry_run=dry_run)
            visits = purge_outreach(session, now=now(), dry_run=dry_run,
                                    closed_before=now() - timedelta(days=max(1, app.config["OUTREACH_DAYS"])))
            if not dry_run:
                session.commit()
    verb = "Would remove" if dry_run else "Removed"
    click.echo(f"{verb} the text of {report.complaints} closed complaint(s) received before {complaints} "
               f"and {report.notes} status note(s); {report.open_kept} older complaint(s) still open keep theirs.")
    click.echo(f"{verb} the status token of {report.tokens} ticket(s) of service days before {tokens}.")
    click.echo(f"{verb} the phone number of {bookings.phones} booking(s) and the limit keys of {bookings.keys}.")
    click.echo(f"{verb} the name, contact, place and reason of {visits} jemput bola request(s) closed over "
               f"{app.config['OUTREACH_DAYS']} day(s) ago.")
