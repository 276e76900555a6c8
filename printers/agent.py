"""The print agent: runs on the kiosk PC, takes print jobs from the server over Socket.IO,
prints them on the local printer and acknowledges each.

Each job is claimed from the server before printing (`print_claim`) and reported
after (`print_done`), so a job delivered twice, or again after a reconnect, is
printed once. This module knows the wire format, not the database.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

import socketio

from printers.backends import Printer
from printers.job import print_ticket
from printers.layout import TicketPrintData

log = logging.getLogger("ptsp.print_agent")


def data_from_payload(payload: dict[str, Any]) -> TicketPrintData:
    """Rebuild the ticket facts of a `print_job` payload."""
    fields = dict(payload["ticket"])
    fields["issued_at"] = datetime.fromisoformat(fields["issued_at"])
    return TicketPrintData(**fields)


class PrintAgent:
    """Connect to a PTSP server with an agent token and print what it sends."""

    def __init__(self, server: str, token: str, printer: Printer, timeout: float = 3.0) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.printer = printer
        self.timeout = timeout
        self.printed: list[int] = []  # job ids this agent put on paper, in order
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # Not a browser: no Origin header (websocket-client would invent one from the URL it dials, which a
        # server with another PTSP_PUBLIC_URL refuses); the device token is its proof (ptsp/cross_site.py).
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=5,
                                   websocket_extra_options={"suppress_origin": True})
        self.sio.on("connect", self._on_connect)
        self.sio.on("print_job", self._on_job)

    def _on_connect(self) -> None:
        log.info("connected to %s", self.server)
        self.sio.start_background_task(self._ready)

    def _ready(self) -> None:
        try:
            answer = self.sio.call("agent_ready", {}, timeout=10)
        except socketio.exceptions.SocketIOError as exc:
            log.warning("agent_ready got no answer: %s", exc)
            return
        if answer.get("error"):
            log.error("server refused this agent: %s", answer.get("message"))
            return
        for job in answer.get("jobs", []):
            self.handle(job)

    def _on_job(self, payload: dict[str, Any]) -> None:
        self.sio.start_background_task(self.handle, payload)

    def handle(self, payload: dict[str, Any]) -> bool:
        """Claim, print and report one job; return True when it printed."""
        job_id: int = payload["job"]
        with self._lock:
            if job_id in self.printed:
                return False
            try:
                claim = self.sio.call("print_claim", {"job": job_id}, timeout=10)
            except socketio.exceptions.SocketIOError as exc:
                log.warning("could not claim job %s: %s", job_id, exc)
                return False
            if not claim.get("ok"):
                log.info("job %s is not ours to print now (%s)", job_id, claim)
                return False
            result = print_ticket(self.printer, data_from_payload(payload), payload["width_chars"], self.timeout,
                                  codepage=payload.get("codepage", "CP1252"))
            if result.ok:
                self.printed.append(job_id)
            log.info("job %s: %s %s", job_id, "printed" if result.ok else "failed", result.reason)
            report = {"job": job_id, "ok": result.ok, "status": result.status.value, "error": result.reason or None,
                      "may_have_printed": result.may_have_printed}
            try:
                self.sio.call("print_done", report, timeout=10)
            except socketio.exceptions.SocketIOError as exc:
                log.warning("could not report job %s: %s", job_id, exc)
            return result.ok

    def run(self) -> None:
        """Connect (retrying until the server answers) and serve jobs until stop()."""
        while not self._stop.is_set():
            try:
                self.sio.connect(self.server, auth={"token": self.token}, wait_timeout=10)
                break
            except socketio.exceptions.ConnectionError as exc:
                log.warning("cannot reach %s yet: %s", self.server, exc)
                time.sleep(1)
        while not self._stop.is_set():
            self._stop.wait(0.5)
        self.sio.disconnect()

    def stop(self) -> None:
        self._stop.set()
