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
        from .context import db_session

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
@click.option("--kind", type=click.Choice(["kiosk", "display", "agent", "tablet"]), required=True)
@click.option("--name", required=True)
def device_add(office_slug: str, kind: str, name: str) -> None:
    """Create a device and print its token (shown once)."""
    from .services.accounts import make_device_token

    app = _app()
    with app.app_context():
        from .context import db_session

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
        from .context import db_session

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
        from .context import db_session

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
    from .realtime import serve

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    _start_print_retries(app)
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
    from .demo import add_history, prepare_demo
    from .realtime import serve

    os.environ.setdefault("PTSP_ENV", "development")
    app = _app()
    info = prepare_demo(app, realistic_hours=realistic_hours)
    history = add_history(app, history_days, seed, scan_discipline=realistic_hours) if history_days else []
    for name, stats, seconds in history:
        click.echo(f"History for {name}: {stats.days_open} open days, {len(stats.days_closed_holiday)} public "
                   f"holidays closed, {stats.days_skipped} days already present; {stats.tickets} tickets, "
                   f"{stats.events} events, {stats.sessions} counter sessions, {stats.ratings} ratings, "
                   f"{stats.points_lines} points ledger lines in {seconds:.1f} s")
        if stats.violations is not None:
            click.echo(f"  Discipline scan of the history: {stats.violations} violation(s)")
    if history and not realistic_hours:
        click.echo("  (Add --realistic-hours to scan discipline: with the all-day demo hours every counter "
                   "would look late.)")
    base = f"http://{host}:{port}"
    click.echo(info.describe(base))
    if not no_serve:
        _start_print_retries(app)
        serve(app, host, port)


def _start_print_retries(app) -> None:
    from .printing_runner import start_retry_loop

    start_retry_loop(app)


@cli.group()
def printer() -> None:
    """Kiosk ticket printers."""


@printer.command("set")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--kiosk", "kiosk_name", required=True, help="Name of the kiosk device (ptsp device add --kind kiosk)")
@click.option("--setting", help="Printer driven by the server: network:HOST[:PORT], usb:VID:PID, serial:DEV[:BAUD], "
              "cups:QUEUE, file:PATH or preview")
@click.option("--agent", "agent_name", help="Or: name of the print agent device on the kiosk PC")
@click.option("--paper", type=click.Choice(["58", "80"]), default="58", show_default=True, help="Paper width in mm")
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.option("--name", help="Name shown to managers (default: the kiosk's name)")
def printer_set(office_slug: str, kiosk_name: str, setting: str | None, agent_name: str | None, paper: str,
                language: str, name: str | None) -> None:
    """Say how a kiosk prints: a printer the server drives, or the kiosk PC's print agent."""
    from sqlalchemy import select

    from printers import printer_from_config

    from .domain.errors import DomainError
    from .models import Device
    from .services.printing import set_printer

    if setting:
        try:
            printer_from_config(setting)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--setting") from None
    app = _app()
    with app.app_context():
        from .context import db_session

        with db_session() as session:
            office = _office(session, office_slug)

            def device(kind: str, device_name: str) -> Device:
                found = session.scalar(select(Device).where(
                    Device.office_id == office.id, Device.kind == kind, Device.name == device_name,
                    Device.revoked_at.is_(None)).order_by(Device.id.desc()))
                if found is None:
                    raise click.ClickException(f"no {kind} named {device_name!r} in {office_slug}")
                return found

            kiosk = device("kiosk", kiosk_name)
            agent = device("agent", agent_name) if agent_name else None
            try:
                row = set_printer(session, kiosk=kiosk, name=name or kiosk_name, setting=setting, agent=agent,
                                  width_chars=32 if paper == "58" else 48, language=language)
            except DomainError as exc:
                raise click.ClickException(exc.message) from None
            session.commit()
            how = f"the print agent {agent_name!r}" if agent else setting
            click.echo(f"Kiosk {kiosk_name!r} prints on {paper} mm paper through {how} (printer id {row.id}).")


