"""Fan-out of one fact to a room's sockets: one websocket frame per fact, written to every socket.

python-socketio already encodes a room's message once (`Manager.emit`), but then hands it to each socket's
Engine.IO queue, and each socket's writer greenlet wakes, frames it again with wsproto (and compresses it
with per-message deflate when the browser asked for it) and sends it. At 1,000 sockets in one office that
was about 30 µs of server CPU per socket per message and the last display heard a call ~60 ms late
(docs/benchmarks.md, "Fan-out"). Here, under gevent (`ptsp run`):

- `FramesManager.emit` builds the Engine.IO message and its websocket frame once per emit;
- for each socket of the room that is on websocket with nothing queued and no write in progress, it
  writes the frame at once (one non-blocking `write`; what the kernel does not take goes to the socket's
  queue, so nothing overtakes it);
- any other socket (still on long-polling, upgrading, a write in progress, packets queued) gets the
  message through its queue, as before; its writer then sends the same ready-made frame.

What a page receives is unchanged: the same Socket.IO packet, in the same order per socket. The frame is a
plain unfragmented text frame; on a connection with per-message deflate it is sent uncompressed (RSV1 unset),
which RFC 7692 allows per message (Node's `ws` does the same for messages under 1 kB). Other packets
(the snapshot, acknowledgements, pings) still go through wsproto as before.

It rests on python-engineio's and simple-websocket's internals (the socket's `queue`, `upgraded`,
`upgrading`, `closing`, the websocket handler's bound socket, simple-websocket's `sock`); `supported()`
checks each before it is installed, and `tests/test_fanout.py` pins the behaviour against the plain path.
`PTSP_FANOUT=plain` turns it off. Other async modes (threading: tests, `flask run`) keep the plain path.
"""

from __future__ import annotations

import logging
import os
import struct
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

log = logging.getLogger(__name__)


class Frame(bytes):
    """A websocket frame ready to write as it is (what `Framed.encode` gives the socket's writer)."""


class Framed:
    """A queued message that is already a websocket frame: the Engine.IO writer calls `encode()` and passes the
    result to the websocket's `send`, which writes a `Frame` verbatim."""

    __slots__ = ("frame",)

    def __init__(self, frame: bytes) -> None:
        self.frame = Frame(frame)

    def encode(self, b64: bool = False) -> Frame:
        del b64
        return self.frame


def text_frame(message: str) -> bytes:
    """One unmasked, final websocket text frame (server to client, RFC 6455 5.2) carrying `message`."""
    data = message.encode("utf-8")
    size = len(data)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + data


def _writable_now(eio_socket: Any, ws: Any) -> bool:
    """True when a frame written now cannot overtake or interleave with anything for this socket."""
    return (eio_socket.upgraded and not eio_socket.upgrading and not eio_socket.closing and not ws.busy
            and ws.ws.connected and eio_socket.queue.empty())


def deliver(eio_socket: Any, pkt: Any, frame: bytes) -> None:
    """Send one Engine.IO packet to one socket: its ready frame written now if nothing is ahead of it,
    else through the socket's queue (the frame itself when the writer is ours, the packet otherwise)."""
    ws = getattr(eio_socket, "ptsp_ws", None)
    if ws is None or not eio_socket.upgraded or eio_socket.upgrading:
        eio_socket.send(pkt)  # long-polling or mid-upgrade: the plain path
        return
    if not eio_socket.check_ping_timeout():
        return  # the client is gone; the socket is being closed (as Socket.send does)
    if not _writable_now(eio_socket, ws):
        eio_socket.queue.put(Framed(frame))
        return
    try:
        written = os.write(ws.fd, frame)
    except BlockingIOError:
        written = 0
    except OSError:
        eio_socket.queue.put(Framed(frame))  # broken: the writer fails on it and closes the socket
        return
    if written < len(frame):
        eio_socket.queue.put(Framed(frame[written:]))  # the rest, before anything sent after it


