"""The frames fan-out (ptsp/fanout.py) delivers exactly what python-socketio's own path delivers.

In-process: the real `publish_facts` (office room, the residents' room and each ticket's room derived by
`services.resident.resident_facts`, an agent's room) under python-socketio's `Manager` and under
`FramesManager`, with stand-in Engine.IO sockets whose websocket end is a real socket pair: the bytes each
socket receives are decoded with wsproto and compared packet by packet. Live: a real `ptsp run` (gevent),
where a websocket client (frames path) and a long-polling client (the library's path) with the same auth must
hear the same facts in the same order, on SQLite and with Redis as the message queue.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import time
from typing import Any

import pytest
import socketio as sio_client
from engineio import packet as eio_packet
from wsproto.frame_protocol import FrameProtocol, Opcode

from ptsp import facts, fanout
from ptsp.extensions import socketio
from ptsp.realtime import agent_room, office_room, publish_facts, residents_room, ticket_room
from tests.conftest import bearer, login, need_service

SERVER_FRAMES = FrameProtocol(client=False, extensions=[])


class FakeWs:
    """What `deliver` needs of the websocket wrapper: its fd, whether a write is in progress, the connection."""

    def __init__(self, fd: int) -> None:
        self.fd, self.busy = fd, False
        self.ws = type("Conn", (), {"connected": True})()


class FakeEioSocket:
    """An upgraded Engine.IO socket: `send` queues (the library's path); with `ws`, frames go to a socket pair."""

    def __init__(self, framed: bool) -> None:
        self.upgraded, self.upgrading, self.closing, self.closed = True, False, False, False
        self.queue: queue.Queue[Any] = queue.Queue()
        self.ours, self.theirs = socket.socketpair()
        self.ours.setblocking(False)
        if framed:
            self.ptsp_ws = FakeWs(self.ours.fileno())

    def check_ping_timeout(self) -> bool:
        return True

    def send(self, pkt: Any) -> None:
        self.queue.put(pkt)

    def received(self) -> list[str]:
        """Everything this socket's client gets, in order: what was written, then what its writer would send
        (a ready frame as it is, a library packet as its own encoding)."""
        data = self._read()
        while not self.queue.empty():
            encoded = self.queue.get().encode()
            # a ready frame goes out as it is; a library packet as wsproto frames it (simple-websocket's send)
            data += encoded if isinstance(encoded, fanout.Frame) else SERVER_FRAMES.send_data(encoded, fin=True)
        return decode_frames(data)

    def _read(self) -> bytes:
        self.theirs.setblocking(False)
        data = b""
        while True:
            try:
                chunk = self.theirs.recv(1 << 20)
            except BlockingIOError:
                return data
            if not chunk:
                return data
            data += chunk

    def close(self) -> None:
        self.ours.close()
        self.theirs.close()


def decode_frames(data: bytes) -> list[str]:
    """Text messages in a server-to-client byte stream, parsed by wsproto as a client would."""
    parser = FrameProtocol(client=True, extensions=[])
    parser.receive_bytes(data)
    messages = []
    for frame in parser.received_frames():
        assert frame.opcode is Opcode.TEXT and frame.frame_finished and frame.message_finished
        messages.append(frame.payload)
    return messages


AUDIENCES = {"display-1": "office", "display-2": "office", "phones": "residents", "mine": "ticket",
             "agent": "agent", "other-office": "other"}


class Tee:
    """Hands every emit to several managers (each with its own rooms and sockets), as the server would to one."""

    def __init__(self, managers: list[Any]) -> None:
        self.managers = managers

    def emit(self, *args: Any, **kwargs: Any) -> None:
        for manager in self.managers:
            manager.emit(*args, **kwargs)


class Audience:
    """One manager and its stand-in sockets, one per AUDIENCES entry."""

    def __init__(self, manager: Any, rooms: dict[str, str], framed: bool, busy: frozenset[str] = frozenset()):
        self.manager = manager
        manager.set_server(socketio.server)
        manager.initialize()
        self.sockets = {}
        for name, audience in AUDIENCES.items():
            eio_sid = f"eio-{id(self)}-{name}"
            sid = manager.connect(eio_sid, "/")
            manager.enter_room(sid, "/", rooms[audience])
            self.sockets[name] = FakeEioSocket(framed)
            if name in busy:
                self.sockets[name].ptsp_ws.busy = True  # a write in progress: frames wait in the queue
            socketio.server.eio.sockets[eio_sid] = self.sockets[name]

    def received(self) -> dict[str, list[str]]:
        return {name: sock.received() for name, sock in self.sockets.items()}

    def close(self) -> None:
        for name, sock in self.sockets.items():
            socketio.server.eio.sockets.pop(f"eio-{id(self)}-{name}", None)
            sock.close()


def scenario(client: Any, world: Any, mine: dict[str, Any]) -> None:
    """Calls, a start, a completion, a priority issue and a print job: every audience hears something."""
    login(client, "clerk1")
    counter = world.counters[3]  # serves B only
    client.post(f"/api/v1/counters/{counter}/open")
    assert client.post(f"/api/v1/counters/{counter}/call-next").get_json()["ticket"]["id"] == mine["id"]
    client.post(f"/api/v1/tickets/{mine['id']}/start")
    client.post(f"/api/v1/tickets/{mine['id']}/complete", json={})
    client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["B"],
                                         "priority": "elderly"}, headers=bearer(world.kiosk))
    client.post(f"/api/v1/counters/{counter}/call-next")
    publish_facts([{"event": facts.PRINT_JOB_QUEUED.name, "agent": 7, "data": {"job": 1, "text": "Nomor Ü 1"}}])


