"""Socket.IO: the one place facts leave the server, rooms, and who may listen.

Facts and their rooms are declared once, in `ptsp.facts` (numbered facts carry `seq`,
the office's sequence number, and `office`; `snapshot` is sent to one client on connect);
everything goes out through `emit_fact`. A client that sees a gap in `seq` asks for
a fresh snapshot with the `resync` event. Devices connect with auth `{token}` (print agent, scripts) or,
from a paired station page, `{device: kind}` and its device cookie. `ticket_called` also carries the
spoken `announcement`. A manager dashboard connects with `{scope: "dashboard"}`
and joins the rooms of every office in the manager's scope, and their managers' rooms
(`violation_detected`, from the discipline scan; `ptsp/discipline_watch.py`) (it gets
`dashboard_ready {offices}` instead of a snapshot and refetches its figures on
each fact). A resident's status page (auth `{ticket}`) joins the office's
residents' room (`line_moved` only) and its ticket's room (`ticket_changed`), gets no snapshot,
reads its own state over HTTP, and its `resync` answers that own state; a ticket that ended on
a past day is refused (`connect_error` with `data.error == "ticket_closed"`). Displays send
`heartbeat {seq}` and `call_ack {ticket, seq}` (both acknowledged); staff send `command` (see ptsp.commands).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError as Refused
from flask_socketio import join_room
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from . import alert_runner, facts, schemas, socket_sweep
from .commands import run_command
from .context import db_session, now, writes_at_once
from .device_auth import device_from_cookie
from .domain.errors import DomainError, Forbidden, InvalidInput, Unauthorized
from .domain.lifecycle import TokenReach
from .extensions import socketio
from .i18n.errors import describe
from .i18n.validation import invalid_input
from .models import Device, Office, Ticket
from .publisher import FactSender
from .services import presence
from .services.accounts import device_for_token
from .services.actors import Actor
from .services.lookup import office_scope
from .services.resident import own_view, reach, resident_facts, ticket_for_token
from .services.snapshot import office_snapshot

# Called with (actor, office_id) when a listener disconnects; stations add their own (e.g. the print agent).
DISCONNECT_HOOKS: list[Any] = []


def office_room(office_id: int) -> str:
    return f"office:{office_id}"


def residents_room(office_id: int) -> str:
    return f"residents:{office_id}"


def managers_room(office_id: int) -> str:
    """The manager pages following an office (joined by dashboard connections only): `violation_detected`."""
    return f"managers:{office_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def agent_room(agent_id: int) -> str:
    return f"agent:{agent_id}"


def publish_facts(committed: list[dict[str, Any]]) -> None:
    """Send committed facts to their rooms (across processes via the message queue).

    Every numbered fact goes to the office room (displays, counters, dashboards), whole. Residents'
    status pages never hear it: they hear `line_moved` (which services' lines may have moved) and, in
    their ticket's own room, `ticket_changed` (their own ticket's state), derived here by
    `services.resident.resident_facts`. They refetch their own state over HTTP, so they need no
    gap-free stream.
    """
    for item in committed:
        fact = facts.named(item["event"])
        if "agent" in item:  # a message for one print agent (services.lookup.publish_to_agent)
            emit_fact(fact, item["data"], agent_room(item["agent"]))
            continue
        payload = {"seq": item["seq"], "office": item["office"], **item["data"]}
        emit_fact(fact, payload, office_room(item["office"]))
        for derived, data, ticket_id in resident_facts(fact, payload):
            to = residents_room(item["office"]) if ticket_id is None else ticket_room(ticket_id)
            emit_fact(derived, data, to)


def on_commit(app: Flask) -> Callable[[list[dict[str, Any]]], None]:
    """What a commit's facts go to: the sockets (`publish_facts`; under gevent through this process's
    `publisher.FactSender`, so the committing request does not wait for the fan-out), then this process's queue
    of residents' alerts (`ptsp.alert_runner`, sent by a background task, so the committing request never waits
    for it)."""
    publish = publish_facts
    if app.config.get("ASYNC_MODE") == "gevent":
        publish = FactSender(app, publish_facts, socketio.start_background_task).put

    def handle(committed: list[dict[str, Any]]) -> None:
        publish(committed)
        alert_runner.queue_facts(app, committed)

    return handle


def emit_fact(fact: facts.Fact, payload: dict[str, Any], to: str | list[str]) -> None:
    """The one way a fact leaves the server: only catalogued facts, to the rooms given."""
    socketio.emit(facts.named(fact.name).name, payload, to=to)


def _listener(session: Any, auth: dict[str, Any]) -> tuple[Actor, int] | None:
    """Resolve who is connecting and which office they may follow, or None to refuse."""

    wanted = auth.get("office")
    if auth.get("token") or auth.get("device"):
        # A print agent or a script sends its token; a paired station page names its kind and is known by
        # the device cookie of its handshake request (ptsp/device_auth.py).
        device = (device_for_token(session, str(auth["token"])) if auth.get("token")
                  else device_from_cookie(session, str(auth["device"])))
        if device is None or (wanted is not None and wanted != device.office_id):
            return None
        return Actor("device", device.id, device.kind, device.office_id), device.office_id
    if auth.get("ticket"):
        ticket = ticket_for_token(session, str(auth["ticket"]))
        if ticket is None or (wanted is not None and wanted != ticket.office_id):
            return None
        if reach(ticket, now(), current_app.config["STATUS_DAYS"]) is not TokenReach.LIVE:
            # Final on a past day (or older): nothing left to follow. The client reads why in connect_error.
            raise Refused(describe(Forbidden("ticket_closed")), {"error": "ticket_closed"})
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


    if not current_user.is_authenticated or current_user.role not in DASHBOARD_ROLES:
        return None
    actor = Actor("staff", current_user.id, current_user.role, current_user.office_id)
    scope = office_scope(session, actor)
    offices = sorted(scope) if scope is not None else list(session.scalars(select(Office.id).order_by(Office.id)))
    return actor, offices


Handler = Callable[..., dict[str, Any]]


def validated(model: type[BaseModel], writes: bool = False) -> Callable[[Handler], Handler]:
    """Give a socket handler its payload as `model` (the REST body models where the command is the same).

    A payload the model refuses, or a domain refusal, is answered `{error, message}` like a REST 4xx
    and changes nothing; nothing a client sends raises out of the handler. `writes`: the handler opens its
    writing session anyway (a command), so the account is checked in that transaction (`writes_at_once`).
    """
    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def run(data: Any = None) -> dict[str, Any]:
            if writes:
                writes_at_once()
            if not _still_allowed():
                # Logged out, deactivated, password changed or device revoked since this socket connected:
                # refuse, and drop the socket once the refusal has gone out (dropping first would lose it).
                socketio.start_background_task(_drop_later, _sid())
                return {"error": "unauthorized", "message": describe(Unauthorized("session_ended"))}
            try:
                body = model.model_validate({} if data is None else data)
            except ValidationError as exc:
                return {"error": "invalid_input", "message": describe(invalid_input(exc))}
            try:
                return handler(body)
            except DomainError as exc:
                return {"error": exc.code, "message": describe(exc)}
        return run
    return wrap


def _still_allowed() -> bool:
    """Tell whether this socket's listener may still act: the account's session or the device's token holds."""
    listener = request.environ.get("ptsp.listener")
    if listener is None:
        return True  # the handlers themselves refuse a socket that is no one's
    actor = listener[0]
    if actor.kind == "staff":
        # current_user is loaded afresh for each event, checking active and the session epoch.
        return bool(current_user.is_authenticated and current_user.id == actor.id)
    if actor.kind == "device":
        with db_session(readonly=True) as session:
            device = session.get(Device, actor.id)
            return device is not None and device.revoked_at is None
    return True


