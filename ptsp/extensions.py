"""Flask extensions, created unbound here and bound to an app in `ptsp.app.create_app`."""

from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

from .models import Staff

login_manager = LoginManager()
socketio = SocketIO()  # bound with its async mode and message queue in create_app
csrf = CSRFProtect()  # checked by ptsp.cross_site.check_request, not on every view
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@login_manager.user_loader
def _load_staff(staff_id: str) -> Staff | None:
    if not staff_id.isdigit():
        return None
    with current_app.extensions["ptsp.read_sessions"]() as session:
        staff = session.get(Staff, int(staff_id))
    return staff if staff is not None and staff.active else None