def run_tee(client: Any, world: Any, audiences: dict[str, tuple[Any, bool, frozenset[str]]],
            settle: float = 0.0) -> dict[str, dict[str, list[str]]]:
    mine = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["B"]},
                       headers=bearer(world.kiosk)).get_json()
    rooms = {"office": office_room(world.office), "residents": residents_room(world.office),
             "ticket": ticket_room(mine["id"]), "agent": agent_room(7), "other": office_room(world.other_office)}
    built = {name: Audience(manager, rooms, framed, busy) for name, (manager, framed, busy) in audiences.items()}
    original = socketio.server.manager
    socketio.server.manager = Tee([a.manager for a in built.values()])
    try:
        scenario(client, world, mine)
        time.sleep(settle)  # the Redis listener thread delivers after the publish
        return {name: audience.received() for name, audience in built.items()}
    finally:
        socketio.server.manager = original
        for audience in built.values():
            audience.close()


def assert_same(result: dict[str, dict[str, list[str]]]) -> None:
    plain = result.pop("plain")
    assert plain["display-1"] and plain["phones"] and plain["mine"] and plain["agent"]
    assert plain["other-office"] == []
    assert any('"ticket_called"' in m for m in plain["display-1"])
    assert any('"ticket_changed"' in m for m in plain["mine"])
    assert all('"ticket_changed"' not in m and '"ticket_called"' not in m for m in plain["phones"])
    assert any('"print_job"' in m and "Nomor" in m for m in plain["agent"])
    for name, got in result.items():
        assert got == plain, name


def test_frames_deliver_the_same_packets_to_the_same_rooms_in_the_same_order(client, world):
    import socketio as sio

    assert_same(run_tee(client, world, {
        "plain": (sio.Manager(), False, frozenset()),
        "frames": (fanout.FramesManager(), True, frozenset()),
        # a write in progress on two sockets: their frames queue behind it, same bytes, same order
        "frames-queued": (fanout.FramesManager(), True, frozenset({"display-2", "mine"})),
        # sockets still on long-polling (no websocket registered): the library's own packets
        "frames-polling": (fanout.FramesManager(), False, frozenset()),
    }))


def test_frames_through_the_redis_message_queue_deliver_the_same(client, world):
    import socketio as sio

    need_service("Redis", "127.0.0.1", 6379)
    channel = f"ptsp-fanout-test-{os.getpid()}-{time.monotonic_ns()}"
    redis = fanout.FramesRedisManager("redis://127.0.0.1:6379/0", channel=channel)
    assert_same(run_tee(client, world, {
        "plain": (sio.Manager(), False, frozenset()),
        "redis": (redis, True, frozenset()),
    }, settle=1.5))


