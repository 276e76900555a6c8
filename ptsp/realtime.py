"""Socket.IO: the one place facts leave the server, rooms, and who may listen.

Event names (all carry `seq`, the office's sequence number, and `office`):
`ticket_issued`, `ticket_called` (with `recall`), `ticket_requeued`,
`ticket_started`, `ticket_completed`, `ticket_no_show`, `ticket_transferred`,
`ticket_cancelled`, `tickets_expired`, `counter_changed`; and `snapshot`,
sent to one client on connect. A client that sees a gap in `seq` asks for
a fresh snapshot with the `resync` event. `ticket_called` also carries the
spoken `announcement`. A manager dashboard connects with `{scope: "dashboard"}`
and joins the rooms of every office in the manager's scope (it gets
`dashboard_ready {offices}` instead of a snapshot and refetches its figures on
each fact). A resident's status page (auth `{ticket}`) joins the office's
residents' room (RESIDENT_EVENTS only) and its ticket's room, gets no snapshot,
and reads its own state over HTTP. Displays send `heartbeat {seq}` and `call_ack
{ticket, seq}` (both acknowledged); staff send `command` (see api.commands).
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import SocketIO, join_room

from .domain.errors import DomainError
from .domain.queue import issue_moves_others
from .services import presence
from .services.accounts import device_for_token
from .services.actors import Actor
from .services.common import office_scope
from .services.snapshot import office_snapshot

socketio = SocketIO()

# Called with (actor, office_id) when a listener disconnects; stations add their own (e.g. the print agent).
DISCONNECT_HOOKS: list[Any] = []


def office_room(office_id: int) -> str:
    return f"office:{office_id}"


def residents_room(office_id: int) -> str:
    return f"residents:{office_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def agent_room(agent_id: int) -> str:
    return f"agent:{agent_id}"


# The facts that can move a waiting ticket's place in line or its estimated wait. Residents' status
# pages hear only these, plus every fact about their own ticket: starts and completions of other
# residents' tickets (most of an office's facts) change nothing on their phones.
RESIDENT_EVENTS = frozenset({"ticket_issued", "ticket_called", "ticket_requeued", "ticket_transferred",
                             "ticket_cancelled", "tickets_expired", "counter_changed"})


def _residents_hear(event: str, payload: dict[str, Any]) -> bool:
    """Whether a fact may move a waiting ticket, so residents' status pages should hear it."""
    if event == "ticket_issued":
        return issue_moves_others(payload["ticket"]["priority"])
    return event in RESIDENT_EVENTS


def publish_facts(facts: list[dict[str, Any]]) -> None:
    """Send committed facts to their rooms (across processes via the message queue).

    Every fact goes to the office room (displays, counters, dashboards). Residents' status pages
    follow their own ticket and the line, not the office's sequence: they refetch their state
    when something that may move them arrives, so they need no gap-free stream.
    """
    for fact in facts:
        if "agent" in fact:  # a print job for one print agent (services.common.publish_to_agent)
            socketio.emit(fact["event"], fact["data"], to=agent_room(fact["agent"]))
            continue
        payload = {"seq": fact["seq"], "office": fact["office"], **fact["data"]}
        rooms = [office_room(fact["office"])]
        if _residents_hear(fact["event"], payload):
            rooms.append(residents_room(fact["office"]))
        elif isinstance(payload.get("ticket"), dict):
            rooms.append(ticket_room(payload["ticket"]["id"]))
        # One emit to the rooms together: the fact is encoded once, reaches each socket once, and with
        # Redis crosses to the other processes as one message.
        socketio.emit(fact["event"], payload, to=rooms)


def _listener(session: Any, auth: dict[str, Any]) -> tuple[Actor, int] | None:
    """Resolve who is connecting and which office they may follow, or None to refuse."""
    from .models import Ticket  # local: keeps this module's import light for the CLI

    wanted = auth.get("office")
    if auth.get("token"):
        device = device_for_token(session, str(auth["token"]))
        if device is None or (wanted is not None and wanted != device.office_id):
            return None
        return Actor("device", device.id, device.kind, device.office_id), device.office_id
    if auth.get("ticket"):
        ticket = session.query(Ticket).filter_by(public_token=str(auth["ticket"])).first()
        if ticket is None or (wanted is not None and wanted != ticket.office_id):
            return None
        return Actor("resident", ticket.id, None, ticket.office_id), ticket.office_id
    if current_user.is_authenticated and isinstance(wanted, int):
        actor = Actor("staff", current_user.id, current_user.role, current_user.office_id)
        scope = office_scope(session, actor)
        if scope is not None and wanted not in scope:
            return None
        return actor, wanted
    return None


DASHBOARD_ROLES = ("supervisor", "manager", "admin")


def _dashboard_offices(session: Any) -> tuple[Actor, list[int]] | None:
    """Resolve a manager dashboard connection to the offices it follows, or None to refuse."""
    from sqlalchemy import select

    from .models import Office

    if not current_user.is_authenticated or current_user.role not in DASHBOARD_ROLES:
        return None
    actor = Actor("staff", current_user.id, current_user.role, current_user.office_id)
    scope = office_scope(session, actor)
    offices = sorted(scope) if scope is not None else list(session.scalars(select(Office.id).order_by(Office.id)))
    return actor, offices


