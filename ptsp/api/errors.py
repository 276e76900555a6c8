"""Every API error is JSON `{error, message}` with a 4xx status; nothing leaks as a 500 page."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError
from ..i18n import N_
from ..i18n.errors import describe
from .blueprint import bp


def error_response(status: int, code: str, message: str):
    response = jsonify(error=code, message=message)
    response.status_code = status
    return response


@bp.app_errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_response(exc.status, exc.code, describe(exc))


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}
# What each HTTP refusal that is not a domain error says (werkzeug's own descriptions are English only).
_HTTP_MESSAGES = {
    400: N_("Permintaan tidak dapat dibaca"),
    401: N_("Silakan masuk dulu"),
    403: N_("Anda tidak berwenang untuk tindakan ini"),
    404: N_("Alamat ini tidak ada"),
    405: N_("Metode HTTP ini tidak berlaku untuk alamat ini"),
    413: N_("Permintaan terlalu besar"),
    415: N_("Jenis isi permintaan tidak didukung"),
    429: N_("Terlalu banyak permintaan, coba lagi sebentar (batas: %(limit)s)"),
}
HTTP_FALLBACK = N_("Permintaan tidak dapat diproses")


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    # The API, and a page's own JSON requests (the kiosk's issue, the status page's alerts): `{error, message}`.
    if not (request.path.startswith("/api/") or request.is_json):
        return exc
    code = exc.code or 500
    message = gettext(_HTTP_MESSAGES.get(code, HTTP_FALLBACK), limit=exc.description or "")
    return error_response(code, _HTTP_CODES.get(code, "http_error"), message)


@bp.app_errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("unhandled error on %s", request.path)
    return error_response(500, "internal_error", gettext(N_("Terjadi kesalahan di server")))
