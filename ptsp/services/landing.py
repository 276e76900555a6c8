"""What the landing page (`/`) shows staff: each office, what it is ready for, and its stations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.hours import zone_label
from ..models import Counter, Device, Office, Service


def offices_overview(session: Session) -> list[dict[str, Any]]:
    """Every office, ordered parents first then by name: counts of active services and
    counters, and of paired devices."""
    services: dict[int, int] = {office_id: n for office_id, n in session.execute(
        select(Service.office_id, func.count()).where(Service.active.is_(True)).group_by(Service.office_id))}
    counters: dict[int, int] = {office_id: n for office_id, n in session.execute(
        select(Counter.office_id, func.count()).where(Counter.active.is_(True)).group_by(Counter.office_id))}
    devices: dict[tuple[int, str], int] = {
        (office_id, kind): n for office_id, kind, n in session.execute(
            select(Device.office_id, Device.kind, func.count()).where(Device.revoked_at.is_(None))
            .group_by(Device.office_id, Device.kind))
    }
    offices = session.scalars(select(Office).order_by(Office.parent_id.is_not(None), Office.name)).all()
    return [{
        "name": office.name, "slug": office.slug, "kind": office.kind, "zone": zone_label(office.timezone),
        "services": services.get(office.id, 0), "counters": counters.get(office.id, 0),
        "has_hours": any(office.hours.values()) if office.hours else False,
        "devices": {kind: devices.get((office.id, kind), 0) for kind in ("kiosk", "display", "agent")},
    } for office in offices]