def register_handlers() -> None:
    """Attach the connection and command handlers to `socketio`."""
    from .api.commands import run_command
    from .context import db_session, now

    @socketio.on("connect")
    def connect(auth: dict[str, Any] | None = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        if auth.get("scope") == "dashboard":
            return connect_dashboard()
        with db_session(readonly=True) as session:
            resolved = _listener(session, auth)
            if resolved is None:
                return False
            # The connection's environ outlives this handler: later events read who this is.
            request.environ["ptsp.listener"] = resolved
            actor, office_id = resolved
            if actor.kind == "resident":
                # A status page fetches its own state when it connects; the office snapshot (every
                # line and counter) would cost the server far more and tell the resident nothing.
                join_room(residents_room(office_id))
                join_room(ticket_room(actor.id))
                return True
            join_room(office_room(office_id))
            socketio.emit("snapshot", office_snapshot(session, office_id, now()), to=request.sid)
        _display_seen(resolved[0], resolved[1], connected=True)
        return True

    def connect_dashboard() -> bool:
        with db_session(readonly=True) as session:
            resolved = _dashboard_offices(session)
        if resolved is None:
            return False
        actor, offices = resolved
        request.environ["ptsp.listener"] = (actor, None)
        for office_id in offices:
            join_room(office_room(office_id))
        socketio.emit("dashboard_ready", {"offices": offices}, to=request.sid)
        return True

    def _display_seen(actor: Actor, office_id: int, connected: bool, seq: int | None = None) -> None:
        if actor.kind != "device" or actor.role != "display":
            return
        with db_session() as session:
            presence.seen(session, actor.device_id, office_id, now(), seq=seq, connected=connected)
            session.commit()

    @socketio.on("disconnect")
    def disconnect(*_args: Any) -> None:
        listener = request.environ.get("ptsp.listener")
        if listener is not None:
            _display_seen(listener[0], listener[1], connected=False)
            for hook in DISCONNECT_HOOKS:
                hook(*listener)

    @socketio.on("heartbeat")
    def heartbeat(data: Any = None) -> dict[str, Any]:
        actor, office_id = request.environ["ptsp.listener"]
        seq = data.get("seq") if isinstance(data, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            return {"error": "invalid_input", "message": "heartbeat harus berisi {seq: bilangan >= 0}"}
        _display_seen(actor, office_id, connected=True, seq=seq)
        return {"status": 200, "server_time": now().isoformat()}

    @socketio.on("call_ack")
    def call_ack(data: Any = None) -> dict[str, Any]:
        actor, office_id = request.environ["ptsp.listener"]
        if actor.kind != "device" or actor.role != "display":
            return {"error": "forbidden", "message": "Hanya layar display yang mengonfirmasi panggilan"}
        fields = (data.get("ticket"), data.get("seq")) if isinstance(data, dict) else (None, None)
        if not all(isinstance(f, int) and not isinstance(f, bool) for f in fields):
            return {"error": "invalid_input", "message": "call_ack harus berisi {ticket, seq} (bilangan)"}
        with db_session() as session:
            presence.acknowledge(session, actor.device_id, office_id, fields[0], fields[1], now())
            session.commit()
        return {"status": 200}

    @socketio.on("resync")
    def resync(_data: Any = None) -> dict[str, Any]:
        _actor, office_id = request.environ["ptsp.listener"]
        if office_id is None:
            return {"error": "invalid_input", "message": "Dasbor memuat ulang lewat HTTP, bukan resync"}
        with db_session(readonly=True) as session:
            return office_snapshot(session, office_id, now())

    @socketio.on("command")
    def command(data: Any = None) -> dict[str, Any]:
        actor, _office_id = request.environ["ptsp.listener"]
        if actor.kind != "staff":
            return {"error": "forbidden", "message": "Hanya petugas yang dapat mengirim perintah"}
        if not isinstance(data, dict) or not isinstance(data.get("action"), str):
            return {"error": "invalid_input", "message": "Perintah harus berupa {action, ...}"}
        try:
            status, body = run_command(data["action"], {k: v for k, v in data.items() if k != "action"}, actor)
        except DomainError as exc:
            return {"error": exc.code, "message": exc.message}
        return {"status": status, **(body or {})}

    current_app.logger.debug("socket handlers registered")


def serve(app: Any, host: str, port: int) -> None:
    """Serve the app and Socket.IO until stopped.

    Under gevent this builds the WSGI server itself so that its sockets send at once
    (TCP_NODELAY, inherited by every accepted connection on Linux). Without it a
    response written in more than one piece can wait for the client's delayed ACK,
    about 40 ms: in the load benchmark every ticket at 100 per second took 48 ms
    instead of 6 (docs/benchmarks.md).
    """
    if app.config["ASYNC_MODE"] != "gevent":
        socketio.run(app, host=host, port=port, log_output=False)
        return
    import socket

    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    server = pywsgi.WSGIServer((host, port), app, handler_class=WebSocketHandler, log=None, backlog=1024)
    server.init_socket()
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    socketio.wsgi_server = server  # as socketio.run sets it, so socketio.stop() works
    profile_to = os.environ.get("PTSP_PROFILE")
    if not profile_to:
        server.serve_forever()
        return
    # PTSP_PROFILE=FILE: profile the whole server (every greenlet) with cProfile until SIGTERM or
    # SIGINT, then write the stats to FILE (read with `python -m pstats FILE`). For finding where
    # time goes under real load (docs/benchmarks.md); it slows the server down.
    import cProfile
    import signal

    import gevent

    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, server.stop)
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        server.serve_forever()
    finally:
        profiler.disable()
        profiler.dump_stats(profile_to)
