from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from printers.layout import TicketPrintData

STATUS_URL = "https://antrean.tebet.example.go.id/t/q7Xk2mWp9sLd"


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
