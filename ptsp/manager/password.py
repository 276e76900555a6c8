"""Passwords: every member of staff changes their own; a temporary one must be replaced before logging in."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, now
from ptsp.domain.errors import DomainError
from ptsp.domain.passwords import MIN_CHOSEN_PASSWORD
from ptsp.extensions import PASSWORD_CHANGE_KEY, sign_in
from ptsp.i18n.errors import describe
from ptsp.services import staff_admin

from .blueprint import bp

Page = str | tuple[str, int]


def _home(station: str) -> str:
    return url_for("counter.screen") if station == "counter" else url_for("manager.index")


@bp.get("/password")
def own_password() -> Page | BaseResponse:
    if not current_user.is_authenticated:
        return redirect(url_for("manager.login_form", next=request.full_path))
    return render_template("manager/admin/password.html", forced=False, error=None, done=False,
                           minimum=MIN_CHOSEN_PASSWORD)


@bp.post("/password")
def own_password_change() -> Page | BaseResponse:
    if not current_user.is_authenticated:
        return redirect(url_for("manager.login_form"))
    form, db = request.form, get_db()
    try:
        staff = staff_admin.change_own_password(db, current_user.id, current=form.get("current", ""),
                                                new=form.get("new", ""), confirm=form.get("confirm", ""), now=now())
        db.commit()
    except DomainError as exc:
        db.rollback()
        return render_template("manager/admin/password.html", forced=False, error=describe(exc), done=False,
                               minimum=MIN_CHOSEN_PASSWORD), exc.status
    sign_in(staff)  # this browser stays logged in under the new epoch; every other session has ended
    return render_template("manager/admin/password.html", forced=False, error=None, done=True,
                           minimum=MIN_CHOSEN_PASSWORD)


@bp.get("/password/new")
def forced_password() -> Page | BaseResponse:
    if not session.get(PASSWORD_CHANGE_KEY):
        return redirect(url_for("manager.login_form"))
    return render_template("manager/admin/password.html", forced=True, error=None, done=False,
                           minimum=MIN_CHOSEN_PASSWORD)


@bp.post("/password/new")
def forced_password_change() -> Page | BaseResponse:
    pending = session.get(PASSWORD_CHANGE_KEY)
    if not pending:
        return redirect(url_for("manager.login_form"))
    staff_id, epoch, station = pending
    form, db = request.form, get_db()
    try:
        staff = staff_admin.complete_forced_change(db, staff_id, epoch, new=form.get("new", ""),
                                                   confirm=form.get("confirm", ""), now=now())
        db.commit()
    except DomainError as exc:
        db.rollback()
        return render_template("manager/admin/password.html", forced=True, error=describe(exc), done=False,
                               minimum=MIN_CHOSEN_PASSWORD), exc.status
    session.pop(PASSWORD_CHANGE_KEY, None)
    sign_in(staff)
    return redirect(_home(station))
