"""Kiosk routes: the touch page, its live state, issuing with printing, and the print preview."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, render_template, request

from printers import render_html, ticket_layout
from ptsp import config_cache
from ptsp.api.access import issue_limited, require_actor
from ptsp.api.routes import parse_body
from ptsp.context import get_db, get_read_db, now, status_url
from ptsp.device_auth import paired_device, renew_cookie
from ptsp.domain import hours as office_hours
from ptsp.domain.errors import Forbidden
from ptsp.i18n import current_language, switch_url
from ptsp.models import Office
from ptsp.printing_runner import print_issued, ticket_print_data
from ptsp.schemas import IssueTicket
from ptsp.services.lookup import current_seq, issued_counts, waiting_counts
from ptsp.services.printing import issue_with_job, printer_for_device, printer_health_view, recent_jobs
from ptsp.services.serializers import ticket_view, wait_estimate
from ptsp.services.service_standard import standard_view

from .blueprint import bp
from .holiday import holiday_screen

RETURN_SECONDS = 15
IDLE_SECONDS = 60  # a kiosk left in another language goes back to the office's after this long untouched


@bp.get("/")
def show() -> Response:
    device = paired_device("kiosk")
    default = current_app.config["DEFAULT_LANGUAGE"]
    config = {"office": device.office_id, "device": device.id, "return_seconds": RETURN_SECONDS,
              "idle_seconds": IDLE_SECONDS, "language": current_language(), "default_language": default,
              "default_language_url": switch_url(default)}
    office = get_read_db().get_one(Office, device.office_id)
    complaint_url = f"{(current_app.config.get('PUBLIC_URL') or request.host_url).rstrip('/')}/pengaduan/{office.slug}"
    page = render_template("kiosk/kiosk.html", config=config, complaint_url=complaint_url)
    return renew_cookie(Response(page), device)


def office_state(office: Office, at: Any) -> dict[str, Any]:
    """Say whether the kiosk may issue now: open, closed (outside hours) or cutoff (last ticket passed)."""
    day = office_hours.service_day(at, office.timezone)
    week = office_hours.parse_week(office.hours)
    hours = office_hours.hours_on(week, day, office.timezone, office.last_ticket_minutes)
    if hours.opens_at is None or at < hours.opens_at or at >= hours.closes_at:
        state = "closed"
    elif at >= hours.last_ticket_at:
        state = "cutoff"
    else:
        state = "open"
    return {
        "state": state,
        "opens_at": office_hours.local_now(hours.opens_at, office.timezone).strftime("%H:%M")
        if hours.opens_at else None,
        "closes_at": office_hours.local_now(hours.closes_at, office.timezone).strftime("%H:%M")
        if hours.closes_at else None,
        "last_ticket_at": office_hours.local_now(hours.last_ticket_at, office.timezone).strftime("%H:%M")
        if hours.last_ticket_at else None,
    }


@bp.get("/state")
def state() -> Response:
    """The start screen's data. Every kiosk of the office asks for it after each fact of the office, and all but
    the printer is the same for each of them: that part is worked out once per process for each office fact,
    clock minute and language, like the counter screens' lines (docs/architecture.md, "A fact, N screens")."""
    actor = require_actor("kiosk")
    office_id = actor.office_id
    if office_id is None:  # a kiosk is always an office's; never share a catalogue under no office
        raise Forbidden("caller_kind_not_allowed", kind="kiosk")
    session = get_read_db()
    at = now()
    seq = current_seq(session, office_id)
    shared = config_cache.remembered_at(
        session, ("kiosk_state", office_id, current_language()),
        (seq, at.replace(second=0, microsecond=0)), lambda: office_catalogue(session, office_id, at))
    printer = printer_for_device(session, actor.device_id)
    return jsonify({**shared, "printer": printer_health_view(session, printer) if printer else None})


def office_catalogue(session: Any, office_id: int, at: Any) -> dict[str, Any]:
    """What every kiosk of the office shows alike: the office, its open state, a closed day, the services and
    the agencies' tiles."""
    office = session.get_one(Office, office_id)
    services = service_catalogue(session, office, at)
    closed_day = holiday_screen(session, office, at)  # the holiday screen's hook (kiosk/holiday.py)
    return {
        "office": {"id": office.id, "name": office.name,
                   "local_time": office_hours.local_now(at, office.timezone).strftime("%H:%M"),
                   "zone": office_hours.zone_label(office.timezone)},
        **office_state(office, at),
        **({"state": "closed"} if closed_day else {}),
        "closed_day": closed_day,
        "services": services,
        "agencies": agency_tiles(office, services),
    }


def service_catalogue(session: Any, office: Office, at: Any) -> list[dict[str, Any]]:
    """The services a resident may take a ticket for now (active, in an active agency), with their line, wait
    and quota left: the kiosk's tiles and the phone page's list (kiosk/phone.py) read the same data."""
    day = office_hours.service_day(at, office.timezone)
    counts = waiting_counts(session, office.id, day)
    issued = issued_counts(session, office.id, day)
    services = []
    for service in office.services:
        if not service.active or (service.agency is not None and not service.agency.active):
            continue
        waiting = counts.get(service.id, 0)
        left = None if service.daily_quota is None else max(0, service.daily_quota - issued.get(service.id, 0))
        services.append({
            "id": service.id, "prefix": service.prefix, "name": {"id": service.name_id, "en": service.name_en},
            "waiting": waiting, "estimated_wait_minutes": wait_estimate(session, service, waiting, at),
            "quota_left": left, "available": left is None or left > 0,
            "standard": standard_view(service),
            "agency": service.agency_id,
        })
    return services


def agency_tiles(office: Office, services: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The office's agencies that offer a service now, in their order; [] for an office without agencies.

    Services an office keeps outside every agency go under one more tile, "Layanan lainnya" (id 0)."""
    offered = {s["agency"] for s in services}
    tiles = [{"id": a.id, "code": a.code, "name": {"id": a.name, "en": a.name_en or a.name}}
             for a in office.agencies if a.active and a.id in offered]
    if tiles and None in offered:
        for s in services:
            s["agency"] = s["agency"] or 0
        tiles.append({"id": 0, "code": "", "name": None})  # the page names it in its language
    return tiles


@bp.post("/issue")
@issue_limited
def issue() -> tuple[Response, int]:
    """Issue a ticket for this kiosk, print it, and return what the screen shows."""
    actor = require_actor("kiosk")
    body = parse_body(IssueTicket)
    if body.office != actor.office_id:
        raise Forbidden("kiosk_of_other_office")
    session = get_db()
    ticket, position, job = issue_with_job(session, office_id=body.office, service_id=body.service,
                                           priority=body.priority, actor=actor, status_url=status_url, now=now())
    session.commit()
    outcome = print_issued(session, ticket, job, position)
    url = status_url(ticket.public_token)
    return jsonify({
        "ticket": ticket_view(ticket), **position, "status_url": url,
        "service_name": {"id": ticket.service.name_id, "en": ticket.service.name_en},
        "print": outcome,
    }), 201


@bp.get("/preview")
def preview() -> str:
    """Show the last tickets this kiosk printed (or tried to) as they look on paper."""
    device = paired_device("kiosk")
    session = get_read_db()
    printer = printer_for_device(session, device.id)
    at = now()
    tickets = [] if printer is None else [
        {"job": job, "html": render_html(ticket_layout(
            ticket_print_data(session, job, at), printer.width_chars))}
        for job in recent_jobs(session, printer.id)
    ]
    return render_template("kiosk/preview.html", printer=printer, tickets=tickets)
