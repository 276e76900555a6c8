"""The blueprint of this package; view modules attach their routes to `bp`."""

from flask import Blueprint

bp = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates", static_folder="static")
