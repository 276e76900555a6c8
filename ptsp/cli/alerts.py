"""`ptsp alerts`: the server's Web Push key (docs/alerts.md)."""

from __future__ import annotations

import click

from ._base import _app, cli


@cli.group()
def alerts() -> None:
    """Alerts to residents' phones (Web Push, the office's gateway)."""


@alerts.command("vapid")
def vapid() -> None:
    """Make the VAPID key pair if there is none yet (PTSP_VAPID_PRIVATE_KEY, else instance/vapid_private.pem) and
    print its public key, the one the status pages subscribe with. An existing key is never replaced: browsers'
    subscriptions are tied to it."""
    from ..alert_runner import vapid_key_path
    from ..notify.webpush import load_or_create_key, public_key

    app = _app()
    path = vapid_key_path(app)
    existed = path.exists()
    key = load_or_create_key(path)
    click.echo(f"{'kept' if existed else 'made'} {path}")
    click.echo(f"public key: {public_key(key)}")
