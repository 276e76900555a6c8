"""Staff administration: add, edit role and supervisor, (de)activate, reset a password, change one's own.

Each use case checks `admin_scope` rules, changes the account and writes its audit entry (before and after) in
the caller's transaction; deactivation and a reset also end every session of the account (the session epoch,
ptsp/services/account_security.py). A reset or a new account gets a temporary password, shown once, that only
opens the page where the member of staff chooses their own (`must_change_password`).

`actor` None is the `ptsp user` command on the server: it may act on any account, may set a chosen password
(not a temporary one), and its audit entries read `cli`.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..domain.passwords import check_chosen_password
from ..models import Agency, Office, Staff
from . import account_security as security
from .accounts import USERNAME, add_staff
from .actors import ROLES, Actor, agency_scope
from .admin_scope import admin_scope, require_admin_agency, require_admin_office, require_grantable, require_manageable
from .audit import record
from .lookup import get_or_404


def staff_state(staff: Staff) -> dict[str, Any]:
    """What the audit log keeps of an account (never its password or hash)."""
    return {"username": staff.username, "name": staff.name, "role": staff.role, "office": staff.office_id,
            "agency": staff.agency.code if staff.agency else None,
            "supervisor": staff.supervisor.username if staff.supervisor else None, "active": staff.active,
            "must_change_password": staff.must_change_password}


def staff_list(session: Session, actor: Actor) -> list[Staff]:
    """The accounts `actor` administers: of their offices, and of their agency only for an agency's manager."""
    scope = admin_scope(session, actor)
    query = select(Staff).order_by(Staff.office_id, Staff.role.desc(), Staff.username)
    if scope is not None:
        query = query.where(Staff.office_id.in_(scope))
    own = agency_scope(actor)
    if own is not None:
        query = query.where(Staff.agency_id == own)
    return list(session.scalars(query))


def agency_options(session: Session, actor: Actor, office_id: int | None = None) -> list[Agency]:
    """The agencies an account may be put in: an agency's manager's own only; else those of the administered
    offices (of `office_id` alone when given)."""
    own = agency_scope(actor)
    if own is not None:
        return [agency] if (agency := session.get(Agency, own)) is not None else []
    scope = admin_scope(session, actor)
    query = select(Agency).order_by(Agency.office_id, Agency.sort_order, Agency.name)
    if scope is not None:
        query = query.where(Agency.office_id.in_(scope))
    if office_id is not None:
        query = query.where(Agency.office_id == office_id)
    return list(session.scalars(query))


def _agency(session: Session, actor: Actor | None, office_id: int | None, agency_id: int | None) -> Agency | None:
    """The chosen agency, checked: one of the account's office, and the manager's own when they have one (None:
    no page's actor, as for the server's own command line)."""
    if actor is not None:
        require_admin_agency(session, actor, office_id, agency_id)
    if agency_id is None:
        return None
    agency = session.get(Agency, agency_id)
    if agency is None or agency.office_id != office_id:
        raise InvalidInput("agency_not_in_office", agency=agency.code if agency else agency_id)
    return agency


def _ancestors(session: Session, office_id: int | None) -> set[int | None]:
    found: set[int | None] = set()
    current = session.get(Office, office_id) if office_id is not None else None
    while current is not None and current.id not in found:
        found.add(current.id)
        current = current.parent
    return found


def supervisor_choices(session: Session, actor: Actor | None, office_id: int | None) -> list[Staff]:
    """Active accounts that may supervise someone of `office_id`: of that office or an office above it."""
    query = select(Staff).where(Staff.active.is_(True), Staff.role != "clerk").order_by(Staff.username)
    if actor is not None and actor.role != "admin":
        query = query.where(Staff.office_id.in_([o for o in _ancestors(session, office_id) if o is not None]))
    return list(session.scalars(query))


def supervisor_options(session: Session, actor: Actor) -> list[Staff]:
    """Supervisors offered by the add form: those of every administered office and of the offices above."""
    query = select(Staff).where(Staff.active.is_(True), Staff.role != "clerk").order_by(Staff.username)
    scope = admin_scope(session, actor)
    if scope is not None:
        offices = scope | {o for o in _ancestors(session, actor.office_id) if o is not None}
        query = query.where(Staff.office_id.in_(offices))
    return list(session.scalars(query))


def _supervisor(session: Session, actor: Actor | None, staff: Staff | None, office_id: int | None,
                supervisor_id: int | None) -> Staff | None:
    """The chosen supervisor, checked: may supervise that office, and no circle in the chain."""
    if supervisor_id is None:
        return None
    boss = session.get(Staff, supervisor_id)
    if boss is None or boss not in supervisor_choices(session, actor, office_id):
        raise InvalidInput("supervisor_not_allowed", id=supervisor_id)
    current: Staff | None = boss
    while current is not None:
        if staff is not None and current.id == staff.id:
            raise InvalidInput("supervisor_cycle", username=boss.username)
        current = current.supervisor
    return boss