def _drop_later(sid: str) -> None:
    socketio.sleep(0.2)
    socketio.server.disconnect(sid, namespace="/")


def _display_seen(actor: Actor, office_id: int, connected: bool, seq: int | None = None) -> None:

    if actor.device_id is None or actor.role != "display":
        return
    with db_session() as session:
        presence.seen(session, actor.device_id, office_id, now(), seq=seq, connected=connected)
        session.commit()


def _sid() -> str:
    """This connection's Socket.IO session id, which Flask-SocketIO puts on the request."""
    sid: str = request.sid  # type: ignore[attr-defined]  # Flask's Request type does not know Flask-SocketIO's sid
    return sid


def on_connect(auth: Any = None) -> bool:

    auth = auth if isinstance(auth, dict) else {}
    if auth.get("scope") == "dashboard":
        return _connect_dashboard()
    with db_session(readonly=True) as session:
        resolved = _listener(session, auth)
        if resolved is None:
            return False
        # The connection's environ outlives this handler: later events read who this is.
        request.environ["ptsp.listener"] = resolved
        actor, office_id = resolved
        _watch(actor)
        if actor.kind == "resident":
            # A status page fetches its own state when it connects; the office snapshot (every
            # line and counter) would cost the server far more and tell the resident nothing.
            join_room(residents_room(office_id))
            if actor.id is not None:
                join_room(ticket_room(actor.id))
            return True
        join_room(office_room(office_id))
        emit_fact(facts.SNAPSHOT_SENT, office_snapshot(session, office_id, now()), to=_sid())
    _display_seen(actor, office_id, connected=True)
    return True


