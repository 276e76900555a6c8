from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from printers.layout import TicketPrintData
from tests.printers.loopback import LoopbackPrinter

STATUS_URL = "https://antrean.tebet.example.go.id/t/q7Xk2mWp9sLd"

# Time a call may run past its timeout for the scheduler and teardown on a loaded 2-core machine (several
# test processes and browsers at once). Still short of what the stalls these tests guard against take:
# a printer that never reads holds an unbounded call for ever.
SLACK = 2.0


@pytest.fixture
def make_ticket() -> Callable[..., TicketPrintData]:
    """Build ticket facts for a Monday morning in Jakarta, overriding any field."""

    def make(**changes: Any) -> TicketPrintData:
        fields: dict[str, Any] = {
            "office_name": "Kecamatan Tebet",
            "service_name": "Perekaman KTP-el",
            "code": "B-007",
            "issued_at": datetime(2026, 11, 23, 8, 15, tzinfo=ZoneInfo("Asia/Jakarta")),
            "timezone_label": "WIB",
            "people_ahead": 4,
            "estimated_wait_minutes": 12,
            "status_url": STATUS_URL,
            "priority_label": None,
            "complaint_channel": "WA 0812-1111-2222",
            "language": "id",
        }
        fields.update(changes)
        return TicketPrintData(**fields)

    return make


@pytest.fixture
def loopback_printer() -> Iterator[Callable[..., LoopbackPrinter]]:
    """Start loopback printers on demand and stop them all after the test."""
    started: list[LoopbackPrinter] = []

    def start(**options: Any) -> LoopbackPrinter:
        server = LoopbackPrinter(**options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def free_port() -> int:
    """Return a loopback port nobody listens on, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
