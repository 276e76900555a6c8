"""`python -m bench.profile`: where a request's time goes on the hot paths, with cProfile.

Builds the app in-process on a fresh SQLite file (or `--database URL`), loads the bench office,
queues `--waiting` tickets, then profiles `--requests` ticket issues, call-nexts (each followed by
start and complete) and office queue reads through the Flask test client. Prints the CPU time per
request and the top functions by cumulative time. The cost of emitting to many sockets shows in
`python -m bench` as call -> socket latency against the number of sockets.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from .servers import CLERK_PASSWORD, bench_office


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--waiting", type=int, default=1000, help="tickets already waiting before profiling")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--history", type=int, default=0,
                        help="finished tickets of past days to add first (an office after months of service)")
    parser.add_argument("--screens", type=int, default=10,
                        help="counter screens open in the office (`office`: each asks after every fact)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", action="append", choices=["issue", "kiosk", "call", "serve", "socket", "queue",
                                                            "floor", "screen", "office", "kiosk-state", "status"])
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--plain", action="store_true", help="time without cProfile (its overhead inflates CPU)")
    parser.add_argument("--statements", action="store_true",
                        help="also list the SQL statements of one request of each kind (after the timed ones)")
    parser.add_argument("--dump", metavar="PREFIX",
                        help="also save each kind's cProfile stats to PREFIX-<kind>.prof (for pstats or snakeviz)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(args, args.database or f"sqlite:///{Path(tmp) / 'profile.db'}")


def run(args: argparse.Namespace, url: str) -> None:
    from sqlalchemy import select

    from ptsp.app import create_app
    from ptsp.migrate import upgrade
    from ptsp.models import Office
    from ptsp.services.accounts import make_device_token
    from ptsp.services.printing import set_printer
    from ptsp.services.setup import load_setup

    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "profile", "ASYNC_MODE": "threading",
                      "RATELIMIT_ISSUE": "1000000 per minute", "RATELIMIT_LOGIN": "100000 per minute"})
    upgrade(app.extensions["ptsp.engine"])
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, bench_office(counters=max(2, args.screens)))
        office = session.scalar(select(Office).where(Office.slug == "bench"))
        kiosk = make_device_token(session, office=office, kind="kiosk", name="k", now=datetime.now(UTC))[1]
        # The kiosk page's issue renders the QR and prints (to an in-memory preview printer, as a real one would).
        device, page_kiosk = make_device_token(session, office=office, kind="kiosk", name="page", now=datetime.now(UTC))
        session.flush()
        set_printer(session, kiosk=device, name="preview", setting="preview", agent=None, width_chars=48)
        office_id, service_ids = office.id, [s.id for s in office.services]
        counter_id = office.counters[0].id if hasattr(office, "counters") else 1
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {kiosk}"}
    page_headers = {"Authorization": f"Bearer {page_kiosk}"}

    def issue(i: int) -> None:
        response = client.post("/api/v1/tickets", headers=headers,
                               json={"office": office_id, "service": service_ids[i % len(service_ids)]})
        assert response.status_code == 201, response.get_json()

    def kiosk_issue(i: int) -> None:
        response = client.post("/kiosk/issue", headers=page_headers,
                               json={"office": office_id, "service": service_ids[i % len(service_ids)]})
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["print"]["status"] == "printed", response.get_json()

    for i in range(args.waiting):
        issue(i)
    if args.history:
        add_history(app.extensions["ptsp.engine"], args.history, counter_id)
    clerk = app.test_client()

    def arm(browser: Any = clerk) -> None:  # a cookie-authenticated POST carries the session's CSRF token
        browser.environ_base["HTTP_X_CSRFTOKEN"] = browser.get("/api/v1/auth/csrf").get_json()["csrf_token"]

    def log_in(browser: Any, username: str) -> None:
        arm(browser)
        answer = browser.post("/api/v1/auth/login", json={"username": username, "password": CLERK_PASSWORD})
        assert answer.status_code == 200, answer.get_json()
        arm(browser)  # the login may have renewed the session

    log_in(clerk, "clerk1")
    assert clerk.post(f"/api/v1/counters/{counter_id}/open").status_code == 200

    def call(_i: int) -> None:
        response = clerk.post(f"/api/v1/counters/{counter_id}/call-next")
        assert response.status_code == 200, response.get_json()
        ticket = response.get_json()["ticket"]["id"]
        clerk.post(f"/api/v1/tickets/{ticket}/start")
        clerk.post(f"/api/v1/tickets/{ticket}/complete", json={"outcome": "selesai"})

    serving: list[int] = []

    def serve(_i: int) -> None:
        """A served ticket the counter screen's way: start, then complete it and call the next in one command."""
        if not serving:
            response = clerk.post(f"/api/v1/counters/{counter_id}/call-next")
            assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
            serving.append(response.get_json()["ticket"]["id"])
        ticket = serving.pop()
        started = clerk.post(f"/api/v1/tickets/{ticket}/start")
        assert started.status_code == 200, (started.status_code, started.get_data(as_text=True)[:300])
        response = clerk.post(f"/api/v1/counters/{counter_id}/complete-and-call-next",
                              json={"ticket": ticket, "outcome": "selesai"})
        assert response.status_code == 200, response.get_json()
        if response.get_json()["ticket"]:
            serving.append(response.get_json()["ticket"]["id"])

    screen_socket: list[Any] = []

    def socket_serve(_i: int) -> None:
        """A served ticket as the counter screen sends it: start, then complete_and_call_next, over its own socket
        (Flask-SocketIO's in-process client: each event has its own app and request context, as on the server),
        each command with a request id."""
        if not screen_socket:
            from ptsp.extensions import socketio

            screen_socket.append(socketio.test_client(app, flask_test_client=clerk, auth={"office": office_id}))
        sock = screen_socket[0]

        def command(action: str, **data: Any) -> dict[str, Any]:
            answer = sock.emit("command", {"action": action, "request_id": str(uuid.uuid4()), **data}, callback=True)
            assert answer.get("status") == 200, answer
            sock.get_received()  # the facts this screen heard, dropped as the page would after reading them
            return cast(dict[str, Any], answer)

        if not serving:
            serving.append(command("call_next", counter=counter_id)["ticket"]["id"])
        ticket = serving.pop()
        command("start", ticket=ticket)
        answer = command("complete_and_call_next", counter=counter_id, ticket=ticket, outcome="selesai")
        if answer["ticket"]:
            serving.append(answer["ticket"]["id"])

    def queue(_i: int) -> None:
        assert client.get(f"/api/v1/offices/{office_id}/queue", headers=headers).status_code == 200

    def floor(_i: int) -> None:
        """A logged-in clerk's cheapest request (who am I): the cost every clerk request pays before its work."""
        assert clerk.get("/api/v1/auth/me").status_code == 200

    other_screen = app.test_client()  # the office's other screens (one login: their requests cost the same)
    log_in(other_screen, "clerk2")
    has_lines = clerk.get("/counter/lines").status_code == 200  # a version before it: every screen asks state

    def office(i: int) -> None:
        """A served ticket the screen's way in an office with `--screens` counter screens open: after each of its
        three facts (started, completed, called) the clerk's own screen asks for its state, and each other
        screen asks for the lines (or, before `/counter/lines`, for its whole state), as counter.js does."""
        serve(i)
        for _fact in range(3):
            assert clerk.get("/counter/state").status_code == 200
            for _other in range(args.screens - 1):
                assert other_screen.get("/counter/lines" if has_lines else "/counter/state").status_code == 200

    followed = client.post("/api/v1/tickets", headers=headers,
                           json={"office": office_id, "service": service_ids[0]}).get_json()["status_url"]
    followed = "/t/" + followed.rsplit("/t/", 1)[1]

    def status(_i: int) -> None:
        """What a resident's phone asks after its line moved: its ticket's place, wait and counter."""
        assert client.get(followed + "/state").status_code == 200

    def kiosk_state(_i: int) -> None:
        """What each kiosk of the office asks after a fact (and every 30 s): its start screen's catalogue."""
        assert client.get("/kiosk/state", headers=page_headers).status_code == 200

    def screen(_i: int) -> None:
        """What each counter screen of the office asks after a fact: its lines, the clerk's figures, parked tickets."""
        assert clerk.get("/counter/state").status_code == 200

    statements = _StatementCounter(app.extensions["ptsp.engine"])
    actions = (("issue", issue), ("kiosk", kiosk_issue), ("call", call), ("serve", serve), ("socket", socket_serve),
               ("queue", queue),
               ("floor", floor), ("screen", screen), ("office", office),
               ("kiosk-state", kiosk_state), ("status", status))
    for name, action in actions:
        if args.only and name not in args.only:
            continue
        statements.reset()
        profiler = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        if not args.plain:
            profiler.enable()
        for i in range(args.requests):
            action(i)
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        label = LABELS.get(name, name)
        print(f"\n== {label}: {args.requests} requests, {args.waiting} waiting before; "
              f"CPU {cpu / args.requests * 1000:.2f} ms/request, wall {wall / args.requests * 1000:.2f} ms/request; "
              f"{statements.count / args.requests:.1f} SQL statements/request")
        if args.statements:
            statements.reset(keep=True)
            action(args.requests)
            print(f"   statements of one {label}:")
            for text in statements.texts:
                print("     " + " ".join(text.split())[:160])
        if args.plain:
            continue
        if args.dump:
            profiler.dump_stats(f"{args.dump}-{name}.prof")
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])
    app.extensions["ptsp.engine"].dispose()


