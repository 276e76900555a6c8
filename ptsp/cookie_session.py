"""Flask's signed-cookie sessions, without two costs every clerk pays on every request and socket event.

- **A socket event does not verify the cookie again.** Flask opens a request's session when its context is pushed,
  and Flask-SocketIO pushes one for every event. The cookie it opens is the one the socket connected with, and
  Flask-SocketIO then throws it away for its own copy of the session taken at the first event
  (`environ["saved_session"]`). So once that copy exists, it is the session: same values, no signature check,
  base64 or JSON decoding (measured in docs/benchmarks.md, "The counter screen's own path"). Whether the account
  may still act is checked on every event anyway (`realtime._still_allowed`, the session epoch).
- **The signing serializer is built once per secret**, not for every request (Flask builds it each time).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

SAVED = "saved_session"  # where Flask-SocketIO keeps a socket's own session, in the connection's environ


class CookieSessions(SecureCookieSessionInterface):
    """The app's session interface (set by `create_app`)."""

    def __init__(self) -> None:
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        saved = request.environ.get(SAVED)
        if saved is not None:
            return saved  # Flask-SocketIO's own copy of the session
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        secrets = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        known = self._serializer
        if known is None or known[0] != secrets:
            known = self._serializer = (secrets, super().get_signing_serializer(app))
        return known[1]
