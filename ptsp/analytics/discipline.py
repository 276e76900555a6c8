"""Discipline of service, read side: one office day's facts for the rules, and who may see a violation.

A violation is shown to the clerk's supervisor and to that supervisor's
supervisor (`Staff.supervisor_id`, two levels up), and to administrators.
One with nobody to blame (a service left uncovered before anyone opened)
is shown to the office's supervisors and their supervisors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.discipline import DayFacts, Settings
from ..models import Counter, DisciplineSettings, Office, Staff, Violation
from ..services.actors import Actor, agency_scope
from ..services.agencies import in_agency
from ..services.lookup import office_scope
from .timeline import (
    counter_stretches,
    day_gaps,
    local_day_bounds,
    office_spans,
    open_spans,
    services_by_counter,
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
    waiting, busy = office_spans(session, office.id, day, day, until)
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


def tolerance_conditions(session: Session) -> list[ColumnElement[bool]]:
    """Conditions that leave out findings under their office's tolerance for their rule."""
    out: list[ColumnElement[bool]] = []
    for office_id, tolerance in session.execute(select(DisciplineSettings.office_id,
                                                       DisciplineSettings.tolerance_minutes)):
        for kind, limit in sorted((tolerance or {}).items()):
            if isinstance(limit, int) and limit > 0:
                out.append(not_(and_(Violation.office_id == office_id, Violation.kind == kind,
                                     Violation.minutes < limit)))
    return out


def of_agency(agency_id: int) -> ColumnElement[bool]:
    """A finding of one agency: about one of its services, else at one of its counters, else of one of its clerks
    (`staff.agency_id`); a finding naming none of these is the office's."""
    return or_(in_agency(Violation.service_id, agency_id),
               Violation.service_id.is_(None) & Violation.counter_id.in_(
                   select(Counter.id).where(Counter.agency_id == agency_id)),
               Violation.service_id.is_(None) & Violation.counter_id.is_(None) & Violation.staff_id.in_(
                   select(Staff.id).where(Staff.agency_id == agency_id)))


def _conditions(session: Session, actor: Actor, *, office_id: int | None = None, kind: str | None = None,
                first_day: date | None = None, last_day: date | None = None, agency_id: int | None = None
                ) -> list[ColumnElement[bool]] | None:
    """What the actor may see of the listed violations (None: nothing): their reports' (two levels), or all
    for an admin; never withdrawn rows, nor findings under their office's tolerance."""
    conditions: list[ColumnElement[bool]] = [Violation.withdrawn_at.is_(None), *tolerance_conditions(session)]
    scope = office_scope(session, actor)
    if not (actor.kind == "staff" and actor.role == "admin"):
        if actor.staff_id is None or actor.role == "clerk":
            return None
        staff = _watched_staff(session, actor.staff_id)
        offices = _watched_offices(session, actor.staff_id)
        conditions.append(or_(
            Violation.staff_id.in_(staff),
            Violation.staff_id.is_(None) & Violation.office_id.in_(offices),
        ))
    if scope is not None:
        conditions.append(Violation.office_id.in_(scope))
    if office_id is not None:
        conditions.append(Violation.office_id == office_id)
    for agency in (agency_id, agency_scope(actor)):  # an agency's reader sees only their agency's findings
        if agency is not None:
            conditions.append(of_agency(agency))
    if kind is not None:
        conditions.append(Violation.kind == kind)
    if first_day is not None:
        conditions.append(Violation.day >= first_day)
    if last_day is not None:
        conditions.append(Violation.day <= last_day)
    return conditions


def visible_violations(session: Session, actor: Actor, *, office_id: int | None = None, kind: str | None = None,
                       first_day: date | None = None, last_day: date | None = None, limit: int = 500,
                       offset: int = 0, agency_id: int | None = None) -> list[Violation]:
    """Violations the actor may see, newest first: their reports' (two levels), or all for an admin.

    Withdrawn rows and findings under their office's tolerance are left out.
    """
    conditions = _conditions(session, actor, office_id=office_id, kind=kind, first_day=first_day,
                             last_day=last_day, agency_id=agency_id)
    if conditions is None:
        return []
    query = (select(Violation).where(*conditions)
             .order_by(Violation.day.desc(), Violation.started_at.desc(), Violation.id.desc()))
    return list(session.scalars(query.offset(offset).limit(limit)))


def count_visible(session: Session, actor: Actor, **filters: Any) -> int:
    """How many violations `visible_violations` would list with these filters, over all pages."""
    conditions = _conditions(session, actor, **filters)
    if conditions is None:
        return 0
    return session.scalar(select(func.count()).select_from(Violation).where(*conditions)) or 0


@dataclass
class Overview:
    """The visible violations of a period at a glance: totals per kind and day, and the ranking."""

    total: int = 0
    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    ranking: list[dict[str, Any]] = field(default_factory=list)


def overview(session: Session, actor: Actor, *, office_id: int | None = None, kind: str | None = None,
             first_day: date | None = None, last_day: date | None = None, agency_id: int | None = None) -> Overview:
    """Count and sum the visible violations per kind and per day, and rank them per clerk and rule.

    The ranking groups by (office, clerk, rule), a finding naming nobody under the office; biggest loss first:
    minutes lost (summed), then count. So a clerk who left a service uncovered for two hours stands above
    one who opened a few minutes late ten times.
    """
    conditions = _conditions(session, actor, office_id=office_id, kind=kind, first_day=first_day,
                             last_day=last_day, agency_id=agency_id)
    out = Overview()
    if conditions is None:
        return out
    for kind_, count, total in session.execute(
            select(Violation.kind, func.count(), func.sum(Violation.minutes)).where(*conditions)
            .group_by(Violation.kind)):
        out.per_kind[kind_] = {"count": count, "minutes": float(total or 0)}
        out.total += count
    for day, kind_, count in session.execute(
            select(Violation.day, Violation.kind, func.count()).where(*conditions)
            .group_by(Violation.day, Violation.kind).order_by(Violation.day)):
        out.per_day.setdefault(day.isoformat(), {})[kind_] = count
    minutes_lost = func.sum(Violation.minutes)
    rows = session.execute(
        select(Violation.office_id, Violation.staff_id, Violation.kind, func.count(), minutes_lost,
               func.max(Violation.day))
        .where(*conditions).group_by(Violation.office_id, Violation.staff_id, Violation.kind)
        .order_by(minutes_lost.desc(), func.count().desc(), Violation.office_id, Violation.staff_id,
                  Violation.kind))
    out.ranking = [{"office": o, "staff": staff, "kind": k, "count": count, "minutes": round(float(total or 0), 1),
                    "last_day": last.isoformat()}
                   for o, staff, k, count, total, last in rows]
    return out
