"""`ptsp db backup`: a consistent copy of a live SQLite database while tickets are being issued."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import requests

from tests.conftest import bearer

PTSP = [sys.executable, "-c", "import sys; sys.argv[0] = 'ptsp'; from ptsp.cli import main; main()"]


def test_backup_of_a_live_server_holds_every_ticket_acknowledged_before_it(server, tmp_path):
    office = server.kiosk_get("/offices")[0]["id"]
    service = server.kiosk_get(f"/offices/{office}/queue")["services"][0]["id"]
    acknowledged: list[int] = []
    stop = threading.Event()

    def kiosk() -> None:
        http = requests.Session()
        while not stop.is_set():
            response = http.post(f"{server.base}/api/v1/tickets", headers=bearer(server.kiosk), timeout=10,
                                 json={"office": office, "service": service})
            assert response.status_code == 201
            acknowledged.append(response.json()["id"])
            # Under the kiosk's 120-per-minute limit however long the backup takes (a loaded machine made the
            # copy take over 12 s, and a 0.1 s pace then met the limit).
            stop.wait(0.55)

    thread = threading.Thread(target=kiosk)
    thread.start()
    try:
        while len(acknowledged) < 8:
            threading.Event().wait(0.05)
        before = set(acknowledged)
        target = tmp_path / "backup" / "ptsp-copy.db"
        target.parent.mkdir()
        out = server.cli("db", "backup", str(target))
    finally:
        stop.set()
        thread.join(timeout=30)
    assert "Backed up" in out and target.exists()
    assert not (target.parent / "ptsp-copy.db.partial").exists()
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        saved = {row[0] for row in copy.execute("SELECT id FROM tickets")}
    finally:
        copy.close()
    # Everything acknowledged before the copy started is in it, and nothing that was never issued.
    assert before <= saved <= set(acknowledged)


def test_backup_refuses_to_overwrite_and_refuses_postgresql(server, tmp_path):
    existing = tmp_path / "exists.db"
    existing.write_bytes(b"keep me")
    refused = subprocess.run([*PTSP, "db", "backup", str(existing)], env=server.env, capture_output=True, text=True)
    assert refused.returncode != 0 and "already exists" in refused.stderr
    assert existing.read_bytes() == b"keep me"
    pg = {**server.env, "PTSP_DATABASE_URL": "postgresql://127.0.0.1:5432/test"}
    refused = subprocess.run([*PTSP, "db", "backup", str(tmp_path / "pg.db")], env=pg, capture_output=True, text=True)
    assert refused.returncode != 0 and "pg_dump" in refused.stderr
    assert not (tmp_path / "pg.db").exists()
