"""`ptsp user`: staff accounts: add, deactivate, activate, set a password. Each change is logged, and written to
the audit log (ptsp/services/staff_admin.py, the use cases of the staff pages) as made by `cli`."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ptsp.i18n.errors import describe

from ._base import _app, _office, cli


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
    from ..services.staff_admin import create_staff

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            office = _office(session, office_slug) if office_slug else None
            boss = session.scalar(select(Staff).where(Staff.username == supervisor)) if supervisor else None
            if supervisor and boss is None:
                raise click.ClickException(f"unknown supervisor {supervisor!r}")
            try:
                create_staff(session, None, username=username, name=name, role=role,
                             office_id=office.id if office else None, supervisor_id=boss.id if boss else None,
                             now=datetime.now(UTC), password=password)
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
            session.commit()
    click.echo(f"Added {role} {username}.")


def _set_active(username: str, active: bool) -> None:
    from ..services.account_security import staff_by_username
    from ..services.staff_admin import set_staff_active

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            staff = staff_by_username(session, username)
            set_staff_active(session, None, staff.id, active, datetime.now(UTC))
            session.commit()


@user.command("deactivate")
@click.argument("username")
def user_deactivate(username: str) -> None:
    """Deactivate an account: it can no longer log in, and every session of it ends now."""
    _set_active(username, False)
    click.echo(f"Deactivated {username}; all of its sessions have ended.")


@user.command("activate")
@click.argument("username")
def user_activate(username: str) -> None:
    """Reactivate a deactivated account (with the password it had)."""
    _set_active(username, True)
    click.echo(f"Activated {username}.")


@user.command("set-password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Generate a password and print it once, instead of asking.")
@click.option("--password", help="The new password (asked for, hidden, when neither this nor --generate is given).")
def user_set_password(username: str, generate: bool, password: str | None) -> None:
    """Set an account's password and end all of its sessions."""
    from ..services.account_security import staff_by_username
    from ..services.staff_admin import reset_staff_password

    if not generate and password is None:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            staff = staff_by_username(session, username)
            _staff, chosen = reset_staff_password(session, None, staff.id, datetime.now(UTC), password=password)
            session.commit()
    click.echo(f"Password of {username} set; all of its sessions have ended.")
    if generate:
        click.echo(f"  new password: {chosen}")
