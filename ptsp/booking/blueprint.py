"""The blueprint of this package; view modules attach their routes to `bp`."""

from flask import Blueprint

bp = Blueprint("booking", __name__, url_prefix="/book", template_folder="templates", static_folder="static")
