"""Rounds a server runs in the background (print retries, the socket sweep): one loop for all of them.

Each round runs with the cyclic collector paused (`gc_tuning.collector_paused`, at most
`PAUSE_LIMIT_SECONDS`: the pause is the whole process's): what a round reads lives until
it ends and is then freed by reference counting, instead of being moved to the older generations by the young
collections meanwhile and bringing on a full collection of the whole process (docs/benchmarks.md, "The 700 ms
tail at 1,000 sockets"). Each round's duration is logged at debug level.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from flask import Flask

from .extensions import socketio
from .gc_tuning import collector_paused


def run_every(app: Flask, seconds: float, work: Callable[[], object], what: str) -> Callable[[], None]:
    """Run `work` in the app's context every `seconds` for as long as the server runs (0 or less: never).

    A failed round is logged and the next one runs: a database away for a moment must not end the loop.
    Returns what ends the loop (before its next round).
    """
    stopped = [seconds <= 0]

    def stop() -> None:
        stopped[0] = True

    if stopped[0]:
        return stop

    def loop() -> None:
        while True:
            socketio.sleep(seconds)
            if stopped[0]:
                return
            started = time.perf_counter()
            with app.app_context(), collector_paused():
                try:
                    work()
                except Exception:
                    app.logger.exception("%s failed", what)
            app.logger.debug("%s: %.1f ms", what, (time.perf_counter() - started) * 1000)

    socketio.start_background_task(loop)
    return stop
