"""A service's published standard (standar pelayanan): what to bring, the official fee and the time it takes.

Offices must publish it (UU 25/2009 on public services); the kiosk's "Persyaratan" panel, the resident's
status page and the printed ticket all read it from here, so they never disagree.
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import InvalidInput
from ..models import Service


def require_fee_basis(fee_rupiah: int, fee_basis: str | None) -> None:
    """A fee the office may charge is published with the regulation that sets it (Perda, PP on PNBP); a free
    service needs none. The set-up file and the administration pages both apply this rule."""
    if fee_rupiah > 0 and not (fee_basis or "").strip():
        raise InvalidInput("fee_basis_required", fee=f"{fee_rupiah:,}".replace(",", "."))


def standard_view(service: Service) -> dict[str, Any]:
    """The service standard as plain values: requirement lines, fee in rupiah (0 = free), its legal basis,
    the completion time in working days (0 = the same day, None = not published) and where to complain
    (`complaint_channel`: the service's agency's channel, else the office's, else None)."""
    return {
        "requirements": [line for line in (service.requirements or []) if line.strip()],
        "fee_rupiah": service.fee_rupiah or 0,
        "fee_basis": (service.fee_basis or "").strip() or None,
        "completion_days": service.completion_days,
        "complaint_channel": complaint_channel(service) or None,
    }


def complaint_channel(service: Service) -> str:
    """Where a resident of this service complains: its agency's own channel when the agency has one (an MPP's
    Imigrasi answers its own WhatsApp), else the office's; "" when neither is set."""
    own = (service.agency.complaint_channel or "").strip() if service.agency is not None else ""
    return own or (service.office.complaint_channel or "").strip()
