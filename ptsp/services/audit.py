"""The audit log of the administration pages: who changed what, when, in which office, before and after.

Each administration use case calls `record` in its own transaction, so an entry exists exactly when its change
was committed. A manager reads the entries of their scope (`page_of_entries`), newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.hours import TIMEZONES, local_now
from ..models import AuditEntry, Office, Staff
from .actors import Actor

PER_PAGE = 50


def record(session: Session, *, actor: Actor | None, now: datetime, office_id: int | None, entity: str,
           entity_id: int | None, action: str, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry; `actor` None is the `ptsp` command on the server."""
    name = None
    if actor is not None and actor.staff_id is not None:
        staff = session.get(Staff, actor.staff_id)
        name = staff.username if staff is not None else str(actor.staff_id)
    entry = AuditEntry(at=now, actor_staff_id=actor.staff_id if actor else None,
                       actor=f"staff:{name}" if name else "cli", office_id=office_id, entity=entity,
                       entity_id=entity_id, action=action, before=before, after=after)
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def page_of_entries(session: Session, scope: set[int] | None, page: int, per_page: int = PER_PAGE) -> AuditPage:
    """Entries of the offices in `scope` (None: every entry, those of no office too), newest first."""
    query = select(AuditEntry)
    if scope is not None:
        query = query.where(AuditEntry.office_id.in_(scope))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return AuditPage(list(rows), page, pages, total)


def entry_view(entry: AuditEntry, offices: dict[int, Office]) -> dict[str, Any]:
    """An entry for the page: its time in its office's zone (WIB/WITA/WIT; UTC without an office), its office's
    name, and of an update only the fields that changed (a creation shows all it set)."""
    office = offices.get(entry.office_id) if entry.office_id is not None else None
    zone = office.timezone if office is not None else None
    at = local_now(entry.at, zone) if zone else entry.at
    before, after = entry.before, entry.after
    if before is not None and after is not None:
        changed = [key for key in after if before.get(key) != after.get(key)]
        before = {key: before.get(key) for key in changed}
        after = {key: after[key] for key in changed}
    return {"entry": entry, "at": f"{at:%Y-%m-%d %H:%M:%S} {TIMEZONES.get(zone or '', 'UTC')}",
            "office": office.name if office is not None else None, "before": before, "after": after}


def entry_views(session: Session, entries: list[AuditEntry]) -> list[dict[str, Any]]:
    ids = {e.office_id for e in entries if e.office_id is not None}
    offices = {o.id: o for o in session.scalars(select(Office).where(Office.id.in_(ids)))} if ids else {}
    return [entry_view(e, offices) for e in entries]
