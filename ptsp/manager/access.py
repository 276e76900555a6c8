"""Who may see the manager pages, and which offices they see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ptsp.analytics import filters
from ptsp.context import get_read_db
from ptsp.domain.errors import Forbidden
from ptsp.i18n.errors import describe
from ptsp.models import Agency, Office
from ptsp.services.actors import Actor, agency_scope
from ptsp.services.admin_scope import may_administer

MANAGER_ROLES = ("supervisor", "manager", "admin")


def current_actor() -> Actor:
    """The logged-in staff member, with the agency they may be limited to (services.actors.agency_scope)."""
    return Actor(kind="staff", id=current_user.id, role=current_user.role, office_id=current_user.office_id,
                 agency_id=current_user.agency_id)


def manager_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require a logged-in supervisor, manager or admin; refuse clerks with a readable 403 page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("manager.login_form", next=request.full_path))
        if current_user.role not in MANAGER_ROLES:
            return render_template("manager/refused.html"), 403
        return view(*args, **kwargs)

    return wrapper


def admin_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Require a logged-in manager or admin (ptsp/services/admin_scope.py); anyone else gets the 403 page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return redirect(url_for("manager.login_form", next=request.full_path))
        if not may_administer(current_actor()):
            reason = describe(Forbidden("administrators_only"))
            return render_template("manager/refused.html", reason=reason), 403
        return view(*args, **kwargs)

    return wrapper


def agency_choices() -> dict[str, Any]:
    """The agency filter of a page, for its template (`manager/_agency_filter.html`): the agencies of the offices in
    scope for an office-wide reader (none: no select), nothing for an agency's reader, who reads only their own."""
    actor = current_actor()
    own = agency_scope(actor)
    choices = [] if own is not None else filters.office_agencies(get_read_db(), [o.id for o in visible_offices()])
    return {"agencies": choices, "agency": request.args.get("agency", ""),
            "own_agency": get_read_db().get(Agency, own) if own is not None else None}


def visible_offices() -> list[Office]:
    """The offices the logged-in manager is responsible for, ordered by name."""
    return filters.visible_offices(get_read_db(), current_actor())