def test_frames_redis_manager_fans_out_through_the_frames_emit():
    import socketio as sio

    mro = fanout.FramesRedisManager.__mro__
    assert mro.index(sio.PubSubManager) < mro.index(fanout.FramesMixin) < mro.index(sio.Manager)


@pytest.mark.parametrize("size", [0, 1, 125, 126, 1000, 65535, 65536, 70000])
def test_text_frame_is_the_frame_wsproto_writes(size):
    message = "4" + "é" * (size // 2) + "x" * (size - 2 * (size // 2))
    expected = FrameProtocol(client=False, extensions=[]).send_data(message, fin=True)
    assert fanout.text_frame(message) == expected
    assert decode_frames(fanout.text_frame(message)) == [message]


def test_a_partly_written_frame_finishes_through_the_queue_before_anything_else():
    sock = FakeEioSocket(framed=True)
    try:
        sock.ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        big = fanout.text_frame("4" + "y" * 500_000)
        pkt = eio_packet.Packet(eio_packet.MESSAGE, "2[\"after\"]")
        fanout.deliver(sock, pkt, big)
        assert not sock.queue.empty()  # the kernel took only part of it
        fanout.deliver(sock, pkt, fanout.text_frame(pkt.encode()))  # must queue behind the rest
        assert sock.received() == ["4" + "y" * 500_000, '42["after"]']
    finally:
        sock.close()


def test_plain_and_threading_modes_keep_the_librarys_manager(app):
    assert fanout.manager_for({"ASYNC_MODE": "threading"}) is None
    assert fanout.manager_for({"ASYNC_MODE": "gevent", "FANOUT": "plain"}) is None
    assert isinstance(fanout.manager_for({"ASYNC_MODE": "gevent"}), fanout.FramesManager)
    assert not isinstance(socketio.server.manager, fanout.FramesMixin)  # the test app runs threaded


# --- live: a real `ptsp run` (gevent) -------------------------------------------------------------------------


def listener(base: str, auth: dict[str, Any], transport: str) -> tuple[Any, list[tuple[str, Any]]]:
    heard: list[tuple[str, Any]] = []
    client = sio_client.Client(reconnection=False)
    client.on("*", lambda event, data: heard.append((event, data)))
    client.connect(base, auth=auth, transports=[transport], wait_timeout=10)
    assert client.transport() == transport
    return client, heard


def live_scenario(server: Any) -> None:
    from tests.conftest import PageSession

    base = server.base
    snapshot = server.kiosk_get(f"/offices/{server.kiosk_get('/offices')[0]['id']}/queue")
    service = next(s["id"] for s in snapshot["services"] if s["prefix"] == "A")
    counter = next(c["id"] for c in snapshot["counters"] if service in c["services"])
    staff = PageSession()
    assert staff.post(f"{base}/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"}).ok
    assert staff.post(f"{base}/api/v1/counters/{counter}/open").ok
    for _ in range(3):
        called = staff.post(f"{base}/api/v1/counters/{counter}/call-next").json()["ticket"]["id"]
        assert staff.post(f"{base}/api/v1/tickets/{called}/start").ok
        assert staff.post(f"{base}/api/v1/tickets/{called}/complete", json={}).ok
    server.issue("A", priority="elderly")


