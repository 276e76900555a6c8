"""`ptsp run`, `ptsp demo` and `ptsp expire`: serving, the demo office and closing-time expiry."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click

from ._base import _app, _office, _web_app, cli


@cli.command()
@click.option("--office", "office_slug", help="Only this office (default: all)")
def expire(office_slug: str | None) -> None:
    """Expire tickets left open after closing time (run from cron after closing)."""
    from sqlalchemy import select

    from ..models import Office
    from ..services import tickets
    from ..services.actors import SYSTEM

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            offices = [_office(session, office_slug)] if office_slug else session.scalars(select(Office)).all()
            total = 0
            for office in offices:
                total += tickets.expire(session, office_id=office.id, actor=SYSTEM, now=datetime.now(UTC))
            session.commit()
    click.echo(f"Expired {total} ticket(s).")


@cli.command()
@click.option("--host", default=lambda: os.environ.get("PTSP_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PTSP_PORT", "5000")), type=int, show_default="5000")
def run(host: str, port: int) -> None:
    """Serve the API, stations and Socket.IO (gevent WSGI server with websockets)."""
    from ..gc_tuning import settle
    from ..migrate import upgrade
    from ..realtime import serve

    app = _web_app()
    upgrade(app.extensions["ptsp.engine"])
    _start_print_retries(app)
    _warm()
    settle()
    click.echo(f"PTSP serving on http://{host}:{port} ({app.config['ASYNC_MODE']})")
    serve(app, host, port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--realistic-hours", is_flag=True, help="Keep the demo office's real opening hours")
@click.option("--no-serve", is_flag=True, help="Set up the demo data and exit")
@click.option("--history", "history_days", type=click.IntRange(0, 3660), default=0,
              help="Also generate this many past days of tickets, events and counter sessions")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the generated history")
def demo(host: str, port: int, realistic_hours: bool, no_serve: bool, history_days: int, seed: int) -> None:
    """Create the demo office (a kelurahan PTSP), print URLs and logins, and serve it."""
    from ..demo import add_history, department_links, prepare_demo
    from ..realtime import serve

    os.environ.setdefault("PTSP_ENV", "development")
    app = _web_app(DEMO=True)
    _refuse_a_real_office(app)
    info = prepare_demo(app, realistic_hours=realistic_hours)
    history = add_history(app, history_days, seed) if history_days else []
    for name, stats, seconds in history:
        click.echo(f"History for {name}: {stats.days_open} open days, {len(stats.days_closed_holiday)} public "
                   f"holidays closed, {stats.days_skipped} days already present; {stats.tickets} tickets, "
                   f"{stats.events} events, {stats.sessions} counter sessions, {stats.ratings} ratings, "
                   f"{stats.referrals} referrals, {stats.complaints} complaints, "
                   f"{stats.points_lines} points ledger lines in {seconds:.1f} s")
        if stats.violations is not None:
            click.echo(f"  Discipline scan of the history (by the office's real hours): "
                       f"{stats.violations} violation(s)")
    base = f"http://{host}:{port}"
    click.echo(info.describe(base))
    desks = department_links(app, base)
    if desks:
        click.echo("\nDepartment desks (new each start):\n" + "\n".join(desks))
    if not no_serve:
        from ..gc_tuning import settle

        _start_print_retries(app)
        _warm()
        settle()
        serve(app, host, port)


def _warm() -> None:
    """What the first requests would otherwise load with the event loop held: the holiday calendar."""
    from ..domain import office_calendar

    office_calendar.warm(datetime.now(UTC).date())


def _refuse_a_real_office(app) -> None:
    """The demo publishes its logins: never load it into a database that holds a real office's data."""
    from sqlalchemy.engine import make_url

    from ..services.first_start import contents
    from .first_start import demo_slugs

    others = sorted(set(contents(app.extensions["ptsp.engine"]).offices) - demo_slugs())
    if others:
        database = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
        raise click.ClickException(
            f"the database {database} holds other offices ({', '.join(others)}); "
            "the demo would add its published logins next to them. Run the demo on its own database: unset "
            "PTSP_DATABASE_URL (the demo then uses ptsp-demo.db) or set PTSP_DEMO_DATABASE_URL.")


def _start_print_retries(app) -> None:
    """The server's background rounds: print retries, the sweep that ends sockets whose account or
    device was cut off (ptsp/socket_sweep.py), the discipline scan of today (ptsp/discipline_watch.py) and the
    discipline webhook's retries (when one is set), and the round that closes overdue parked tickets."""
    from ..alert_runner import start_alert_loop
    from ..discipline_watch import start_watching
    from ..discipline_webhook import start_webhook_loop
    from ..park_watch import start_park_round
    from ..printing_runner import start_retry_loop
    from ..socket_sweep import start_sweeping

    start_retry_loop(app)
    start_sweeping(app)
    start_webhook_loop(app)
    start_watching(app)
    start_alert_loop(app)
    start_park_round(app)
