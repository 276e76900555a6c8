"""A real `ptsp run` process (gevent + websockets) with a real python-socketio client."""

from __future__ import annotations

import threading

import pytest
import requests
import socketio as sio_client

from ptsp.app import create_app
from tests.conftest import PageSession


def test_call_made_over_rest_reaches_a_websocket_display_on_a_real_server(server):
    base, display_token, kiosk_token = server.base, server.display, server.kiosk
    offices = requests.get(f"{base}/api/v1/offices", headers={"Authorization": f"Bearer {kiosk_token}"}).json()
    office = offices[0]["id"]
    received: list[tuple[str, dict]] = []
    got_call = threading.Event()
    client = sio_client.Client(reconnection=False)

    @client.on("*")
    def any_event(event, data):
        received.append((event, data))
        if event == "ticket_called":
            got_call.set()

    client.connect(base, auth={"token": display_token}, transports=["websocket"], wait_timeout=5)
    try:
        assert client.transport() == "websocket"
        snapshot = requests.get(f"{base}/api/v1/offices/{office}/queue",
                                headers={"Authorization": f"Bearer {kiosk_token}"}).json()
        service = snapshot["services"][0]["id"]
        ticket = requests.post(f"{base}/api/v1/tickets", json={"office": office, "service": service},
                               headers={"Authorization": f"Bearer {kiosk_token}"}).json()
        staff = PageSession()
        assert staff.post(f"{base}/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"}).ok
        counter = next(c["id"] for c in snapshot["counters"] if service in c["services"])
        assert staff.post(f"{base}/api/v1/counters/{counter}/open").ok
        assert staff.post(f"{base}/api/v1/counters/{counter}/call-next").json()["ticket"]["id"] == ticket["id"]
        assert got_call.wait(5), received
    finally:
        client.disconnect()
    names = [name for name, _ in received]
    assert names[0] == "snapshot"
    assert names[1:] == ["ticket_issued", "counter_changed", "ticket_called"]
    seqs = [data["seq"] for _, data in received[1:]]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_production_mode_refuses_to_start_without_a_secret(tmp_path, monkeypatch):
    from ptsp.config import ConfigError

    monkeypatch.delenv("PTSP_SECRET_KEY", raising=False)
    monkeypatch.setenv("PTSP_ENV", "production")
    with pytest.raises(ConfigError, match="PTSP_SECRET_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
