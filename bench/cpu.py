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
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

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

    current: list[int] = []  # the counter's called ticket, carried from one served kind to the next

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

    screen = _ScreenSocket(base, clerk, office)

    def served_socket(_i: int) -> None:
        """As the counter screen does: its commands over its own socket, each with a request id."""
        if not current:
            current.append(screen.call_next(counter))
        ticket = current.pop()
        screen.command("start", ticket=ticket)
        answer = screen.command("complete_and_call_next", counter=counter, ticket=ticket, outcome="selesai")
        if answer["ticket"]:
            current.append(answer["ticket"]["id"])

    combined = clerk.post(f"{base}/api/v1/counters/{counter}/complete-and-call-next", json={"ticket": 1}).status_code
    kinds: list[tuple[str, Callable[[int], None]]] = [
        ("REST issue", issue),
        ("kiosk page issue (QR + print)", lambda i: issue(i, "/kiosk/issue", page)),
        ("served ticket, 3 REST calls", served_rest),
    ]
    if combined != 404:
        kinds.append(("served ticket, start + complete-and-call-next", served_screen))
        kinds.append(("served ticket, the counter screen's socket (start + complete_and_call_next)", served_socket))
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


class _ScreenSocket:
    """A counter screen's Socket.IO connection (python-socketio, websocket), logged in as the clerk's cookies."""

    def __init__(self, base: str, clerk: requests.Session, office: int) -> None:
        import socketio

        self.client = socketio.Client(reconnection=False)
        self.client.connect(base, transports=["websocket"], auth={"office": office},
                            headers={"Cookie": "; ".join(f"{c.name}={c.value}" for c in clerk.cookies)})

    def command(self, action: str, **data: Any) -> dict[str, Any]:
        answer = self.client.call("command", {"action": action, "request_id": str(uuid.uuid4()), **data},
                                  timeout=10)
        assert isinstance(answer, dict) and answer.get("status") == 200, answer
        return answer

    def call_next(self, counter: int) -> int:
        return int(self.command("call_next", counter=counter)["ticket"]["id"])


if __name__ == "__main__":
    main()
