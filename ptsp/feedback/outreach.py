"""The public jemput bola page (docs/outreach.md): a resident, or their family on their behalf, asks for a home or
hospital visit from a phone, and follows it by its code. Plain forms with the session's CSRF token; filing and
code look-ups are rate limited per client address, with the complaint page's limits."""

from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.analytics.dashboard import service_name
from ptsp.context import get_db, get_read_db, now
from ptsp.domain import outreach as rules
from ptsp.domain.complaints import normalize_code
from ptsp.domain.errors import DomainError
from ptsp.extensions import limiter
from ptsp.i18n.errors import describe
from ptsp.models import Office
from ptsp.services import complaints, outreach

from .blueprint import bp
from .complaints import missing_page

filing_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_COMPLAINT"]), scope="outreach")
lookups_limited = limiter.shared_limit(lambda: str(current_app.config["RATELIMIT_COMPLAINT_LOOKUP"]),
                                       scope="outreach-lookup")


def _form_page(office: Office, status: int = 200, error: str | None = None) -> BaseResponse:
    services = [(s.id, service_name(s)) for s in complaints.services_of(get_read_db(), office)]
    page = render_template("feedback/outreach.html", office=office, services=services, error=error,
                           form=request.form, rules=rules)
    return make_response(page, status)


@bp.get("/jemput/<slug>")
def outreach_form(slug: str) -> BaseResponse:
    try:
        office = outreach.office_by_slug(get_read_db(), slug)
    except DomainError as exc:
        return missing_page(exc)
    code = request.args.get("kode")
    if code is not None:  # the "follow my request" box
        shown = normalize_code(code)
        if shown:
            return redirect(url_for("feedback.outreach_track", slug=office.slug, code=shown), code=303)
    return _form_page(office)


@bp.post("/jemput/<slug>")
@filing_limited
def outreach_file(slug: str) -> BaseResponse:
    session = get_db()
    try:
        office = outreach.office_by_slug(session, slug)
    except DomainError as exc:
        return missing_page(exc)
    form = request.form
    try:
        filed = outreach.file_public(session, office=office, service=form.get("service"), name=form.get("name"),
                                     contact=form.get("contact"), place=form.get("place"),
                                     reason=form.get("reason"), on_behalf=form.get("on_behalf") == "1",
                                     consent=form.get("consent") == "1", now=now())
        code = filed.code
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _form_page(office, exc.status, describe(exc))
    return redirect(url_for("feedback.outreach_track", slug=office.slug, code=code, baru=1), code=303)


@bp.get("/jemput/<slug>/k/<code>")
@lookups_limited
def outreach_track(slug: str, code: str) -> BaseResponse:
    session = get_read_db()
    try:
        office, found = outreach.by_code(session, slug, code)
    except DomainError as exc:
        return missing_page(exc)
    view = outreach.tracking_view(session, office, found, now())
    page = render_template("feedback/outreach_track.html", office=office, r=view, new=request.args.get("baru") == "1")
    response = make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"  # the code is in the address
    return response
