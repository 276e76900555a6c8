"""`ptsp setup`, `ptsp device` and `ptsp user`: an office's set-up, its devices and staff."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ptsp.i18n.errors import describe

from ._base import _app, _office, _read_setup, cli


@cli.group()
def setup() -> None:
    """Office set-up from a file."""


@setup.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def setup_load(path: Path) -> None:
    """Create or update offices, services, counters and staff from a TOML or JSON file."""
    from ..domain.errors import DomainError
    from ..migrate import upgrade
    from ..services.setup import load_setup

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            try:
                passwords = load_setup(session, _read_setup(path))
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
            session.commit()
    click.echo(f"Loaded {path}.")
    for username, password in passwords.items():
        click.echo(f"  new password for {username}: {password}")


PAIRING_PATHS = {"kiosk": "/kiosk/", "display": "/display/", "tablet": "/feedback/tablet?counter=<number>"}


@cli.group()
def device() -> None:
    """Kiosk, display and print-agent tokens."""


@device.command("add")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--kind", type=click.Choice(["kiosk", "display", "agent", "tablet"]), required=True)
@click.option("--name", required=True)
def device_add(office_slug: str, kind: str, name: str) -> None:
    """Create a device and print its token (shown once)."""
    from ..services.accounts import make_device_token

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            office = _office(session, office_slug)
            _device, token = make_device_token(session, office=office, kind=kind, name=name, now=datetime.now(UTC))
            session.commit()
    click.echo(token)
    if kind in PAIRING_PATHS:
        # The token after '#': browsers never send the fragment, so no server or proxy log ever holds it.
        click.echo(f"Pair it once: open <server>{PAIRING_PATHS[kind]}#token={token} on the {kind}", err=True)


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

    from ..domain.errors import DomainError
    from ..models import Staff
    from ..services.accounts import add_staff

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            office = _office(session, office_slug) if office_slug else None
            boss = session.scalar(select(Staff).where(Staff.username == supervisor)) if supervisor else None
            if supervisor and boss is None:
                raise click.ClickException(f"unknown supervisor {supervisor!r}")
            try:
                add_staff(session, username=username, name=name, password=password, role=role, office=office,
                          supervisor=boss)
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
            session.commit()
    click.echo(f"Added {role} {username}.")
