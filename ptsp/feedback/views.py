"""Rating routes: read the form, hand it to services.feedback, render the answer."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics.dashboard import service_name
from ptsp.context import get_db, get_read_db, now
from ptsp.device_auth import paired_device, renew_cookie
from ptsp.domain.complaints import LAPOR_URL, MAX_TEXT
from ptsp.domain.errors import DomainError, Gone, InvalidInput
from ptsp.domain.lifecycle import TokenReach
from ptsp.domain.skm import ELEMENTS, FIELDS, SCALE
from ptsp.i18n.errors import describe
from ptsp.models import Device, Office, Service
from ptsp.services import feedback, resident
from ptsp.services.actors import Actor

from .blueprint import bp


def _answer(form: MultiDict, name: str, label: str) -> int | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    if value not in ("1", "2", "3", "4"):
        raise InvalidInput("rating_out_of_range", field=label)
    return int(value)


def _read_form(form: MultiDict) -> dict[str, Any]:
    quick = _answer(form, "quick", "penilaian")
    if quick is None:
        raise InvalidInput("rating_required")
    elements = {name: _answer(form, name, name.upper()) for name in FIELDS}
    given = {name: value for name, value in elements.items() if value is not None}
    return {"quick": quick, "elements": given or None, "complaint": form.get("complaint", "")}


def _context(ticket, **extra: Any) -> dict[str, Any]:
    session = get_read_db()
    office = session.get_one(Office, ticket.office_id)
    service = session.get_one(Service, ticket.service_id)
    return {"ticket": ticket, "office": office, "service": service, "service_name": service_name(service),
            "elements": ELEMENTS, "scale": SCALE,
            "lapor": LAPOR_URL, "max_text": MAX_TEXT, "form": request.form, **extra}


def _resident_ticket(session, token: str):
    """The ticket of a status page's rating form, while its page is kept (`PTSP_STATUS_DAYS`, docs/security.md)."""
    ticket = feedback.ticket_for_token(session, token)
    days = current_app.config["STATUS_DAYS"]
    if resident.reach(ticket, now(), days) is TokenReach.GONE:
        raise Gone("ticket_no_longer_available", days=days)
    return ticket


@bp.get("/t/<token>/nilai")
def rating_form(token: str) -> str | tuple[str, int]:
    try:
        ticket = _resident_ticket(get_read_db(), token)
    except DomainError as exc:
        return render_template("feedback/missing.html", message=describe(exc)), exc.status
    rating = feedback.rating_of(get_read_db(), ticket)
    return render_template("feedback/rate.html", **_context(ticket, rating=rating, error=None,
                                                            thanks=request.args.get("ok") == "1",
                                                            complaint=_complaint(ticket)))


def _complaint(ticket) -> dict[str, Any] | None:
    """What the resident may see of their own complaint: status, deadline and the office's answer."""
    return feedback.resident_complaint(get_read_db(), ticket)


@bp.post("/t/<token>/nilai")
def rate(token: str) -> BaseResponse | tuple[str, int]:
    session = get_db()
    try:
        ticket = _resident_ticket(session, token)
    except DomainError as exc:
        return render_template("feedback/missing.html", message=describe(exc)), exc.status
    try:
        fields = _read_form(request.form)
        feedback.rate(session, ticket=ticket, channel="status_page", now=now(), staff_session_id=_staff_session(),
                      **fields)
        session.commit()
    except DomainError as exc:
        session.rollback()
        rating = feedback.rating_of(get_read_db(), ticket)
        return render_template("feedback/rate.html", **_context(ticket, rating=rating, error=describe(exc),
                                                                thanks=False, complaint=_complaint(ticket))), exc.status
    return redirect(url_for("feedback.rating_form", token=token, ok=1), code=303)


def _staff_session() -> int | None:
    """The staff member logged in on this browser, if any: their rating earns no points bonus (docs/points.md)."""
    return int(current_user.id) if current_user.is_authenticated else None


def _tablet_actor(device: Device) -> Actor:
    return Actor("device", device.id, device.kind, device.office_id)


def _counter_number(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 4:
        raise InvalidInput("counter_param_not_number")
    return int(value)


@bp.get("/feedback/tablet")
def tablet() -> BaseResponse | tuple[str, int]:
    """The rating tablet beside a counter; unpaired, the pairing page (ptsp/device_auth.py)."""
    device = paired_device("tablet")
    actor = _tablet_actor(device)
    try:
        counter, ticket = feedback.tablet_ticket(get_read_db(), actor, _counter_number(
            request.args.get("counter", "")), now())
    except DomainError as exc:
        return render_template("feedback/missing.html", message=describe(exc)), exc.status
    page = render_template("feedback/tablet.html", counter=counter, ticket=ticket, elements=ELEMENTS, scale=SCALE,
                           error=None, thanks=request.args.get("ok") == "1", form=request.form)
    return renew_cookie(Response(page), device)


@bp.post("/feedback/tablet")
def tablet_rate() -> BaseResponse | tuple[str, int]:
    actor = _tablet_actor(paired_device("tablet"))
    session = get_db()
    counter = None
    try:
        counter, ticket = feedback.tablet_ticket(session, actor, _counter_number(request.form.get("counter", "")),
                                                 now())
        if ticket is None or str(ticket.id) != request.form.get("ticket", ""):
            raise InvalidInput("rating_no_longer_open")
        feedback.rate(session, ticket=ticket, channel="tablet", device_id=actor.device_id, now=now(),
                      staff_session_id=_staff_session(), **_read_form(request.form))
        session.commit()
    except DomainError as exc:
        session.rollback()
        if counter is None:
            return render_template("feedback/missing.html", message=describe(exc)), exc.status
        _counter, current = feedback.tablet_ticket(get_read_db(), actor, counter.number, now())
        return render_template("feedback/tablet.html", counter=counter, ticket=current,
                               elements=ELEMENTS, scale=SCALE, error=describe(exc), thanks=False,
                               form=request.form), exc.status
    return redirect(url_for("feedback.tablet", counter=counter.number, ok=1), code=303)
