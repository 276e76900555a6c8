"""Record discipline violations: detect one office day and store it, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..analytics.discipline import day_facts, settings_for
from ..domain.discipline import detect
from ..models import Office, Violation
from .lookup import get_or_404


@dataclass(frozen=True)
class ScanResult:
    office_id: int
    day: date
    found: int
    added: int
    updated: int
    removed: int


def scan(session: Session, *, office_id: int, day: date, now: datetime) -> ScanResult:
    """Detect the day's violations and make the stored rows match them.

    Rows are matched by (office, day, kind, key): a repeat scan updates them in
    place (a stretch still running may have grown), adds new ones and removes
    those the fuller history no longer supports. Nothing is duplicated.
    """
    office = get_or_404(session, Office, office_id)
    findings = detect(day_facts(session, office, day, now), settings_for(session, office.id))
    stored = {
        (v.kind, v.key): v
        for v in session.scalars(select(Violation).where(Violation.office_id == office.id, Violation.day == day))
    }
    added = updated = 0
    for f in findings:
        row = stored.pop((f.kind, f.key), None)
        values = {"staff_id": f.staff_id, "counter_id": f.counter_id, "service_id": f.service_id,
                  "started_at": f.start, "ended_at": f.end, "minutes": round(f.minutes, 2), "details": f.details}
        if row is None:
            session.add(Violation(office_id=office.id, day=day, kind=f.kind, key=f.key, detected_at=now, **values))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.detected_at = now
            updated += 1
    for row in stored.values():
        session.delete(row)
    session.flush()
    return ScanResult(office.id, day, len(findings), added, updated, len(stored))
