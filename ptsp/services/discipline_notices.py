"""Reaching two superiors: each violation is noticed by the clerk's supervisor and that supervisor's supervisor.

Who is notified (docs/accountability.md, "Reaching two superiors"):

- level 1: the named clerk's supervisor (`staff.supervisor_id`); for a clerk without an active one, and for a
  violation that names nobody (an uncovered service), the office's heads: its active supervisors, else its
  managers, else the same one office up, and so on to the top;
- level 2: each level-1 recipient's own active supervisor; for one without, the managers of their office
  (when they are a supervisor there), else the heads of the offices above theirs.

Inactive staff are skipped, nobody is notified about their own violation, and one person gets one notice per
violation (the lower level when both rules reach them). The recipient alone reads and acknowledges a notice;
the named clerk alone answers the violation, once, and may edit the answer until a superior acknowledges it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from ..analytics.discipline import settings_for
from ..domain.discipline import below_tolerance
from ..domain.errors import InvalidInput, InvalidTransition, NotFound
from ..models import Counter, Office, Service, Staff, Violation, ViolationAnswer, ViolationNotice
from .actors import Actor

NOTE_MAX = 1000
ANSWER_MAX = 1000


def _not_withdrawn(query: Select[Any]) -> Select[Any]:
    """Leave out violations withdrawn by a later scan (the table keeps them, with `withdrawn_at`)."""
    return query.where(Violation.withdrawn_at.is_(None))


def _active(staff: Staff | None, exclude: set[int]) -> bool:
    return staff is not None and staff.active and staff.id not in exclude


def _heads(session: Session, office: Office | None, exclude: set[int], roles: tuple[str, ...] = ("supervisor",
           "manager")) -> list[Staff]:
    """The first non-empty group among `roles` of `office`, then of each office above it."""
    while office is not None:
        for role in roles:
            found = [s for s in session.scalars(select(Staff).where(
                Staff.office_id == office.id, Staff.role == role, Staff.active.is_(True)).order_by(Staff.id))
                if s.id not in exclude]
            if found:
                return found
        office, roles = office.parent, ("supervisor", "manager")
    return []


def _above(session: Session, person: Staff, exclude: set[int]) -> list[Staff]:
    """Whom `person` answers to: their supervisor, else their office's managers (for a supervisor), else above."""
    boss = session.get(Staff, person.supervisor_id) if person.supervisor_id is not None else None
    if boss is not None and boss.active:
        return [boss] if boss.id not in exclude else []
    office = person.office
    if office is None:
        return []
    if person.role == "supervisor":
        return _heads(session, office, exclude, roles=("manager",))
    return _heads(session, office.parent, exclude)


def recipients(session: Session, violation: Violation) -> list[tuple[Staff, int]]:
    """Who hears of a violation, each once with the lowest level that reaches them."""
    office = session.get(Office, violation.office_id)
    exclude = {violation.staff_id} if violation.staff_id is not None else set()
    named = session.get(Staff, violation.staff_id) if violation.staff_id is not None else None
    boss = session.get(Staff, named.supervisor_id) if named is not None and named.supervisor_id else None
    first = [boss] if boss is not None and _active(boss, exclude) else _heads(session, office, exclude)
    chosen: dict[int, tuple[Staff, int]] = {s.id: (s, 1) for s in first}
    for person in first:
        for boss in _above(session, person, exclude | set(chosen)):
            chosen.setdefault(boss.id, (boss, 2))
    return list(chosen.values())


def ensure_notices(session: Session, *, office_id: int, day: date, now: datetime) -> list[ViolationNotice]:
    """Create the notices of every violation of the office-day that has none yet; return the new ones.

    Idempotent: a violation that already has a notice is left alone (its recipients were chosen when it was
    first noticed), so running it after every scan adds only what the scan added. A violation under the office's
    tolerance is not noticed until it grows to it (a stretch still running).
    """
    tolerance = settings_for(session, office_id).tolerance
    query = _not_withdrawn(select(Violation).where(
        Violation.office_id == office_id, Violation.day == day,
        ~exists().where(ViolationNotice.violation_id == Violation.id)).order_by(Violation.id))
    created: list[ViolationNotice] = []
    for violation in session.scalars(query):
        if below_tolerance(violation.kind, violation.minutes, tolerance):
            continue
        for person, level in recipients(session, violation):
            notice = ViolationNotice(violation_id=violation.id, recipient_id=person.id, level=level, created_at=now)
            session.add(notice)
            created.append(notice)
    session.flush()
    return created


def inbox(session: Session, staff_id: int, *, unread_only: bool = False, limit: int = 200) -> list[ViolationNotice]:
    """The recipient's notices, unread first, then newest first."""
    query = _not_withdrawn(
        select(ViolationNotice).join(Violation).where(ViolationNotice.recipient_id == staff_id)
        .options(selectinload(ViolationNotice.violation).selectinload(Violation.answer))
        .order_by(ViolationNotice.read_at.is_not(None), Violation.day.desc(), Violation.started_at.desc(),
                  ViolationNotice.id.desc()))
    if unread_only:
        query = query.where(ViolationNotice.read_at.is_(None))
    return list(session.scalars(query.limit(limit)))


def unread_count(session: Session, staff_id: int) -> int:
    query = _not_withdrawn(select(func.count()).select_from(ViolationNotice).join(Violation).where(
        ViolationNotice.recipient_id == staff_id, ViolationNotice.read_at.is_(None)))
    return int(session.scalar(query) or 0)


