"""Rounds a server runs in the background (print retries, the socket sweep): one loop for all of them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from .extensions import socketio


def run_every(app: Flask, seconds: float, work: Callable[[], object], what: str) -> None:
    """Run `work` in the app's context every `seconds` for as long as the server runs (0 or less: never).

    A failed round is logged and the next one runs: a database away for a moment must not end the loop.
    """
    if seconds <= 0:
        return

    def loop() -> None:
        while True:
            socketio.sleep(seconds)
            with app.app_context():
                try:
                    work()
                except Exception:
                    app.logger.exception("%s failed", what)

    socketio.start_background_task(loop)
