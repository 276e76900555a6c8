"""A service's published standard (standar pelayanan): what to bring, the official fee and the time it takes.

Offices must publish it (UU 25/2009 on public services); the kiosk's "Persyaratan" panel, the resident's
status page and the printed ticket all read it from here, so they never disagree.
"""

from __future__ import annotations

from typing import Any

from ..models import Service


def standard_view(service: Service) -> dict[str, Any]:
    """The service standard as plain values: requirement lines, fee in rupiah (0 = free), its legal basis,
    and the completion time in working days (0 = the same day, None = not published)."""
    return {
        "requirements": [line for line in (service.requirements or []) if line.strip()],
        "fee_rupiah": service.fee_rupiah or 0,
        "fee_basis": (service.fee_basis or "").strip() or None,
        "completion_days": service.completion_days,
    }
