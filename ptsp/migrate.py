"""Database migrations through Alembic, driven from code (`ptsp db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from . import config_cache

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x50545350  # "PTSP": the advisory lock key that serialises migrations on PostgreSQL


class MigrationsMissing(RuntimeError):
    """The installed package holds no migration scripts, so no schema can be built."""


def alembic_config(connection: object | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to `revision`.

    SQLite runs DDL outside BEGIN IMMEDIATE's write lock rules just the same,
    so one connection in one transaction suffices for both databases.
    Raises MigrationsMissing when no migration script is installed: Alembic would otherwise create an empty
    `alembic_version` table and report success, and the server would start on a database without tables.
    """
    if not ScriptDirectory.from_config(alembic_config()).get_heads():
        raise MigrationsMissing(f"No migration scripts in {MIGRATIONS / 'versions'}: this PTSP installation is "
                                "incomplete; reinstall it (see docs/deploy.md).")
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Several `ptsp run` processes start at once: one migrates, the others wait here until it
            # commits and then find nothing to do (the lock ends with the transaction).
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        connection.info[config_cache.MIGRATING] = True  # a data migration older than config_version raises none
        try:
            command.upgrade(alembic_config(connection), revision)
        finally:
            connection.info.pop(config_cache.MIGRATING, None)


def revision(engine: Engine, message: str) -> None:
    """Autogenerate a new migration from the models (for developers)."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
