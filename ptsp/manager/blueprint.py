"""The blueprint of this package; view modules attach their routes to `bp`."""

from flask import Blueprint

bp = Blueprint("manager", __name__, url_prefix="/manager", template_folder="templates", static_folder="static")