def _own_notice(session: Session, notice_id: int, actor: Actor) -> ViolationNotice:
    """The actor's own notice; anyone else's is not found (its existence is not theirs to learn)."""
    notice = session.get(ViolationNotice, notice_id)
    if notice is None or actor.staff_id is None or notice.recipient_id != actor.staff_id:
        raise NotFound("notice_not_found", id=notice_id)
    return notice


def mark_read(session: Session, *, notice_id: int, actor: Actor, now: datetime) -> ViolationNotice:
    """Mark the actor's notice read (again: nothing changes)."""
    notice = _own_notice(session, notice_id, actor)
    if notice.read_at is None:
        notice.read_at = now
    session.flush()
    return notice


def acknowledge(session: Session, *, notice_id: int, actor: Actor, note: str, now: datetime) -> ViolationNotice:
    """The recipient acknowledges the violation with a note (what they did about it); once."""
    notice = _own_notice(session, notice_id, actor)
    text = note.strip()
    if not text:
        raise InvalidInput("notice_note_required")
    if len(text) > NOTE_MAX:
        raise InvalidInput("note_too_long", max=NOTE_MAX)
    if notice.acknowledged_at is not None:
        raise InvalidTransition("notice_already_acknowledged", id=notice_id)
    notice.acknowledged_at, notice.note = now, text
    if notice.read_at is None:
        notice.read_at = now
    session.flush()
    return notice


def own_violations(session: Session, staff_id: int, *, since: date) -> list[Violation]:
    """The clerk's own violations from `since` on, newest first; never anyone else's."""
    query = _not_withdrawn(
        select(Violation).where(Violation.staff_id == staff_id, Violation.day >= since)
        .options(selectinload(Violation.answer), selectinload(Violation.notices))
        .order_by(Violation.day.desc(), Violation.started_at.desc(), Violation.id.desc()))
    return list(session.scalars(query.limit(200)))


def answer(session: Session, *, violation_id: int, actor: Actor, text: str, now: datetime) -> ViolationAnswer:
    """Write or edit the named clerk's answer; refused once a superior has acknowledged the violation."""
    violation = session.get(Violation, violation_id)
    if (violation is None or actor.staff_id is None or violation.staff_id != actor.staff_id
            or violation.withdrawn_at is not None):
        raise NotFound("violation_not_found", id=violation_id)
    body = text.strip()
    if not body:
        raise InvalidInput("answer_required")
    if len(body) > ANSWER_MAX:
        raise InvalidInput("answer_too_long", max=ANSWER_MAX)
    if any(n.acknowledged_at is not None for n in violation.notices):
        raise InvalidTransition("answer_locked", id=violation_id)
    row = violation.answer
    if row is None:
        row = ViolationAnswer(violation_id=violation.id, staff_id=actor.staff_id, text=body, at=now)
        session.add(row)
        violation.answer = row
    else:
        row.text, row.at = body, now
    session.flush()
    return row


@dataclass(frozen=True)
class Names:
    """Names of the staff, offices, counters and services a list of violations mentions."""

    staff: dict[int, str]
    offices: dict[int, tuple[str, str]]  # id -> (name, timezone)
    counters: dict[int, int]
    services: dict[int, str]

    @classmethod
    def of(cls, session: Session, violations: list[Violation], extra_staff: set[int] | None = None) -> Names:
        staff_ids = {v.staff_id for v in violations if v.staff_id} | (extra_staff or set())
        office_ids = {v.office_id for v in violations}
        counter_ids = {v.counter_id for v in violations if v.counter_id}
        service_ids = {v.service_id for v in violations if v.service_id}
        return cls(
            staff={s.id: s.name for s in session.scalars(select(Staff).where(Staff.id.in_(staff_ids)))},
            offices={o.id: (o.name, o.timezone)
                     for o in session.scalars(select(Office).where(Office.id.in_(office_ids)))},
            counters={c.id: c.number for c in session.scalars(select(Counter).where(Counter.id.in_(counter_ids)))},
            services={s.id: s.prefix for s in session.scalars(select(Service).where(Service.id.in_(service_ids)))},
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def violation_view(v: Violation, names: Names) -> dict[str, Any]:
    office, timezone = names.offices.get(v.office_id, ("", "Asia/Jakarta"))
    return {"id": v.id, "office": v.office_id, "office_name": office, "timezone": timezone, "day": v.day.isoformat(),
            "kind": v.kind, "staff": v.staff_id, "staff_name": names.staff.get(v.staff_id) if v.staff_id else None,
            "counter": names.counters.get(v.counter_id) if v.counter_id else None,
            "service": names.services.get(v.service_id) if v.service_id else None,
            "started_at": v.started_at.isoformat(), "ended_at": v.ended_at.isoformat(), "minutes": v.minutes,
            "answer": None if v.answer is None else {"text": v.answer.text, "at": v.answer.at.isoformat()}}


def notice_view(n: ViolationNotice, names: Names) -> dict[str, Any]:
    return {"id": n.id, "level": n.level, "created_at": n.created_at.isoformat(), "read_at": _iso(n.read_at),
            "acknowledged_at": _iso(n.acknowledged_at), "note": n.note,
            "violation": violation_view(n.violation, names)}


def own_violation_view(v: Violation, names: Names) -> dict[str, Any]:
    """A clerk's own violation: what was found, their answer and each superior's acknowledgement."""
    acknowledged = [{"level": n.level, "by": names.staff.get(n.recipient_id), "at": n.acknowledged_at.isoformat(),
                     "note": n.note} for n in v.notices if n.acknowledged_at is not None]
    return {**violation_view(v, names), "acknowledgements": acknowledged, "answer_editable": not acknowledged}