def _connect_dashboard() -> bool:

    with db_session(readonly=True) as session:
        resolved = _dashboard_offices(session)
    if resolved is None:
        return False
    actor, offices = resolved
    request.environ["ptsp.listener"] = (actor, None)
    _watch(actor)
    for office_id in offices:
        join_room(office_room(office_id))
        join_room(managers_room(office_id))
    emit_fact(facts.DASHBOARD_READY, {"offices": offices}, to=_sid())
    return True


def _watch(actor: Actor) -> None:
    """Let the sweep end this socket when its account's sessions end or its device is revoked."""
    epoch = current_user.session_epoch if actor.kind == "staff" else None
    socket_sweep.remember(_sid(), actor, epoch)


def on_disconnect(*_args: Any) -> None:
    socket_sweep.forget(_sid())
    listener = request.environ.get("ptsp.listener")
    if listener is not None:
        _display_seen(listener[0], listener[1], connected=False)
        for hook in DISCONNECT_HOOKS:
            hook(*listener)


@validated(schemas.Heartbeat)
def on_heartbeat(body: schemas.Heartbeat) -> dict[str, Any]:

    actor, office_id = request.environ["ptsp.listener"]
    _display_seen(actor, office_id, connected=True, seq=body.seq)
    return {"status": 200, "server_time": now().isoformat()}


@validated(schemas.CallAck)
def on_call_ack(body: schemas.CallAck) -> dict[str, Any]:

    actor, office_id = request.environ["ptsp.listener"]
    if actor.kind != "device" or actor.role != "display":
        raise Forbidden("call_ack_displays_only")
    with db_session() as session:
        presence.acknowledge(session, actor.device_id, office_id, body.ticket, body.seq, now())
        session.commit()
    return {"status": 200}


@validated(schemas.Empty)
def on_resync(_body: schemas.Empty) -> dict[str, Any]:
    """A station's office snapshot; a resident's own view of their ticket (the same as `/t/<token>/state`)."""

    actor, office_id = request.environ["ptsp.listener"]
    if office_id is None:
        raise InvalidInput("dashboard_resync_over_http")
    with db_session(readonly=True) as session:
        if actor.kind == "resident":
            ticket = session.get_one(Ticket, actor.id)
            return own_view(session, ticket, ticket.public_token, now())
        return office_snapshot(session, office_id, now())


@validated(schemas.CommandEnvelope, writes=True)
def on_command(body: schemas.CommandEnvelope) -> dict[str, Any]:
    """Run a counter's command with the same models and rules as REST (ptsp.commands)."""

    actor, _office_id = request.environ["ptsp.listener"]
    if actor.kind != "staff":
        raise Forbidden("commands_staff_only")
    status, answer = run_command(body.action, dict(body.model_extra or {}), actor)
    return {"status": status, **(answer or {})}


def register_handlers() -> None:
    """Attach the connection and station events to `socketio`."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    for event, handler in (("heartbeat", on_heartbeat), ("call_ack", on_call_ack), ("resync", on_resync),
                           ("command", on_command)):
        socketio.on_event(event, handler)
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
        socketio.run(app, host=host, port=port, log_output=bool(app.config.get("ACCESS_LOG")))
        return
    import socket

    from gevent import pywsgi

    try:  # gevent-websocket, when installed, is what engineio's gevent mode then uses
        from geventwebsocket.handler import WebSocketHandler as handler_class
    except ImportError:  # otherwise engineio upgrades with simple-websocket on gevent's own handler
        handler_class = pywsgi.WSGIHandler
    log = sys.stderr if app.config.get("ACCESS_LOG") else None
    server = pywsgi.WSGIServer((host, port), app, handler_class=handler_class, log=log, backlog=1024)
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
