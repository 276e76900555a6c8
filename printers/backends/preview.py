"""A printer that only remembers what it was sent, for the demo and its preview."""

from __future__ import annotations

import threading
from collections import deque

from printers.status import PrinterStatus


class PreviewPrinter:
    """Keep the last ``keep`` jobs in memory instead of printing them."""

    def __init__(self, keep: int = 20) -> None:
        if keep < 1:
            raise ValueError("a preview printer must keep at least one job")
        self.name = "preview printer"
        self._jobs: deque[bytes] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def send(self, data: bytes, timeout: float) -> None:
        """Remember one job, dropping the oldest when full."""
        with self._lock:
            self._jobs.append(bytes(data))

    def status(self, timeout: float) -> PrinterStatus:
        """Report a preview printer as always ready."""
        return PrinterStatus.OK

    def jobs(self) -> list[bytes]:
        """Return the remembered jobs, oldest first."""
        with self._lock:
            return list(self._jobs)
