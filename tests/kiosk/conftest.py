"""Fixtures for the kiosk: its device row, a printer configured for it, loopback printers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from ptsp.models import PrintJob, Ticket, TicketPrinter
from ptsp.services.accounts import device_for_token
from ptsp.services.printing import set_printer
from tests.conftest import bearer
from tests.printers.loopback import LoopbackPrinter

TIMEOUT = 1.0  # the print timeout these tests configure (the default is 3 s)
# The request's own database work on a loaded 2-core CI machine (seen up to ~1.7 s on PostgreSQL while
# the whole suite ran on both cores). Still far below what an unbounded print would take: a printer that
# accepts but never reads holds an unbounded send for ever.
SLACK = 3.0


@pytest.fixture
def loopback() -> Iterator[Callable[..., LoopbackPrinter]]:
    started: list[LoopbackPrinter] = []

    def start(**options: Any) -> LoopbackPrinter:
        printer = LoopbackPrinter(**options)
        started.append(printer)
        return printer

    yield start
    for printer in started:
        printer.close()


def use_printer(app, world, setting: str | None, *, agent_token: str | None = None, paper: int = 32) -> int:
    """Give the test kiosk a printer; return its id."""
    app.config["PRINT_TIMEOUT"] = TIMEOUT
    with app.extensions["ptsp.sessions"]() as session:
        kiosk = device_for_token(session, world.kiosk)
        agent = device_for_token(session, agent_token) if agent_token else None
        printer = set_printer(session, kiosk=kiosk, name="Kios 1", setting=setting, agent=agent, width_chars=paper)
        session.commit()
        return printer.id


def issue(client, world, prefix: str = "A", priority: str = "regular", path: str = "/api/v1/tickets"):
    return client.post(path, json={"office": world.office, "service": world.services[prefix], "priority": priority},
                       headers=bearer(world.kiosk))


def jobs(app) -> list[dict[str, Any]]:
    with app.extensions["ptsp.read_sessions"]() as session:
        rows = session.scalars(select(PrintJob).order_by(PrintJob.id)).all()
        return [{"id": j.id, "ticket": j.ticket_id, "status": j.status, "attempts": j.attempts,
                 "error": j.last_error, "reprint": j.reprint, "may_have_printed": j.may_have_printed} for j in rows]


def printer_row(app, printer_id: int) -> dict[str, Any]:
    with app.extensions["ptsp.read_sessions"]() as session:
        p = session.get(TicketPrinter, printer_id)
        return {"online": p.online, "paper": p.paper, "last_error": p.last_error, "last_seen_at": p.last_seen_at,
                "setting": p.setting}


def ticket_count(app) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(Ticket))
