"""The superiors' inbox of violation notices: read, acknowledge with a note, see the clerk's answer.

Every supervisor, manager and admin sees only the notices addressed to them (ptsp/services/discipline_notices.py
says who is notified); the navigation shows how many are unread.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain import discipline as discipline_rules
from ptsp.domain.errors import DomainError
from ptsp.i18n.errors import describe
from ptsp.services import discipline_notices as notices

from .access import MANAGER_ROLES, current_actor, manager_page
from .blueprint import bp


@bp.context_processor
def unread_notices() -> dict[str, Any]:
    """The navigation's unread count, on every manager page of a signed-in supervisor or above."""
    if not current_user.is_authenticated or current_user.role not in MANAGER_ROLES:
        return {"unread_notices": None}
    return {"unread_notices": notices.unread_count(get_read_db(), current_user.id)}


def _inbox(problem: str | None = None, status: int = 200, failed: int | None = None, note: str = "",
           ) -> tuple[str, int]:
    session = get_read_db()
    rows = notices.inbox(session, current_user.id)
    names = notices.Names.of(session, [n.violation for n in rows])
    views = [notices.notice_view(n, names) for n in rows]
    return render_template("manager/notices.html", notices=views, labels=discipline_rules.LABELS,
                           problem=problem, failed=failed, note=note, done=request.args.get("done")), status


@bp.get("/notices")
@manager_page
def notices_page() -> tuple[str, int]:
    return _inbox()


@bp.post("/notices/<int(max=2147483647):notice_id>/read")
@manager_page
def notice_read(notice_id: int) -> BaseResponse | tuple[str, int]:
    session = get_db()
    try:
        notices.mark_read(session, notice_id=notice_id, actor=current_actor(), now=now())
    except DomainError as exc:
        session.rollback()
        return _inbox(describe(exc), exc.status, notice_id)
    session.commit()
    return redirect(url_for("manager.notices_page", _anchor=f"notice-{notice_id}"))


@bp.post("/notices/<int(max=2147483647):notice_id>/acknowledge")
@manager_page
def notice_acknowledge(notice_id: int) -> BaseResponse | tuple[str, int]:
    note = request.form.get("note", "")
    session = get_db()
    try:
        notices.acknowledge(session, notice_id=notice_id, actor=current_actor(), note=note, now=now())
    except DomainError as exc:
        session.rollback()
        return _inbox(describe(exc), exc.status, notice_id, note)
    session.commit()
    return redirect(url_for("manager.notices_page", done=notice_id, _anchor=f"notice-{notice_id}"))
