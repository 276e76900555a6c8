"""Two real `ptsp run` processes on one PostgreSQL database, with Redis as the Socket.IO message queue."""

from __future__ import annotations

import threading
from collections import Counter as Tally

import requests
from sqlalchemy import text

from .conftest import Listener, clerk_session, kiosk_headers, office_and_services, wait_until

KIOSKS_PER_PROCESS, TICKETS_PER_KIOSK, CLERKS_PER_PROCESS = 2, 30, 2


def test_a_call_through_process_a_reaches_a_display_and_a_status_page_on_process_b(pg_redis):
    a, b = pg_redis.start(2)
    office, services, counters = office_and_services(pg_redis, a.base)
    issued = requests.post(f"{a.base}/api/v1/tickets", headers=kiosk_headers(pg_redis), timeout=10,
                           json={"office": office, "service": services[0]})
    assert issued.status_code == 201, issued.text
    ticket = issued.json()
    display = Listener(b.base, {"token": pg_redis.tokens["display"]})
    resident = Listener(b.base, {"ticket": ticket["status_url"].rsplit("/", 1)[1]})
    try:
        assert display.wait_for(lambda: display.named("snapshot")), "display on B got no snapshot"
        assert resident.client.connected, "status page on B was refused"
        clerk = clerk_session(a.base, 1)
        assert clerk.post(f"{a.base}/api/v1/counters/{counters[0]}/open", timeout=10).status_code == 200
        called = clerk.post(f"{a.base}/api/v1/counters/{counters[0]}/call-next", timeout=10)
        assert called.status_code == 200, called.text
        assert called.json()["ticket"]["id"] == ticket["id"]

        def heard(listener: Listener) -> list:
            return [f for f in listener.named("ticket_called") if f["ticket"]["id"] == ticket["id"]]

        def told(listener: Listener) -> list:  # a resident hears their own ticket's change, not the office fact
            return [f for f in listener.named("ticket_changed")
                    if f["ticket"]["id"] == ticket["id"] and f["ticket"]["status"] == "called"]

        assert display.wait_for(lambda: heard(display), timeout=10), display.events
        assert resident.wait_for(lambda: told(resident), timeout=10), resident.events
        fact = heard(display)[0]
        assert fact["office"] == office and fact["ticket"]["code"] == ticket["code"]
        assert fact["ticket"]["counter"] == counters[0] and fact["recall"] is False
        assert told(resident)[0]["ticket"]["counter_number"] == 1
        assert resident.named("ticket_called") == [], "the office fact (other tickets, clerks) stays in the office room"
    finally:
        display.close()
        resident.close()


def test_two_processes_never_issue_a_duplicate_number_nor_call_a_ticket_twice(pg_redis):
    servers = pg_redis.start(2)
    office, services, counters = office_and_services(pg_redis, servers[0].base)
    display = Listener(servers[1].base, {"token": pg_redis.tokens["display"]})
    acknowledged: list[dict] = []
    called: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    kiosks_done = threading.Event()

    def kiosk(k: int) -> None:
        base, http = servers[k % 2].base, requests.Session()
        for i in range(TICKETS_PER_KIOSK):
            response = http.post(f"{base}/api/v1/tickets", headers=kiosk_headers(pg_redis), timeout=30,
                                 json={"office": office, "service": services[(k + i) % 2]})
            with lock:
                if response.status_code == 201:
                    acknowledged.append(response.json())
                else:
                    errors.append(f"issue {response.status_code} {response.text[:200]}")

    def clerk(c: int) -> None:
        base = servers[c % 2].base
        http = clerk_session(base, c + 1)
        counter = counters[c]
        http.post(f"{base}/api/v1/counters/{counter}/open", timeout=30).raise_for_status()
        while True:
            response = http.post(f"{base}/api/v1/counters/{counter}/call-next", timeout=30)
            if response.status_code == 204:
                if kiosks_done.is_set():
                    return
                continue
            if response.status_code != 200:
                with lock:
                    errors.append(f"call {response.status_code} {response.text[:200]}")
                return
            ticket = response.json()["ticket"]["id"]
            with lock:
                called.append(ticket)
            http.post(f"{base}/api/v1/tickets/{ticket}/start", timeout=30)
            done = http.post(f"{base}/api/v1/tickets/{ticket}/complete", json={"outcome": "selesai"}, timeout=30)
            if done.status_code != 200:
                with lock:
                    errors.append(f"complete {done.status_code} {done.text[:200]}")
                return

    kiosks = [threading.Thread(target=kiosk, args=(k,)) for k in range(2 * KIOSKS_PER_PROCESS)]
    clerks = [threading.Thread(target=clerk, args=(c,)) for c in range(2 * CLERKS_PER_PROCESS)]
    try:
        for thread in kiosks + clerks:
            thread.start()
        for thread in kiosks:
            thread.join(timeout=120)
        kiosks_done.set()
        for thread in clerks:
            thread.join(timeout=120)
        assert not errors, errors[:5]
        total = 2 * KIOSKS_PER_PROCESS * TICKETS_PER_KIOSK
        assert len(acknowledged) == total

        # Numbers: unique per service and day, and with no holes (every number went to a ticket).
        per_service = Tally((t["service"], t["number"]) for t in acknowledged)
        assert max(per_service.values()) == 1
        for service in services[:2]:
            numbers = sorted(t["number"] for t in acknowledged if t["service"] == service)
            assert numbers == list(range(1, len(numbers) + 1))
        # Calls: every ticket called exactly once, by one of the two processes' clerks.
        assert sorted(called) == sorted(t["id"] for t in acknowledged)
        engine = pg_redis.engine()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, number, code, status FROM tickets")).all()
            calls = dict(conn.execute(text(
                "SELECT ticket_id, count(*) FROM ticket_events WHERE kind = 'called' GROUP BY ticket_id")).all())
        engine.dispose()
        assert {(r.id, r.number, r.code) for r in rows} == {(t["id"], t["number"], t["code"]) for t in acknowledged}
        assert {r.status for r in rows} == {"done"}
        assert set(calls.values()) == {1} and len(calls) == total

        # The display on process B heard every fact of both processes, each once.
        last = max(f["seq"] for f in display.named("counter_changed") + display.named("ticket_completed"))
        first_seq = display.named("snapshot")[0]["seq"]

        def heard_all() -> bool:
            return {d["seq"] for n, d in display.events if n != "snapshot"} >= set(range(first_seq + 1, last + 1))

        assert display.wait_for(heard_all, timeout=10)
        seqs = [d["seq"] for n, d in display.events if n != "snapshot"]
        assert len(seqs) == len(set(seqs)), "a fact was delivered twice"
        assert wait_until(lambda: len(display.named("ticket_called")) == total)
    finally:
        kiosks_done.set()
        display.close()


def test_processes_starting_together_migrate_a_fresh_database_once(tmp_path):
    """Every `ptsp run` migrates on start; on PostgreSQL an advisory lock makes simultaneous starts safe."""
    import subprocess

    from bench.servers import PTSP, Deployment, drop_pg_schema
    from tests.conftest import need_service

    need_service("PostgreSQL", "127.0.0.1", 5432)
    deployment = Deployment.postgresql(tmp_path, redis=False)
    try:
        procs = [subprocess.Popen([*PTSP, "db", "upgrade"], env=deployment.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for _ in range(3)]
        results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
        assert [code for code, _err in results] == [0, 0, 0], [err[-800:] for _code, err in results]
        engine = deployment.engine()
        with engine.connect() as conn:
            heads = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        engine.dispose()
        assert len(heads) == 1
    finally:
        drop_pg_schema(deployment.schema)
        deployment.schema = None
