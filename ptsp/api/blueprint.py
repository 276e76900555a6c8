"""The blueprint of this package; view modules attach their routes to `bp`."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
