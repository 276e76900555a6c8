"""`python -m bench`: the load benchmark. Starts the servers it needs and writes docs/benchmarks.md.

    python -m bench                  # the standard run (under 10 minutes on a quiet 2-core machine)
    python -m bench --quick          # a short run to check the harness (figures not comparable)
    python -m bench --soak 600       # only the 10-minute soak: memory and open files must stay flat

See docs/benchmarks.md for the method and the last figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .listeners import raise_fd_limit
from .load import (
    Ledger,
    Listeners,
    calls_to_sockets,
    check_invariants,
    issue_open_loop,
    issue_throughput,
    listener_auths,
    office_of,
)
from .report import write_report
from .servers import REDIS_URL, Deployment, cpu_seconds_of, service_up

ROOT = Path(__file__).resolve().parent.parent


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "load_before": os.getloadavg()}


async def _session_office(deployment: Deployment):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        return await office_of(http, deployment.servers[0].base, deployment.tokens["kiosk"])


async def socket_tier(deployment: Deployment, office, sockets: int, ledger: Ledger, args: argparse.Namespace,
                      call_bases: list[str] | None = None) -> dict[str, Any]:
    """Connect `sockets` listeners, measure the servers' memory, then time calls to every socket."""
    rss_before = sum(s.rss_kb() for s in deployment.servers)
    fds_before = sum(s.open_fds() for s in deployment.servers)
    processes = args.listener_processes or max(1, min(4, sockets // 1500 + 1))
    listeners = Listeners([s.base for s in deployment.servers], listener_auths(deployment, ledger, sockets),
                          processes=processes, probes=min(sockets, args.probes))
    try:
        time.sleep(1.0)
        rss_after = sum(s.rss_kb() for s in deployment.servers)
        cpu = sum(s.cpu_seconds() for s in deployment.servers), listeners.cpu_seconds(), time.monotonic()
        result = await calls_to_sockets(deployment, office, listeners, args.call_rate, args.call_seconds, ledger,
                                        call_bases=call_bases)
        wall = time.monotonic() - cpu[2]
        result["server_cpu_share"] = round((sum(s.cpu_seconds() for s in deployment.servers) - cpu[0]) / wall, 2)
        result["listeners_cpu_share"] = round((listeners.cpu_seconds() - cpu[1]) / wall, 2)
    finally:
        listeners.close()
    result.update({
        "connect_seconds": listeners.connect_seconds,
        "server_rss_mb": round(rss_after / 1024, 1),
        "rss_per_1000_sockets_mb": round((rss_after - rss_before) / 1024 / sockets * 1000, 1),
        "server_fds_with_sockets": fds_before + sockets,
    })
    return result


async def run_sqlite(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": "SQLite, 1 process", "issue": [], "sockets": []}
    with Deployment.sqlite(workdir / "sqlite") as deployment:
        deployment.prepare()
        deployment.start(1)
        office = await _session_office(deployment)
        ledger = Ledger()
        out["rss_idle_mb"] = round(deployment.servers[0].rss_kb() / 1024, 1)
        for rate in args.rates:
            print(f"  SQLite: issue at {rate}/s", flush=True)
            out["issue"].append(await issue_open_loop(deployment, office, rate, args.issue_seconds, ledger))
        for sockets in args.sockets:
            print(f"  SQLite: call -> {sockets} sockets", flush=True)
            try:
                out["sockets"].append(await socket_tier(deployment, office, sockets, ledger, args))
            except Exception as exc:  # an overloaded tier is a result too: report it and go on
                print(f"  SQLite: {sockets} sockets failed: {exc!r}", flush=True)
                out["sockets"].append({"sockets": sockets, "failed": f"{type(exc).__name__}: {exc}"[:300],
                                       "server_log_tail": deployment.servers[0].log()[-1500:]})
        out["invariants"] = check_invariants(deployment, ledger)
    return out


async def run_postgresql(args: argparse.Namespace, workdir: Path, processes: int) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": f"PostgreSQL + Redis, {processes} process(es)", "processes": processes}
    with Deployment.postgresql(workdir / f"pg{processes}", other_offices=7) as deployment:
        deployment.prepare()
        deployment.start(processes)
        office = await _session_office(deployment)
        ledger = Ledger()
        print(f"  PostgreSQL x{processes}: issue at {args.pg_rate}/s", flush=True)
        out["issue"] = await issue_open_loop(deployment, office, args.pg_rate, args.issue_seconds, ledger)
        print(f"  PostgreSQL x{processes}: issue throughput", flush=True)
        cpu = [s.cpu_seconds() for s in deployment.servers], time.process_time(), time.monotonic()
        backing = cpu_seconds_of(("postgres",)), cpu_seconds_of(("redis-server",))
        out["throughput"] = await issue_throughput(deployment, office, args.throughput_seconds, ledger)
        wall = time.monotonic() - cpu[2]
        out["throughput"]["postgres_cpu_share"] = round((cpu_seconds_of(("postgres",)) - backing[0]) / wall, 2)
        out["throughput"]["redis_cpu_share"] = round((cpu_seconds_of(("redis-server",)) - backing[1]) / wall, 2)
        # Cores each server process used, and the harness itself: on a small machine the servers may be
        # short of CPU rather than of anything a second process could add.
        out["throughput"]["server_cpu_shares"] = [round((s.cpu_seconds() - before) / wall, 2)
                                                  for s, before in zip(deployment.servers, cpu[0], strict=True)]
        out["throughput"]["harness_cpu_share"] = round((time.process_time() - cpu[1]) / wall, 2)
        print(f"  PostgreSQL x{processes}: call -> {args.pg_sockets} sockets", flush=True)
        # Calls go through the first process; with two, half the sockets are on the other one.
        out["sockets"] = await socket_tier(deployment, office, args.pg_sockets, ledger, args,
                                           call_bases=[deployment.servers[0].base])
        out["invariants"] = check_invariants(deployment, ledger)
    return out


async def run_soak(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """SQLite, one process, 1,000 sockets, steady issue and calls; sample RSS and open fds."""
    out: dict[str, Any] = {"mode": "SQLite, 1 process", "seconds": args.soak, "samples": []}
    chunk = 30.0
    with Deployment.sqlite(workdir / "soak") as deployment:
        deployment.prepare()
        deployment.start(1)
        server = deployment.servers[0]
        office = await _session_office(deployment)
        ledger = Ledger()
        await issue_open_loop(deployment, office, 20, 10, ledger)  # a line to call from
        listeners = Listeners([server.base], listener_auths(deployment, ledger, args.soak_sockets), processes=1)
        missing = 0
        started = time.monotonic()
        try:
            while time.monotonic() - started < args.soak:
                issued, called = await asyncio.gather(
                    issue_open_loop(deployment, office, args.soak_rate, chunk, ledger),
                    calls_to_sockets(deployment, office, listeners, args.soak_rate, chunk, ledger))
                missing += called["deliveries_missing"]
                sample = {"t": round(time.monotonic() - started), "rss_mb": round(server.rss_kb() / 1024, 1),
                          "fds": server.open_fds(), "issue_p99_ms": issued["latency_ms"].get("p99"),
                          "call_p99_ms": called["call_to_socket_ms"].get("p99")}
                out["samples"].append(sample)
                print(f"  soak {sample}", flush=True)
        finally:
            listeners.close()
        out["invariants"] = check_invariants(deployment, ledger)
    out["deliveries_missing"] = missing
    samples = out["samples"]
    settled = samples[min(2, len(samples) - 1):]  # the first minute warms caches up
    rss = [s["rss_mb"] for s in settled]
    fds = [s["fds"] for s in settled]
    out["rss_growth_mb"] = round(rss[-1] - rss[0], 1)
    out["fds_growth"] = fds[-1] - fds[0]
    out["flat"] = out["rss_growth_mb"] <= max(10.0, 0.05 * rss[0]) and abs(out["fds_growth"]) <= 5
    return out


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short phases, 200 sockets: checks the harness")
    parser.add_argument("--soak", type=float, metavar="SECONDS", help="run only the soak, this long (e.g. 600)")
    parser.add_argument("--no-postgresql", action="store_true", help="skip the PostgreSQL + Redis runs")
    parser.add_argument("--sqlite-only", action="store_true", help="alias of --no-postgresql")
    parser.add_argument("--postgresql-only", action="store_true", help="skip the SQLite run")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--note", default="", help="a line about the conditions (e.g. 'other jobs running')")
    parser.add_argument("--sockets", dest="sockets_override",
                        help="socket counts for SQLite, e.g. 1000,5000 (default 200,1000,5000)")
    parser.add_argument("--rates", dest="rates_override",
                        help="offered issue rates for SQLite, e.g. 50,100 (default 25,50,100,200)")
    parser.add_argument("--listener-processes", type=int, default=0,
                        help="processes holding the listening sockets (default: one per 1,500 sockets, at most 4)")
    parser.add_argument("--probes", type=int, default=20,
                        help="sockets held by a lightly loaded process of their own, timed apart (default 20)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.rates = [25, 50, 100] if quick else [25, 50, 100, 200]
    args.issue_seconds = 5 if quick else 15
    args.sockets = [200] if quick else [200, 1000, 5000]
    args.call_rate, args.call_seconds = (4, 5) if quick else (4, 15)
    args.pg_rate = 100
    args.pg_sockets = 200 if quick else 1000
    args.throughput_seconds = 5 if quick else 15
    args.soak_sockets, args.soak_rate = (200, 2) if quick else (1000, 3)
    args.no_postgresql = args.no_postgresql or args.sqlite_only
    if args.sockets_override:
        args.sockets = [int(n) for n in args.sockets_override.split(",")]
    if args.rates_override:
        args.rates = [float(r) for r in args.rates_override.split(",")]
    return args


async def main(argv: list[str]) -> int:
    args = parse_args(argv)
    fd_limit = raise_fd_limit()
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick, "note": args.note,
                               "fd_limit": fd_limit, "command": "python -m bench " + " ".join(argv)}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ptsp-bench-") as tmp:
        workdir = Path(tmp)
        if args.soak:
            print(f"Soak for {args.soak:.0f} s", flush=True)
            results["soak"] = await run_soak(args, workdir)
        else:
            if not args.postgresql_only:
                print("SQLite, one process", flush=True)
                results["sqlite"] = await run_sqlite(args, workdir)
            if args.no_postgresql:
                results["postgresql_skipped"] = "--no-postgresql"
            elif not (service_up("127.0.0.1", 5432) and service_up(*_redis_host_port())):
                results["postgresql_skipped"] = "PostgreSQL or Redis is not reachable"
            else:
                results["postgresql"] = [await run_postgresql(args, workdir, n) for n in (1, 2)]
    results["machine"]["load_after"] = os.getloadavg()
    results["seconds"] = round(time.monotonic() - started)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    write_report(args.out, results)
    print(f"Wrote {args.out} in {results['seconds']} s", flush=True)
    failed = [k for k, v in _all_invariants(results) if not v["ok"]]
    if failed:
        print(f"INVARIANTS BROKEN: {failed}", file=sys.stderr)
        return 1
    return 0


def _redis_host_port() -> tuple[str, int]:
    from urllib.parse import urlparse

    url = urlparse(REDIS_URL)
    return url.hostname or "127.0.0.1", url.port or 6379


def _all_invariants(results: dict[str, Any]):
    if "sqlite" in results:
        yield "sqlite", results["sqlite"]["invariants"]
    for run in results.get("postgresql", []):
        yield run["mode"], run["invariants"]
    if "soak" in results:
        yield "soak", results["soak"]["invariants"]


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
