"""Latency from a counter action to a lobby display receiving the call, on a real `ptsp run` server.

Starts a server on a temporary SQLite database, connects `--others` extra sockets to the office
(displays and residents' status pages, split evenly), then has a clerk call tickets one after
another and times each call from the request leaving the clerk to `ticket_called` arriving at a
measuring display. Prints p50/p95/p99/max in milliseconds.

    .venv/bin/python bench/latency.py --calls 300 --others 200
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import socketio

ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
OFFICE = {"offices": [{
    "slug": "bench", "name": "Kelurahan Bench", "kind": "kelurahan", "hours": ALL_DAY, "last_ticket_minutes": 0,
    "services": [{"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 10}],
    "counters": [{"number": 1, "services": ["A"]}],
    "staff": [{"username": "clerk", "name": "Clerk", "role": "clerk", "password": "bench-password"}],
}]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str], dict[str, str]]:
    """Load the bench office, make device tokens, start `ptsp run`; return it with its URL and tokens."""
    env = {**os.environ, "PTSP_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}", "PTSP_ENV": "development",
           "PTSP_SECRET_KEY": "bench", "PTSP_RATELIMIT_ISSUE": "100000 per minute"}
    ptsp = [sys.executable, "-c", "from ptsp.cli import main; main()"]
    (tmp / "office.json").write_text(json.dumps(OFFICE))
    subprocess.run([*ptsp, "setup", "load", str(tmp / "office.json")], env=env, check=True, capture_output=True)

    def device(kind: str) -> str:
        return subprocess.run([*ptsp, "device", "add", "--office", "bench", "--kind", kind, "--name", kind],
                              env=env, check=True, capture_output=True, text=True).stdout.strip()

    tokens = {"display": device("display"), "kiosk": device("kiosk")}
    port = free_port()
    proc = subprocess.Popen([*ptsp, "run", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/api/v1/openapi.json", timeout=0.5)
            break
        except requests.ConnectionError:
            time.sleep(0.1)
    return proc, base, tokens, env


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--others", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc, base, tokens, _env = start_server(Path(tmp))
        try:
            run(base, tokens, args.calls, args.others)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def run(base: str, tokens: dict[str, str], calls: int, others: int) -> None:
    kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
    office = requests.get(f"{base}/api/v1/offices", headers=kiosk).json()[0]["id"]
    snapshot = requests.get(f"{base}/api/v1/offices/{office}/queue", headers=kiosk).json()
    service, counter = snapshot["services"][0]["id"], snapshot["counters"][0]["id"]

    def issue() -> dict:
        return requests.post(f"{base}/api/v1/tickets", json={"office": office, "service": service},
                             headers=kiosk).json()

    # The other sockets are held by bench/listeners.py: one gevent process, raw frames, so the
    # benchmark's own clients cost the shared CPU little more than real displays elsewhere would.
    auths = [{"token": tokens["display"]} if i % 2 == 0 else {"ticket": issue()["status_url"].rsplit("/", 1)[1]}
             for i in range(others)]
    holder = subprocess.Popen([sys.executable, str(Path(__file__).with_name("listeners.py")), base],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    holder.stdin.write(json.dumps(auths) + "\n")
    holder.stdin.flush()
    if holder.stdout.readline().strip() != "ready":
        raise SystemExit("the other sockets did not connect")
    arrived: dict[int, float] = {}
    got = threading.Condition()
    display = socketio.Client(reconnection=False)

    @display.on("ticket_called")
    def called(data: dict) -> None:
        with got:
            arrived[data["ticket"]["id"]] = time.perf_counter()
            got.notify_all()

    display.connect(base, auth={"token": tokens["display"]}, transports=["websocket"], wait_timeout=10)
    clerk = requests.Session()
    clerk.post(f"{base}/api/v1/auth/login", json={"username": "clerk", "password": "bench-password"}).raise_for_status()
    clerk.post(f"{base}/api/v1/counters/{counter}/open").raise_for_status()
    latencies = []
    for _ in range(calls):
        issue()
        sent = time.perf_counter()
        ticket = clerk.post(f"{base}/api/v1/counters/{counter}/call-next").json()["ticket"]
        with got:
            got.wait_for(lambda t=ticket["id"]: t in arrived, timeout=5)
        latencies.append((arrived[ticket["id"]] - sent) * 1000)
        clerk.post(f"{base}/api/v1/tickets/{ticket['id']}/start")
        clerk.post(f"{base}/api/v1/tickets/{ticket['id']}/complete", json={"outcome": "selesai"})
    display.disconnect()
    holder.stdin.close()
    holder.wait(30)
    print(f"calls={calls} other_sockets={others} (displays and status pages), SQLite, gevent, loopback")
    print("counter call-next → display ticket_called, ms: "
          f"p50={statistics.median(latencies):.1f} p95={percentile(latencies, 0.95):.1f} "
          f"p99={percentile(latencies, 0.99):.1f} max={max(latencies):.1f}")


if __name__ == "__main__":
    main()
