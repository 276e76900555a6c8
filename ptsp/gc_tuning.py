"""Python's cyclic garbage collector in the server process: what is left for it to scan, and a log of it.

A full (generation 2) collection walks every container object the process has and holds the one server
process while it does: no socket is written, no request answered. Right after start-up the server already
holds about 257,000 of them (the modules, their functions, classes and tables: Flask, SQLAlchemy, Babel,
NumPy and SciPy for the planning pages), about 130 ms of walking on this project's benchmark machine, and
with 1,000 lobby sockets a full collection came every 6 to 8 seconds and took 180 to 360 ms: the calls that
met one reached the displays that much later (docs/benchmarks.md, "The 700 ms tail at 1,000 sockets").

`settle()`, called by `ptsp run` and `ptsp demo` once the app is built and migrated, collects once and then
moves everything alive to the permanent generation (`gc.freeze()`, made for this), so later collections walk
only what was made since: the sockets, requests and their sessions. What start-up made lives about as long as
the process (modules, classes, functions); a frozen object that later becomes part of unreachable cycles is
never collected, but reference counting still frees the rest (the frozen count fell by a few dozen over a
benchmark run). `PTSP_GC_FREEZE=0` turns it off. `PTSP_GC_THRESHOLD=a,b,c` sets
`gc.set_threshold(a, b, c)` (default: Python's own).

`collector_paused()` is what the background rounds (ptsp/background.py) run in, for at most
`PAUSE_LIMIT_SECONDS` (the pause is the whole process's: under gevent the requests run during a round's database
waits, so a round stuck on one must not keep the collector off for them): a round that reads a day of an
office (the discipline scan: every ticket's events) makes tens of thousands of objects that live until the round
ends; each young collection during the round moved them to an older generation, which counts towards the next
full collection, so every scan was followed by one. With the collector paused they are freed by their reference
counts when the round ends and never reach the older generations. A long round gives way to the others
between chunks of its work (`give_way`); they run with the collector on, so the pause covers only the round.

`PTSP_GC_LOG=FILE` (or `-` for stderr) writes one line per collection of the generation given by
`PTSP_GC_LOG_GENERATION` (default 2: the full ones) or older: its generation, its duration, what it freed,
the objects it walked (full collections only) and the counts after it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from .config import ConfigError


def log_collections(stream: TextIO, least_generation: int = 2) -> None:
    """Write a line to `stream` for each collection of `least_generation` or older."""
    started = [0.0]

    def callback(phase: str, info: dict[str, Any]) -> None:
        if info["generation"] < least_generation:
            return
        if phase == "start":
            started[0] = time.perf_counter()
            return
        ms = (time.perf_counter() - started[0]) * 1000
        walked = f" walked {len(gc.get_objects(2))}" if info["generation"] == 2 else ""
        stream.write(f"gc gen {info['generation']} {ms:.1f} ms collected {info['collected']}{walked} "
                     f"frozen {gc.get_freeze_count()} counts {gc.get_count()} at {time.time():.3f}\n")
        stream.flush()

    gc.callbacks.append(callback)


def thresholds(value: str) -> tuple[int, int, int]:
    """`a,b,c` as the three thresholds of `gc.set_threshold`."""
    try:
        parts = tuple(int(part) for part in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 3 or parts[0] < 1 or min(parts) < 0:
        raise ConfigError(f"PTSP_GC_THRESHOLD wants three whole numbers a,b,c with a ≥ 1, not {value!r}")
    return parts[0], parts[1], parts[2]


def settle(environ: Any = os.environ) -> None:
    """After start-up, before serving: the collector's log, thresholds and the frozen start-up heap."""
    target = environ.get("PTSP_GC_LOG")
    if target:
        stream = sys.stderr if target == "-" else open(target, "a", encoding="utf-8")  # noqa: SIM115 (process-long)
        log_collections(stream, int(environ.get("PTSP_GC_LOG_GENERATION", "2")))
    if environ.get("PTSP_GC_THRESHOLD"):
        gc.set_threshold(*thresholds(environ["PTSP_GC_THRESHOLD"]))
    if environ.get("PTSP_GC_FREEZE", "1") != "0":
        gc.collect()
        gc.freeze()


PAUSE_LIMIT_SECONDS = 5.0  # the longest the collector stays off, however long the rounds inside take


class _Pause:
    lock = threading.Lock()  # held only for a few plain statements: never across a switch of gevent's tasks
    depth = 0
    was_enabled = False
    number = 0  # of the pause (from the first round in to the last out): a late timer of an earlier one is ignored
    expired = False  # the pause reached its limit: the collector stays on until the rounds end
    timer: threading.Timer | None = None


def _pause_expired(number: int) -> None:
    """The rounds have held the collector off for `PAUSE_LIMIT_SECONDS`: turn it back on. The pause is the whole
    process's, not the round's: under gevent every request runs while a round waits on the database, and a round
    waiting long (a PostgreSQL lock, a lost connection) must not keep their cyclic garbage from being collected."""
    with _Pause.lock:
        if _Pause.depth > 0 and _Pause.number == number and _Pause.was_enabled:
            _Pause.expired = True
            gc.enable()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside, for at most `PAUSE_LIMIT_SECONDS` (rounds may overlap: the collector comes
    back when the last one ends, or at the limit, if it was on before the first)."""
    timer = None
    with _Pause.lock:
        if _Pause.depth == 0:
            _Pause.was_enabled = gc.isenabled()
            gc.disable()
            _Pause.number += 1
            _Pause.expired = False
            if _Pause.was_enabled:
                timer = _Pause.timer = threading.Timer(PAUSE_LIMIT_SECONDS, _pause_expired, (_Pause.number,))
        _Pause.depth += 1
    if timer is not None:  # started outside the lock: under gevent, starting a task switches to the hub
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        ended = None
        with _Pause.lock:
            _Pause.depth -= 1
            if _Pause.depth == 0:
                ended, _Pause.timer = _Pause.timer, None
                if _Pause.was_enabled:
                    gc.enable()
        if ended is not None:
            ended.cancel()


def give_way(switch: Callable[[float], object] | None = None) -> None:
    """Let the process's other tasks run for a moment: `time.sleep(0)`, a switch under gevent. A long round
    calls it between chunks of its work so it never holds the event loop for long. Inside a round's pause the
    collector runs again while the others do: the pause is for what the round makes, not for their garbage
    (without this, a round that gives way would keep the collector off for every request until it ends)."""
    with _Pause.lock:
        lift = _Pause.depth > 0 and _Pause.was_enabled and not _Pause.expired and not gc.isenabled()
        if lift:
            gc.enable()
    try:
        (switch or time.sleep)(0)
    finally:
        if lift:
            with _Pause.lock:
                if _Pause.depth > 0 and not _Pause.expired:
                    gc.disable()
