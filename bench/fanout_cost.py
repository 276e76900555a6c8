"""`python -m bench.fanout_cost`: the server's CPU to put one fact on N sockets, per fan-out path, in-process.

Builds the bench office on a fresh SQLite file, serves the app under gevent in this process (as `ptsp run`
does) with `PTSP_FANOUT` set to each `--modes` in turn (a fresh process per run, interleaved over
`--repeat`), connects `--sockets` display sockets from a `python -m bench.sinks` process (raw websockets that
only drain), then emits `--facts` facts to the office's room one after another, waiting for each fan-out to
finish. It reports this process's CPU (user + system, getrusage) per socket per message, and the fan-out
time: from the emit to the moment the last socket's message has been written or handed to its writer and
every writer has run (what the room's last display waits for beyond the request itself).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def child(mode: str, sockets: int, facts: int) -> dict[str, Any]:
    from gevent import monkey

    monkey.patch_all()
    import resource
    import time

    import gevent
    from gevent import pywsgi
    from sqlalchemy import select

    os.environ["PTSP_FANOUT"] = mode
    from datetime import UTC, datetime

    from ptsp.app import create_app
    from ptsp.extensions import socketio
    from ptsp.migrate import upgrade
    from ptsp.models import Office
    from ptsp.services.accounts import make_device_token
    from ptsp.services.setup import load_setup

    from .servers import bench_office

    tmp = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/cost.db", "SECRET_KEY": "cost", "ASYNC_MODE": "gevent",
                      "PTSP_ENV": "development"})
    upgrade(app.extensions["ptsp.engine"])
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, bench_office(counters=2))
        office = session.scalar(select(Office).where(Office.slug == "bench"))
        token = make_device_token(session, office=office, kind="display", name="d", now=datetime.now(UTC))[1]
        office_id = office.id
        session.commit()
    server = pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None)
    server.start()
    sinks = subprocess.Popen([sys.executable, "-m", "bench.sinks", "127.0.0.1", str(server.server_port), token,
                              str(sockets)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    while True:  # serve the handshakes until the sinks are all in
        gevent.sleep(0.05)
        if len(socketio.server.manager.rooms.get("/", {}).get(f"office:{office_id}", {})) >= sockets:
            break
    gevent.sleep(1.0)
    eio = socketio.server.eio
    payload = {"seq": 1, "office": office_id, "ticket": {"id": 1, "code": "A001", "service": 1, "status": "called"},
               "counter": {"id": 1, "name": "Loket 1"}, "announcement": "Nomor antrean A001 silakan ke loket 1"}

    def settled() -> bool:
        return all(s.queue.empty() and not getattr(getattr(s, "ptsp_ws", None), "busy", False)
                   for s in eio.sockets.values() if not s.closed)

    def usage() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def emit(seq: int) -> None:
        payload["seq"] = seq
        with app.app_context():
            socketio.emit("ticket_called", dict(payload), to=f"office:{office_id}")

    # CPU: facts 100 ms apart, nothing else running in this process (no polling of the sockets).
    profiler = None
    if os.environ.get("FANOUT_PROFILE"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu = usage()
    for i in range(facts):
        emit(i + 1)
        gevent.sleep(0.1)
    cpu = usage() - cpu - idle(usage, facts * 0.1)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.environ["FANOUT_PROFILE"])
    # Fan-out time: emit, then poll until every socket's queue is empty and no write is in progress.
    times = []
    for i in range(max(10, facts // 5)):
        start = time.perf_counter()
        emit(facts + i + 1)
        while not settled() and time.perf_counter() - start < 5:
            gevent.sleep(0)
        times.append((time.perf_counter() - start) * 1000)
        gevent.sleep(0.1)
    at_end = sum(1 for s in eio.sockets.values() if not s.closed)
    sinks.stdin.close()
    sinks.wait(timeout=30)
    server.stop()
    return {"mode": mode, "sockets": sockets, "facts": facts, "cpu_us_per_socket_message": round(
        cpu / (sockets * facts) * 1e6, 2), "fanout_ms_p50": round(statistics.median(times), 2),
        "fanout_ms_max": round(max(times), 2), "load": os.getloadavg()[0],
        "sockets_at_end": at_end}


def idle(usage: Any, seconds: float) -> float:
    """This process's CPU over `seconds` doing nothing (engine.io's pings, the sweeps): subtracted."""
    import gevent

    before = usage()
    gevent.sleep(seconds)
    return float(usage() - before)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout_cost", description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--facts", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="plain,frames")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sockets, args.facts)))
        return
    results = []
    for r in range(args.repeat):
        for mode in args.modes.split(","):
            done = subprocess.run([sys.executable, "-m", "bench.fanout_cost", "--child", mode, "--sockets",
                                   str(args.sockets), "--facts", str(args.facts)], capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)
            print(f"{mode:7s} run {r + 1}: {result['cpu_us_per_socket_message']} µs CPU per socket per message, "
                  f"fan-out p50 {result['fanout_ms_p50']} ms (max {result['fanout_ms_max']}), "
                  f"{result['sockets_at_end']} sockets at the end, load {result['load']:.1f}", flush=True)
    for mode in args.modes.split(","):
        cpu = [r["cpu_us_per_socket_message"] for r in results if r["mode"] == mode]
        wall = [r["fanout_ms_p50"] for r in results if r["mode"] == mode]
        print(f"{mode}: CPU per socket per message median {statistics.median(cpu)} µs {cpu}; "
              f"fan-out p50 median {statistics.median(wall)} ms {wall}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
