"""The one fact sender per process (ptsp/publisher.py) survives what a send can throw at it, and its queue stays
bounded when it falls behind. Real threads stand in for gevent's tasks (the sender itself is the same code)."""

from __future__ import annotations

import contextlib
import threading
import time

from flask import Flask

from ptsp import publisher
from ptsp.publisher import FactSender


class Killed(BaseException):
    """What gevent throws into a task it kills, or a `gevent.Timeout` in a send: not an Exception."""


def _thread(run) -> None:
    def quietly() -> None:
        with contextlib.suppress(Killed):
            run()

    threading.Thread(target=quietly, daemon=True).start()


def _until(check, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


def test_a_sender_killed_mid_send_is_replaced_and_the_later_batches_still_go_out_in_order():
    sent: list[int] = []
    first = threading.Event()

    def send(batch) -> None:
        if batch[0]["seq"] == 1:
            first.wait(2)
            raise Killed
        sent.append(batch[0]["seq"])

    sender = FactSender(Flask(__name__), send, _thread)
    for seq in (1, 2, 3):
        sender.put([{"seq": seq}])
    first.set()
    assert _until(lambda: sent == [2, 3]), f"batches left waiting after the sender died: {sent}"
    sender.put([{"seq": 4}])
    assert _until(lambda: sent == [2, 3, 4]), sent


def test_a_failed_start_is_tried_again_on_the_next_batch():
    sent: list[int] = []
    tries = [0]

    def start(run) -> None:
        tries[0] += 1
        if tries[0] == 1:
            raise RuntimeError("no task now")
        _thread(run)

    sender = FactSender(Flask(__name__), lambda batch: sent.append(batch[0]["seq"]), start)
    with contextlib.suppress(RuntimeError):
        sender.put([{"seq": 1}])
    sender.put([{"seq": 2}])
    assert _until(lambda: sent == [1, 2]), sent


def test_a_sender_far_behind_drops_the_stale_batches_instead_of_growing(monkeypatch):
    monkeypatch.setattr(publisher, "MAX_WAITING", 10, raising=False)
    sender = FactSender(Flask(__name__), lambda batch: None, lambda run: None)  # a sender that never runs
    for seq in range(1, 26):
        sender.put([{"seq": seq}])
    assert sender.batches.qsize() <= 10
