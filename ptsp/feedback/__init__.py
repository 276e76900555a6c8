"""Resident feedback: the rating page behind a ticket's QR code, and the counter-side rating tablet."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, template_folder="templates", static_folder="static",
               static_url_path="/feedback/static")

from . import views  # noqa: E402,F401  (views attach themselves to bp)