def create_staff(session: Session, actor: Actor | None, *, username: str, name: str, role: str, office_id: int | None,
                 supervisor_id: int | None, now: datetime, password: str | None = None,
                 agency_id: int | None = None) -> tuple[Staff, str]:
    """Add an account with a temporary password (returned once; changed at the first login), or, from the `ptsp`
    command only, with the `password` its operator chose; in an agency of its office or none (an agency's
    manager adds accounts of their agency only)."""
    username, name = username.strip().lower(), name.strip()
    if not USERNAME.fullmatch(username):
        raise InvalidInput("username_invalid", username=username)
    if not name or len(name) > 200:
        raise InvalidInput("staff_name_invalid")
    if role not in ROLES:
        raise InvalidInput("unknown_role", role=role, choices=ROLES)
    if actor is not None:
        require_grantable(actor, role)
    if office_id is None and role != "admin":
        raise InvalidInput("office_required")
    if actor is not None:
        require_admin_office(session, actor, office_id)
    agency = _agency(session, actor, office_id, agency_id)
    office = session.get(Office, office_id) if office_id is not None else None
    boss = _supervisor(session, actor, None, office_id, supervisor_id)
    chosen = password if actor is None else None
    password = chosen or secrets.token_urlsafe(9)
    staff = add_staff(session, username=username, name=name, password=password, role=role, office=office,
                      supervisor=boss)
    staff.must_change_password = chosen is None
    staff.agency = agency
    session.flush()
    record(session, actor=actor, now=now, office_id=office_id, entity="staff", entity_id=staff.id,
           action="created", after=staff_state(staff))
    return staff, password


def managed_staff(session: Session, actor: Actor | None, staff_id: int) -> Staff:
    staff = get_or_404(session, Staff, staff_id)
    if actor is not None:
        require_manageable(session, actor, staff)
    return staff


def update_staff(session: Session, actor: Actor, staff_id: int, *, name: str, role: str,
                 supervisor_id: int | None, now: datetime, agency_id: int | None = None) -> Staff:
    """Change the name, role, supervisor and agency; a changed role or agency ends the account's sessions (what
    a supervisor or manager may read changed)."""
    staff = managed_staff(session, actor, staff_id)
    before = staff_state(staff)
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("staff_name_invalid")
    if role not in ROLES:
        raise InvalidInput("unknown_role", role=role, choices=ROLES)
    require_grantable(actor, role)
    agency = _agency(session, actor, staff.office_id, agency_id)
    staff.supervisor = _supervisor(session, actor, staff, staff.office_id, supervisor_id)
    if role != staff.role or agency_id != staff.agency_id:
        security.end_sessions(staff)
    staff.name, staff.role, staff.agency = name, role, agency
    after = staff_state(staff)
    if after != before:
        record(session, actor=actor, now=now, office_id=staff.office_id, entity="staff", entity_id=staff.id,
               action="updated", before=before, after=after)
    return staff


def set_staff_active(session: Session, actor: Actor | None, staff_id: int, active: bool, now: datetime) -> Staff:
    """Deactivate (every session ends at once) or reactivate an account."""
    staff = managed_staff(session, actor, staff_id)
    before = staff_state(staff)
    security.set_active(session, actor, staff_id, active, now, actor_name=_username(session, actor))
    record(session, actor=actor, now=now, office_id=staff.office_id, entity="staff", entity_id=staff.id,
           action="activated" if active else "deactivated", before=before, after=staff_state(staff))
    return staff


def reset_staff_password(session: Session, actor: Actor | None, staff_id: int, now: datetime,
                         password: str | None = None) -> tuple[Staff, str]:
    """Give the account a temporary password (returned once) that must be changed at the next login; the `ptsp`
    command sets the password its operator chose or generated (`password`, or a generated one), not temporary."""
    staff = managed_staff(session, actor, staff_id)
    before = staff_state(staff)
    staff, password = security.reset_password(session, actor, staff_id, now, password=password if actor is None
                                              else None, actor_name=_username(session, actor))
    staff.must_change_password = actor is not None
    record(session, actor=actor, now=now, office_id=staff.office_id, entity="staff", entity_id=staff.id,
           action="password_reset", before=before, after=staff_state(staff))
    return staff, password


def change_own_password(session: Session, staff_id: int, *, current: str, new: str, confirm: str,
                        now: datetime) -> Staff:
    """Change one's own password (the current one, the new one twice); every other session ends."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        raise NotFound("staff_not_found", id=staff_id)
    if not check_password_hash(staff.password_hash, current):
        raise Forbidden("wrong_current_password")
    return _choose(session, staff, new=new, confirm=confirm, now=now)


def complete_forced_change(session: Session, staff_id: int, epoch: int, *, new: str, confirm: str,
                           now: datetime) -> Staff:
    """Set the password of an account logged in with a temporary one (same epoch as at that login)."""
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active or not staff.must_change_password or staff.session_epoch != epoch:
        raise Forbidden("password_change_expired")
    return _choose(session, staff, new=new, confirm=confirm, now=now)


def _choose(session: Session, staff: Staff, *, new: str, confirm: str, now: datetime) -> Staff:
    check_chosen_password(new, confirm, staff.username)
    if check_password_hash(staff.password_hash, new):
        raise InvalidInput("password_unchanged")
    before = staff_state(staff)
    security.set_password(session, staff, new)
    staff.must_change_password = False
    own = Actor("staff", staff.id, staff.role, staff.office_id)
    security.log_event(session, actor=own, kind="password_changed", now=now, target_staff=staff,
                       actor_name=staff.username)
    record(session, actor=own, now=now, office_id=staff.office_id, entity="staff", entity_id=staff.id,
           action="password_changed", before=before, after=staff_state(staff))
    return staff


def _username(session: Session, actor: Actor | None) -> str | None:
    staff = session.get(Staff, actor.staff_id) if actor is not None and actor.staff_id is not None else None
    return staff.username if staff is not None else None
