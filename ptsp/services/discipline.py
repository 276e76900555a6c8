"""Record discipline violations: detect one office day and store it, idempotently, from any number of processes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..analytics.discipline import day_facts, settings_for
from ..domain.discipline import KINDS, Finding, below_tolerance, detect, parse_tolerance
from ..domain.errors import Forbidden
from ..models import DisciplineSettings, Office, Violation
from . import audit
from .actors import Actor, agency_scope
from .lookup import get_or_404, require_office
from .office_calendar import closed_day

UNIQUE_KEY = ("office_id", "day", "kind", "key")


@dataclass(frozen=True)
class ScanResult:
    office_id: int
    day: date
    found: int
    added: int
    updated: int
    removed: int  # rows withdrawn: no longer supported by the fuller history (kept, marked `withdrawn_at`)
    new_ids: tuple[int, ...] = ()  # rows this scan inserted (another process's insert of the same row is not ours)
    restored: int = 0  # withdrawn rows found again
    notify_ids: tuple[int, ...] = field(default=())  # new rows at or above the office's tolerance


def _insert(session: Session, values: dict[str, Any]) -> int | None:
    """Insert one violation unless a row with its unique key exists (perhaps just written by another server
    process); return the new id, or None when the row was already there. Never a unique-key error."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Violation).values(**values).on_conflict_do_nothing(index_elements=list(UNIQUE_KEY))
    new_id: int | None = session.execute(statement.returning(Violation.id)).scalar()
    return new_id


def scan(session: Session, *, office_id: int, day: date, now: datetime) -> ScanResult:
    """Detect the day's violations and make the stored rows match them, in one session: `detect_day`, then
    `record` (the server's minute round runs the two in separate transactions; ptsp/discipline_watch.py)."""
    return record(session, office_id=office_id, day=day, now=now,
                  findings=detect_day(session, office_id=office_id, day=day, now=now))


Findings = dict[tuple[str, str], Finding]


def detect_day(session: Session, *, office_id: int, day: date, now: datetime) -> Findings:
    """What the rules find in one office day up to `now`, by (kind, key); reads only.

    A closed day of the office's calendar (a national holiday, cuti bersama, its own closure day) asks
    nothing of anyone: no finding (and `record` withdraws rows found before the day was closed)."""
    office = get_or_404(session, Office, office_id)
    if closed_day(session, office.id, day) is not None:
        return {}
    settings = settings_for(session, office.id)
    return {(f.kind, f.key): f for f in detect(day_facts(session, office, day, now), settings)}


def record(session: Session, *, office_id: int, day: date, now: datetime, findings: Findings) -> ScanResult:
    """Make the stored rows of one office day match `findings` (from `detect_day`).

    Rows are matched by (office, day, kind, key): a repeat scan updates them in
    place (a stretch still running may have grown), adds new ones and marks
    withdrawn those the fuller history no longer supports (they keep their id, for
    what is attached to them, and come back if found again). Nothing is duplicated,
    even when several server processes scan the same office at once: inserts skip a
    row that exists, and every process touches the rows in the same (kind, key)
    order, so two scans wait for each other instead of deadlocking.
    """
    tolerance = settings_for(session, office_id).tolerance
    stored = {
        (v.kind, v.key): v
        for v in session.scalars(select(Violation).where(Violation.office_id == office_id, Violation.day == day,
                                                         Violation.kind.in_(KINDS)))
    }
    tally = _Tally()
    for key in sorted(set(findings) | set(stored)):
        _reconcile(session, tally, office_id, day, now, findings.get(key), stored.get(key), tolerance)
    session.flush()
    return ScanResult(office_id, day, len(findings), len(tally.new_ids), tally.updated, tally.withdrawn,
                      tuple(tally.new_ids), tally.restored, tuple(tally.notify))


@dataclass
class _Tally:
    updated: int = 0
    withdrawn: int = 0
    restored: int = 0
    new_ids: list[int] = field(default_factory=list)
    notify: list[int] = field(default_factory=list)


def _reconcile(session: Session, tally: _Tally, office_id: int, day: date, now: datetime, f: Finding | None,
               row: Violation | None, tolerance: dict[str, int]) -> None:
    """Make one stored row match one finding: withdraw, insert, restore or update it."""
    if f is None:
        if row is not None and row.withdrawn_at is None:
            row.withdrawn_at = now
            tally.withdrawn += 1
        return
    values = {"staff_id": f.staff_id, "counter_id": f.counter_id, "service_id": f.service_id,
              "started_at": f.start, "ended_at": f.end, "minutes": round(f.minutes, 2), "details": f.details}
    if row is None:
        new_id = _insert(session, {"office_id": office_id, "day": day, "kind": f.kind, "key": f.key,
                                   "detected_at": now, **values})
        if new_id is not None:
            tally.new_ids.append(new_id)
            if not below_tolerance(f.kind, f.minutes, tolerance):
                tally.notify.append(new_id)
        return
    if row.withdrawn_at is not None:
        row.withdrawn_at = None
        row.detected_at = now
        tally.restored += 1
    if any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.detected_at = now
        tally.updated += 1


def set_tolerance(session: Session, actor: Actor, *, office_id: int, raw: Mapping[str, object],
                  now: datetime) -> dict[str, int]:
    """Set the office's tolerance per rule (minutes; findings under it are kept but not listed nor notified).

    A supervisor, manager or admin of the office may, not one limited to one agency of it (the tolerance holds
    for every agency); bad input raises before anything changes. The change is written to the audit log
    (before and after) in the same transaction.
    """
    if not actor.at_least("supervisor"):
        raise Forbidden("supervisors_only")
    if agency_scope(actor) is not None:
        raise Forbidden("office_wide_setting")
    office = get_or_404(session, Office, office_id)
    require_office(session, actor, office.id)
    tolerance = parse_tolerance(raw)
    row = session.get(DisciplineSettings, office.id)
    if row is None:
        row = DisciplineSettings(office_id=office.id, ready_minutes=15, late_grace_minutes=0,
                                 break_minutes_per_day=60, idle_minutes=10, uncovered_minutes=5)
        session.add(row)
    before = dict(row.tolerance_minutes or {})
    row.tolerance_minutes = tolerance
    session.flush()
    audit.record(session, actor=actor, now=now, office_id=office.id, entity="discipline_tolerance",
                 entity_id=office.id, action="updated", before={"tolerance_minutes": before},
                 after={"tolerance_minutes": dict(tolerance)})
    return tolerance
