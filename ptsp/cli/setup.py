"""`ptsp setup`: an office's set-up (offices, services, counters, staff) from a file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from ptsp.i18n.errors import describe

from ._base import _app, _read_setup, cli


@cli.group()
def setup() -> None:
    """Office set-up from a file."""


@setup.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reset-passwords", is_flag=True,
              help="Apply the file's passwords to existing accounts too (ending their sessions).")
def setup_load(path: Path, reset_passwords: bool) -> None:
    """Create or update offices, services, counters and staff from a TOML or JSON file.

    An existing account keeps its password unless --reset-passwords is given; the output names each
    account whose password in the file was not applied.
    """
    from ..domain.errors import DomainError
    from ..migrate import upgrade
    from ..services.setup import load_setup

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            try:
                result = load_setup(session, _read_setup(path), reset_passwords=reset_passwords,
                                    now=datetime.now(UTC))
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
            session.commit()
    click.echo(f"Loaded {path}.")
    for username, password in result.generated.items():
        click.echo(f"  new password for {username}: {password}")
    for username in result.reset:
        click.echo(f"  password of {username} reset from the file; its sessions ended")
    for username in result.kept:
        click.echo(f"  kept the existing password of {username}: the file's password was NOT applied "
                   "(load with --reset-passwords to apply it)")
