"""The kiosk station (`/kiosk/`), its printing, and the resident's ticket page (`/t/<token>`)."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")
status_bp = Blueprint("status", __name__, url_prefix="/t", template_folder="templates")

from . import status, views  # noqa: E402,F401  (views attach themselves to the blueprints)
