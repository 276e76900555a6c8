"""`kill -9` a real server in the middle of a load run, restart it, and check nothing acknowledged was lost."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally

import pytest
import requests
from sqlalchemy import text

from .conftest import Listener, clerk_session, kiosk_headers, office_and_services, wait_until

KIOSKS = 3


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_kill_9_mid_load_keeps_every_acknowledged_ticket_and_clients_resync_by_themselves(database, request):
    deployment = request.getfixturevalue("sqlite_deployment" if database == "sqlite" else "pg_redis")
    (server,) = deployment.start(1)
    office, services, counters = office_and_services(deployment, server.base)
    clerk = clerk_session(server.base, 1)
    assert clerk.post(f"{server.base}/api/v1/counters/{counters[0]}/open", timeout=10).status_code == 200
    cookie = "; ".join(f"{k}={v}" for k, v in clerk.cookies.get_dict().items())
    display = Listener(server.base, {"token": deployment.tokens["display"]}, reconnection=True)
    counter_screen = Listener(server.base, {"office": office}, headers={"Cookie": cookie}, reconnection=True)
    acknowledged: list[dict] = []
    called: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def kiosk(k: int) -> None:
        http = requests.Session()
        i = 0
        while not stop.is_set():
            i += 1
            try:
                response = http.post(f"{server.base}/api/v1/tickets", headers=kiosk_headers(deployment),
                                     timeout=10, json={"office": office, "service": services[(k + i) % 3]})
            except requests.RequestException:  # the server is down: a kiosk retries
                time.sleep(0.05)
                continue
            if response.status_code == 201:
                with lock:
                    acknowledged.append(response.json())

    def counter() -> None:
        http = clerk
        while not stop.is_set():
            try:
                response = http.post(f"{server.base}/api/v1/counters/{counters[0]}/call-next", timeout=10)
                if response.status_code == 200:
                    ticket = response.json()["ticket"]["id"]
                    with lock:
                        called.append(ticket)
                    http.post(f"{server.base}/api/v1/tickets/{ticket}/start", timeout=10)
                    http.post(f"{server.base}/api/v1/tickets/{ticket}/complete", json={"outcome": "selesai"},
                              timeout=10)
                elif response.status_code == 409:  # killed between call and complete: finish it after restart
                    current = http.get(f"{server.base}/api/v1/counters/{counters[0]}", timeout=10).json()
                    ticket = (current.get("current") or {}).get("id")
                    if ticket:
                        http.post(f"{server.base}/api/v1/tickets/{ticket}/start", timeout=10)
                        http.post(f"{server.base}/api/v1/tickets/{ticket}/complete",
                                  json={"outcome": "selesai"}, timeout=10)
                    else:
                        time.sleep(0.05)
                else:
                    time.sleep(0.02)
            except requests.RequestException:
                time.sleep(0.05)

    threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(KIOSKS)]
    threads.append(threading.Thread(target=counter))
    try:
        for thread in threads:
            thread.start()
        assert wait_until(lambda: len(acknowledged) >= 30 and len(called) >= 5, timeout=60)
        snapshots_before = {id(li): len(li.named("snapshot")) for li in (display, counter_screen)}
        heard_before = {id(li): max((d["seq"] for _n, d in li.events), default=0) for li in (display, counter_screen)}
        server.kill()
        with lock:
            acknowledged_before = list(acknowledged)
        time.sleep(0.5)
        server.start()
        assert wait_until(lambda: len(acknowledged) >= len(acknowledged_before) + 30, timeout=60)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

        engine = deployment.engine()
        with engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(text("SELECT id, number, code, issued_service_id, status "
                                                        "FROM tickets"))}
            called_in_db = {r.ticket_id for r in conn.execute(text(
                "SELECT DISTINCT ticket_id FROM ticket_events WHERE kind = 'called'"))}
        engine.dispose()
        # Every ticket the API acknowledged is still there, with its number and code.
        for ticket in acknowledged:
            row = rows.get(ticket["id"])
            assert row is not None, f"acknowledged ticket {ticket['code']} was lost"
            assert (row.number, row.code) == (ticket["number"], ticket["code"])
        # No number was given twice, before or after the crash.
        assert max(Tally((r.issued_service_id, r.number) for r in rows.values()).values()) == 1
        assert max(Tally((t["service"], t["number"]) for t in acknowledged).values()) == 1
        after = acknowledged[len(acknowledged_before):]
        for service in services:
            old = [t["number"] for t in acknowledged_before if t["service"] == service]
            new = [t["number"] for t in after if t["service"] == service]
            assert not old or not new or min(new) > max(old)
        # Every acknowledged call is in the log.
        assert set(called) <= called_in_db

        # Display and counter screen reconnected by themselves and got a fresh snapshot...
        for listener in (display, counter_screen):
            assert listener.wait_for(
                lambda li=listener: len(li.named("snapshot")) > snapshots_before[id(li)] and li.client.connected,
                timeout=30), listener.events[-5:]
        # ...and follow the office again: a call after the restart reaches both, numbered past the snapshot.
        fresh = requests.post(f"{server.base}/api/v1/tickets", headers=kiosk_headers(deployment), timeout=10,
                              json={"office": office, "service": services[0]})
        assert fresh.status_code == 201, fresh.text
        http = clerk_session(server.base, 2)
        http.post(f"{server.base}/api/v1/counters/{counters[1]}/open", timeout=10).raise_for_status()
        response = http.post(f"{server.base}/api/v1/counters/{counters[1]}/call-next", timeout=10)
        assert response.status_code == 200, response.text
        ticket_id = response.json()["ticket"]["id"]
        for listener in (display, counter_screen):
            assert listener.wait_for(
                lambda li=listener: any(f["ticket"]["id"] == ticket_id for f in li.named("ticket_called")))
            snapshot_seq = listener.named("snapshot")[-1]["seq"]
            heard = next(f for f in listener.named("ticket_called") if f["ticket"]["id"] == ticket_id)
            # The office's sequence survived the crash: the snapshot is not behind what was heard before it.
            assert snapshot_seq >= heard_before[id(listener)] > 0
            assert heard["seq"] > snapshot_seq
    finally:
        stop.set()
        display.close()
        counter_screen.close()
