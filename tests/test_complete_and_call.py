"""The counter screen's one-press "complete and call next" (ptsp/commands.py: complete_and_call_next).

Same rules as `complete` then `call_next`, in one transaction: the same facts in the same order, idempotent by
`request_id`, a validated payload, and nothing changes when it is refused.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from ptsp.extensions import socketio
from ptsp.models import TicketEvent
from tests.conftest import login
from tests.test_realtime import events, issue
from tests.test_stations import counter_socket

NUMBERED = ("ticket_called", "ticket_started", "ticket_completed")


def _served(sock, world, ticket_id: int) -> None:
    assert sock.emit("command", {"action": "start", "ticket": ticket_id}, callback=True)["status"] == 200


def _facts(display) -> list[tuple[str, int, int]]:
    return [(e["name"], e["args"][0]["seq"], e["args"][0]["ticket"]["id"])
            for e in events(display) if e["name"] in NUMBERED]


def test_it_sends_the_same_facts_in_the_same_order_as_the_two_commands(app, client, world):
    first, second, third = issue(client, world), issue(client, world), issue(client, world)
    display = socketio.test_client(app, auth={"token": world.display})
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, first["id"])
    # The two commands, then the one command: the second ticket's facts must look like the first's.
    sock.emit("command", {"action": "complete", "ticket": first["id"], "outcome": "selesai"}, callback=True)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, second["id"])
    answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                   "ticket": second["id"], "outcome": "selesai"}, callback=True)
    assert answer["status"] == 200
    assert answer["completed"]["id"] == second["id"] and answer["completed"]["status"] == "done"
    assert answer["ticket"]["id"] == third["id"] and answer["ticket"]["status"] == "called"
    seen = _facts(display)
    names = [name for name, _seq, _ticket in seen]
    assert names == ["ticket_called", "ticket_started", "ticket_completed"] * 2 + ["ticket_called"]
    assert seen[-2][2] == second["id"] and seen[-1][2] == third["id"]
    seqs = [seq for _name, seq, _ticket in seen]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # numbered without a gap, in order
    # Points are credited for the completion exactly as by `complete` (the event log is the same).
    login(client, "clerk1")
    mine = client.get(f"/api/v1/tickets/{second['id']}").get_json()
    assert mine["status"] == "done" and mine["outcome"] == "selesai"


def test_with_nobody_waiting_the_completion_stands(app, client, world):
    only = issue(client, world)
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, only["id"])
    answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                   "ticket": only["id"]}, callback=True)
    assert answer["status"] == 200 and answer["ticket"] is None
    assert answer["completed"]["status"] == "done" and answer["completed"]["outcome"] == "selesai"


def test_a_repeat_with_its_request_id_runs_once_and_answers_the_same(app, client, world):
    first, second, third = issue(client, world), issue(client, world), issue(client, world)
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, first["id"])
    command = {"action": "complete_and_call_next", "counter": world.counters[1], "ticket": first["id"],
               "outcome": "selesai", "request_id": str(uuid.uuid4())}
    answers = [sock.emit("command", command, callback=True) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["ticket"]["id"] == second["id"]
    assert client.get(f"/api/v1/tickets/{third['id']}").get_json()["status"] == "waiting"
    assert len([e for e in events(sock) if e["name"] == "ticket_completed"]) == 1


def test_rest_route_and_refusals_change_nothing(client, world):
    first, second = issue(client, world), issue(client, world)
    login(client, "clerk1")
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    url = f"/api/v1/counters/{world.counters[1]}/complete-and-call-next"
    for body, status in (({"outcome": "selesai"}, 422),  # no ticket
                         ({"ticket": first["id"], "outcome": "Not An Outcome"}, 422),
                         ({"ticket": "x"}, 422),
                         ({"ticket": first["id"], "extra": 1}, 422)):
        reply = client.post(url, json=body)
        assert reply.status_code == status, (body, reply.get_json())
        assert reply.get_json()["error"] == "invalid_input"
    # Called, not yet serving: `complete` refuses, so nothing is completed and nobody else is called.
    reply = client.post(url, json={"ticket": first["id"]})
    assert reply.status_code == 409, reply.get_json()
    assert client.get(f"/api/v1/tickets/{second['id']}").get_json()["status"] == "waiting"
    client.post(f"/api/v1/tickets/{first['id']}/start")
    reply = client.post(url, json={"ticket": first["id"], "outcome": "selesai"})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["completed"]["id"] == first["id"] and reply.get_json()["ticket"]["id"] == second["id"]


def test_a_ticket_of_another_counter_is_refused_and_nothing_changes(app, client, world):
    first, second = issue(client, world), issue(client, world)
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, first["id"])
    answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[2],
                                   "ticket": first["id"]}, callback=True)
    assert answer["error"] and answer["error"] != "internal"
    assert client.get(f"/api/v1/tickets/{first['id']}").get_json()["status"] == "serving"
    assert client.get(f"/api/v1/tickets/{second['id']}").get_json()["status"] == "waiting"


def _waiting_now(app, world, ticket_id: int) -> dict[str, int]:
    from ptsp.models import Ticket
    from ptsp.services.lookup import waiting_counts

    with app.extensions["ptsp.sessions"]() as session:
        counts = waiting_counts(session, world.office, session.get(Ticket, ticket_id).service_day)
    return {str(service): count for service, count in counts.items()}


def test_its_facts_carry_the_waiting_counts_a_fresh_count_gives(app, client, world):
    # Counter 1 serves A and C: A's line empties (its count leaves the map), B's ticket waits on, C's is called last.
    first, second, _b, third = issue(client, world), issue(client, world), issue(client, world, "B"), issue(
        client, world, "C")
    display = socketio.test_client(app, auth={"token": world.display})
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    for done, called in ((first, second), (second, third)):
        _served(sock, world, done["id"])
        events(display)  # only the combined command's facts below
        answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                       "ticket": done["id"], "outcome": "selesai"}, callback=True)
        assert answer["ticket"]["id"] == called["id"]
        [completed, call] = [e["args"][0] for e in events(display) if e["name"] in NUMBERED]
        fresh = _waiting_now(app, world, called["id"])
        assert {str(k): v for k, v in call["waiting"].items()} == fresh
        assert call["ticket"]["id"] == called["id"] and str(world.services["A"]) not in fresh
        counted = {str(k): v for k, v in completed["waiting"].items()}
        assert counted[str(world.services[called["code"][0]])] == fresh.get(str(world.services[called["code"][0]]),
                                                                              0) + 1


def test_call_next_while_the_counter_has_a_ticket_is_refused_and_nothing_changes(client, world):
    # On SQLite the counter's current ticket is read with the heads (ptsp/services/next_in_line.py: call_heads).
    first, second = issue(client, world), issue(client, world)
    login(client, "clerk1")
    client.post(f"/api/v1/counters/{world.counters[1]}/open")
    assert client.post(f"/api/v1/counters/{world.counters[1]}/call-next").get_json()["ticket"]["id"] == first["id"]
    for step in ("called", "start"):
        reply = client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
        assert reply.status_code == 409, reply.get_json()
        assert reply.get_json()["error"] == "counter_busy" and first["code"] in reply.get_json()["message"]
        assert client.get(f"/api/v1/tickets/{second['id']}").get_json()["status"] == "waiting"
        if step == "called":
            assert client.post(f"/api/v1/tickets/{first['id']}/start").status_code == 200
def _plan(sock, ticket_id: int, services: list[int]) -> None:
    answer = sock.emit("command", {"action": "plan_steps", "ticket": ticket_id, "services": services}, callback=True)
    assert answer["status"] == 200, answer


def _moves(display) -> list[tuple[str, int, str]]:
    return [(e["name"], e["args"][0]["ticket"]["id"], e["args"][0]["ticket"]["status"]) for e in events(display)
            if e["name"] in ("ticket_called", "ticket_completed", "ticket_transferred")]


def test_a_ticket_with_a_next_step_goes_on_to_it_and_the_next_resident_is_called(app, client, world):
    """As `complete` does for a visit of several steps (docs/steps.md): the step is finished, the ticket waits in
    its next service's line, and the counter calls the next resident; the step's outcome is the one sent."""
    visit, after = issue(client, world), issue(client, world)
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _plan(sock, visit["id"], [world.services["B"]])  # counter 1 does not serve B: someone else takes step 2
    _served(sock, world, visit["id"])
    display = socketio.test_client(app, auth={"token": world.display})
    display.get_received()
    answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                   "ticket": visit["id"], "outcome": "berkas_kurang"}, callback=True)
    assert answer["status"] == 200, answer
    assert answer["completed"]["id"] == visit["id"] and answer["completed"]["status"] == "waiting"
    assert answer["completed"]["service"] == world.services["B"] and answer["completed"]["counter"] is None
    assert answer["ticket"]["id"] == after["id"] and answer["ticket"]["status"] == "called"
    assert _moves(display) == [("ticket_transferred", visit["id"], "waiting"), ("ticket_called", after["id"], "called")]
    with app.extensions["ptsp.read_sessions"]() as session:
        step = session.scalars(select(TicketEvent.data).where(TicketEvent.ticket_id == visit["id"],
                                                              TicketEvent.kind == "step_completed")).one()
    assert step["outcome"] == "berkas_kurang" and step["next_service"] == world.services["B"]


def test_the_outcome_sent_is_the_completed_tickets(app, client, world):
    first, second = issue(client, world), issue(client, world)
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, first["id"])
    answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                   "ticket": first["id"], "outcome": "ditolak"}, callback=True)
    assert answer["completed"]["outcome"] == "ditolak" and answer["ticket"]["id"] == second["id"]
    assert answer["ticket"]["outcome"] is None


def test_a_parked_ticket_is_refused_and_a_returned_one_is_called_first(app, client, world):
    """Parking (docs/queue.md): a parked ticket is not being served, so it cannot be completed (nothing changes);
    once brought back it is at the front of this counter's line, so the one press calls it before the others."""
    parked, served, waiting = issue(client, world), issue(client, world), issue(client, world)
    sock = counter_socket(app, client, world)
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, parked["id"])
    assert sock.emit("command", {"action": "park", "ticket": parked["id"]}, callback=True)["status"] == 200
    refused = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                    "ticket": parked["id"]}, callback=True)
    assert refused["error"] and refused["error"] != "internal"
    assert client.get(f"/api/v1/tickets/{served['id']}").get_json()["status"] == "waiting"
    sock.emit("command", {"action": "call_next", "counter": world.counters[1]}, callback=True)
    _served(sock, world, served["id"])
    assert sock.emit("command", {"action": "return_parked", "ticket": parked["id"]}, callback=True)["status"] == 200
    answer = sock.emit("command", {"action": "complete_and_call_next", "counter": world.counters[1],
                                   "ticket": served["id"]}, callback=True)
    assert answer["completed"]["id"] == served["id"] and answer["ticket"]["id"] == parked["id"]
    assert client.get(f"/api/v1/tickets/{waiting['id']}").get_json()["status"] == "waiting"
