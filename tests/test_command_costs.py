"""The counter screen's own path (issue 18): its commands over its socket, each with a request id.

A command's login is read in the command's own write transaction (no read transaction before it), the request
id is looked up and stored by prebuilt statements, and old request ids are purged at most once a minute, not by
every command. An account whose sessions ended is still refused, changes nothing, and holds no lock.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ptsp.extensions import socketio
from ptsp.models import ProcessedCommand, Staff, Ticket
from ptsp.services import processed
from tests.conftest import bearer, login
from tests.test_hot_path_costs import _Statements
from tests.test_realtime import issue


def _screen(app, client, world):
    login(client, "clerk1")
    sock = socketio.test_client(app, flask_test_client=client, auth={"office": world.office})
    assert sock.is_connected()
    assert _command(sock, "open", counter=world.counters[1])["status"] == 200
    return sock


def _command(sock, action: str, **data):
    return sock.emit("command", {"action": action, "request_id": str(uuid.uuid4()), **data}, callback=True)


def _begins(seen: list[str]) -> int:
    return sum(statement.strip().upper().startswith("BEGIN") for statement in seen)


def test_a_served_ticket_over_the_screens_socket_is_one_transaction_per_command(app, client, world):
    first, second = issue(client, world), issue(client, world)
    sock = _screen(app, client, world)
    assert _command(sock, "call_next", counter=world.counters[1])["ticket"]["id"] == first["id"]
    engine = app.extensions["ptsp.engine"]
    with _Statements(engine) as counted:
        assert _command(sock, "start", ticket=first["id"])["status"] == 200
        answer = _command(sock, "complete_and_call_next", counter=world.counters[1], ticket=first["id"],
                          outcome="selesai")
    assert answer["status"] == 200 and answer["ticket"]["id"] == second["id"]
    # Two commands, two transactions: the clerk's login is read in each command's own (one BEGIN each; before,
    # a read transaction of its own came first), and no request id purge runs within the minute.
    if engine.dialect.name == "sqlite":
        assert _begins(counted.seen) == 2, counted.seen
    assert not any(s.lstrip().upper().startswith("DELETE FROM PROCESSED_COMMANDS") for s in counted.seen)
    # The same reads and writes as REST's start + complete-and-call-next, plus the request id's lookup and store
    # for each command: 25 on SQLite, BEGINs included (29 before: a read transaction for the login, and a purge
    # of old request ids, in each command); PostgreSQL locks the counter and reads the heads its own way
    # (docs/benchmarks.md, "The counter screen's own path").
    assert len(counted.seen) <= (25 if engine.dialect.name == "sqlite" else 32), counted.seen
    with app.extensions["ptsp.sessions"]() as session:
        assert session.get(Ticket, first["id"]).status == "done"
        assert session.get(Ticket, second["id"]).status == "called"
        assert session.scalar(select(func.count()).select_from(ProcessedCommand)) == 4  # open, call, start, complete


def test_a_repeated_command_answers_from_its_stored_result(app, client, world):
    first = issue(client, world)
    sock = _screen(app, client, world)
    command = {"action": "call_next", "counter": world.counters[1], "request_id": str(uuid.uuid4())}
    answer = sock.emit("command", command, callback=True)
    assert answer["ticket"]["id"] == first["id"]
    stored = {"action": "start", "ticket": first["id"], "request_id": str(uuid.uuid4())}
    started = sock.emit("command", stored, callback=True)
    assert started["ticket"]["status"] == "serving"
    assert sock.emit("command", stored, callback=True) == started  # the JSON column read back as it was stored
    assert sock.emit("command", command, callback=True) == answer


def test_old_request_ids_are_purged_once_a_minute_not_by_every_command(app, client, world, clock):
    for _ in range(4):
        issue(client, world)
    sock = _screen(app, client, world)  # `open`: the first command of this process purges
    engine = app.extensions["ptsp.engine"]
    with app.extensions["ptsp.sessions"]() as session:
        clerk = session.scalar(select(Staff.id).where(Staff.username == "clerk1"))
        old = ProcessedCommand(request_id=str(uuid.uuid4()), staff_id=clerk, action="open",
                               status=200, result={}, at=clock.now - processed.KEEP - timedelta(minutes=5))
        session.add(old)
        session.commit()

    def kept() -> int:
        with app.extensions["ptsp.sessions"]() as session:
            return session.scalar(select(func.count()).select_from(ProcessedCommand)
                                  .where(ProcessedCommand.request_id == old.request_id))

    with _Statements(engine) as counted:
        _command(sock, "call_next", counter=world.counters[1])
    assert kept() == 1 and not any("DELETE" in s.upper() for s in counted.seen)  # within the minute
    clock.advance(seconds=59)
    _command(sock, "recall", counter=world.counters[1])
    assert kept() == 1
    clock.advance(seconds=2)
    with _Statements(engine) as counted:
        _command(sock, "recall", counter=world.counters[1])
    assert kept() == 0 and sum("DELETE" in s.upper() for s in counted.seen) == 1
    clock.advance(days=-1)  # a clock set back purges too, rather than waiting a day
    with _Statements(engine) as counted:
        _command(sock, "recall", counter=world.counters[1])
    assert sum("DELETE" in s.upper() for s in counted.seen) == 1


@pytest.mark.parametrize("way", ["socket", "rest"])
def test_an_ended_session_is_refused_changes_nothing_and_holds_no_lock(app, client, world, way):
    ticket = issue(client, world)
    sock = _screen(app, client, world)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    stolen = socketio.test_client(app, flask_test_client=thief, auth={"office": world.office})
    assert stolen.is_connected()
    assert client.post("/api/v1/auth/logout").status_code == 200  # every session of the account ends
    if way == "socket":
        answer = _command(stolen, "call_next", counter=world.counters[1])
        assert answer["error"] == "unauthorized"
    else:
        reply = thief.post(f"/api/v1/counters/{world.counters[1]}/call-next", json={"request_id": str(uuid.uuid4())})
        assert reply.status_code == 401 and reply.get_json()["error"] == "unauthorized"
    with app.extensions["ptsp.sessions"]() as session:
        assert session.get(Ticket, ticket["id"]).status == "waiting"
        assert session.scalar(select(func.count()).select_from(ProcessedCommand)) == 1  # the screen's `open` only
    # The refused command's transaction was ended: the next writer gets on at once (a writer lock left held would
    # keep it waiting for the 30 s busy timeout).
    reply = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"]},
                        headers=bearer(world.kiosk))
    assert reply.status_code == 201, reply.get_json()
    sock.disconnect()


def test_the_command_mark_ends_with_its_request_and_the_account_is_never_the_sessions_own(app, world):
    """`writes_at_once` lasts one request or event: an app context around several must not carry it on (each later
    login would open a write transaction); and the account handed to the login is a detached row even where the
    copies cannot be used (no version row), never a row of the command's own session."""
    from flask import g
    from sqlalchemy import delete, inspect

    from ptsp import config_cache
    from ptsp.context import close_request_sessions, login_session, writes_at_once
    from ptsp.models.office import ConfigVersion

    with app.app_context():
        writes_at_once()
        close_request_sessions(None)
        with login_session():
            assert "db" not in g  # a short read session of its own, not the request's writing session
    with app.extensions["ptsp.sessions"]() as session:
        clerk = session.scalar(select(Staff.id).where(Staff.username == "clerk1"))
        session.execute(delete(ConfigVersion))
        session.commit()
        account = config_cache.staff(session, clerk)
        assert account is not None and inspect(account).detached and account not in session
