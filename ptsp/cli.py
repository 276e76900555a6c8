"""The `ptsp` command: run the server, the demo, migrations and office set-up."""

from __future__ import annotations

import os
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import click

SERVER_COMMANDS = {"run", "demo"}


def main() -> None:
    """Entry point: patch for gevent before anything imports sockets, then dispatch."""
    if len(sys.argv) > 1 and sys.argv[1] in SERVER_COMMANDS:
        os.environ.setdefault("PTSP_ASYNC_MODE", "gevent")
        if os.environ["PTSP_ASYNC_MODE"] == "gevent":
            from gevent import monkey

            monkey.patch_all()
            try:
                from psycogreen.gevent import patch_psycopg

                patch_psycopg()
            except ImportError:  # PostgreSQL extra not installed: SQLite only
                pass
    cli(prog_name="ptsp")


def _app(**overrides: object):
    from .app import create_app

    return create_app(overrides or None)


def _read_setup(path: Path) -> object:
    text = path.read_bytes()
    if path.suffix == ".json":
        import json

        return json.loads(text)
    return tomllib.loads(text.decode())


@click.group()
def cli() -> None:
    """PTSP: antrian dan loket layanan publik (queue and counter service desk)."""


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from .migrate import upgrade

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    click.echo("Database is up to date.")


@db.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def db_backup(path: Path) -> None:
    """Copy the SQLite database to PATH while the server keeps running (SQLite's online backup).

    For PostgreSQL use pg_dump (see docs/deploy.md).
    """
    import sqlite3

    url = _app().config["DATABASE_URL"]
    if not url.startswith("sqlite:///"):
        raise click.ClickException("This database is not SQLite: back it up with pg_dump -Fc (see docs/deploy.md).")
    source = Path(url.removeprefix("sqlite:///"))
    if not source.exists():
        raise click.ClickException(f"No database at {source}.")
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file name.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(partial)
    try:
        # In steps of 256 pages with a short pause, so the server's writers are never held up for long;
        # a write during the copy makes SQLite restart it, and the copy is one consistent moment.
        src.backup(dst, pages=256, sleep=0.005)
        check = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed its integrity check: {check}")
    partial.replace(path)
    click.echo(f"Backed up {source} to {path} ({path.stat().st_size} bytes).")


@cli.group()
def setup() -> None:
    """Office set-up from a file."""


@setup.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def setup_load(path: Path) -> None:
    """Create or update offices, services, counters and staff from a TOML or JSON file."""
    from .domain.errors import DomainError
    from .migrate import upgrade
    from .services.setup import load_setup

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    with app.app_context():
        from .app import db_session

        with db_session() as session:
            try:
                passwords = load_setup(session, _read_setup(path))
            except DomainError as exc:
                raise click.ClickException(exc.message) from None
            session.commit()
    click.echo(f"Loaded {path}.")
    for username, password in passwords.items():
        click.echo(f"  new password for {username}: {password}")


@cli.group()
def device() -> None:
    """Kiosk, display and print-agent tokens."""


@device.command("add")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--kind", type=click.Choice(["kiosk", "display", "agent"]), required=True)
@click.option("--name", required=True)
def device_add(office_slug: str, kind: str, name: str) -> None:
    """Create a device and print its token (shown once)."""
    from .services.accounts import make_device_token

    app = _app()
    with app.app_context():
        from .app import db_session

        with db_session() as session:
            office = _office(session, office_slug)
            _device, token = make_device_token(session, office=office, kind=kind, name=name, now=datetime.now(UTC))
            session.commit()
    click.echo(token)


@cli.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["clerk", "supervisor", "manager", "admin"]), required=True)
@click.option("--office", "office_slug", help="Office slug (not needed for an admin)")
@click.option("--supervisor", help="Username of the supervisor")
@click.password_option()
def user_add(username: str, name: str, role: str, office_slug: str | None, supervisor: str | None,
             password: str) -> None:
    """Add a staff account."""
    from sqlalchemy import select

    from .domain.errors import DomainError
    from .models import Staff
    from .services.accounts import add_staff

    app = _app()
    with app.app_context():
        from .app import db_session

        with db_session() as session:
            office = _office(session, office_slug) if office_slug else None
            boss = session.scalar(select(Staff).where(Staff.username == supervisor)) if supervisor else None
            if supervisor and boss is None:
                raise click.ClickException(f"unknown supervisor {supervisor!r}")
            try:
                add_staff(session, username=username, name=name, password=password, role=role, office=office,
                          supervisor=boss)
            except DomainError as exc:
                raise click.ClickException(exc.message) from None
            session.commit()
    click.echo(f"Added {role} {username}.")


