"""The public complaint page (docs/complaints.md): anyone files a complaint, with or without a ticket, and follows
it by its tracking code. Plain forms with the session's CSRF token (checked for every POST by ptsp.cross_site);
filing and code look-ups are rate limited per client address."""

from __future__ import annotations

from typing import Any

from flask import current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics.dashboard import service_name
from ptsp.context import get_db, get_read_db, now
from ptsp.domain.complaints import LAPOR_URL, MAX_CONTACT, MAX_TEXT, normalize_code
from ptsp.domain.errors import DomainError
from ptsp.extensions import limiter
from ptsp.i18n.errors import describe
from ptsp.models import Office
from ptsp.services import complaints

from .blueprint import bp

filing_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_COMPLAINT"]), scope="complaint")
lookups_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_COMPLAINT_LOOKUP"]),
                                       scope="complaint-lookup")


def _form_page(office: Office, status: int = 200, error: str | None = None) -> BaseResponse:
    services = [(s.id, service_name(s)) for s in complaints.services_of(get_read_db(), office)]
    page = render_template("feedback/complaint.html", office=office, services=services, error=error,
                           form=request.form, max_text=MAX_TEXT, max_contact=MAX_CONTACT, lapor=LAPOR_URL,
                           ticket=request.args.get("t", "")[:64])
    return make_response(page, status)


def missing_page(exc: DomainError) -> BaseResponse:
    """The public pages' answer when the office or the code is not found (jemput bola's pages use it too)."""
    return make_response(render_template("feedback/missing.html", message=describe(exc)), exc.status)


@bp.get("/pengaduan/<slug>")
def complaint_form(slug: str) -> BaseResponse:
    try:
        office = complaints.office_by_slug(get_read_db(), slug)
    except DomainError as exc:
        return missing_page(exc)
    code = request.args.get("kode")
    if code is not None:  # the "follow my complaint" box
        shown = normalize_code(code)
        if shown:
            return redirect(url_for("feedback.complaint_track", slug=office.slug, code=shown), code=303)
    return _form_page(office)


@bp.post("/pengaduan/<slug>")
@filing_limited
def complaint_file(slug: str) -> BaseResponse:
    session = get_db()
    try:
        office = complaints.office_by_slug(session, slug)
    except DomainError as exc:
        return missing_page(exc)
    form = request.form
    try:
        filed = complaints.file_public(session, office=office, text=form.get("text"), service=form.get("service"),
                                       ticket=form.get("ticket"), contact=form.get("contact"),
                                       consent=form.get("consent") == "1", now=now())
        code = filed.code
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _form_page(office, exc.status, describe(exc))
    return redirect(url_for("feedback.complaint_track", slug=office.slug, code=code, baru=1), code=303)


@bp.get("/pengaduan/<slug>/k/<code>")
@lookups_limited
def complaint_track(slug: str, code: str) -> BaseResponse:
    session = get_read_db()
    try:
        office, complaint = complaints.by_code(session, slug, code)
    except DomainError as exc:
        return missing_page(exc)
    view: dict[str, Any] = complaints.tracking_view(session, office, complaint, now())
    page = render_template("feedback/complaint_track.html", office=office, c=view, lapor=LAPOR_URL,
                           new=request.args.get("baru") == "1")
    response = make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"  # the code is in the address
    return response
