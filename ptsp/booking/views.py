"""Booking routes: read the form, hand it to services.appointments, render the answer (docs/appointments.md).

Plain forms with the session's CSRF token (checked for every POST by ptsp.cross_site), so the page works
without scripts on any phone. Changes and code look-ups are rate limited per client address.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import Any

from flask import current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from printers.html_render import qr_svg
from ptsp.context import get_db, get_read_db, now
from ptsp.domain import hours as office_hours
from ptsp.domain.errors import DomainError, InvalidInput
from ptsp.extensions import limiter
from ptsp.i18n.errors import describe
from ptsp.models import Appointment, Office, Service
from ptsp.services import appointments

from .blueprint import bp

DEVICE_COOKIE = "ptsp_booker"
DEVICE_DAYS = 365
changes_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_BOOKING"]), scope="booking")
lookups_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_BOOKING_LOOKUP"]),
                                       scope="booking-lookup")


def _page(template: str, status: int = 200, **context: Any) -> BaseResponse:
    """Render a booking page and give the browser its booking device id if it has none yet."""
    response = make_response(render_template(template, **context), status)
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(18), max_age=DEVICE_DAYS * 86400, httponly=True,
                            samesite="Lax", secure=request.is_secure, path="/book")
    return response


def _missing(exc: DomainError) -> BaseResponse:
    return _page("booking/missing.html", exc.status, message=describe(exc))


def _day_arg(value: str | None, default: date | None = None) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("booking_day_invalid") from None


def _time_arg(value: str | None) -> time:
    try:
        return datetime.strptime(value or "", "%H:%M").time()
    except ValueError:
        raise InvalidInput("slot_time_invalid") from None


def _service_arg(office: Office, service_id: int) -> Service:
    found = next((s for s in appointments.bookable_services(office) if s.id == service_id), None)
    if found is None:
        raise InvalidInput("service_not_bookable", service=service_id)
    return found


@bp.get("/<slug>")
def services(slug: str) -> BaseResponse:
    session = get_read_db()
    try:
        office = appointments.office_by_slug(session, slug)
    except DomainError as exc:
        return _missing(exc)
    agency = request.args.get("agency", "")[:16] or None
    return _page("booking/services.html", office=office, agency=agency,
                 agencies=appointments.agencies_with_bookings(office),
                 services=appointments.bookable_services(office, agency))


def _slots_context(session: Any, office: Office, service: Service, day: date | None,
                   exclude: int | None = None) -> dict[str, Any]:
    at = now()
    days = appointments.booking_days(session, office, at)
    open_days = [d for d, closed in days if closed is None]
    chosen = day if day is not None else (open_days[0] if open_days else None)
    slots = [] if chosen is None else appointments.day_slot_list(session, office, service, chosen, at, exclude)
    return {"office": office, "service": service, "days": days, "day": chosen, "slots": slots,
            "zone": office_hours.zone_label(office.timezone)}


@bp.get("/<slug>/layanan/<int(max=2147483647):service_id>")
def slots(slug: str, service_id: int) -> BaseResponse:
    session = get_read_db()
    try:
        office = appointments.office_by_slug(session, slug)
        service = _service_arg(office, service_id)
        context = _slots_context(session, office, service, _day_arg(request.args.get("day")))
    except DomainError as exc:
        return _missing(exc)
    return _page("booking/slots.html", error=None, form={}, **context)


@bp.post("/<slug>/layanan/<int(max=2147483647):service_id>")
@changes_limited
def book(slug: str, service_id: int) -> BaseResponse:
    session = get_db()
    try:
        office = appointments.office_by_slug(session, slug)
        service = _service_arg(office, service_id)
    except DomainError as exc:
        return _missing(exc)
    form = request.form
    _record_missed(session, office)
    try:
        day = _day_arg(form.get("day"))
        if day is None:
            raise InvalidInput("booking_day_invalid")
        booking = appointments.book(
            session, office=office, service_id=service.id, day=day, at=_time_arg(form.get("time")),
            phone=form.get("phone", "")[:40], consent=form.get("consent") == "yes",
            device=request.cookies.get(DEVICE_COOKIE, "")[:64], pepper=_pepper(), now=now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        read = get_read_db()
        chosen = _day_or_none(form.get("day"))
        context = _slots_context(read, read.get_one(Office, office.id), read.get_one(Service, service.id), chosen)
        return _page("booking/slots.html", exc.status, error=describe(exc), form=form, **context)
    return redirect(url_for("booking.show", slug=slug, code=booking.code, new=1), code=303)


def _record_missed(session: Any, office: Office) -> None:
    """Record the bookings whose check-in window has passed as no-shows, in a transaction of its own: a refused
    booking (perhaps refused because of them) must not undo the record."""
    appointments.close_missed(session, office.id, now())
    session.commit()


def _day_or_none(value: str | None) -> date | None:
    try:
        return _day_arg(value)
    except InvalidInput:
        return None


def _pepper() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def booking_url(booking: Appointment) -> str:
    """The booking's own page, which its QR code holds (a kiosk's scanner may type it whole)."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return f"{base.rstrip('/')}/book/{booking.office.slug}/b/{booking.code}"


