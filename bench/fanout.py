"""`python -m bench.fanout`: server CPU per socket per message, and call -> probe latency, per fan-out path.

For each repeat and each path (`PTSP_FANOUT=plain`, python-socketio's per-socket queue, and `frames`,
ptsp/fanout.py), interleaved so that a busy machine hurts both alike, it starts one `ptsp run` (SQLite, or
SQLite with Redis as the message queue with `--redis`), issues tickets, then twice runs the bench's call
phase (call-next, start, complete at `--rate` calls/s for `--seconds`): once with only the probe sockets
connected and once with `--sockets` sockets. The server's CPU (user + system, from /proc) over each phase,
less the probes-only phase, divided by the extra messages delivered, is the CPU per socket per message;
the requests' own work cancels out. The probes (a process of their own, joined last) time each call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from .listeners import raise_fd_limit
from .load import Ledger, Listeners, calls_to_sockets, issue_open_loop, listener_auths
from .servers import REDIS_URL, Deployment


async def phase(deployment: Deployment, office: Any, sockets: int, probes: int, args: argparse.Namespace,
                ledger: Ledger) -> dict[str, Any]:
    """Connect `sockets - probes` sinks, then the probes (so they are the room's last sockets), and run calls."""
    server = deployment.servers[0]
    # The sinks run in a process of their own (python -m bench.sinks), not on this harness's cores' GIL.
    sinks = subprocess.Popen([sys.executable, "-m", "bench.sinks", "127.0.0.1", str(server.port),
                              deployment.tokens["display"], str(sockets - probes)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    if sinks.stdout is None or sinks.stdout.readline().strip() != "ready":
        raise RuntimeError("sinks failed to connect")
    listeners = Listeners([server.base], listener_auths(deployment, ledger, probes), processes=1, probes=probes)
    try:
        time.sleep(1.0)
        rss = server.rss_kb() / 1024
        cpu, wall = server.cpu_seconds(), time.monotonic()
        result = await calls_to_sockets(deployment, office, listeners, args.rate, args.seconds, ledger)
        cpu, wall = server.cpu_seconds() - cpu, time.monotonic() - wall
    finally:
        listeners.close()
        if sinks.stdin is not None:
            sinks.stdin.close()
        sinks.wait(timeout=60)
    # Every socket is a display in the office's room and hears what a probe hears: the probes' facts (less
    # each one's snapshot on connecting) plus their ticket_called, per probe, times the sockets.
    called_per_probe = result["calls"] - result["deliveries_missing"] / max(1, probes)
    per_socket = (listeners.facts_heard - probes) / probes + called_per_probe
    return {"sockets": sockets, "server_cpu_s": round(cpu, 3), "wall_s": round(wall, 1), "rss_mb": round(rss, 1),
            "messages": round(per_socket * sockets), "probe_ms": result["call_to_probe_ms"],
            "missing": result["deliveries_missing"], "calls": result["calls"], "errors": result["errors"],
            "late_calls": result["late_calls"]}


async def one_run(mode: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from .__main__ import _session_office

    os.environ["PTSP_FANOUT"] = mode
    deployment = Deployment(workdir, f"sqlite:///{workdir / 'ptsp.db'}", REDIS_URL if args.redis else None)
    with deployment:
        deployment.prepare()
        deployment.start(1)
        office = await _session_office(deployment)
        ledger = Ledger()
        needed = max(int(args.rate * args.seconds * 2 * 1.2) + 20, args.tickets)
        await issue_open_loop(deployment, office, 100, needed / 100, ledger)
        small = await phase(deployment, office, args.probes, args.probes, args, ledger)
        large = await phase(deployment, office, args.sockets, args.probes, args, ledger)
        if args.logs:  # the server's output (PTSP_GC_LOG=-, gevent's monitor thread) kept past the temp folder
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            shutil.copy(deployment.servers[0].log_path, Path(args.logs) / f"{workdir.name}.log")
    extra = large["messages"] - small["messages"]
    per = (large["server_cpu_s"] - small["server_cpu_s"]) / extra * 1e6 if extra > 0 else None
    return {"mode": mode, "small": small, "large": large,
            "cpu_us_per_socket_message": round(per, 1) if per is not None else None,
            "load_before": os.getloadavg()[0]}


async def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--rate", type=float, default=4.0, help="calls per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="plain,frames")
    parser.add_argument("--redis", action="store_true", help="Redis as the Socket.IO message queue")
    parser.add_argument("--json", help="write the raw results here")
    parser.add_argument("--tickets", type=int, default=0,
                        help="issue at least this many tickets first (the standard run has issued ~5,600 by then)")
    parser.add_argument("--logs", help="copy each run's server log (stdout and stderr) into this folder")
    args = parser.parse_args()
    raise_fd_limit()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            for mode in args.modes.split(","):
                run = await one_run(mode, args, Path(tmp) / f"{mode}-{r}")
                results.append(run)
                large = run["large"]
                print(f"{mode:7s} run {r + 1}: {run['cpu_us_per_socket_message']} µs CPU per socket per message; "
                      f"{args.sockets} sockets: server CPU {large['server_cpu_s']} s for {large['messages']} "
                      f"messages, probe p50 {large['probe_ms'].get('p50')} p95 {large['probe_ms'].get('p95')} "
                      f"p99 {large['probe_ms'].get('p99')} max {large['probe_ms'].get('max')} ms, "
                      f"missing {large['missing']}, RSS {large['rss_mb']} MB; load {run['load_before']:.1f}; "
                      f"calls a probe heard > 100 ms late (time, ms): {large['late_calls']}", flush=True)
    for mode in args.modes.split(","):
        runs = [r for r in results if r["mode"] == mode]
        per = [r["cpu_us_per_socket_message"] for r in runs if r["cpu_us_per_socket_message"] is not None]
        p99 = [r["large"]["probe_ms"].get("p99", 0) for r in runs]
        print(f"{mode}: CPU per socket per message median {statistics.median(per):.1f} µs {per}; "
              f"probe p99 median {statistics.median(p99):.1f} ms {p99}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    asyncio.run(main())
