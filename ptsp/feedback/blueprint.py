"""The blueprint of this package; view modules attach their routes to `bp`."""

from flask import Blueprint

bp = Blueprint("feedback", __name__, template_folder="templates", static_folder="static",
               static_url_path="/feedback/static")
