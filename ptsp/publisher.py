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

import queue
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

Batch = list[dict[str, Any]]


class FactSender:
    """A queue of committed batches and the one task that sends them with `send`, started on the first batch."""

    def __init__(self, app: Flask, send: Callable[[Batch], None], start: Callable[..., Any]) -> None:
        self.app = app
        self.send = send
        self.start = start
        self.batches: queue.SimpleQueue[Batch] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.started = False

    def put(self, committed: Batch) -> None:
        """Queue one commit's facts (no I/O here); the sender task sends them after every earlier batch."""
        self.batches.put(committed)
        if self.started:
            return
        with self.lock:
            if self.started:
                return
            self.started = True
        self.start(self.run)

    def run(self) -> None:
        """Send batches in the order they were queued for as long as the process runs; a failed batch is
        logged and the next one is sent (a socket gone mid-write must not stop the lobby's displays)."""
        while True:
            committed = self.batches.get()
            with self.app.app_context():
                try:
                    self.send(committed)
                except Exception:
                    self.app.logger.exception("facts not sent to the sockets")
