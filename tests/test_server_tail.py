"""The server's long stalls at 1,000 sockets (docs/benchmarks.md, "The 700 ms tail at 1,000 sockets"):
the start-up heap frozen out of the collector's walks under `ptsp run`, and committed facts sent by one task
per process, in commit order, after the committing call has returned."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
import requests
from flask import Flask

from ptsp.config import ConfigError
from ptsp.gc_tuning import thresholds
from ptsp.publisher import FactSender


def threads(fn: Any) -> None:
    threading.Thread(target=fn, daemon=True).start()


@pytest.fixture
def app() -> Flask:
    """The sender needs an app only for its context and logger: no database here."""
    return Flask(__name__)


def test_a_commits_facts_are_sent_after_the_committing_call_returned(app):
    release, sent = threading.Event(), []

    def slow_send(batch: list[dict[str, Any]]) -> None:
        release.wait(5)
        sent.append(batch)

    sender = FactSender(app, slow_send, threads)
    started = time.monotonic()
    sender.put([{"event": "ticket_called", "seq": 1}])
    assert time.monotonic() - started < 1 and sent == []  # the call did not wait for the sockets
    release.set()
    deadline = time.monotonic() + 5
    while not sent and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent == [[{"event": "ticket_called", "seq": 1}]]


def test_batches_put_from_many_callers_are_sent_in_the_order_they_were_put_by_one_task(app):
    sent: list[int] = []
    senders: set[int] = set()
    order_lock = threading.Lock()
    put_order: list[int] = []

    def send(batch: list[dict[str, Any]]) -> None:
        senders.add(threading.get_ident())
        sent.append(batch[0]["seq"])

    sender = FactSender(app, send, threads)

    def commit(first: int) -> None:
        for seq in range(first, first + 50):
            with order_lock:  # a commit's facts are queued in the order the commits happened
                put_order.append(seq)
                sender.put([{"event": "ticket_issued", "seq": seq}])

    workers = [threading.Thread(target=commit, args=(n * 100,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    deadline = time.monotonic() + 5
    while len(sent) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent == put_order and len(senders) == 1


def test_a_batch_that_fails_to_send_does_not_stop_the_next(app, caplog):
    sent: list[int] = []

    def send(batch: list[dict[str, Any]]) -> None:
        if batch[0]["seq"] == 2:
            raise OSError("socket gone")
        sent.append(batch[0]["seq"])

    sender = FactSender(app, send, threads)
    for seq in (1, 2, 3):
        sender.put([{"seq": seq}])
    deadline = time.monotonic() + 5
    while len(sent) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent == [1, 3]
    assert "facts not sent to the sockets" in caplog.text


@pytest.mark.parametrize("value", ["", "700", "700,10", "0,10,10", "a,b,c", "700,10,-1", "1,2,3,4"])
def test_bad_collector_thresholds_are_refused(value):
    with pytest.raises(ConfigError):
        thresholds(value)


def test_settle_freezes_the_start_up_heap_and_sets_thresholds():
    script = ("import gc, json; from ptsp.gc_tuning import settle; before = gc.get_freeze_count(); "
              "settle({'PTSP_GC_THRESHOLD': '5000,20,30'}); "
              "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()]))")
    before, after, set_to = json.loads(subprocess.run([sys.executable, "-c", script], check=True,
                                                      capture_output=True, text=True).stdout)
    assert before == 0 and after > 1000 and set_to == [5000, 20, 30]


def collections_logged(server: Any) -> list[str]:
    """Make the server allocate (each request's objects go through the young generation), then read its log."""
    for _ in range(10):
        requests.get(f"{server.base}/api/v1/openapi.json", timeout=60)
    return [line for line in (server.tmp_path / "gc.log").read_text().splitlines() if line.startswith("gc gen")]


@pytest.mark.parametrize("freeze", ["1", "0"])
def test_ptsp_run_freezes_what_start_up_made_unless_told_not_to(tmp_path, server_template, freeze):
    from tests.conftest import LiveServer

    live = LiveServer(tmp_path, server_template)
    live.env.update(PTSP_GC_LOG=str(tmp_path / "gc.log"), PTSP_GC_LOG_GENERATION="0", PTSP_GC_FREEZE=freeze)
    live.start()
    try:
        lines = collections_logged(live)
    finally:
        live.stop()
    assert lines, live.log()[-2000:]
    frozen = [int(line.split(" frozen ")[1].split()[0]) for line in lines]
    if freeze == "1":  # the first line is settle's own collection, just before the freeze
        assert frozen[0] == 0 and min(frozen[1:]) > 50_000  # the modules, classes and functions start-up made
    else:
        assert set(frozen) == {0}


def test_a_round_makes_no_collection_and_the_collector_comes_back_after_it():
    from ptsp.gc_tuning import collector_paused

    assert gc.isenabled()
    before = gc.get_stats()[0]["collections"]
    with collector_paused():
        with collector_paused():  # rounds may overlap
            kept = [[n] for n in range(100_000)]  # far past the young generation's threshold
        assert not gc.isenabled() and gc.get_stats()[0]["collections"] == before
    assert gc.isenabled() and len(kept) == 100_000


def test_background_rounds_run_with_the_collector_paused():
    from ptsp.app import create_app
    from ptsp.background import run_every

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    seen: list[bool] = []

    def work() -> None:
        seen.append(gc.isenabled())

    stop = run_every(app, 0.01, work, "test round")
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    stop()
    time.sleep(0.05)
    assert seen and not any(seen) and gc.isenabled()
