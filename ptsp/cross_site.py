"""Cross-site requests: which origin may change state, and with what proof.

A request that changes state (POST, PUT, PATCH, DELETE) and is not authenticated by an `Authorization` header
rides on a cookie (a clerk's or manager's session, a paired device's cookie), which a browser sends along from
any site. Such a request must (1) come from this deployment's own origin when the browser says where it comes
from (`Origin`, else `Referer`), and (2) carry the CSRF token of its session (Flask-WTF), in the `X-CSRFToken`
header (scripts) or the `csrf_token` form field (HTML forms). The login endpoints are included (login CSRF).
A request with an `Authorization` header uses no cookie (`ptsp.api.access`) and a browser cannot send one
cross-site without a CORS preflight, which this server never grants: devices and integrations stay token-only.

The deployment's origin is `PTSP_PUBLIC_URL`'s scheme, host and port when set, else the request's own
(`ProxyFix` makes that the public one behind nginx). The Socket.IO server checks the same origin
(`socket_origins`); a client that sends no `Origin` (the print agent, a Python client) is let through to the
connect handler, which still asks for a token, a ticket or a logged-in session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf

from .domain.errors import Forbidden
from .extensions import csrf
from .i18n.errors import describe

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteRefused(Forbidden):
    """A cookie-authenticated request that is not proven to come from this deployment's own pages."""

    code = "cross_site_refused"


def origin_of(url: str | None) -> str | None:
    """`scheme://host[:port]` of a URL, lower-cased, default ports dropped; None for anything else."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    try:
        port = parts.port
    except ValueError:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def own_origin() -> str | None:
    """This deployment's origin: PTSP_PUBLIC_URL's when set, else the request's scheme and host."""
    return origin_of(current_app.config.get("PUBLIC_URL") or request.host_url)


def socket_origins(public_url: str | None) -> Callable[[str | None, dict[str, Any]], bool]:
    """Engine.io's origin check, called when a client sent an `Origin`: this deployment's own only
    (PUBLIC_URL's, else the handshake's own scheme and host)."""
    fixed = origin_of(public_url) if public_url else None

    def allowed(origin: str | None, environ: dict[str, Any]) -> bool:
        own = fixed
        if own is None:
            # Behind nginx, ProxyFix (outermost) has already put the public scheme and host here.
            scheme, host = environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST")
            own = origin_of(f"{scheme}://{host}") if scheme and host else None
        return own is not None and origin_of(origin) == own

    return allowed


def _check_origin() -> None:
    """Refuse a browser request whose `Origin` (or, without one, `Referer`) is another site."""
    sent = request.headers.get("Origin")
    if sent is None:
        referer = request.headers.get("Referer")
        if not referer:
            return  # not a browser, or one told to send neither: the CSRF token below still decides
        sent = referer
    if origin_of(sent) is None or origin_of(sent) != own_origin():
        raise CrossSiteRefused("cross_site_origin", origin=sent[:100])


def check_request() -> None:
    """before_request: the origin and CSRF token of every cookie-authenticated unsafe request."""
    if request.method not in UNSAFE_METHODS or request.headers.get("Authorization"):
        return
    _check_origin()
    try:
        csrf.protect()
    except CSRFError:
        raise CrossSiteRefused("csrf_token_invalid") from None


def refused(exc: CrossSiteRefused) -> Any:
    """JSON `{error, message}` for the API and scripts, a readable page for a form."""
    message = describe(exc)
    if request.path.startswith("/api/") or request.is_json or not request.accept_mimetypes.accept_html:
        response = jsonify(error=exc.code, message=message)
        response.status_code = exc.status
        return response
    return render_template("security/refused.html", message=message), exc.status


def csrf_token_response() -> Any:
    """GET /api/v1/auth/csrf: this session's token, for a client that has no page to read it from."""
    return jsonify(csrf_token=generate_csrf())


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked in check_request, tokens aside
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a kiosk or counter page stays open all day
    app.config.setdefault("WTF_CSRF_SSL_STRICT", False)  # the Origin/Referer check above covers http too
    csrf.init_app(app)
    app.before_request(check_request)
    app.register_error_handler(CrossSiteRefused, refused)
