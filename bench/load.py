"""Load drivers: open-loop ticket issue, closed-loop throughput, call -> socket latency, invariants.

Open loop: request i is scheduled at `t0 + i / rate` whatever happened to the requests before it,
and its latency is measured from that scheduled instant, so a slow server (or a late client) shows
up in the figures instead of quietly lowering the offered rate (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections import Counter as Tally
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from hdrh.histogram import HdrHistogram
from sqlalchemy import text

from .servers import CLERK_PASSWORD, Deployment


class Latency:
    """An HDR histogram of latencies (microsecond resolution, 3 significant digits, up to 10 minutes)."""

    def __init__(self) -> None:
        self.histogram = HdrHistogram(1, 600_000_000, 3)

    def record(self, seconds: float) -> None:
        self.histogram.record_value(max(1, int(seconds * 1_000_000)))

    @property
    def count(self) -> int:
        return self.histogram.get_total_count()

    def summary(self) -> dict[str, float]:
        h = self.histogram
        if not self.count:
            return {"count": 0}
        return {"count": self.count, **{f"p{q}": round(h.get_value_at_percentile(q) / 1000, 1) for q in (50, 95, 99)},
                "max": round(h.get_max_value() / 1000, 1)}


@dataclass
class Ledger:
    """Everything the API acknowledged, for the invariants checked at the end."""

    issued: dict[int, dict[str, Any]] = field(default_factory=dict)
    called: list[int] = field(default_factory=list)

    def tokens(self) -> list[str]:
        return [t["status_url"].rsplit("/", 1)[1] for t in self.issued.values()]


@dataclass
class Office:
    id: int
    services: list[int]
    counters: list[int]


async def office_of(http: aiohttp.ClientSession, base: str, kiosk: str) -> Office:
    headers = {"Authorization": f"Bearer {kiosk}"}
    async with http.get(f"{base}/api/v1/offices", headers=headers) as r:
        office = (await r.json())[0]["id"]
    async with http.get(f"{base}/api/v1/offices/{office}/queue", headers=headers) as r:
        snapshot = await r.json()
    return Office(office, [s["id"] for s in snapshot["services"]], [c["id"] for c in snapshot["counters"]])


async def _issue(http: aiohttp.ClientSession, base: str, kiosk: str, office: Office, i: int,
                 ledger: Ledger, errors: Tally) -> bool:
    body = {"office": office.id, "service": office.services[i % len(office.services)]}
    try:
        async with http.post(f"{base}/api/v1/tickets", json=body, headers={"Authorization": f"Bearer {kiosk}"}) as r:
            answer = await r.json()
            if r.status == 201:
                ledger.issued[answer["id"]] = answer
                return True
            errors[f"HTTP {r.status} {answer.get('error')}"] += 1
    except (TimeoutError, aiohttp.ClientError) as exc:
        errors[type(exc).__name__] += 1
    return False


async def issue_open_loop(deployment: Deployment, office: Office, rate: float, seconds: float,
                          ledger: Ledger) -> dict[str, Any]:
    """Offer `rate` tickets/s for `seconds`, spread over the deployment's processes."""
    bases = [s.base for s in deployment.servers]
    latency, errors = Latency(), Tally()
    count = int(rate * seconds)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=500),
                                     timeout=aiohttp.ClientTimeout(total=60)) as http:
        t0 = time.monotonic() + 0.2
        finished: list[float] = []

        async def one(i: int) -> None:
            scheduled = t0 + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
            if await _issue(http, bases[i % len(bases)], deployment.tokens["kiosk"], office, i, ledger, errors):
                latency.record(time.monotonic() - scheduled)
            finished.append(time.monotonic())

        await asyncio.gather(*(one(i) for i in range(count)))
    wall = max(finished) - t0
    return {"offered_per_s": rate, "requests": count, "acknowledged": latency.count,
            "achieved_per_s": round(latency.count / wall, 1), "latency_ms": latency.summary(), "errors": dict(errors)}


async def issue_throughput(deployment: Deployment, office: Office, seconds: float, ledger: Ledger,
                           concurrency: int = 32) -> dict[str, Any]:
    """Closed loop: `concurrency` kiosks issue back to back for `seconds`; return tickets per second.

    The kiosks stand in every office of the deployment (the bench office and its `other_offices`), as a
    city's do: one office's tickets are numbered one at a time, different offices' are not.
    """
    bases = [s.base for s in deployment.servers]
    latency, errors = Latency(), Tally()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency),
                                     timeout=aiohttp.ClientTimeout(total=60)) as http:
        places = [(deployment.tokens["kiosk"], office)]
        for token in deployment.other_kiosks:
            places.append((token, await office_of(http, bases[0], token)))
        start = time.monotonic()
        deadline = start + seconds

        async def kiosk(k: int) -> None:
            i = k
            token, where = places[k % len(places)]
            while time.monotonic() < deadline:
                sent = time.monotonic()
                if await _issue(http, bases[k % len(bases)], token, where, i, ledger, errors):
                    latency.record(time.monotonic() - sent)
                i += concurrency

        await asyncio.gather(*(kiosk(k) for k in range(concurrency)))
        wall = time.monotonic() - start
    return {"concurrency": concurrency, "offices": len(places), "seconds": round(wall, 1),
            "acknowledged": latency.count,
            "tickets_per_s": round(latency.count / wall, 1), "latency_ms": latency.summary(),
            "errors": dict(errors)}


