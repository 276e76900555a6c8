"""The blueprint of this package; view modules attach their routes to `bp`."""

from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates", static_folder="static")
