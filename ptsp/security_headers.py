"""What a page may run, load and be framed by: the security headers of every response.

Pages run only the project's own script files (`script-src 'self'`, no inline script or `on...=` handler;
data reaches a script in `<script type="application/json">` blocks, which are not executed), load styles,
images, fonts, audio and Socket.IO connections from this origin only, submit forms only here, and may not be
framed by any site (`frame-ancestors 'none'`). Inline `style="..."` attributes stay allowed
(`style-src-attr 'unsafe-inline'`): the templates size a few cells and cards that way and the printed-ticket
preview sets its column count there; a `<style>` element or a foreign stylesheet is still refused.
A response that is not a page (JSON, files) gets a CSP that allows nothing, so a browser that is tricked into
rendering one runs nothing. No library: flask-talisman, the usual one, is no longer maintained upstream.
"""

from __future__ import annotations

from flask import Flask, Response, request

from .cross_site import own_origin


def page_policy() -> str:
    """The CSP of an HTML page; the Socket.IO websocket is this host's ws:// or wss:// address."""
    origin = own_origin() or ""
    sockets = origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "media-src 'self'",
        f"connect-src 'self' {sockets}".strip(),
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


NOT_A_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'"


def add_headers(response: Response) -> Response:
    """after_request: a route that set its own header keeps it."""
    is_page = response.mimetype == "text/html"
    headers = response.headers
    headers.setdefault("Content-Security-Policy", page_policy() if is_page else NOT_A_PAGE_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers that predate it
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if is_page and request.method == "GET" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"  # a page carries its session's CSRF token
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