@cli.command()
@click.option("--office", "office_slug", help="Only this office (default: all)")
def expire(office_slug: str | None) -> None:
    """Expire tickets left open after closing time (run from cron after closing)."""
    from sqlalchemy import select

    from .models import Office
    from .services import tickets
    from .services.actors import SYSTEM

    app = _app()
    with app.app_context():
        from .app import db_session

        with db_session() as session:
            offices = [_office(session, office_slug)] if office_slug else session.scalars(select(Office)).all()
            total = 0
            for office in offices:
                total += tickets.expire(session, office_id=office.id, actor=SYSTEM, now=datetime.now(UTC))
            session.commit()
    click.echo(f"Expired {total} ticket(s).")


def _office(session, slug: str):
    from sqlalchemy import select

    from .models import Office

    office = session.scalar(select(Office).where(Office.slug == slug))
    if office is None:
        raise click.ClickException(f"unknown office {slug!r}")
    return office


@cli.command()
@click.option("--host", default=lambda: os.environ.get("PTSP_HOST", "127.0.0.1"), show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PTSP_PORT", "5000")), type=int, show_default="5000")
def run(host: str, port: int) -> None:
    """Serve the API, stations and Socket.IO (gevent WSGI server with websockets)."""
    from .migrate import upgrade
    from .realtime import socketio

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    click.echo(f"PTSP serving on http://{host}:{port} ({app.config['ASYNC_MODE']})")
    socketio.run(app, host=host, port=port, log_output=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--realistic-hours", is_flag=True, help="Keep the demo office's real opening hours")
@click.option("--no-serve", is_flag=True, help="Set up the demo data and exit")
def demo(host: str, port: int, realistic_hours: bool, no_serve: bool) -> None:
    """Create the demo office (a kelurahan PTSP), print URLs and logins, and serve it."""
    from .demo import prepare_demo
    from .realtime import socketio

    os.environ.setdefault("PTSP_ENV", "development")
    app = _app()
    info = prepare_demo(app, realistic_hours=realistic_hours)
    base = f"http://{host}:{port}"
    click.echo(info.describe(base))
    if not no_serve:
        socketio.run(app, host=host, port=port, log_output=False)


@cli.group()
def staffing() -> None:
    """Staffing maths for managers (Erlang C, or Erlang A with patience)."""


@staffing.command("calc")
@click.option("--arrivals-per-hour", type=float, required=True, help="Residents arriving per hour")
@click.option("--service-minutes", type=float, required=True, help="Average minutes of work per resident")
@click.option("--target-minutes", type=float, required=True, help="Called within this many minutes...")
@click.option("--target-level", type=float, required=True, help="...for this share of residents (0.8 or 80)")
@click.option("--patience-minutes", type=float, help="Average patience before walking away (Erlang A)")
@click.option("--max-occupancy", type=float, help="Cap on clerk occupancy, e.g. 0.85")
@click.option("--shrinkage", type=float, default=0.0, show_default=True, help="Share of paid time off the counter")
@click.option("--json", "as_json", is_flag=True, help="Print JSON")
def staffing_calc(arrivals_per_hour: float, service_minutes: float, target_minutes: float, target_level: float,
                  patience_minutes: float | None, max_occupancy: float | None, shrinkage: float,
                  as_json: bool) -> None:
    """Print how many clerks meet a service-level target."""
    import json

    from .domain.queueing import InvalidStaffingInput, required_clerks, staffing_calc_report

    level = target_level / 100 if target_level > 1 else target_level
    try:
        answer = required_clerks(arrivals_per_hour, service_minutes, target_minutes, level,
                                 max_occupancy=max_occupancy, shrinkage=shrinkage, patience_minutes=patience_minutes)
    except InvalidStaffingInput as exc:
        raise click.UsageError(str(exc)) from None
    report = staffing_calc_report(answer)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    labels = {
        "clerks": "Petugas dijadwalkan (clerks to schedule)",
        "clerks_before_shrinkage": "Petugas di loket (clerks at counters)",
        "probability_of_waiting": "Peluang menunggu (P wait)",
        "service_level": f"Dipanggil ≤ {target_minutes:g} menit (service level)",
        "average_wait_minutes": "Rata-rata tunggu, menit (average wait)",
        "occupancy": "Okupansi petugas (occupancy)",
        "abandonment_probability": "Peluang pergi (abandonment)",
    }
    for key, value in report.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        click.echo(f"{labels.get(key, key):45} {shown}")
