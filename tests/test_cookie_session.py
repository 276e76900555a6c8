"""ptsp.cookie_session: a socket event uses its socket's own session copy without verifying the cookie again, and
the signing serializer is built once per secret (and again when the secret changes)."""

from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface

from ptsp.extensions import socketio
from tests.conftest import login


@pytest.fixture
def cookie_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose request opened (verified) the session cookie."""
    opened: list[str] = []
    real = SecureCookieSessionInterface.open_session

    def counting(self, app, request):
        opened.append(request.path)
        return real(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting)
    return opened


def test_socket_events_use_the_sockets_session_without_opening_the_cookie(app, client, world, cookie_opens):
    login(client, "clerk1")
    sock = socketio.test_client(app, flask_test_client=client, auth={"office": world.office})
    assert sock.is_connected()
    opened_to_connect = len(cookie_opens)
    assert opened_to_connect >= 1  # the connection itself reads the cookie
    answers = [sock.emit("command", {"action": action, "counter": world.counters[1]}, callback=True)
               for action in ("open", "break", "open")]
    assert [a.get("status") or a.get("error") for a in answers] == [200, "invalid_input", 200]  # a break needs a reason
    assert len(cookie_opens) == opened_to_connect  # three events, no cookie opened again
    # The account is still checked on every event: ending its sessions refuses the socket's next command.
    assert client.post("/api/v1/auth/logout").status_code == 200
    refused = sock.emit("command", {"action": "close", "counter": world.counters[1]}, callback=True)
    assert refused["error"] == "unauthorized"


def test_http_requests_still_open_their_cookie(app, client, world, cookie_opens):
    login(client, "clerk1")
    before = len(cookie_opens)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200
    assert len(cookie_opens) == before + 2


def test_the_serializer_follows_the_secret_key(app, client, world):
    login(client, "clerk1")
    assert client.get("/api/v1/auth/me").status_code == 200
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first  # built once
    old_key = app.secret_key
    app.secret_key = "a-new-secret"
    try:
        assert interface.get_signing_serializer(app) is not first
        # The cookie signed with the old key is no longer a login
        assert client.get("/api/v1/auth/me").status_code == 401
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]  # unless the old key is kept as a fallback
        assert client.get("/api/v1/auth/me").status_code == 200
    finally:
        app.secret_key = old_key
        app.config.pop("SECRET_KEY_FALLBACKS", None)
