"""Referral use cases: departments and their tokens, referring a case, a department's progress reports."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import referrals as rules
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound
from ..models import Department, Office, Referral, ReferralEvent, Ticket
from .accounts import hash_token
from .actors import Actor
from .lookup import get_or_404, record, require_office

TOKEN_PREFIX = "ptsp_dinas_"
REFERABLE = ("called", "serving", "done")


def add_department(session: Session, *, office: Office, slug: str, name: str, now: datetime,
                   response_hours: int = 24) -> tuple[Department, str]:
    """Create a department under an office and return it with its token (shown only now)."""
    if not re.fullmatch(r"[a-z0-9-]{2,64}", slug):
        raise InvalidInput("department_slug_invalid", slug=slug[:70])
    if not name.strip():
        raise InvalidInput("department_name_required")
    if session.scalar(select(Department.id).where(Department.slug == slug)):
        raise InvalidInput("department_slug_taken", slug=slug)
    rules.due_at(now, response_hours)  # validates the hours
    token = f"{TOKEN_PREFIX}{secrets.token_urlsafe(24)}"
    department = Department(office=office, slug=slug, name=name.strip(), response_hours=response_hours,
                            token_hash=hash_token(token), created_at=now)
    session.add(department)
    session.flush()
    return department, token


def renew_token(session: Session, department: Department) -> str:
    """Replace a department's token; the old link stops working at once."""
    token = f"{TOKEN_PREFIX}{secrets.token_urlsafe(24)}"
    department.token_hash = hash_token(token)
    return token


def department_for_token(session: Session, token: str) -> Department | None:
    """Return the active department holding `token`, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    department = session.scalar(select(Department).where(Department.token_hash == hash_token(token)))
    return department if department is not None and department.active else None


def office_chain(session: Session, office_id: int) -> list[int]:
    """The office and every office above it, nearest first."""
    chain: list[int] = []
    current = session.get(Office, office_id)
    while current is not None and current.id not in chain:
        chain.append(current.id)
        current = current.parent
    return chain


def departments_for(session: Session, office_id: int) -> list[Department]:
    """Departments a clerk of `office_id` may refer to: its own and those of the offices above it."""
    chain = office_chain(session, office_id)
    return list(session.scalars(
        select(Department).where(Department.office_id.in_(chain), Department.active.is_(True))
        .order_by(Department.name)
    ))


def refer(session: Session, *, ticket_id: int, department_id: int, note: str, actor: Actor, now: datetime
          ) -> Referral:
    """Refer a ticket's case to a department; its 1x24-hour clock starts now."""
    if actor.kind != "staff":
        raise Forbidden("refer_staff_only")
    if not note or not note.strip():
        raise InvalidInput("referral_note_required")
    ticket = get_or_404(session, Ticket, ticket_id)
    require_office(session, actor, ticket.office_id)
    if ticket.status not in REFERABLE:
        raise InvalidTransition("referral_too_early", ticket=ticket.code, status=ticket.status)
    department = session.get(Department, department_id)
    if department is None or not department.active or department.office_id not in office_chain(
            session, ticket.office_id):
        raise InvalidInput("unknown_department", department=department_id)
    open_one = session.scalar(select(Referral.id).where(
        Referral.ticket_id == ticket.id, Referral.department_id == department.id,
        Referral.closed_at.is_(None)))
    if open_one is not None:
        raise InvalidTransition("already_referred", ticket=ticket.code, department=department.name)
    referral = Referral(
        office_id=ticket.office_id, department=department, ticket_id=ticket.id, service_id=ticket.service_id,
        counter_id=ticket.counter_id, referred_by=actor.staff_id, note=note.strip(), status=rules.REFERRED,
        referred_at=now, due_at=rules.due_at(now, department.response_hours),
    )
    session.add(referral)
    session.flush()
    session.add(ReferralEvent(referral_id=referral.id, status=rules.REFERRED, at=now, note=referral.note,
                              staff_id=actor.staff_id))
    record(session, ticket, "referred", actor, now, referral=referral.id, department=department.id)
    return referral


def report_progress(session: Session, *, referral_id: int, status: str, note: str | None, department: Department,
                    now: datetime) -> Referral:
    """Record a department's progress on one of its referrals; the first report is its response."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.department_id != department.id:
        raise NotFound("referral_not_found", id=referral_id)
    rules.check_progress(referral.status, status)
    referral.status = status
    if referral.responded_at is None:
        referral.responded_at = now
    if status in rules.FINAL:
        referral.closed_at = now
    session.add(ReferralEvent(referral_id=referral.id, status=status, at=now, note=(note or "").strip() or None,
                              department_id=department.id))
    session.flush()
    return referral
