"""A real `ptsp run` process (gevent + websockets) with a real python-socketio client."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import socketio as sio_client

from ptsp.app import create_app
from tests.conftest import SETUP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def server(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    setup = tmp_path / "office.json"
    import json

    data = json.loads(json.dumps(SETUP))
    data["offices"][1]["hours"] = ALL_DAY
    data["offices"][1]["last_ticket_minutes"] = 0
    setup.write_text(json.dumps(data))
    env = {**os.environ, "PTSP_DATABASE_URL": url, "PTSP_ENV": "development", "PTSP_SECRET_KEY": "s3"}
    ptsp = [sys.executable, "-c", "from ptsp.cli import main; main()"]
    subprocess.run([*ptsp, "setup", "load", str(setup)], env=env, check=True, capture_output=True)
    token = subprocess.run([*ptsp, "device", "add", "--office", "kel-test", "--kind", "display", "--name", "tv"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    kiosk = subprocess.run([*ptsp, "device", "add", "--office", "kel-test", "--kind", "kiosk", "--name", "k"],
                           env=env, check=True, capture_output=True, text=True).stdout.strip()
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.argv=['ptsp','run','--port',sys.argv[1]]; "
                             "from ptsp.cli import main; main()", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/api/v1/openapi.json", timeout=0.5)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        proc.kill()
        log.close()
        pytest.fail(f"server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
    yield base, token, kiosk
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_call_made_over_rest_reaches_a_websocket_display_on_a_real_server(server):
    base, display_token, kiosk_token = server
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
        staff = requests.Session()
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
