"""The background rounds' pause of the collector (ptsp/gc_tuning.py) ends: at the round's end, on its failure, and
at `PAUSE_LIMIT_SECONDS` when a round hangs (the pause is the whole process's, requests included)."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from ptsp import gc_tuning
from ptsp.gc_tuning import collector_paused


def _until(check, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


def test_a_round_that_hangs_gives_the_collector_back_at_the_limit(monkeypatch):
    monkeypatch.setattr(gc_tuning, "PAUSE_LIMIT_SECONDS", 0.05, raising=False)
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        assert _until(gc.isenabled), "a round blocked on the database kept the whole process's collector off"
    assert gc.isenabled()


def test_a_failed_round_gives_the_collector_back():
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("database gone")
    assert gc.isenabled()


def test_overlapping_rounds_in_threads_leave_the_collector_on():
    start = threading.Barrier(8)

    def round_() -> None:
        start.wait()
        for _ in range(2000):
            with collector_paused():
                pass

    threads = [threading.Thread(target=round_) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gc.isenabled() and gc_tuning._Pause.depth == 0


def test_a_round_that_gives_way_lets_the_others_run_with_the_collector_on():
    # A long round (the discipline scan) gives way between chunks; the other tasks then run with the collector
    # on, and the round goes on with it paused: the pause covers only what the round itself makes.
    seen = []
    with collector_paused():
        gc_tuning.give_way(lambda _s: seen.append(gc.isenabled()))
        assert not gc.isenabled()
        gc_tuning.give_way(lambda _s: seen.append(gc.isenabled()))
        assert not gc.isenabled()
    assert seen == [True, True] and gc.isenabled()


def test_giving_way_outside_a_round_or_after_the_limit_leaves_the_collector_as_it_is(monkeypatch):
    seen = []
    gc_tuning.give_way(lambda _s: seen.append(gc.isenabled()))
    assert gc.isenabled()
    monkeypatch.setattr(gc_tuning, "PAUSE_LIMIT_SECONDS", 0.05, raising=False)
    with collector_paused():
        assert _until(gc.isenabled)  # the limit gave the collector back
        gc_tuning.give_way(lambda _s: seen.append(gc.isenabled()))
        assert gc.isenabled(), "giving way took back what the limit had given"
    gc.disable()
    try:  # a process that runs without the collector keeps it off
        with collector_paused():
            gc_tuning.give_way(lambda _s: seen.append(gc.isenabled()))
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [True, True, False]


def test_a_round_that_fails_while_the_others_run_leaves_the_pause_to_end_as_usual():
    def fails(_s):
        raise RuntimeError("killed while switched out")
    with pytest.raises(RuntimeError), collector_paused():
        gc_tuning.give_way(fails)
    assert gc.isenabled()
