"""The `ptsp` command: run the server, the demo, migrations and office set-up."""

from __future__ import annotations

import os
import sys

from . import (  # noqa: F401  (register commands)
    accountability,
    alerts,
    closures,
    db,
    devices,
    first_start,
    plan,
    points,
    printer,
    retention,
    server,
    setup,
    users,
)
from ._base import cli

__all__ = ["cli", "main"]

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
    from ..config import ConfigError
    from ..migrate import MigrationsMissing

    try:
        cli(prog_name="ptsp")
    except (ConfigError, MigrationsMissing) as exc:  # settings or installation: one line, not a traceback
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(1)
