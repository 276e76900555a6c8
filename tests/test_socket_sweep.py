"""Sockets that only listen end when their account's sessions end or their device is revoked."""

from __future__ import annotations

import time

import socketio as socketio_client

from ptsp import socket_sweep
from ptsp.extensions import socketio
from tests.conftest import LiveServer, PageSession, login
from tests.test_account_security import device_id, staff_id


def sweep(app) -> int:
    with app.app_context():
        return socket_sweep.sweep()


def test_a_listening_counter_screen_ends_after_logout_deactivation_and_a_fresh_one_stays(app, client, world):
    clerk1, clerk2, clerk3 = app.test_client(), app.test_client(), app.test_client()
    for browser, name in ((clerk1, "clerk1"), (clerk2, "clerk2"), (clerk3, "clerk3")):
        login(browser, name)
    screens = {name: socketio.test_client(app, flask_test_client=browser, auth={"office": world.office})
               for browser, name in ((clerk1, "clerk1"), (clerk2, "clerk2"), (clerk3, "clerk3"))}
    assert all(screen.is_connected() for screen in screens.values())
    assert sweep(app) == 0  # nothing changed: nothing ends

    login(client, "sup")
    assert client.post(f"/api/v1/staff/{staff_id(app, 'clerk2')}/deactivate").status_code == 200
    assert clerk1.post("/api/v1/auth/logout").status_code == 200
    assert sweep(app) == 2
    assert not screens["clerk1"].is_connected() and not screens["clerk2"].is_connected()
    assert screens["clerk3"].is_connected(), "an account nobody touched keeps its screen"
    assert sweep(app) == 0


def test_a_listening_display_ends_when_its_device_is_revoked(app, client, world):
    display = socketio.test_client(app, auth={"token": world.display})
    kiosk = socketio.test_client(app, auth={"token": world.kiosk})
    login(client, "sup")
    assert client.post(f"/api/v1/devices/{device_id(app, 'display', world.office)}/revoke").status_code == 200
    assert sweep(app) == 1
    assert not display.is_connected() and kiosk.is_connected()


def test_on_a_live_server_a_copied_cookies_silent_socket_is_dropped_after_logout(tmp_path, server_template):
    live = LiveServer(tmp_path, server_template)
    live.env["PTSP_SOCKET_RECHECK_SECONDS"] = "0.5"
    live.start()
    try:
        office = live.kiosk_get("/offices")[0]["id"]
        browser = PageSession()
        assert browser.post(f"{live.base}/api/v1/auth/login", timeout=5,
                            json={"username": "clerk1", "password": "password-1"}).status_code == 200
        copied = browser.cookies["session"]
        heard: list[str] = []
        silent = socketio_client.Client(reconnection=False)
        silent.on("*", lambda event, *_: heard.append(event))
        silent.connect(live.base, headers={"Cookie": f"session={copied}"}, auth={"office": office},
                       transports=["websocket"], wait_timeout=10)
        display = socketio_client.Client(reconnection=False)
        display.connect(live.base, auth={"token": live.display}, transports=["websocket"], wait_timeout=10)
        assert browser.post(f"{live.base}/api/v1/auth/logout", timeout=5).status_code == 200
        deadline = time.monotonic() + 15  # two rounds of 0.5 s, with room for a loaded machine
        while silent.connected and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not silent.connected, "a socket that never sends still ended after the logout"
        before = len(heard)
        live.issue("A")  # the office goes on; the ended socket hears none of it
        time.sleep(0.5)
        assert len(heard) == before
        assert display.connected, "the display's token still holds"
        display.disconnect()
    finally:
        live.stop()