def _booking_page(booking: Appointment, status: int = 200, error: str | None = None) -> BaseResponse:
    url = booking_url(booking)
    window = appointments.settings_for(get_read_db(), booking.office_id)
    return _page("booking/booking.html", status, booking=booking, view=appointments.booking_view(booking),
                 window=window, qr=qr_svg(url), url=url, error=error, new=request.args.get("new") == "1")


def _booking(session: Any, slug: str, code: str) -> tuple[Any, Any]:
    """The office named in the address and its booking of `code` (DomainError when either is unknown)."""
    office = appointments.office_by_slug(session, slug)
    return office, appointments.find(session, office, code)


@bp.get("/<slug>/b/<code>")
@lookups_limited
def show(slug: str, code: str) -> BaseResponse:
    session = get_read_db()
    try:
        office, booking = _booking(session, slug, code)
    except DomainError as exc:
        return _missing(exc)
    return _booking_page(booking)


@bp.post("/<slug>/b/<code>/batal")
@changes_limited
def cancel(slug: str, code: str) -> BaseResponse:
    session = get_db()
    try:
        office, booking = _booking(session, slug, code)
    except DomainError as exc:
        return _missing(exc)
    try:
        appointments.cancel(session, office=office, code=code, now=now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _booking_page(appointments.find(get_read_db(), office, code), exc.status, describe(exc))
    return redirect(url_for("booking.show", slug=slug, code=booking.code), code=303)


@bp.get("/<slug>/b/<code>/ubah")
@lookups_limited
def reschedule_form(slug: str, code: str) -> BaseResponse:
    session = get_read_db()
    try:
        office, booking = _booking(session, slug, code)
        context = _slots_context(session, office, booking.service, _day_arg(request.args.get("day"), booking.day),
                                 exclude=booking.id)
    except DomainError as exc:
        return _missing(exc)
    return _page("booking/slots.html", error=None, form={}, booking=booking, **context)


@bp.post("/<slug>/b/<code>/ubah")
@changes_limited
def reschedule(slug: str, code: str) -> BaseResponse:
    session = get_db()
    try:
        office, booking = _booking(session, slug, code)
    except DomainError as exc:
        return _missing(exc)
    form = request.form
    try:
        day = _day_arg(form.get("day"))
        if day is None:
            raise InvalidInput("booking_day_invalid")
        appointments.reschedule(session, office=office, code=code, day=day, at=_time_arg(form.get("time")),
                                now=now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        read = get_read_db()
        again = appointments.find(read, read.get_one(Office, office.id), code)
        context = _slots_context(read, again.office, again.service, _day_or_none(form.get("day")) or again.day,
                                 exclude=again.id)
        return _page("booking/slots.html", exc.status, error=describe(exc), form=form, booking=again, **context)
    return redirect(url_for("booking.show", slug=slug, code=booking.code), code=303)
