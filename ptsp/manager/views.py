"""Manager login and the page that lists a manager's offices."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_read_db
from ptsp.extensions import begin_password_change, login_limited, sign_in
from ptsp.services.accounts import authenticate
from ptsp.sign_out import sign_out

from .access import MANAGER_ROLES, manager_page, visible_offices
from .blueprint import bp


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site under /manager/."""
    if target and not urlsplit(target).netloc and target.startswith("/manager/"):
        return target
    return url_for("manager.index")


@bp.get("/login")
def login_form() -> str:
    return render_template("manager/login.html", error=None, username="", next=request.args.get("next", ""))


@bp.post("/login")
@login_limited
def login() -> BaseResponse | tuple[str, int]:
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("next", "")

    def refuse(message: str, status: int) -> tuple[str, int]:
        return render_template("manager/login.html", error=message, username=username, next=target), status

    if not username or not password:
        return refuse(gettext("Isi nama pengguna dan kata sandi."), 422)
    staff = authenticate(get_read_db(), username, password)
    if staff is None:
        return refuse(gettext("Nama pengguna atau kata sandi salah."), 401)
    if staff.role not in MANAGER_ROLES:
        return refuse(gettext("Halaman ini untuk pengawas dan manajer."), 403)
    if staff.must_change_password:
        begin_password_change(staff, "manager")
        return redirect(url_for("manager.forced_password"))
    sign_in(staff)
    return redirect(_safe_next(target))


@bp.errorhandler(429)
def too_many_attempts(_exc: Exception) -> tuple[str, int]:
    """The login limit, as the login page with a sentence rather than a bare error page."""
    message = gettext("Terlalu banyak percobaan masuk. Coba lagi sebentar.")
    return render_template("manager/login.html", error=message, username="", next=""), 429


@bp.post("/logout")
def logout() -> BaseResponse:
    sign_out()
    return redirect(url_for("manager.login_form"))


@bp.get("/")
@manager_page
def index() -> str:
    return render_template("manager/index.html", offices=visible_offices())
