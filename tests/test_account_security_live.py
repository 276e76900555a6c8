"""Sessions, revocation and limits against a real `ptsp run` (gevent, websockets) over real HTTP and Socket.IO."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
import requests
import socketio

from tests.conftest import LiveServer, PageSession, bearer


def office_id(server) -> int:
    return server.kiosk_get("/offices")[0]["id"]


def socket_with_cookie(server, cookie: str, office: int) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(server.base, headers={"Cookie": f"session={cookie}"}, auth={"office": office},
                   transports=["websocket"], wait_timeout=10)
    return client


def test_a_cookie_copied_before_logout_no_longer_connects_a_socket(server):
    office = office_id(server)
    browser = PageSession()
    assert browser.post(f"{server.base}/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"},
                        timeout=5).status_code == 200
    copied = browser.cookies["session"]
    before = socket_with_cookie(server, copied, office)  # the copy works while the clerk is logged in
    assert browser.post(f"{server.base}/api/v1/auth/logout", timeout=5).status_code == 200

    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_with_cookie(server, copied, office)
    assert requests.get(f"{server.base}/api/v1/auth/me", cookies={"session": copied}, timeout=5).status_code == 401
    # The socket opened before the logout is refused on its next command and dropped.
    answer = before.call("command", {"action": "open", "counter": 1}, timeout=10)
    assert answer["error"] == "unauthorized"
    before.sleep(0.5)
    assert not before.connected
    before.disconnect()


def test_the_eleventh_login_attempt_across_the_three_endpoints_is_refused(server):
    forms = {"api": "/api/v1/auth/login", "counter": "/counter/login", "manager": "/manager/login"}

    def attempt(kind: str, username: str) -> requests.Response:
        page = PageSession()  # a fresh browser each time, sending its CSRF token as a page does
        if kind == "api":
            return page.post(server.base + forms[kind], json={"username": username, "password": "x"}, timeout=5)
        return page.post(server.base + forms[kind], data={"username": username, "password": "x"}, timeout=5)

    kinds = list(forms)
    assert [attempt(kinds[i % 3], f"guess{i}").status_code for i in range(10)] == [401] * 10
    api = attempt("api", "guess10")
    assert api.status_code == 429 and api.json()["error"] == "too_many_requests" and api.json()["message"]
    page = attempt("counter", "guess11")
    assert page.status_code == 429 and "Terlalu banyak percobaan masuk" in page.text


def test_a_device_revoked_by_the_cli_is_refused_and_its_open_socket_dropped(server):
    display = socketio.Client(reconnection=False)
    display.connect(server.base, auth={"token": server.display}, transports=["websocket"], wait_timeout=10)
    assert display.call("heartbeat", {"seq": 0}, timeout=10)["status"] == 200
    listing = server.cli("device", "list", "--office", "kel-test")
    display_id = re.search(r"^\s*(\d+)\s+kel-test\s+display", listing, re.M).group(1)
    server.cli("device", "revoke", display_id)

    # The server's sweep may drop the socket before the next heartbeat (on a loaded machine the command takes
    # long enough); otherwise the heartbeat is refused and the socket dropped with it. Either way it ends.
    with contextlib.suppress(socketio.exceptions.BadNamespaceError):  # already dropped: checked just below
        assert display.call("heartbeat", {"seq": 0}, timeout=10)["error"] == "unauthorized"
    display.sleep(0.5)
    assert not display.connected
    assert requests.get(f"{server.base}/api/v1/offices", headers=bearer(server.display), timeout=5).status_code == 401
    paired = requests.post(f"{server.base}/api/v1/devices/pair", headers=bearer(server.display), timeout=5,
                           json={"kind": "display"})
    assert paired.status_code == 401  # a revoked token cannot pair a browser either
    again = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        again.connect(server.base, auth={"token": server.display}, transports=["websocket"], wait_timeout=10)


@pytest.fixture
def tight_issue_server(tmp_path, server_template) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path, server_template)
    live.env["PTSP_RATELIMIT_ISSUE"] = "3 per minute"
    live.start()
    yield live
    live.stop()


def test_the_kiosk_issue_limit_is_one_bucket_per_device_whatever_the_header_spelling(tight_issue_server):
    server = tight_issue_server
    office = office_id(server)
    service = next(s["id"] for s in server.kiosk_get(f"/offices/{office}/queue")["services"] if s["prefix"] == "A")
    body = {"office": office, "service": service}
    # kiosk_get above was not an issue: the issue bucket is untouched so far.
    spellings = [f"Bearer {server.kiosk}", f"bearer {server.kiosk}", f"Bearer  {server.kiosk}"]
    for header in spellings:
        answer = requests.post(f"{server.base}/api/v1/tickets", json=body, headers={"Authorization": header},
                               timeout=5)
        assert answer.status_code == 201, answer.text
    page = requests.post(f"{server.base}/kiosk/issue", json=body, headers={"Authorization": f"BEARER {server.kiosk}"},
                         timeout=5)
    assert page.status_code == 429
    trailing = {"Authorization": f"bearer {server.kiosk} "}
    api = requests.post(f"{server.base}/api/v1/tickets", json=body, headers=trailing, timeout=5)
    assert api.status_code == 429
