"""Every API error is JSON `{error, message}` with a 4xx status; nothing leaks as a 500 page."""

from __future__ import annotations

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError
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


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if not request.path.startswith("/api/"):
        return exc
    code = exc.code or 500
    message = exc.description or exc.name
    if code == 429:
        message = f"Terlalu banyak permintaan, coba lagi sebentar (rate limit: {exc.description})"
    return error_response(code, _HTTP_CODES.get(code, "http_error"), message)


@bp.app_errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("unhandled error on %s", request.path)
    return error_response(500, "internal_error", "Terjadi kesalahan di server (internal error)")
