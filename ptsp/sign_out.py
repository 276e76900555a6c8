"""Logging out: ends every session of the account (its session epoch moves on), then this browser's."""

from __future__ import annotations

from flask_login import current_user, logout_user

from .context import get_db, now
from .services.account_security import logout


def sign_out() -> None:
    """Log the current account out everywhere: a cookie copied before this no longer works."""
    if current_user.is_authenticated:
        session = get_db()
        logout(session, current_user.id, now())
        session.commit()
    logout_user()
