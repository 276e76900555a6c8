"""Committed facts to the sockets from one background task per process, in commit order.

Under gevent (`ptsp run`) with one process and no message queue, sending a fact means writing it to every
socket of its rooms (ptsp/fanout.py): about 15 ms of the one process at 1,000 lobby sockets. Done in the
committing request, the clerk's answer waited for it. Here the request only puts its committed facts on this
process's queue, after the commit as before, and answers; one task takes the batches off the queue in the order
they were put and sends them (`realtime.publish_facts`). One sender keeps every socket's facts in commit order;
a page that meets a fact it already had from a snapshot drops it (static/live.js), as it already did for facts
that cross Redis. With Redis as the message queue the task publishes to the channel in the same order.

In threading mode (tests, `flask run`) facts are sent in the committing call, as before.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

Batch = list[dict[str, Any]]


def _exiting(ended: BaseException) -> bool:
    """The process (or gevent's hub, killing its tasks with greenlet's GreenletExit) is ending: no new sender."""
    return isinstance(ended, SystemExit | KeyboardInterrupt) or type(ended).__name__ == "GreenletExit"


MAX_WAITING = 5000  # batches behind the sender; past this the waiting ones are stale: dropped, pages resync


class FactSender:
    """A queue of committed batches and the one task that sends them with `send`, started on the first batch
    (and again if it ever ends: a task killed mid-send must not leave every later batch waiting forever)."""

    def __init__(self, app: Flask, send: Callable[[Batch], None], start: Callable[..., Any]) -> None:
        self.app = app
        self.send = send
        self.start = start
        self.batches: queue.SimpleQueue[Batch] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.started = False

    def put(self, committed: Batch) -> None:
        """Queue one commit's facts (no I/O here); the sender task sends them after every earlier batch."""
        if self.batches.qsize() >= MAX_WAITING:
            self._drop_waiting()
        self.batches.put(committed)
        if not self.started:
            self._start()

    def _start(self) -> None:
        with self.lock:
            if self.started:
                return
            self.started = True
        try:
            self.start(self.run)
        except BaseException:
            self.started = False  # the next batch tries again; this one stays queued
            raise

    def _drop_waiting(self) -> None:
        """The sender is far behind (a slow message queue): what waits is stale. Drop it; each page sees the gap
        in `seq` at its next fact and asks for a snapshot (static/live.js)."""
        dropped = 0
        with contextlib.suppress(queue.Empty):
            while True:
                self.batches.get_nowait()
                dropped += 1
        self.app.logger.error("facts not sent: %d committed batches dropped, the sender is too far behind", dropped)

    def run(self) -> None:
        """Send batches in the order they were queued for as long as the process runs; a failed batch is
        logged and the next one is sent (a socket gone mid-write must not stop the lobby's displays)."""
        try:
            while True:
                committed = self.batches.get()
                with self.app.app_context():
                    try:
                        self.send(committed)
                    except Exception:
                        self.app.logger.exception("facts not sent to the sockets")
        except BaseException as ended:  # killed, or a timeout in a send: no batch may end the sender for good
            with self.lock:
                self.started = False
            waiting = self.batches.qsize()
            self.app.logger.error("fact sender ended (%r) with %d batches waiting", ended, waiting)
            if waiting and not _exiting(ended):
                self._start()  # a new task takes the waiting batches, still in order
            raise
