"""`ptsp printer` and `ptsp print-agent`: kiosk ticket printers and the agent on the kiosk PC."""

from __future__ import annotations

import click

from ptsp.i18n.errors import describe

from ._base import _app, _office, cli


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
    """Say how a kiosk prints: a printer the server drives, or the kiosk PC's print agent (audited as `cli`)."""
    from datetime import UTC, datetime

    from printers import printer_from_config

    from ..domain.errors import DomainError
    from ..services.accounts import device_by_name
    from ..services.printer_admin import bind_printer

    if setting:
        try:
            printer_from_config(setting)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--setting") from None
    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session() as session:
            office = _office(session, office_slug)
            try:
                kiosk = device_by_name(session, office.id, "kiosk", kiosk_name)
                agent = device_by_name(session, office.id, "agent", agent_name) if agent_name else None
                row = bind_printer(session, None, kiosk_id=kiosk.id, setting=setting,
                                   agent_id=agent.id if agent else None, paper=paper, language=language,
                                   name=name or kiosk_name, now=datetime.now(UTC))
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
            session.commit()
            how = f"the print agent {agent_name!r}" if agent else setting
            click.echo(f"Kiosk {kiosk_name!r} prints on {paper} mm paper through {how} (printer id {row.id}).")


@cli.command("print-agent")
@click.option("--server", required=True, help="PTSP server URL, e.g. https://antrian.example.go.id")
@click.option("--token", envvar="PTSP_AGENT_TOKEN", required=True,
              help="Agent device token (ptsp device add --kind agent); or set PTSP_AGENT_TOKEN")
@click.option("--printer", "setting", required=True, help="Local printer: usb:VID:PID, serial:DEV[:BAUD], "
              "network:HOST[:PORT], cups:QUEUE or file:PATH")
@click.option("--timeout", type=float, default=3.0, show_default=True, help="Seconds one print may take")
def print_agent(server: str, token: str, setting: str, timeout: float) -> None:
    """Run on the kiosk PC: print the jobs the server sends to this agent, acknowledging each."""
    import importlib.util
    import logging
    import signal

    from printers import printer_from_config

    # Without these python-socketio cannot connect, and would only log it and retry for ever.
    absent = [name for name in ("requests", "websocket") if importlib.util.find_spec(name) is None]
    if absent:
        raise click.ClickException(f"The print agent needs {', '.join(absent)}: install PTSP with its agent "
                                   "extra, pip install 'ptsp[agent]' (docs/kiosk.md).")
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
