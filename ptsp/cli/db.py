"""`ptsp db`: the database schema and backups."""

from __future__ import annotations

from pathlib import Path

import click

from ._base import _app, cli


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from ..migrate import upgrade

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
    if not path.parent.is_dir():
        raise click.ClickException(f"The folder {path.parent} does not exist; create it first.")
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
