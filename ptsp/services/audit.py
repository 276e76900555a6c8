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

from ..models import AuditEntry, Staff
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
