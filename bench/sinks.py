"""Cheap Socket.IO listeners for measuring the server: raw websockets that join as displays and drain.

`python -m bench.fanout` puts most of its sockets here so that the clients' own parsing (about 50 µs of
client CPU per message with python-socketio's AsyncClient) does not compete with the server for the
machine's cores: each sink does the Engine.IO / Socket.IO handshake by hand, answers the server's pings,
and otherwise reads and discards, on one selector thread. What the server does per socket is the same as for
a real display (same auth, same rooms, same messages).
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import threading
import time
from typing import Any

PING = b"\x81\x012"  # an unmasked text frame carrying Engine.IO's "2"


def client_frame(text: str) -> bytes:
    """A masked client-to-server text frame (RFC 6455 5.3)."""
    data = text.encode()
    mask = os.urandom(4)
    size = len(data)
    header = bytes((0x81, 0x80 | size)) if size < 126 else bytes((0x81, 0x80 | 126)) + size.to_bytes(2, "big")
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _read_until(sock: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed during handshake")
        data += chunk
    return data


class Sinks:
    """`count` raw websocket listeners connected to `host:port` with `auth`, drained by one thread."""

    def __init__(self, host: str, port: int, auth: dict[str, Any], count: int) -> None:
        self.socks: list[socket.socket] = []
        self.bytes = 0
        self.selector = selectors.DefaultSelector()
        self.running = True
        # Drain (and answer pings) from the start: connecting a thousand sockets can take longer than the
        # server's ping interval and timeout (25 + 20 s), and a socket that misses a ping is closed.
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()
        for _ in range(count):
            sock = self._connect(host, port, auth)
            sock.setblocking(False)
            self.socks.append(sock)
            self.selector.register(sock, selectors.EVENT_READ)

    @staticmethod
    def _connect(host: str, port: int, auth: dict[str, Any]) -> socket.socket:
        sock = socket.create_connection((host, port))
        sock.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        _read_until(sock, b"\r\n\r\n")
        sock.sendall(client_frame("40" + json.dumps(auth)))
        _read_until(sock, b'"sid"')  # the Socket.IO CONNECT answer (the snapshot follows; drained later)
        return sock

    def _drain(self) -> None:
        while self.running:
            if not self.socks:
                time.sleep(0.05)
                continue
            for key, _ in self.selector.select(timeout=0.2):
                sock = key.fileobj
                try:
                    data = sock.recv(262144)  # type: ignore[union-attr]
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if not data:
                    self.selector.unregister(sock)
                    continue
                self.bytes += len(data)
                if PING in data:
                    sock.send(client_frame("3"))  # type: ignore[union-attr]

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        for sock in self.socks:
            sock.close()
        self.selector.close()


def main() -> None:
    """`python -m bench.sinks HOST PORT TOKEN COUNT`: hold COUNT display sockets until stdin closes."""
    import sys

    from .listeners import raise_fd_limit

    raise_fd_limit()
    host, port, token, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    sinks = Sinks(host, port, {"token": token}, count)
    print("ready", flush=True)
    sys.stdin.read()
    sinks.close()


if __name__ == "__main__":
    main()
