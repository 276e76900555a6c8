"""The loopback printer itself: what the printing tests read from it must not depend on thread timing."""

from __future__ import annotations

import socket


def test_connections_are_listed_in_the_order_they_were_opened_not_closed(loopback_printer):
    server = loopback_printer()
    first = socket.create_connection(("127.0.0.1", server.port), timeout=2)
    second = socket.create_connection(("127.0.0.1", server.port), timeout=2)
    with second:
        second.sendall(b"opened second, closed first")
    assert server.wait_for_connections(1) == [b"opened second, closed first"]
    with first:
        first.sendall(b"opened first, closed second")
    assert server.wait_for_connections(2) == [b"opened first, closed second", b"opened second, closed first"]
    assert server.connections == server.wait_for_connections(2)
