"""The counter station: a clerk's login and workstation screen."""

from flask import Blueprint

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates", static_folder="static")

from . import views  # noqa: E402,F401  (views attach themselves to bp)
