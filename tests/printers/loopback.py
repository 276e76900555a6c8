"""A network printer stand-in: a real TCP server on 127.0.0.1 that records what it gets."""

from __future__ import annotations

import socket
import threading

READY = 0x12  # DLE EOT answer with only the fixed bits set: online, paper present


class LoopbackPrinter:
    """Accept connections, record each one's bytes and answer DLE EOT 1 and 4.

    Connections are listed in the order they were accepted, once closed. Each is served
    by its own thread, so the order in which they finish being recorded is up to the
    scheduler: a status check closed just before the job could otherwise be listed
    after it on a busy machine.

    With ``reads=False`` it accepts connections and never reads from them, with a
    small receive buffer so a sender soon finds the connection full.
    """

    def __init__(
        self, *, printer_status: int = READY, paper_status: int = READY, reads: bool = True
    ) -> None:
        self.answers = {1: printer_status, 4: paper_status}
        self.reads = reads
        self._received: list[bytes | None] = []  # one slot per accepted connection; None while it is open
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if not reads:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    @property
    def setting(self) -> str:
        return f"network:127.0.0.1:{self.port}"

    @property
    def connections(self) -> list[bytes]:
        """The bytes of every closed connection, in the order the connections were accepted."""
        with self._changed:
            return [data for data in self._received if data is not None]

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Wait until ``count`` connections have closed and return their bytes, in accepted order."""
        with self._changed:
            self._changed.wait_for(lambda: len(self.connections) >= count, timeout)
            return self.connections

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        for sock in self._open:
            sock.close()
        self._listener.close()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._open.append(conn)
            with self._changed:
                slot = len(self._received)
                self._received.append(None)
            if self.reads:
                self._spawn(self._serve, conn, slot)

    def _serve(self, conn: socket.socket, slot: int) -> None:
        conn.settimeout(0.05)
        received = bytearray()
        scanned = 0
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            # Answer each real-time status request as a printer does, ahead of the data.
            while (found := received.find(b"\x10\x04", scanned)) != -1 and found + 2 < len(
                received
            ):
                request = received[found + 2]
                if request in self.answers:
                    conn.sendall(bytes([self.answers[request]]))
                scanned = found + 3
        with self._changed:
            self._received[slot] = bytes(received)
            self._changed.notify_all()
