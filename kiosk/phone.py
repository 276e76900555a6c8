"""A walk-in ticket taken from a resident's phone: `/ambil/<office>`, reached from the QR poster at the door.

The page lists the services the kiosk offers (the kiosk's own catalogue, `views.service_catalogue`), grouped by
agency with a search box, and says whether the office takes tickets now (the kiosk's `office_state` and holiday
screen). Taking one posts a plain form; the ticket is issued by the kiosk's use case under the kiosk's rules
(`ptsp.services.phone_tickets`) and the phone lands on the ticket's status page, which is the ticket.
Anti-abuse (docs/residents.md): a random cookie names the phone, one live ticket per phone and service, and two
rate limits on taking one: per client address (PTSP_RATELIMIT_PHONE_ADDRESS) and per phone
(PTSP_RATELIMIT_PHONE_DEVICE).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, current_app, make_response, redirect, render_template, request
from flask_babel import gettext
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address

from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError, InvalidInput, NotFound
from ptsp.extensions import limiter
from ptsp.i18n import current_language
from ptsp.i18n.errors import describe
from ptsp.models import Office
from ptsp.services.phone_tickets import device_key, issue_from_phone, live_tickets, office_for_phone

from .blueprint import phone_bp
from .holiday import holiday_screen
from .views import agency_tiles, office_state, service_catalogue

COOKIE = "ptsp_phone"
COOKIE_DAYS = 30


def _device_limit_key() -> str:
    """The per-phone bucket: its cookie, or its address when it sent none (it is refused anyway)."""
    return "phone:" + (request.cookies.get(COOKIE) or get_remote_address())


per_address = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_PHONE_ADDRESS"]),
                                   scope="phone-address", key_func=get_remote_address)
per_device = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_PHONE_DEVICE"]),
                                  scope="phone-device", key_func=_device_limit_key)


def _groups(office: Office, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The services under their agency's name, in the kiosk's order (one unnamed group without agencies)."""
    tiles = agency_tiles(office, services)
    language = current_language()
    if not tiles:
        return [{"name": None, "services": services}]
    return [{"name": (tile["name"] or {}).get(language) or (tile["name"] or {}).get("id")
             or gettext("Layanan lainnya"), "code": tile["code"],
             "services": [s for s in services if s["agency"] == tile["id"]]} for tile in tiles]


def _page(session: Any, office: Office, error: str | None = None, status: int = 200) -> Response:
    at = now()
    closed_day = holiday_screen(session, office, at)
    state = office_state(office, at)
    if closed_day:
        state["state"] = "closed"
    services = service_catalogue(session, office, at)
    cookie = request.cookies.get(COOKIE)
    mine = live_tickets(session, office, device_key(cookie), at) if cookie else []
    response = make_response(render_template(
        "kiosk/phone.html", office=office, state=state, closed_day=closed_day, groups=_groups(office, services),
        count=len(services), mine=mine, error=error), status)
    if not cookie:
        response.set_cookie(COOKIE, secrets.token_urlsafe(24), max_age=COOKIE_DAYS * 86400, path="/ambil",
                            secure=request.is_secure, httponly=True, samesite="Lax")
    return response


@phone_bp.get("/<slug>")
def show(slug: str) -> Response:
    session = get_read_db()
    try:
        office = office_for_phone(session, slug)
    except NotFound as exc:
        return make_response(render_template("kiosk/phone_missing.html", message=describe(exc)), 404)
    return _page(session, office)


@phone_bp.post("/<slug>")
@per_address
@per_device
def take(slug: str) -> Response:
    """Take a ticket for the service in the form and go to its status page (303); a refusal shows the page
    again with its reason and changes nothing."""
    session = get_db()
    try:
        cookie = request.cookies.get(COOKIE)
        if not cookie:
            raise InvalidInput("phone_cookie_required")
        service = request.form.get("service", "")
        if not service.isdigit() or len(service) > 9:
            raise InvalidInput("unknown_service", service=service[:20])
        ticket = issue_from_phone(session, slug=slug, service_id=int(service), key=device_key(cookie), now=now())
        session.commit()
    except NotFound as exc:
        session.rollback()
        return make_response(render_template("kiosk/phone_missing.html", message=describe(exc)), 404)
    except DomainError as exc:
        session.rollback()
        return _page(session, office_for_phone(session, slug), describe(exc), exc.status)
    return make_response(redirect(f"/t/{ticket.public_token}", code=303))


@phone_bp.errorhandler(RateLimitExceeded)
def too_many(exc: RateLimitExceeded) -> Response:
    """A rate limit: the page again, with the reason, 429."""
    slug = (request.view_args or {}).get("slug", "")
    message = gettext("Terlalu banyak permintaan dari perangkat ini. Coba lagi beberapa menit lagi.")
    try:
        office = office_for_phone(get_read_db(), str(slug))
    except NotFound:
        return make_response(render_template("kiosk/phone_missing.html", message=message), 429)
    return _page(get_read_db(), office, message, 429)
