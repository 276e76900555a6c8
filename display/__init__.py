"""The lobby display station: current calls, waiting counts, chime and spoken announcements."""

from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates", static_folder="static")

from . import views  # noqa: E402,F401  (views attach themselves to bp)
