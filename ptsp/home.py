"""The landing page `/`: for staff, each office's stations and how to pair them (Indonesian first)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .context import get_read_db
from .services.landing import offices_overview

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """The stations of every office in this installation; a fresh one is told to run `ptsp init`."""
    base = (current_app.config["PUBLIC_URL"] or request.host_url).rstrip("/")
    return render_template("home/index.html", offices=offices_overview(get_read_db()), base=base)
