"""Lobby display routes: translate requests to services and templates, nothing more."""

from __future__ import annotations

import re

from flask import Response, abort, current_app, render_template, request
from flask_babel import force_locale, gettext

from ptsp.context import get_read_db
from ptsp.device_auth import paired_device, renew_cookie
from ptsp.services.agencies import hall_service_ids

from .blueprint import bp
from .sound import chime_wav, espeak_available, espeak_wav

_PREFIXES = re.compile(r"^[A-Z]{1,2}(,[A-Z]{1,2})*$")
_AGENCIES = re.compile(r"^[A-Za-z0-9_-]{1,16}(,[A-Za-z0-9_-]{1,16}){0,39}$")
_SPEAKABLE = re.compile(r"^[\w ,.\-]{1,300}$")


@bp.get("/")
def show() -> Response:
    device = paired_device("display")
    services = request.args.get("services", "").upper()
    if services and not _PREFIXES.match(services):
        abort(Response(render_template("display/refused.html", reason="services=A,B"), status=422))
    # A display following a hall of an MPP: only the calls of these agencies' services (their codes).
    agencies = request.args.get("agencies", "")
    hall = None
    if agencies:
        hall = hall_service_ids(get_read_db(), device.office_id, agencies.split(",")) \
            if _AGENCIES.match(agencies) else None
        if hall is None:
            abort(Response(render_template("display/refused.html", reason="agencies=KODE1,KODE2"), status=422))
    # Calls are spoken for the whole lobby, in the office's language, whatever this screen's text shows.
    with force_locale(current_app.config["DEFAULT_LANGUAGE"]):
        spoken = gettext("Nomor antrian %(code)s, silakan ke loket %(number)s", code="%(code)s", number="%(number)s")
    config = {"office": device.office_id, "device": device.id,
              "services": services.split(",") if services else [], "hall": hall, "espeak": espeak_available(),
              "announcement": spoken}
    return renew_cookie(Response(render_template("display/display.html", config=config)), device)


@bp.get("/chime.wav")
def chime() -> Response:
    return Response(chime_wav(), mimetype="audio/wav", headers={"Cache-Control": "public, max-age=86400"})


@bp.get("/speech.wav")
def speech() -> Response:
    paired_device("display")
    text = request.args.get("text", "")
    if not _SPEAKABLE.match(text):
        abort(422)
    if not espeak_available():
        abort(404)
    return Response(espeak_wav(text), mimetype="audio/wav")