def wait_until_level(lists: list[list[Any]], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sizes = {len(x) for x in lists}
        time.sleep(0.5)
        if len(sizes) == 1 and sizes == {len(x) for x in lists}:
            return


def compare_websocket_with_polling(server: Any) -> None:
    mine = server.issue("A")
    for _ in range(2):
        server.issue("A")
    token = mine["status_url"].rsplit("/", 1)[1]
    clients, heard = [], {}
    try:
        for who, auth in (("display", {"token": server.display}), ("phone", {"ticket": token})):
            for transport in ("websocket", "polling"):
                client, got = listener(server.base, auth, transport)
                clients.append(client)
                heard[who, transport] = got
        live_scenario(server)
        wait_until_level([heard["display", "websocket"], heard["display", "polling"]])
        wait_until_level([heard["phone", "websocket"], heard["phone", "polling"]])
    finally:
        for client in clients:
            client.disconnect()
    for who in ("display", "phone"):
        by_websocket = [h for h in heard[who, "websocket"] if h[0] != "snapshot"]
        assert by_websocket == [h for h in heard[who, "polling"] if h[0] != "snapshot"], who
    names = [name for name, _ in heard["display", "websocket"]]
    assert names.count("ticket_called") == 3 and names[0] == "snapshot"
    assert {name for name, _ in heard["phone", "websocket"]} == {"line_moved", "ticket_changed"}


def test_live_websocket_and_polling_clients_hear_the_same_facts(server):
    """The websocket client is served by the frames path, the long-polling one by the library's queue."""
    compare_websocket_with_polling(server)


def test_live_with_redis_as_the_message_queue(tmp_path, server_template):
    from tests.conftest import LiveServer

    need_service("Redis", "127.0.0.1", 6379)
    live = LiveServer(tmp_path, server_template)
    live.env.update(PTSP_REDIS_URL="redis://127.0.0.1:6379/0",
                    PTSP_REDIS_CHANNEL=f"ptsp-fanout-{os.getpid()}-{time.monotonic_ns()}")
    live.start()
    try:
        compare_websocket_with_polling(live)
    finally:
        live.stop()


def raw_frames(stream: bytes) -> list[tuple[bool, int]]:
    """(RSV1 set, opcode) of each frame in a server-to-client stream (unmasked frames)."""
    frames, at = [], 0
    while at + 2 <= len(stream):
        first, size = stream[at], stream[at + 1] & 0x7F
        at += 2
        if size == 126:
            size, at = int.from_bytes(stream[at:at + 2], "big"), at + 2
        elif size == 127:
            size, at = int.from_bytes(stream[at:at + 8], "big"), at + 8
        frames.append((bool(first & 0x40), first & 0x0F))
        at += size
    return frames


@pytest.mark.parametrize("mode", ["frames", "plain"])
def test_a_browser_with_per_message_deflate_reads_uncompressed_fact_frames(tmp_path, server_template, mode):
    """Browsers ask for per-message deflate. The frames path sends facts uncompressed (RSV1 unset, allowed per
    message by RFC 7692); wsproto, as a browser would, decodes the mixed stream to the same messages."""
    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, Request, TextMessage
    from wsproto.extensions import PerMessageDeflate

    from tests.conftest import LiveServer

    live = LiveServer(tmp_path, server_template)
    live.env["PTSP_FANOUT"] = mode
    live.start()
    sock = socket.create_connection(("127.0.0.1", live.port), timeout=10)
    try:
        ws = WSConnection(ConnectionType.CLIENT)
        sock.sendall(ws.send(Request(host="127.0.0.1", target="/socket.io/?EIO=4&transport=websocket",
                                     extensions=[PerMessageDeflate()])))
        stream, messages = b"", []
        accepted = False

        def pump() -> None:
            nonlocal stream, accepted
            data = sock.recv(65536)
            if accepted:
                stream += data
            ws.receive_data(data)
            for event in ws.events():
                if isinstance(event, AcceptConnection):
                    accepted = True
                    assert event.extensions, "the server accepted per-message deflate"
                elif isinstance(event, TextMessage):
                    messages.append(event.data)

        while not messages:
            pump()
        sock.sendall(ws.send(TextMessage(data="40" + json.dumps({"token": live.display}))))
        while not any(m.startswith('42["snapshot"') for m in messages):
            pump()
        ticket = live.issue("A")
        while not any('"ticket_issued"' in m for m in messages):
            pump()
    finally:
        sock.close()
        live.stop()
    assert any(str(ticket["id"]) in m for m in messages if '"ticket_issued"' in m)
    kinds = raw_frames(stream)
    facts_frame = kinds[-1]  # ticket_issued, the last message read
    assert facts_frame == ((mode == "plain"), 1)  # compressed only on the library's path
    assert any(rsv1 for rsv1, _ in kinds)  # the snapshot still goes through wsproto, compressed
