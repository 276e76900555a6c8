"""The fact catalogue served to the pages: `static/live.js` follows the numbered facts listed here."""

from __future__ import annotations

import json

from flask import Blueprint, Response

from . import facts

bp = Blueprint("live", __name__, url_prefix="/live")


@bp.get("/facts.js")
def catalogue_script() -> Response:
    """Serve `ptsp.facts.CATALOGUE` as `window.PTSPFacts`, built from the catalogue at request time."""
    body = f"window.PTSPFacts = {json.dumps(facts.for_pages(), sort_keys=True)};\n"
    response = Response(body, mimetype="text/javascript")
    response.cache_control.no_cache = True
    return response