@cli.command("print-agent")
@click.option("--server", required=True, help="PTSP server URL, e.g. https://antrean.example.go.id")
@click.option("--token", envvar="PTSP_AGENT_TOKEN", required=True,
              help="Agent device token (ptsp device add --kind agent); or set PTSP_AGENT_TOKEN")
@click.option("--printer", "setting", required=True, help="Local printer: usb:VID:PID, serial:DEV[:BAUD], "
              "network:HOST[:PORT], cups:QUEUE or file:PATH")
@click.option("--timeout", type=float, default=3.0, show_default=True, help="Seconds one print may take")
def print_agent(server: str, token: str, setting: str, timeout: float) -> None:
    """Run on the kiosk PC: print the jobs the server sends to this agent, acknowledging each."""
    import logging
    import signal

    from printers import printer_from_config
    from printers.agent import PrintAgent

    try:
        local = printer_from_config(setting)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--printer") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", force=True)
    agent = PrintAgent(server, token, local, timeout=timeout)
    signal.signal(signal.SIGTERM, lambda *_: agent.stop())
    click.echo(f"Print agent: {server} -> {local.name}")
    try:
        agent.run()
    except KeyboardInterrupt:
        agent.stop()


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


@cli.command("plan")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)")
@click.option("--weeks", type=click.IntRange(1, 52), default=1, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write CSV files here")
@click.option("--history-days", type=click.IntRange(7, 730), default=56, show_default=True,
              help="Days of history before --from to learn from")
@click.option("--target-level", type=float, default=0.8, show_default=True, help="Share called within the target")
@click.option("--target-minutes", type=float, help="Target wait (default: the office's own)")
@click.option("--min-weekly-hours", type=float, default=0.0, show_default=True, help="Required hours per clerk")
@click.option("--max-weekly-hours", type=float, default=40.0, show_default=True)
@click.option("--replications", type=click.IntRange(0, 200), default=10, show_default=True,
              help="Simulated days per weekday (0: no simulation)")
def plan(office_slug: str, start: datetime, weeks: int, out_dir: Path | None, history_days: int,
         target_level: float, target_minutes: float | None, min_weekly_hours: float, max_weekly_hours: float,
         replications: int) -> None:
    """Plan clerks and shifts for an office from its ticket history; print tables, write CSV."""
    from .analytics import plan_report
    from .analytics.planning import PlanSettings, build_plan
    from .domain.errors import DomainError
    from .domain.shifts import ShiftRules

    level = target_level / 100 if target_level > 1 else target_level
    if not 0 < level <= 1:
        raise click.UsageError("--target-level must be above 0 and at most 1 (or a percentage)")
    try:
        settings = PlanSettings(
            target_level=level, target_minutes=target_minutes, history_days=history_days,
            shift_rules=ShiftRules(min_weekly_hours=min_weekly_hours, max_weekly_hours=max_weekly_hours),
            simulate=replications > 0, replications=max(replications, 1),
        )
    except DomainError as exc:
        raise click.UsageError(exc.message) from None
    app = _app()
    with app.app_context():
        from .context import db_session

        with db_session(readonly=True) as session:
            office = _office(session, office_slug)
            try:
                result = build_plan(session, office.id, start.date(), weeks, settings)
            except DomainError as exc:
                raise click.ClickException(exc.message) from None
    tables = plan_report.all_tables(result)
    h = result.history
    click.echo(f"Rencana {h.name} ({h.slug}) dari {start.date()} selama {weeks} minggu; riwayat {h.start} - {h.end}, "
               f"{len(h.open_days)} hari buka, {len(h.records)} tiket.")
    if not h.open_days:
        click.echo("Peringatan: tidak ada riwayat tiket; rencana hanya menjaga satu petugas per loket yang buka. "
                   "(Warning: no ticket history; the plan only keeps one clerk at each open pool.)")
    click.echo(f"Target: {result.target.target_level:.0%} dipanggil dalam {result.target.target_minutes:g} menit. "
               f"Kelompok layanan (pools): {', '.join('+'.join(sorted(p)) for p in result.pools)}")
    sections = [
        ("Ringkasan per hari (per weekday)", "days", None),
        ("Kebutuhan per jam: poin = menit standar (hourly need; points = standard minutes)", "hourly",
         ["weekday", "hour", "arrivals", "points", "ledger_points", "erlangs", "clerks_needed", "clerks_planned",
          "predicted_service_level", "simulated_service_level", "predicted_wait_minutes", "simulated_wait_minutes"]),
        ("Shift (MILP, HiGHS)", "shifts", None),
        ("Roster minggu pertama (first week's roster)", "roster", None),
        ("Uji balik minggu lalu (backtest of the last week)", "backtest", None),
    ]
    for title, name, columns in sections:
        click.echo(f"\n== {title} ==")
        click.echo(plan_report.format_table(tables[name], columns))
    for week in result.weeks:
        click.echo(f"\nMinggu {week.monday}: {week.shifts.status}, {week.shifts.clerks} petugas, "
                   f"{week.shifts.clerk_hours} jam-petugas (clerk-hours)")
    click.echo("\n== Jam buka: pilihan dan biaya (opening hours: options and their cost) ==")
    click.echo(plan_report.format_table(plan_report.opening_rows(result, per_day=3)))
    click.echo(f"\nBatas tiket terakhir yang disarankan: {result.cutoff_minutes} menit sebelum tutup "
               f"(recommended last-ticket cutoff; now {h.last_ticket_minutes}).")
    if out_dir is not None:
        paths = plan_report.write_csv(tables, out_dir)
        click.echo(f"\nCSV: {', '.join(str(p) for p in paths)}")


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
    from .services import points as ledger

    app = _app()
    with app.app_context():
        from .context import db_session

        if append_missing:
            with db_session() as session:
                office_id = _office(session, office_slug).id if office_slug else None
                added = ledger.append_missing(session, office_id)
                session.commit()
            click.echo(f"Appended {added} missing ledger line(s).")
        with db_session(readonly=True) as session:
            office_id = _office(session, office_slug).id if office_slug else None
            report = ledger.recompute(session, office_id)
    click.echo(f"Checked {report.tickets} ticket(s): {report.lines} ledger line(s) expected, "
               f"{report.points:g} point(s) credited.")
    if report.matches:
        click.echo("The ledger matches the event log.")
        return
    click.echo(f"{len(report.differences)} difference(s) between the ledger and the event log:")
    for difference in report.differences[:show]:
        click.echo(f"  {difference.describe()}")
    if len(report.differences) > show:
        click.echo(f"  ... and {len(report.differences) - show} more")
    sys.exit(1)


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
    from .domain.errors import DomainError
    from .services.referrals import add_department

    app = _app()
    with app.app_context():
        from .context import db_session

        with db_session() as session:
            try:
                _dept, token = add_department(session, office=_office(session, office_slug), slug=slug, name=name,
                                              now=datetime.now(UTC), response_hours=response_hours)
            except DomainError as exc:
                raise click.ClickException(exc.message) from None
            session.commit()
    click.echo(token)
    click.echo(f"Department desk: <server>/manager/dinas#token={token}", err=True)


@department.command("token")
@click.option("--slug", required=True)
def department_token(slug: str) -> None:
    """Replace a department's token (the old one stops working) and print the new one."""
    from sqlalchemy import select

    from .models import Department
    from .services.referrals import renew_token

    app = _app()
    with app.app_context():
        from .context import db_session

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

    from .domain.hours import service_day
    from .models import Office
    from .services.discipline import scan

    app = _app()
    with app.app_context():
        from .context import db_session, now

        with db_session() as session:
            offices = [_office(session, office_slug)] if office_slug else session.scalars(
                select(Office).order_by(Office.id)).all()
            instant = now()
            for office in offices:
                local_day = day.date() if day else service_day(instant, office.timezone)
                result = scan(session, office_id=office.id, day=local_day, now=instant)
                session.commit()
                click.echo(f"{office.slug} {local_day}: {result.found} violation(s); added {result.added}, "
                           f"updated {result.updated}, removed {result.removed}")


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
    from .models import DisciplineSettings

    app = _app()
    with app.app_context():
        from .context import db_session

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