class Listeners:
    """Socket.IO clients held by `python -m bench.listeners` subprocesses."""

    def __init__(self, bases: list[str], auths: list[dict[str, Any]], processes: int = 2, probes: int = 0) -> None:
        """Spread `auths` over `processes` listener processes; with `probes`, the first `probes` sockets go to a
        process of their own.

        The probe process receives what a lobby display receives (one message per fact) and so is never behind
        with its own work: its arrival times show when the server delivered. The other processes hold hundreds
        of clients each, and on a small machine they share the cores with the server, so their arrival times
        also include their own queue of messages to parse.
        """
        self.procs: list[subprocess.Popen] = []
        self.probe_procs = 1 if probes else 0
        self.connect_seconds = 0.0
        rest = auths[probes:]
        # The probes connect last, so they are the last sockets of the room: the server writes to a room's
        # sockets in the order they joined, and the probes see the end of each fan-out (the worst case).
        self._start([rest[i::processes] for i in range(processes)], bases)
        if probes:
            self._start([auths[:probes]], bases)
            self.procs.insert(0, self.procs.pop())
        self.count = len(auths)
        self.probes = probes
        self.facts_heard = 0  # facts other than ticket_called, summed over the reports

    def _start(self, chunks: list[list[dict[str, Any]]], bases: list[str]) -> None:
        started = []
        for chunk in chunks:
            if not chunk:
                continue
            proc = subprocess.Popen([sys.executable, "-m", "bench.listeners"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
            proc.stdin.write(json.dumps({"base": bases, "auths": chunk}) + "\n")
            proc.stdin.flush()
            started.append(proc)
            self.procs.append(proc)
        for proc in started:
            answer = json.loads(proc.stdout.readline() or '{"error": "listener process died"}')
            if "ready" not in answer:
                self.close()
                raise RuntimeError(f"listeners failed: {answer}")
            self.connect_seconds = max(self.connect_seconds, answer["seconds"])

    def cpu_seconds(self) -> float:
        """User + system CPU the listener processes have used so far (they share the machine with the server)."""
        total = 0.0
        for proc in self.procs:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def report(self) -> tuple[dict[int, list[float]], dict[int, list[float]], int]:
        """Arrivals of `ticket_called` per ticket at every socket, the same at the probe sockets only, and how
        many sockets are still connected."""
        arrivals: dict[int, list[float]] = {}
        probe_arrivals: dict[int, list[float]] = {}
        connected = 0
        for index, proc in enumerate(self.procs):
            proc.stdin.write('"report"\n')
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            connected += answer["connected"]
            self.facts_heard += answer["facts"]
            for ticket, times in answer["arrivals"].items():
                arrivals.setdefault(int(ticket), []).extend(times)
                if index < self.probe_procs:
                    probe_arrivals.setdefault(int(ticket), []).extend(times)
        return arrivals, probe_arrivals, connected

    def close(self) -> None:
        for proc in self.procs:
            if proc.stdin and not proc.stdin.closed:
                proc.stdin.close()
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = []


def listener_auths(deployment: Deployment, ledger: Ledger, count: int) -> list[dict[str, Any]]:
    """Lobby displays (device token), every one of them.

    Until issue 13 half were residents' status pages; a resident's socket now hears only `line_moved` (which
    names no ticket) and its own ticket's `ticket_changed`, so it cannot time a call's `ticket_called` fan-out,
    and counting it would report every resident as a missed delivery. The residents' own fan-out is for the
    performance issue to measure. `ledger` stays in the signature for that."""
    del ledger
    return [{"token": deployment.tokens["display"]} for _ in range(count)]


Clerk = tuple[aiohttp.ClientSession, str, int]


async def arm_csrf(http: aiohttp.ClientSession, base: str) -> None:
    """Send the session's CSRF token on every POST, as a clerk's page does (ptsp/cross_site.py)."""
    async with http.get(f"{base}/api/v1/auth/csrf") as r:
        http.headers["X-CSRFToken"] = (await r.json())["csrf_token"]


async def open_counters(deployment: Deployment, office: Office, bases: list[str]) -> list[Clerk]:
    """Log one clerk in per counter (on the processes in turn) and open the counter."""
    clerks = []
    for n, counter in enumerate(office.counters, start=1):
        # unsafe=True: keep cookies from an IP-address host (127.0.0.1), which aiohttp refuses by default
        http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), cookie_jar=aiohttp.CookieJar(unsafe=True))
        base = bases[n % len(bases)]
        login = {"username": f"clerk{n}", "password": CLERK_PASSWORD}
        await arm_csrf(http, base)
        async with http.post(f"{base}/api/v1/auth/login", json=login) as r:
            assert r.status == 200, await r.text()
        await arm_csrf(http, base)  # the login may have renewed the session
        async with http.post(f"{base}/api/v1/counters/{counter}/open") as r:
            assert r.status in (200, 409), await r.text()
        clerks.append((http, base, counter))
    return clerks


