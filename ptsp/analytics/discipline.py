"""Discipline of service, read side: one office day's facts for the rules, and who may see a violation.

A violation is shown to the clerk's supervisor and to that supervisor's
supervisor (`Staff.supervisor_id`, two levels up), and to administrators.
One with nobody to blame (a service left uncovered before anyone opened)
is shown to the office's supervisors and their supervisors.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.discipline import DayFacts, Settings
from ..models import DisciplineSettings, Office, Staff, Violation
from ..services.actors import Actor
from ..services.lookup import office_scope
from .timeline import (
    counter_stretches,
    day_gaps,
    local_day_bounds,
    open_spans,
    services_by_counter,
    ticket_stories,
    waiting_and_busy,
)


def settings_for(session: Session, office_id: int) -> Settings:
    """The office's thresholds, or the defaults when it has set none."""
    row = session.get(DisciplineSettings, office_id)
    if row is None:
        return Settings()
    return Settings(row.ready_minutes, row.late_grace_minutes, row.break_minutes_per_day, row.break_minutes_each,
                    row.idle_minutes, row.uncovered_minutes, dict(row.tolerance_minutes or {}))


def day_facts(session: Session, office: Office, day: date, now: datetime) -> DayFacts:
    """Gather what the rules need about one local day of an office, up to `now`."""
    start, end = local_day_bounds(day, office.timezone)
    until = min(now, end)
    waiting, busy = waiting_and_busy(ticket_stories(session, office.id, day, day), until)
    return DayFacts(
        day=day,
        open_spans=[(a, min(b, until)) for a, b in open_spans(office, day) if a < until],
        sessions=counter_stretches(session, office.id, start, end, now),
        counter_services=services_by_counter(session, office.id),
        waiting=waiting,
        busy=busy,
        closed_spans=[(g.start, min(g.end, until)) for g in day_gaps(office, day)
                      if g.kind == office_hours.CLOSURE and g.start < until],
    )


def _watched_staff(session: Session, me: int) -> set[int]:
    """Staff whose supervisor is `me`, or whose supervisor's supervisor is `me`."""
    first = set(session.scalars(select(Staff.id).where(Staff.supervisor_id == me)))
    second = set(session.scalars(select(Staff.id).where(Staff.supervisor_id.in_(first)))) if first else set()
    return (first | second) - {me}


def _watched_offices(session: Session, me: int) -> set[int]:
    """Offices where `me` is a supervisor, or supervises one of its supervisors."""
    mine = session.get(Staff, me)
    supervisors = session.execute(
        select(Staff.id, Staff.office_id, Staff.supervisor_id).where(Staff.role == "supervisor")
    ).all()
    offices = {office for sid, office, boss in supervisors if me in (sid, boss) and office is not None}
    if mine is not None and mine.role == "supervisor" and mine.office_id is not None:
        offices.add(mine.office_id)
    return offices


def visible_violations(session: Session, actor: Actor, *, office_id: int | None = None, kind: str | None = None,
                       first_day: date | None = None, last_day: date | None = None, limit: int = 500
                       ) -> list[Violation]:
    """Violations the actor may see, newest first: their reports' (two levels), or all for an admin."""
    query = select(Violation).order_by(Violation.day.desc(), Violation.started_at.desc(), Violation.id.desc())
    scope = office_scope(session, actor)
    if not (actor.kind == "staff" and actor.role == "admin"):
        if actor.staff_id is None or actor.role == "clerk":
            return []
        staff = _watched_staff(session, actor.staff_id)
        offices = _watched_offices(session, actor.staff_id)
        query = query.where(or_(
            Violation.staff_id.in_(staff),
            Violation.staff_id.is_(None) & Violation.office_id.in_(offices),
        ))
    if scope is not None:
        query = query.where(Violation.office_id.in_(scope))
    if office_id is not None:
        query = query.where(Violation.office_id == office_id)
    if kind is not None:
        query = query.where(Violation.kind == kind)
    if first_day is not None:
        query = query.where(Violation.day >= first_day)
    if last_day is not None:
        query = query.where(Violation.day <= last_day)
    return list(session.scalars(query.limit(limit)))


def summary(violations: list[Violation]) -> dict[str, Any]:
    """Count violations and minutes per kind and per day, for the page's chart."""
    per_kind: dict[str, dict[str, float]] = {}
    per_day: dict[str, dict[str, int]] = {}
    for v in violations:
        entry = per_kind.setdefault(v.kind, {"count": 0, "minutes": 0.0})
        entry["count"] += 1
        entry["minutes"] += v.minutes
        per_day.setdefault(v.day.isoformat(), {}).setdefault(v.kind, 0)
        per_day[v.day.isoformat()][v.kind] += 1
    return {"per_kind": per_kind, "per_day": dict(sorted(per_day.items()))}