class FramesMixin(socketio.Manager):
    """`Manager.emit` for rooms without callbacks: encode once, frame once, write to each socket."""

    def emit(self, event: str, data: Any, namespace: str, room: Any = None, skip_sid: Any = None,
             callback: Any = None, to: Any = None, **kwargs: Any) -> Any:
        room = to or room
        if callback is not None or namespace not in self.rooms or not isinstance(data, dict):
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, data]).encode()
        if not isinstance(encoded, str):  # binary attachments: not a fact; the library's own loop
            return super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs)
        pkt = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = text_frame(pkt.encode())
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        sockets = self.server.eio.sockets
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            eio_socket = sockets.get(eio_sid)
            if eio_socket is None:
                self.server.eio.logger.warning("Cannot send to sid %s", eio_sid)
                continue
            deliver(eio_socket, pkt, frame)
        return None


class FramesManager(FramesMixin):
    """The single-process manager (no message queue)."""


class FramesRedisManager(socketio.RedisManager, FramesMixin):
    """The Redis manager: `emit` publishes to the channel; each process's listener then fans the message out
    to its own sockets through `FramesMixin.emit` (it sits between PubSubManager and Manager in the MRO)."""


def websocket_class(base: type) -> type:
    """Engine.IO's gevent websocket wrapper, extended to register itself on its Engine.IO socket (so the
    manager can write to it) and to write ready-made frames verbatim."""

    class FrameWebSocket(base):
        busy = False
        fd = -1

        def __call__(self, environ: Any, start_response: Any) -> Any:
            original: Any = self.__dict__["app"]  # set by the base class's __init__
            eio_socket = getattr(original, "__self__", None)  # the bound Socket._websocket_handler

            def handler(ws: Any) -> Any:
                # Registered only once simple-websocket has connected and its socket is non-blocking.
                sock = getattr(ws.ws, "sock", None)
                if eio_socket is not None and sock is not None and not os.get_blocking(sock.fileno()):
                    self.fd = sock.fileno()
                    eio_socket.ptsp_ws = self
                try:
                    return original(ws)
                finally:
                    if eio_socket is not None and getattr(eio_socket, "ptsp_ws", None) is self:
                        del eio_socket.ptsp_ws

            self.app = handler
            return super().__call__(environ, start_response)

        def send(self, message: Any) -> Any:
            # `busy` while a write may yield (a full socket buffer), so the manager queues instead of
            # writing a frame into the middle of this one.
            self.busy = True
            try:
                if type(message) is not Frame:
                    return super().send(message)
                if not self.ws.connected:
                    raise OSError("websocket closed")
                self.ws.sock.sendall(message)
                return None
            finally:
                self.busy = False

    return FrameWebSocket


def supported(eio_server: Any) -> bool:
    """Whether this process's Engine.IO server has everything the frames path relies on."""
    try:
        import simple_websocket
        from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
        from engineio.socket import Socket
    except ImportError:
        return False
    websocket = (getattr(eio_server, "_async", None) or {}).get("websocket")
    needed = (getattr(eio_server, "async_mode", None) == "gevent" and hasattr(eio_server, "sockets")
              and isinstance(websocket, type) and issubclass(websocket, SimpleWebSocketWSGI)
              and hasattr(Socket, "_websocket_handler") and hasattr(Socket, "check_ping_timeout")
              and hasattr(simple_websocket.Server, "send"))
    return bool(needed)


def manager_for(config: dict[str, Any]) -> socketio.Manager | None:
    """The client manager `create_app` gives Socket.IO: the frames path under gevent unless PTSP_FANOUT=plain;
    None (the library's own) otherwise."""
    if config.get("ASYNC_MODE") != "gevent" or config.get("FANOUT", "frames") != "frames":
        return None
    if config.get("REDIS_URL"):
        return FramesRedisManager(config["REDIS_URL"], channel=config["REDIS_CHANNEL"])
    return FramesManager()


def install(eio_server: Any) -> bool:
    """Give the Engine.IO server the frame-writing websocket; False (and the plain path) if unsupported."""
    if not supported(eio_server):
        log.warning("fan-out: this python-engineio/simple-websocket cannot take ready frames; plain path")
        return False
    async_drivers = dict(eio_server._async)  # this server's copy: the driver module's dict stays as it was
    async_drivers["websocket"] = websocket_class(async_drivers["websocket"])
    eio_server._async = async_drivers
    return True
