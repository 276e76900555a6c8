"""JSON REST API under /api/v1."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import discipline, errors, points, printing, referrals, routes  # noqa: E402,F401  (routes attach themselves to bp)