def add_history(engine: Any, count: int, counter_id: int) -> None:
    """Add `count` finished tickets of the days before today, served at `counter_id`, 500 a day: copies of the
    first ticket with their own day, number, code and token (their events are not needed by the hot paths)."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from ptsp.models import Ticket

    table = Ticket.__table__
    with engine.begin() as conn:
        first = dict(conn.execute(select(table).order_by(table.c.id).limit(1)).mappings().one())
        first.pop("id")
        rows = []
        for i in range(count):
            day = first["service_day"] - timedelta(days=1 + i // 500)
            at = datetime.combine(day, first["issued_at"].timetz())
            rows.append({**first, "service_day": day, "number": i % 500 + 1, "code": f"H{i % 500 + 1:03d}",
                         "status": "done", "outcome": "selesai", "counter_id": counter_id, "issued_at": at,
                         "queued_at": at, "called_at": at, "started_at": at, "finished_at": at,
                         "public_token": f"history-{i}", "phone_device": None})
            if len(rows) == 5000 or i == count - 1:
                conn.execute(insert(table), rows)
                rows = []


LABELS = {"floor": "a clerk's GET /api/v1/auth/me (the per-request floor)",
          "call": "call-next + start + complete", "kiosk": "kiosk page issue (QR + preview print)",
          "serve": "served ticket: start + complete-and-call-next",
          "socket": "served ticket: the counter screen's socket commands, start + complete_and_call_next",
          "screen": "a counter screen's GET /counter/state (asked by every screen after each fact)",
          "status": "a resident's phone's GET /t/<token>/state (asked after each move of its line)",
          "kiosk-state": "a kiosk's GET /kiosk/state (asked by every kiosk after each fact)",
          "office": "served ticket with the requests of every counter screen (--screens) after its 3 facts"}


class _StatementCounter:
    """Counts the SQL statements the engine runs (and keeps their text when asked)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.count, self.keep, self.texts = 0, False, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def reset(self, keep: bool = False) -> None:
        self.count, self.keep, self.texts = 0, keep, []

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += 1
        if self.keep:
            self.texts.append(statement)


if __name__ == "__main__":
    main()
