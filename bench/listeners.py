"""A process holding many real Socket.IO clients (python-socketio AsyncClient) on one asyncio loop.

Run as `python -m bench.listeners`; the harness talks to it over stdin/stdout, one JSON line each:

- in: `{"base": URL or [URLs], "auths": [auth, ...]}`; out: `{"ready": n, "seconds": s}` once all are connected
  (clients are spread over the URLs round-robin, as nginx's ip_hash would spread many lobbies);
- in: `"report"`; out: `{"arrivals": {ticket_id: [monotonic seconds, ...]}, "facts": n, "connected": n}`,
  the moment each client received `ticket_called` for each ticket; the harness subtracts the time the
  call was sent (CLOCK_MONOTONIC is shared by every process on the machine);
- stdin closed: disconnect everything and exit.

The clients parse every fact, as real displays and status pages do. All share one aiohttp session.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import sys
import time
from collections import defaultdict
from typing import Any

import aiohttp
import socketio


def raise_fd_limit() -> int:
    """Raise this process's soft open-files limit to the hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Pool:
    """N AsyncClients, each recording when `ticket_called` arrived."""

    def __init__(self) -> None:
        self.clients: list[socketio.AsyncClient] = []
        self.arrivals: dict[int, list[float]] = defaultdict(list)
        self.facts = 0
        self.http: aiohttp.ClientSession | None = None

    def _on_called(self, data: dict[str, Any]) -> None:
        self.arrivals[data["ticket"]["id"]].append(time.monotonic())

    def _on_fact(self, *_args: Any) -> None:
        self.facts += 1

    async def connect(self, bases: list[str], auths: list[dict[str, Any]], parallel: int = 50) -> float:
        started = time.monotonic()
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))
        gate = asyncio.Semaphore(parallel)

        async def one(i: int, auth: dict[str, Any]) -> None:
            client = socketio.AsyncClient(reconnection=False, http_session=self.http)
            client.on("ticket_called", self._on_called)
            client.on("*", self._on_fact)
            async with gate:
                for attempt in range(5):
                    try:
                        await client.connect(bases[i % len(bases)], auth=auth, transports=["websocket"],
                                             wait_timeout=30)
                        break
                    except socketio.exceptions.ConnectionError:
                        if attempt == 4:
                            raise
                        await asyncio.sleep(0.5 * (attempt + 1))
            self.clients.append(client)

        await asyncio.gather(*(one(i, a) for i, a in enumerate(auths)))
        return time.monotonic() - started

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)
        if self.http is not None:
            await self.http.close()


async def main() -> None:
    raise_fd_limit()
    # Closing thousands of clients at the end makes Engine.IO log one line each; keep the report readable.
    for name in ("engineio.client", "socketio.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=256 * 1024 * 1024)  # one line carries thousands of auth objects
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pool = Pool()
    try:
        while line := await reader.readline():
            request = json.loads(line)
            if isinstance(request, dict):
                bases = request["base"] if isinstance(request["base"], list) else [request["base"]]
                seconds = await pool.connect(bases, request["auths"])
                answer: dict[str, Any] = {"ready": len(pool.clients), "seconds": round(seconds, 2)}
            elif request == "report":
                answer = {"arrivals": pool.arrivals, "facts": pool.facts,
                          "connected": sum(1 for c in pool.clients if c.connected)}
                pool.arrivals = defaultdict(list)
            else:
                answer = {"error": f"unknown request {request!r}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        await pool.close()


if __name__ == "__main__":
    asyncio.run(main())
