"""`ptsp device`: kiosk, display, print-agent and tablet tokens: add, list, revoke. Each change is written to the
audit log (ptsp/services/device_admin.py, the use cases of the devices page) as made by `cli`."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from ._base import _app, _office, cli

PAIRING_PATHS = {"kiosk": "/kiosk/", "display": "/display/", "tablet": "/feedback/tablet?counter=<number>"}


@cli.group()
def device() -> None:
    """Kiosk, display, print-agent and tablet tokens."""


@device.command("add")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--kind", type=click.Choice(["kiosk", "display", "agent", "tablet"]), required=True)
@click.option("--name", required=True)
def device_add(office_slug: str, kind: str, name: str) -> None:
    """Create a device and print its token (shown once)."""
    from ..domain.errors import DomainError
    from ..i18n.errors import describe
    from ..services.device_admin import add_device

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            office = _office(session, office_slug)
            try:
                _device, token = add_device(session, None, office_id=office.id, kind=kind, name=name,
                                            now=datetime.now(UTC))
            except DomainError as exc:  # a name another unrevoked device of the office already has
                raise click.ClickException(describe(exc)) from None
            session.commit()
    click.echo(token)
    if kind in PAIRING_PATHS:
        # The token after '#': browsers never send the fragment, so no server or proxy log ever holds it.
        click.echo(f"Pair it once: open <server>{PAIRING_PATHS[kind]}#token={token} on the {kind}", err=True)


@device.command("list")
@click.option("--office", "office_slug", help="Office slug (default: every office)")
def device_list(office_slug: str | None) -> None:
    """List devices: id, office, kind, name, created, and when revoked."""
    from sqlalchemy import select

    from ..models import Device

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session(readonly=True) as session:
            query = select(Device).order_by(Device.id)
            if office_slug:
                query = query.where(Device.office_id == _office(session, office_slug).id)
            for d in session.scalars(query):
                state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
                click.echo(f"{d.id:>5}  {d.office.slug:<16} {d.kind:<8} {d.name:<24} "
                           f"created {d.created_at:%Y-%m-%d}  {state}")


@device.command("revoke")
@click.argument("device_id", type=int)
def device_revoke(device_id: int) -> None:
    """Revoke a device's token: refused from now on (its open socket on its next event); logged."""
    from ..services.device_admin import revoke_device

    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            device_row = revoke_device(session, None, device_id, datetime.now(UTC))
            name, kind = device_row.name, device_row.kind
            session.commit()
    click.echo(f"Revoked {kind} {name!r} (device {device_id}).")
