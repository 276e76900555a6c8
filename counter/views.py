"""Counter screen routes: translate requests to services and templates, nothing more."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics.leaderboard import office_standings, pick_standing
from ptsp.context import get_read_db, now
from ptsp.domain.discipline import LABELS as VIOLATION_LABELS
from ptsp.domain.errors import Forbidden, Unauthorized
from ptsp.domain.urgent import REASONS as URGENT_REASONS
from ptsp.extensions import begin_password_change, login_limited, sign_in
from ptsp.services.accounts import authenticate
from ptsp.services.counter_screen import clerk_today, office_lines
from ptsp.sign_out import sign_out

from .blueprint import bp


@bp.get("/login")
def login_form() -> str:
    return render_template("counter/login.html", error=None, username="")


@bp.post("/login")
@login_limited
def login() -> str | BaseResponse | tuple[str, int]:
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or not password:
        return render_template("counter/login.html", error=_("Isi nama pengguna dan kata sandi."),
                               username=username), 422
    staff = authenticate(get_read_db(), username, password)
    if staff is None:
        return render_template("counter/login.html", error=_("Nama pengguna atau kata sandi salah."),
                               username=username), 401
    if staff.office_id is None:
        return render_template("counter/login.html", error=_("Akun ini tidak terikat pada kantor mana pun."),
                               username=username), 403
    if staff.must_change_password:
        begin_password_change(staff, "counter")
        return redirect(url_for("manager.forced_password"))
    sign_in(staff)
    return redirect(url_for("counter.screen"))


@bp.errorhandler(429)
def too_many_attempts(_exc: Exception) -> tuple[str, int]:
    """The login limit, as the login page with a sentence rather than a bare error page."""
    return render_template("counter/login.html", error=_("Terlalu banyak percobaan masuk. Coba lagi sebentar."),
                           username=""), 429


@bp.post("/logout")
def logout() -> BaseResponse:
    sign_out()
    return redirect(url_for("counter.login_form"))


@bp.get("/")
def screen() -> str | BaseResponse:
    if not current_user.is_authenticated:
        return redirect(url_for("counter.login_form"))
    config = {"office": current_user.office_id, "staff": current_user.id, "staff_name": current_user.name}
    labels = {kind: _(label) for kind, label in VIOLATION_LABELS.items()}
    return render_template("counter/screen.html", config=config, violation_labels=labels, urgent_reasons=URGENT_REASONS)


def _own_office() -> int:
    """The logged-in clerk's office: the lines and figures are only ever an office's own."""
    if not current_user.is_authenticated:
        raise Unauthorized("login_required")
    office_id: int | None = current_user.office_id
    if office_id is None:  # an administrator of no office has no counter screen
        raise Forbidden("counter_needs_office")
    return office_id


@bp.get("/state")
def state() -> Response | tuple[Response, int]:
    office_id = _own_office()
    session = get_read_db()
    return jsonify({
        **office_lines(session, office_id, now()),  # the same for every screen of the office (`lines`)
        "figures": {**clerk_today(session, current_user.id, office_id, now()),
                    "standing": own_standing(current_user.id, office_id)},
    })


@bp.get("/lines")
def lines() -> Response:
    """The part of the state that is the same for every screen of the office: what a screen asks after a fact
    about another counter (its own figures cannot have moved; docs/architecture.md, "A fact, N screens")."""
    return jsonify(office_lines(get_read_db(), _own_office(), now()))


STANDINGS_KEPT = 64


def own_standing(staff_id: int, office_id: int) -> dict[str, Any]:
    """The clerk's own band and interval, from the office's boards computed at most once a minute per process.

    Every fact in the office makes each counter screen ask for its state again, and the boards behind a band
    cost far more than the counts (hours with work are rebuilt from the week's event log), so one office's
    boards are kept for the rest of the clock minute they were made in: a band may lag the points by a minute.
    """
    minute = now().replace(second=0, microsecond=0)
    min_transactions = current_app.config["LEADERBOARD_MIN_TRANSACTIONS"]
    kept: dict[tuple[int, Any, int], dict[str, Any]] = current_app.extensions.setdefault("ptsp.counter_standings", {})
    key = (office_id, minute, min_transactions)
    standings = kept.get(key)
    if standings is None:
        if len(kept) >= STANDINGS_KEPT:
            kept.clear()
        standings = kept[key] = office_standings(get_read_db(), office_id, now(), min_transactions)
    return pick_standing(standings, staff_id)
