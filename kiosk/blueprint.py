"""The blueprints of this package; view modules attach their routes to `bp`, `status_bp`, `phone_bp`."""

from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates", static_folder="static")
status_bp = Blueprint("status", __name__, url_prefix="/t", template_folder="templates")
phone_bp = Blueprint("phone", __name__, url_prefix="/ambil", template_folder="templates")
