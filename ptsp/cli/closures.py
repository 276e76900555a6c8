"""`ptsp closures`: an office's own closure days (add, list, remove), besides national holidays and cuti bersama.

Each change is written to the audit log as "cli" (ptsp/services/office_calendar.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import click

from ._base import _app, _office, cli

DAY = click.DateTime(formats=["%Y-%m-%d"])


@cli.group()
def closures() -> None:
    """Days an office is closed (its own, besides national holidays and cuti bersama): the kiosk issues no ticket."""


@closures.command("add")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--day", required=True, type=DAY, help="Office-local day, YYYY-MM-DD (today or later)")
@click.option("--reason", required=True, help="Shown on the kiosk: 'Kantor tutup: <reason>'")
def add(office_slug: str, day: datetime, reason: str) -> None:
    """Close the office for a whole day."""
    from ..context import db_session, now
    from ..services.actors import SYSTEM
    from ..services.office_calendar import add_closure

    with _app().app_context(), db_session() as session:
        office = _office(session, office_slug)
        row = add_closure(session, SYSTEM, office_id=office.id, day=day.date(), reason=reason, now=now())
        session.commit()
        click.echo(f"{office.slug}: closed on {row.day.isoformat()} ({row.reason})")


@closures.command("remove")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--day", required=True, type=DAY, help="The closure day to remove, YYYY-MM-DD")
def remove(office_slug: str, day: datetime) -> None:
    """Open the office again on one of its closure days (national holidays stay closed)."""
    from ..context import db_session, now
    from ..services.actors import SYSTEM
    from ..services.office_calendar import remove_closure

    with _app().app_context(), db_session() as session:
        office = _office(session, office_slug)
        remove_closure(session, SYSTEM, office_id=office.id, day=day.date(), now=now())
        session.commit()
        click.echo(f"{office.slug}: closure on {day.date().isoformat()} removed")


@closures.command("list")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--from", "first", type=DAY, default=None, help="First day (default: today, office-local)")
@click.option("--days", type=click.IntRange(1, 3660), default=366, show_default=True, help="How many days")
def list_(office_slug: str, first: datetime | None, days: int) -> None:
    """The office's closed days: its own closures, national holidays and cuti bersama, one a line."""
    from ..context import db_session, now
    from ..domain import hours as office_hours
    from ..services.office_calendar import closed_days

    with _app().app_context(), db_session() as session:
        office = _office(session, office_slug)
        start: date = first.date() if first else office_hours.service_day(now(), office.timezone)
        for day, closed in closed_days(session, office.id, start, start + timedelta(days=days)).items():
            click.echo(f"{day.isoformat()}\t{closed.kind}\t{closed.name}")
