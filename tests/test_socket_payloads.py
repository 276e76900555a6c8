"""Every socket event refuses a malformed payload with {error, message}, changes nothing and never raises."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ptsp.extensions import socketio
from ptsp.models import DisplayPresence, Office, PrintJob
from ptsp.services.accounts import make_device_token
from tests.conftest import login

HUGE = "x" * 100_000


def presence(app):
    session = app.extensions["ptsp.sessions"]()
    try:
        return [(p.last_seq, p.last_ack_ticket) for p in session.scalars(select(DisplayPresence))]
    finally:
        session.close()


def refused(answer):
    assert isinstance(answer, dict) and set(answer) == {"error", "message"}, answer
    assert answer["error"] == "invalid_input" and isinstance(answer["message"], str)
    return True


def test_heartbeat_with_a_number_beyond_64_bits_is_refused_not_raised(app, world):
    display = socketio.test_client(app, auth={"token": world.display})
    before = presence(app)
    assert refused(display.emit("heartbeat", {"seq": 2**63}, callback=True))
    assert presence(app) == before
    assert display.emit("heartbeat", {"seq": 3}, callback=True)["status"] == 200


@pytest.mark.parametrize("payload", [
    None, [], "seq", {"seq": "3"}, {"seq": True}, {"seq": 1.5}, {"seq": -1}, {"seq": 2**31}, {"seq": 1, "x": 1},
    {"seq": HUGE}, {},
])
def test_malformed_heartbeats_change_nothing(app, world, payload):
    display = socketio.test_client(app, auth={"token": world.display})
    before = presence(app)
    assert refused(display.emit("heartbeat", payload, callback=True))
    assert presence(app) == before


@pytest.mark.parametrize("payload", [
    {"ticket": 1}, {"seq": 1}, {"ticket": "1", "seq": 1}, {"ticket": 2**63, "seq": 1}, {"ticket": 0, "seq": 1},
    {"ticket": 1, "seq": 1, "extra": HUGE}, [1, 2], "call",
])
def test_malformed_call_acks_change_nothing(app, world, payload):
    display = socketio.test_client(app, auth={"token": world.display})
    before = presence(app)
    assert refused(display.emit("call_ack", payload, callback=True))
    assert presence(app) == before


@pytest.mark.parametrize("payload", [[], "now", {"seq": 1}, {"x": HUGE}])
def test_malformed_resyncs_are_refused(app, world, payload):
    display = socketio.test_client(app, auth={"token": world.display})
    assert refused(display.emit("resync", payload, callback=True))
    assert "seq" in display.emit("resync", {}, callback=True)


@pytest.mark.parametrize("payload", [
    None, [], {"counter": 1}, {"action": 7}, {"action": HUGE}, {"action": ""},
    {"action": "open", "counter": "1"}, {"action": "open", "counter": 2**63}, {"action": "open"},
    {"action": "open", "counter": 1, "extra": True}, {"action": "break", "counter": 1, "reason": HUGE},
    {"action": "open_everything", "counter": 1},
])
def test_malformed_commands_change_nothing(app, client, world, payload):
    login(client, "clerk1")
    counter = socketio.test_client(app, flask_test_client=client, auth={"office": world.office})
    counter.get_received()
    if isinstance(payload, dict) and payload.get("counter") == 1:
        payload = {**payload, "counter": world.counters[1]}
    assert refused(counter.emit("command", payload, callback=True))
    assert counter.get_received() == []  # no fact published
    state = counter.emit("resync", {}, callback=True)
    assert all(c["state"] != "open" for c in state["counters"])


@pytest.fixture
def agent(app, world, clock):
    session = app.extensions["ptsp.sessions"]()
    try:
        office = session.get(Office, world.office)
        token = make_device_token(session, office=office, kind="agent", name="pc", now=clock())[1]
        session.commit()
    finally:
        session.close()
    sock = socketio.test_client(app, auth={"token": token})
    assert sock.is_connected()
    return sock


def jobs(app):
    session = app.extensions["ptsp.sessions"]()
    try:
        return [(j.id, j.status) for j in session.scalars(select(PrintJob))]
    finally:
        session.close()


@pytest.mark.parametrize(("event", "payload"), [
    ("agent_ready", []), ("agent_ready", {"x": 1}), ("agent_ready", "ready"),
    ("print_claim", None), ("print_claim", {"job": "1"}), ("print_claim", {"job": 2**63}),
    ("print_claim", {"job": 1, "x": HUGE}), ("print_claim", {"job": True}),
    ("print_done", {"job": 1}), ("print_done", {"job": 1, "ok": "yes"}),
    ("print_done", {"job": 1, "ok": True, "error": HUGE}), ("print_done", {"job": 1, "ok": True, "status": 5}),
    ("print_done", {"job": 1, "ok": True, "may_have_printed": "no"}), ("print_done", [1, True]),
])
def test_malformed_print_agent_events_change_nothing(app, agent, event, payload):
    before = jobs(app)
    assert refused(agent.emit(event, payload, callback=True))
    assert jobs(app) == before
