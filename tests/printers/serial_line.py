"""A serial printer stand-in: the far end of a real pseudo-terminal."""

from __future__ import annotations

import os
import select
import threading

from tests.printers.loopback import READY


class SerialLine:
    """Open a pty whose device path a SerialPrinter can use; read and answer like a printer.

    With ``reads=False`` nothing is read, so the line fills up as a stalled printer's would.
    """

    def __init__(
        self, *, printer_status: int = READY, paper_status: int = READY, reads: bool = True
    ) -> None:
        self.answers = {1: printer_status, 4: paper_status}
        self._master, self._slave = os.openpty()
        self.device = os.ttyname(self._slave)
        self._received = bytearray()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read_loop, daemon=True)
        if reads:
            self._thread.start()

    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        os.close(self._master)
        os.close(self._slave)

    def _read_loop(self) -> None:
        scanned = 0
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            chunk = os.read(self._master, 65536)
            with self._lock:
                self._received += chunk
                while (found := self._received.find(b"\x10\x04", scanned)) != -1 and (
                    found + 2 < len(self._received)
                ):
                    request = self._received[found + 2]
                    if request in self.answers:
                        os.write(self._master, bytes([self.answers[request]]))
                    scanned = found + 3
