"""Socket.IO facts, sequence numbers, snapshots and access, with Flask-SocketIO's test client."""

from __future__ import annotations

from ptsp.extensions import socketio
from tests.conftest import bearer, login


def events(sock, name=None):
    received = sock.get_received()
    return [r for r in received if name is None or r["name"] == name]


def issue(client, world, prefix="A"):
    response = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services[prefix]},
                           headers=bearer(world.kiosk))
    assert response.status_code == 201
    return response.get_json()


def test_anonymous_and_wrong_office_connections_are_refused(app, client, world):
    assert not socketio.test_client(app, flask_test_client=client).is_connected()
    assert not socketio.test_client(app, auth={"token": "nonsense"}).is_connected()
    assert not socketio.test_client(app, auth={"token": world.display, "office": world.other_office}).is_connected()
    assert not socketio.test_client(app, auth={"ticket": "not-a-ticket"}).is_connected()
    login(client, "other")
    assert not socketio.test_client(app, flask_test_client=client, auth={"office": world.office}).is_connected()


def test_display_gets_a_snapshot_then_numbered_facts_after_each_commit(app, client, world):
    display = socketio.test_client(app, auth={"token": world.display, "last_seq": 0})
    assert display.is_connected()
    [snapshot] = events(display, "snapshot")
    start = snapshot["args"][0]["seq"]
    assert {s["prefix"] for s in snapshot["args"][0]["services"]} == {"A", "B", "C"}

    ticket = issue(client, world)
    login(client, "clerk1")
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    client.post(f"/api/v1/counters/{world.counters[1]}/recall")

    received = events(display)
    assert [r["name"] for r in received] == ["ticket_issued", "counter_changed", "ticket_called", "ticket_called"]
    seqs = [r["args"][0]["seq"] for r in received]
    assert seqs == list(range(start + 1, start + 5))
    called, recalled = received[2]["args"][0], received[3]["args"][0]
    assert called["ticket"]["code"] == ticket["code"] and called["ticket"]["counter_number"] == 1
    assert called["recall"] is False and recalled["recall"] is True
    assert called["waiting"] == {}
    assert "public_token" not in called["ticket"]


def test_refused_command_publishes_nothing(app, client, world):
    display = socketio.test_client(app, auth={"token": world.display})
    events(display)
    login(client, "clerk1")
    assert client.post(f"/api/v1/counters/{world.counters[1]}/call-next").status_code == 409  # not open
    assert events(display) == []


def test_reconnecting_client_resyncs_to_current_state_with_its_sequence(app, client, world):
    display = socketio.test_client(app, auth={"token": world.display})
    last_seq = events(display, "snapshot")[0]["args"][0]["seq"]
    display.disconnect()
    issue(client, world)
    issue(client, world, "B")
    again = socketio.test_client(app, auth={"token": world.display, "last_seq": last_seq})
    [snapshot] = events(again, "snapshot")
    state = snapshot["args"][0]
    assert state["seq"] == last_seq + 2
    assert {s["prefix"]: s["waiting"] for s in state["services"]} == {"A": 1, "B": 1, "C": 0}
    assert again.emit("resync", {}, callback=True)["seq"] == state["seq"]


def test_resident_status_page_hears_which_lines_moved_and_its_own_ticket_only(app, client, world):
    mine, other = issue(client, world, "B"), issue(client, world, "B")
    phone = socketio.test_client(app, auth={"ticket": mine["status_url"].rsplit("/", 1)[1]})
    assert phone.is_connected()
    assert events(phone) == []  # no office snapshot: the page fetches its own state on connect
    display = socketio.test_client(app, auth={"token": world.display})
    events(display)

    login(client, "clerk1")
    counter = world.counters[3]  # serves B only
    client.post(f"/api/v1/counters/{counter}/open")
    assert client.post(f"/api/v1/counters/{counter}/call-next").get_json()["ticket"]["id"] == mine["id"]
    client.post(f"/api/v1/tickets/{mine['id']}/start")
    client.post(f"/api/v1/tickets/{mine['id']}/complete", json={})
    client.post(f"/api/v1/counters/{counter}/call-next")  # the other resident's ticket
    client.post(f"/api/v1/tickets/{other['id']}/start")
    client.post(f"/api/v1/tickets/{other['id']}/complete", json={})
    issued = {}
    for priority in ("regular", "elderly"):  # a regular ticket queues behind everyone; a priority one may not
        response = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["B"],
                                                        "priority": priority}, headers=bearer(world.kiosk))
        assert response.status_code == 201
        issued[priority] = response.get_json()["id"]

    heard = [(r["name"], r["args"][0]) for r in events(phone)]
    b = world.services["B"]
    own = [{"id": mine["id"], "service": b, "status": status, "counter_number": 3, "call_count": 1}
           for status in ("called", "serving", "done")]
    # The line's moves name only services; the ticket's own room hears only that ticket, never the others'
    # (their codes, priority classes, clerks).
    assert heard == [
        ("line_moved", {"office": world.office, "services": [b]}),  # counter 3 opened
        ("line_moved", {"office": world.office, "services": [b]}),  # our call moves the line
        ("ticket_changed", {"ticket": own[0]}), ("ticket_changed", {"ticket": own[1]}),
        ("ticket_changed", {"ticket": own[2]}),
        ("line_moved", {"office": world.office, "services": [b]}),  # another's call; its start and end cannot
        ("line_moved", {"office": world.office, "services": [b]}),  # the elderly ticket jumps the line
    ]
    assert phone.emit("resync", {}, callback=True)["id"] == mine["id"]  # its own view, not the office's
    assert len(events(display)) == 9  # the lobby display hears every fact, numbered


def test_counter_commands_over_the_socket_share_the_rest_rules_and_ack(app, client, world):
    ticket = issue(client, world)
    login(client, "clerk1")
    counter = socketio.test_client(app, flask_test_client=client, auth={"office": world.office})
    assert counter.is_connected()
    events(counter)
    opened = counter.emit("command", {"action": "open", "counter": world.counters[1]}, callback=True)
    assert opened["status"] == 200 and opened["counter"]["state"] == "open"
    called = counter.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    assert called["ticket"]["id"] == ticket["id"]
    twice = counter.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    assert twice["error"] == "counter_busy"
    empty = counter.emit("command", {"action": "complete", "ticket": ticket["id"]}, callback=True)
    assert empty["error"] == "invalid_transition"  # called, not yet serving
    assert counter.emit("command", {"action": "start", "ticket": ticket["id"]}, callback=True)["status"] == 200
    done = counter.emit("command", {"action": "complete", "ticket": ticket["id"]}, callback=True)
    assert done["ticket"]["status"] == "done"
    nobody = counter.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    assert nobody == {"status": 204}


def test_display_token_cannot_send_commands(app, world):
    display = socketio.test_client(app, auth={"token": world.display})
    answer = display.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    assert answer["error"] == "forbidden"