async def calls_to_sockets(deployment: Deployment, office: Office, listeners: Listeners, rate: float,
                           seconds: float, ledger: Ledger, call_bases: list[str] | None = None) -> dict[str, Any]:
    """Clerks call the next ticket at `rate` calls/s; time each call to its arrival at every socket."""
    bases = call_bases or [s.base for s in deployment.servers]
    clerks = await open_counters(deployment, office, bases)
    locks = [asyncio.Lock() for _ in clerks]
    scheduled_for: dict[int, float] = {}
    api, errors = Latency(), Tally()
    count = int(rate * seconds)
    t0 = time.monotonic() + 0.2

    async def one(i: int) -> None:
        scheduled = t0 + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        http, base, counter = clerks[i % len(clerks)]
        async with locks[i % len(clerks)]:
            try:
                async with http.post(f"{base}/api/v1/counters/{counter}/call-next") as r:
                    if r.status != 200:
                        errors["queue empty (204)" if r.status == 204 else f"HTTP {r.status}"] += 1
                        return
                    ticket = (await r.json())["ticket"]["id"]
                api.record(time.monotonic() - scheduled)
                scheduled_for[ticket] = scheduled
                ledger.called.append(ticket)
                async with http.post(f"{base}/api/v1/tickets/{ticket}/start") as r:
                    await r.read()
                async with http.post(f"{base}/api/v1/tickets/{ticket}/complete", json={"outcome": "selesai"}) as r:
                    await r.read()
            except (TimeoutError, aiohttp.ClientError) as exc:
                errors[type(exc).__name__] += 1

    try:
        await asyncio.gather(*(one(i) for i in range(count)))
        await asyncio.sleep(2.0)  # let the last facts arrive
    finally:
        for http, base, counter in clerks:
            async with http.post(f"{base}/api/v1/counters/{counter}/close") as r:
                await r.read()
            await http.close()
    arrivals, probe_arrivals, connected = listeners.report()
    latency, probe_latency = Latency(), Latency()
    missing = 0
    late: list[tuple[float, float]] = []  # (wall-clock time scheduled, slowest probe ms) of calls a probe heard late
    to_wall = time.time() - time.monotonic()
    for ticket, scheduled in scheduled_for.items():
        heard = arrivals.get(ticket, [])
        missing += listeners.count - len(heard)
        for arrived in heard:
            latency.record(arrived - scheduled)
        for arrived in probe_arrivals.get(ticket, []):
            probe_latency.record(arrived - scheduled)
        slowest = max(probe_arrivals.get(ticket, [scheduled])) - scheduled
        if slowest > 0.1:
            late.append((round(scheduled + to_wall, 3), round(slowest * 1000, 1)))
    return {"sockets": listeners.count, "probes": listeners.probes, "connected_at_end": connected,
            "calls": len(scheduled_for), "call_rate_per_s": rate, "call_api_ms": api.summary(),
            "call_to_socket_ms": latency.summary(), "call_to_probe_ms": probe_latency.summary(),
            "deliveries_missing": missing, "errors": dict(errors), "late_calls": sorted(late)}


def check_invariants(deployment: Deployment, ledger: Ledger) -> dict[str, Any]:
    """No duplicate numbers, nothing lost, no ticket called twice; returns the counts (and `ok`)."""
    engine = deployment.engine()
    try:
        with engine.connect() as conn:
            duplicates = conn.execute(text(
                "SELECT count(*) FROM (SELECT 1 FROM tickets GROUP BY office_id, issued_service_id, service_day, "
                "number HAVING count(*) > 1) d")).scalar_one()
            rows = {r.id: (r.number, r.code) for r in conn.execute(text("SELECT id, number, code FROM tickets"))}
            twice = conn.execute(text(
                "SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE kind = 'called' "
                "GROUP BY ticket_id HAVING count(*) > 1) t")).scalar_one()
            called = {r[0] for r in conn.execute(text("SELECT DISTINCT ticket_id FROM ticket_events "
                                                      "WHERE kind = 'called'"))}
    finally:
        engine.dispose()
    lost = [i for i, t in ledger.issued.items() if rows.get(i) != (t["number"], t["code"])]
    calls_lost = [i for i in ledger.called if i not in called]
    result = {"acknowledged_tickets": len(ledger.issued), "tickets_in_db": len(rows), "duplicate_numbers": duplicates,
              "acknowledged_but_missing": len(lost), "acknowledged_calls": len(ledger.called),
              "calls_missing": len(calls_lost), "called_twice": twice,
              "duplicate_call_acks": len(ledger.called) - len(set(ledger.called))}
    result["ok"] = not (duplicates or lost or calls_lost or twice or result["duplicate_call_acks"])
    return result
