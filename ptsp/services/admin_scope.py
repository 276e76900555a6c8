"""Who may use the administration pages, and where: the one place these rules live.

An admin administers every office; a manager the offices of their scope (their office and those below it);
nobody else (supervisors and clerks are refused). A manager may act only on accounts of a role below their
own and may grant only such roles. An agency's manager (docs/mpp.md) changes only their agency's rows
(`require_admin_agency`, which `require_manageable` applies to accounts).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import Forbidden
from ..models import Office, Staff
from .actors import ROLES, Actor, agency_scope
from .lookup import office_scope

ADMIN_ROLES = ("manager", "admin")


def may_administer(actor: Actor) -> bool:
    return actor.kind == "staff" and actor.role in ADMIN_ROLES


def admin_scope(session: Session, actor: Actor) -> set[int] | None:
    """The offices `actor` administers (None: every office); Forbidden for anyone but a manager or admin."""
    if not may_administer(actor):
        raise Forbidden("administrators_only")
    return office_scope(session, actor)


def require_admin_office(session: Session, actor: Actor, office_id: int | None) -> None:
    """Raise Forbidden unless `actor` administers `office_id` (an account of no office: admins only)."""
    scope = admin_scope(session, actor)
    if scope is not None and office_id not in scope:
        raise Forbidden("office_out_of_scope", office=office_id)


def require_admin_agency(session: Session, actor: Actor, office_id: int | None, agency_id: int | None) -> None:
    """Raise Forbidden unless `actor` administers `office_id` and, when limited to one agency of it (an agency's
    manager), the row belongs to that agency. Rows of no agency (the office's own) are office-wide: an
    agency's manager may read but not change them."""
    require_admin_office(session, actor, office_id)
    scope = agency_scope(actor)
    if scope is not None and agency_id != scope:
        raise Forbidden("agency_out_of_scope", agency=agency_id or "-")


def require_office_wide(session: Session, actor: Actor, office_id: int | None, reason: str = "office_wide_only"
                        ) -> None:
    """Raise Forbidden unless `actor` administers `office_id` as a whole: an agency's manager may not change the
    office's own settings, its list of agencies (new ones, codes, order, (de)activation), nor its hours and
    calendar; `reason` words the refusal for the page that asks."""
    require_admin_office(session, actor, office_id)
    if agency_scope(actor) is not None:
        raise Forbidden(reason)


def require_every_office(session: Session, actor: Actor, reason: str) -> None:
    """Raise Forbidden(reason) unless `actor` administers every office (an admin): creating an office, or
    making one a root of the tree, changes every manager's scope."""
    if admin_scope(session, actor) is not None:
        raise Forbidden(reason)


def grantable_roles(actor: Actor) -> tuple[str, ...]:
    """The roles `actor` may give: every role for an admin, the roles below their own for a manager."""
    if actor.role == "admin":
        return ROLES
    return ROLES[:ROLES.index(actor.role or "clerk")]


def require_grantable(actor: Actor, role: str) -> None:
    if role not in grantable_roles(actor):
        raise Forbidden("role_not_grantable", role=role)


def require_manageable(session: Session, actor: Actor, staff: Staff) -> None:
    """`actor` may change `staff`: in scope (their agency's, for an agency's manager), not themselves, of a role
    they could grant."""
    if actor.staff_id == staff.id:
        raise Forbidden("not_on_own_account")
    require_admin_agency(session, actor, staff.office_id, staff.agency_id)
    if actor.role != "admin" and staff.role not in grantable_roles(actor):
        raise Forbidden("account_role_too_high", role=staff.role)


def administered_offices(session: Session, actor: Actor) -> list[Office]:
    scope = admin_scope(session, actor)
    query = select(Office).order_by(Office.name)
    if scope is not None:
        query = query.where(Office.id.in_(scope))
    return list(session.scalars(query))
