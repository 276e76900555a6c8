"""Flask extensions, created unbound here and bound to an app in `ptsp.app.create_app`.

Also the two things every login shares: the session epoch written into the cookie at login and checked
on every request and socket event, and the login limits (one bucket per client address and one per
account, shared by every login form and the API).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, login_user, logout_user
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from . import config_cache
from .context import login_session
from .models import Staff

login_manager = LoginManager()
socketio = SocketIO()  # bound with its async mode and message queue in create_app
csrf = CSRFProtect()  # checked by ptsp.cross_site.check_request, not on every view
limiter = Limiter(key_func=get_remote_address, default_limits=[])

EPOCH_KEY = "ptsp_epoch"


@login_manager.user_loader
def _load_staff(staff_id: str) -> Staff | None:
    """The logged-in account, if it is active and the cookie was made under its current session epoch."""
    if not staff_id.isdigit():
        return None
    with login_session() as db:
        staff = config_cache.staff(db, int(staff_id))
    if staff is None or not staff.active or session.get(EPOCH_KEY) != staff.session_epoch:
        return None
    if staff.must_change_password:  # a temporary password opens only the page that replaces it
        return None
    return staff


def sign_in(staff: Staff) -> None:
    """Log `staff` in on this browser, under the account's current session epoch."""
    login_user(staff)
    session[EPOCH_KEY] = staff.session_epoch


PASSWORD_CHANGE_KEY = "ptsp_password_change"


def begin_password_change(staff: Staff, station: str) -> None:
    """Remember, in this browser's signed session only, that `staff` proved a temporary password and must
    choose a new one before being logged in (`station`: where to go afterwards, counter or manager)."""
    logout_user()
    session[PASSWORD_CHANGE_KEY] = [staff.id, staff.session_epoch, station]


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def _account_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN_ACCOUNT"])


def login_username() -> str:
    """The username a login request names (JSON body or form), folded so case tricks share a bucket."""
    body = request.get_json(silent=True) if request.is_json else None
    name = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return name.strip().casefold()[:64] if isinstance(name, str) else ""


def _account_key() -> str:
    name = login_username()
    return f"account:{name}" if name else f"account-less:{get_remote_address()}"


def login_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """Share the login limits among every login endpoint: one bucket per address, one per account."""
    per_address = limiter.shared_limit(_login_limit, scope="login-address", key_func=get_remote_address)
    per_account = limiter.shared_limit(_account_limit, scope="login-account", key_func=_account_key)
    return per_address(per_account(view))
