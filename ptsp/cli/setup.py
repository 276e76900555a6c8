"""`ptsp setup load|export`: an office's set-up (offices, services, counters, staff) from and to a file.

The file format, key by key, is in docs/setup.md.
"""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click

from ptsp.i18n.errors import describe

from ._base import _app, cli


@cli.group()
def setup() -> None:
    """Office set-up from a file, and back to one (docs/setup.md)."""


def _refuse(lines: list[str], summary: str | None = None) -> NoReturn:
    """End the command with one `Error:` line per problem (then the summary, if any) on stderr, exit status 2."""
    for line in lines:
        click.echo(f"Error: {line}", err=True)
    if summary:
        click.echo(summary, err=True)
    sys.exit(2)


def _read(path: Path) -> object:
    text = path.read_bytes()
    try:
        if path.suffix == ".json":
            import json

            return json.loads(text)
        return tomllib.loads(text.decode())
    except (ValueError, UnicodeDecodeError) as exc:  # TOMLDecodeError and JSONDecodeError are ValueErrors
        _refuse([f"{path} cannot be read as {'JSON' if path.suffix == '.json' else 'TOML'}: {exc}"])


@setup.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only report what the load would add, change and leave alone.")
@click.option("--reset-passwords", is_flag=True,
              help="Apply the file's passwords to existing accounts too (ending their sessions).")
def setup_load(path: Path, dry_run: bool, reset_passwords: bool) -> None:
    """Create or update offices, services, counters and staff from a TOML or JSON file.

    Prints what it adds, changes and leaves alone (rows of the database that the file does not name are
    left alone, never removed). A file with any problem is refused as a whole, nothing changed, exit status 2,
    one `Error:` line per problem. An existing account keeps its password unless --reset-passwords is given.
    """
    from ..migrate import upgrade
    from ..services.setup import SetupRefused, load_setup

    data = _read(path)
    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            try:
                report = load_setup(session, data, reset_passwords=reset_passwords, dry_run=dry_run,
                                    now=datetime.now(UTC))
            except SetupRefused as exc:
                session.rollback()
                _refuse([describe(problem) for problem in exc.problems], describe(exc))
            if dry_run:
                session.rollback()
            else:
                session.commit()
    click.echo(f"{'Dry run of' if dry_run else 'Loaded'} {path}:")
    for line in report.lines():
        click.echo(f"  {line}")
    if dry_run:
        click.echo("Nothing was changed (dry run).")
    for username, password in report.generated.items():
        click.echo(f"New password for {username}: {password}")


EXPORT_HEADER = (
    "PTSP set-up, written by `ptsp setup export`; every key is described in docs/setup.md.",
    "Passwords are not exported: `ptsp setup load` gives each new account one and prints it once.",
)


@setup.command("export")
@click.option("--office", "offices", multiple=True, metavar="SLUG",
              help="Export only this office (repeat for several); all offices when left out.")
def setup_export(offices: tuple[str, ...]) -> None:
    """Write the current set-up to standard output in the set-up file's TOML format, without passwords.

    `ptsp setup export > city.toml`; loading the file into an empty database gives the same set-up (each
    account then gets a new password, printed once). Accounts the file cannot hold (deactivated, or with no
    office) are named on standard error.
    """
    from ..domain.errors import DomainError
    from ..migrate import upgrade
    from ..services.setup import export_setup, to_toml

    app = _app()
    upgrade(app.extensions["ptsp.engine"])
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            try:
                result = export_setup(session, list(offices) or None)
            except DomainError as exc:
                _refuse([describe(exc)])
    click.echo(to_toml(result.document, EXPORT_HEADER), nl=False)
    for skipped in result.skipped:
        click.echo(f"Not exported: {skipped}", err=True)
