"""`python -m bench.cpu`: the server's CPU per request under `ptsp run` (gevent, SQLite), issue 18's figures.

Starts one real server on a fresh SQLite file with the bench office, queues `--waiting` tickets, then sends
`--requests` of each kind one after another over keep-alive HTTP and divides the server process's CPU time
(/proc) by the count: a REST issue (kiosk token), the kiosk page's issue (QR drawn, ticket printed to a
`preview` printer), a served ticket by the three REST calls (call-next, start, complete) and, where the server
has it, the counter screen's way (start, complete-and-call-next). No sockets listen, so no fan-out is counted.
Run it for two checkouts in turn (`cd` to each; the server imports the code of the current folder).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from .servers import CLERK_PASSWORD, Deployment


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--waiting", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Deployment.sqlite(Path(tmp), counters=2) as deployment:
        deployment.prepare()
        page = deployment.cli("device", "add", "--office", "bench", "--kind", "kiosk", "--name", "page")
        deployment.cli("printer", "set", "--office", "bench", "--kiosk", "page", "--setting", "preview",
                       "--paper", "80")
        [server] = deployment.start()
        for label, figure in measure(server, deployment.tokens["kiosk"], page, args):
            print(f"{label}: {figure}")


def measure(server, kiosk: str, page: str, args: argparse.Namespace):
    base = server.base
    http = requests.Session()
    auth = {"Authorization": f"Bearer {kiosk}"}
    office = http.get(f"{base}/api/v1/offices", headers=auth).json()[0]["id"]
    snapshot = http.get(f"{base}/api/v1/offices/{office}/queue", headers=auth).json()
    services, counter = [s["id"] for s in snapshot["services"]], snapshot["counters"][0]["id"]

    def issue(i: int, path: str = "/api/v1/tickets", token: str = kiosk) -> None:
        reply = http.post(f"{base}{path}", json={"office": office, "service": services[i % len(services)]},
                          headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 201, reply.text

    for i in range(args.waiting):
        issue(i)
    clerk = requests.Session()
    clerk.headers["X-CSRFToken"] = clerk.get(f"{base}/api/v1/auth/csrf").json()["csrf_token"]
    assert clerk.post(f"{base}/api/v1/auth/login", json={"username": "clerk1", "password": CLERK_PASSWORD}).ok
    clerk.headers["X-CSRFToken"] = clerk.get(f"{base}/api/v1/auth/csrf").json()["csrf_token"]
    assert clerk.post(f"{base}/api/v1/counters/{counter}/open").ok

    def served_rest(_i: int) -> None:
        ticket = clerk.post(f"{base}/api/v1/counters/{counter}/call-next").json()["ticket"]["id"]
        assert clerk.post(f"{base}/api/v1/tickets/{ticket}/start").ok
        assert clerk.post(f"{base}/api/v1/tickets/{ticket}/complete", json={"outcome": "selesai"}).ok

    current: list[int] = []

    def served_screen(_i: int) -> None:
        if not current:
            current.append(clerk.post(f"{base}/api/v1/counters/{counter}/call-next").json()["ticket"]["id"])
        ticket = current.pop()
        assert clerk.post(f"{base}/api/v1/tickets/{ticket}/start").ok
        reply = clerk.post(f"{base}/api/v1/counters/{counter}/complete-and-call-next",
                           json={"ticket": ticket, "outcome": "selesai"})
        assert reply.ok, reply.text
        if reply.json()["ticket"]:
            current.append(reply.json()["ticket"]["id"])

    combined = clerk.post(f"{base}/api/v1/counters/{counter}/complete-and-call-next", json={"ticket": 1}).status_code
    kinds: list[tuple[str, Callable[[int], None]]] = [
        ("REST issue", issue),
        ("kiosk page issue (QR + print)", lambda i: issue(i, "/kiosk/issue", page)),
        ("served ticket, 3 REST calls", served_rest),
    ]
    if combined != 404:
        kinds.append(("served ticket, start + complete-and-call-next", served_screen))
    for label, action in kinds:
        # Enough waiting tickets for the served kinds, issued before their clock starts.
        if label.startswith("served"):
            for i in range(args.requests + 2):
                issue(i)
        cpu, wall = server.cpu_seconds(), time.perf_counter()
        for i in range(args.requests):
            action(i)
        cpu, wall = server.cpu_seconds() - cpu, time.perf_counter() - wall
        yield label, (f"server CPU {cpu / args.requests * 1000:.2f} ms per request "
                      f"(wall {wall / args.requests * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
