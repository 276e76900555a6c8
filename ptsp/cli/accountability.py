"""`ptsp department` and `ptsp discipline`: referrals to departments and counter discipline."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ptsp.i18n.errors import describe

from ._base import _app, _office, cli


@cli.group()
def department() -> None:
    """Departments (dinas) that take referred cases, and their tokens."""


@department.command("add")
@click.option("--office", "office_slug", required=True, help="Office whose clerks (and those below) may refer")
@click.option("--slug", required=True, help="Short code, e.g. dukcapil")
@click.option("--name", required=True)
@click.option("--response-hours", type=int, default=24, show_default=True, help="Deadline of the first response")
def department_add(office_slug: str, slug: str, name: str, response_hours: int) -> None:
    """Create a department and print its token (shown once): its staff use it to report progress."""
    from ..domain.errors import DomainError
    from ..services.referrals import add_department

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            try:
                _dept, token = add_department(session, office=_office(session, office_slug), slug=slug, name=name,
                                              now=datetime.now(UTC), response_hours=response_hours)
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
            session.commit()
    click.echo(token)
    click.echo(f"Department desk: <server>/manager/dinas#token={token}", err=True)


@department.command("token")
@click.option("--slug", required=True)
def department_token(slug: str) -> None:
    """Replace a department's token (the old one stops working) and print the new one."""
    from sqlalchemy import select

    from ..models import Department
    from ..services.referrals import renew_token

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            dept = session.scalar(select(Department).where(Department.slug == slug))
            if dept is None:
                raise click.ClickException(f"unknown department {slug!r}")
            token = renew_token(session, dept)
            session.commit()
    click.echo(token)


@cli.group()
def discipline() -> None:
    """Discipline of service: detect and record violations."""


@discipline.command("scan")
@click.option("--office", "office_slug", help="Only this office (default: all with opening hours)")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), help="Local day (default: each office's today)")
def discipline_scan(office_slug: str | None, day: datetime | None) -> None:
    """Detect late openings, uncovered services, long breaks and idle clerks; record them (idempotent)."""
    from sqlalchemy import select

    from ..discipline_webhook import deliver_round
    from ..domain.hours import service_day
    from ..models import Office
    from ..services.discipline import scan
    from ..services.discipline_notices import ensure_notices

    app = _app()
    with app.app_context():
        from ..context import db_session, now

        with db_session() as session:
            offices = [_office(session, office_slug)] if office_slug else session.scalars(
                select(Office).order_by(Office.id)).all()
            instant = now()
            for office in offices:
                local_day = day.date() if day else service_day(instant, office.timezone)
                result = scan(session, office_id=office.id, day=local_day, now=instant)
                noticed = ensure_notices(session, office_id=office.id, day=local_day, now=instant)
                session.commit()
                click.echo(f"{office.slug} {local_day}: {result.found} violation(s); added {result.added}, "
                           f"updated {result.updated}, withdrawn {result.removed}; {len(noticed)} notice(s) created")
        sent, failed = deliver_round()  # after commit; what fails waits for the server's webhook round
        if sent or failed:
            click.echo(f"webhook: {sent} delivered, {failed} failed (retried by `ptsp run`)")


@discipline.command("settings")
@click.option("--office", "office_slug", required=True)
@click.option("--ready-minutes", type=click.IntRange(0, 120), help="Expected at the counter this long before opening")
@click.option("--late-grace-minutes", type=click.IntRange(0, 120), help="Opening this late is not yet a violation")
@click.option("--break-minutes-per-day", type=click.IntRange(0, 600), help="Break allowance per clerk per day")
@click.option("--break-minutes-each", type=click.IntRange(0, 600), help="Allowance per break (0: no limit)")
@click.option("--idle-minutes", type=click.IntRange(1, 600), help="Idle this long while a queue waits")
@click.option("--uncovered-minutes", type=click.IntRange(1, 600), help="Uncovered this long while residents wait")
def discipline_settings(office_slug: str, **values: int | None) -> None:
    """Show or change an office's discipline thresholds."""
    from ..models import DisciplineSettings

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            office = _office(session, office_slug)
            row = session.get(DisciplineSettings, office.id)
            if row is None:
                row = DisciplineSettings(office_id=office.id, ready_minutes=15, late_grace_minutes=0,
                                         break_minutes_per_day=60, idle_minutes=10, uncovered_minutes=5)
                session.add(row)
            for name, value in values.items():
                if value is not None:
                    setattr(row, name, None if name == "break_minutes_each" and value == 0 else value)
            session.commit()
            for name in ("ready_minutes", "late_grace_minutes", "break_minutes_per_day", "break_minutes_each",
                         "idle_minutes", "uncovered_minutes"):
                click.echo(f"{name:24} {getattr(row, name)}")
            tolerance = ", ".join(f"{k} {v}" for k, v in sorted((row.tolerance_minutes or {}).items())) or "none"
            click.echo(f"{'tolerance_minutes':24} {tolerance} (set on /manager/discipline)")
