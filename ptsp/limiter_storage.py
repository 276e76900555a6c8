"""The rate limits' in-process storage (`ptsp-memory://`, the default without Redis): limits' memory storage
without a timer thread per request.

`limits.storage.MemoryStorage` drops expired counters on a `threading.Timer` it starts again, 10 ms later, on
the first hit after the last one fired: nearly one new thread (a greenlet under gevent) per rate-limited
request, measured at about a tenth of a REST issue's CPU (docs/benchmarks.md). Reading a counter already
ignores an expired one (`get` checks its expiry), so the timer only frees memory; here that sweep runs inline,
at most once a second, on the request that finds it due.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """`memory://` with an inline sweep instead of a timer per hit (registered as the `ptsp-memory` scheme)."""

    STORAGE_SCHEME = ["ptsp-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.next_sweep = time.monotonic() + SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - replaces the parent's private method
        at = time.monotonic()
        if at < self.next_sweep:
            return
        self.next_sweep = at + SWEEP_SECONDS
        self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
