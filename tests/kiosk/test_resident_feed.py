"""Residents' privacy on a live `ptsp run`: what a status page's socket hears about everyone else.

A resident's socket (auth `{ticket}`) may learn what moves their own ticket and nothing more: no other
ticket's priority class (disability, pregnancy, age), code or id, no clerk's name or id (docs/security.md,
"Residents' privacy").
"""

from __future__ import annotations

import json
import threading
from typing import Any

import requests
import socketio

from tests.conftest import PageSession
from tests.scale.conftest import Listener

# Keys no payload of a resident's feed may carry, at any depth; `office_name` and `service_name` are the
# resident's own office and service, which the page shows.
FORBIDDEN_KEYS = ("priority", "staff", "clerk", "name")
ALLOWED_KEYS = {"office_name", "service_name"}


def walk(value: Any, path: str = "$") -> list[tuple[str, Any]]:
    """Every (path, value) pair of a JSON document, keys included as their own paths."""
    found = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((f"{path}.{key}#key", key))
            found += walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += walk(item, f"{path}[{index}]")
    return found


def leaks(document: Any, others: list[dict[str, Any]], staff_names: list[str]) -> list[str]:
    """What in `document` names another resident's ticket, its class, or a clerk."""
    problems = []
    codes, ids = {t["code"] for t in others}, {t["id"] for t in others}
    for path, value in walk(document):
        if path.endswith("#key"):
            if value not in ALLOWED_KEYS and any(word in value.lower() for word in FORBIDDEN_KEYS):
                problems.append(f"{path}: key {value!r}")
        elif isinstance(value, str) and (value in codes or value in staff_names):
            problems.append(f"{path}: {value!r}")
        elif (path.endswith(".ticket.id") or ".tickets[" in path) and value in ids:
            problems.append(f"{path}: another ticket's id {value}")
    return problems


def clerk(server, username: str, password: str, number: int) -> tuple[requests.Session, int]:
    session = PageSession()  # logs in with its CSRF token, as the counter page does
    assert session.post(f"{server.base}/api/v1/auth/login", json={"username": username, "password": password},
                        timeout=5).status_code == 200
    office = next(o for o in session.get(f"{server.base}/api/v1/offices", timeout=5).json() if o["slug"] == "kel-test")
    queue = session.get(f"{server.base}/api/v1/offices/{office['id']}/queue", timeout=5).json()
    counter = next(c["id"] for c in queue["counters"] if c["number"] == number)
    assert session.post(f"{server.base}/api/v1/counters/{counter}/open", timeout=5).status_code == 200
    return session, counter


def serve_next(server, session: requests.Session, counter: int) -> dict[str, Any]:
    called = session.post(f"{server.base}/api/v1/counters/{counter}/call-next", timeout=5).json()["ticket"]
    assert session.post(f"{server.base}/api/v1/tickets/{called['id']}/start", timeout=5).status_code == 200
    assert session.post(f"{server.base}/api/v1/tickets/{called['id']}/complete", json={},
                        timeout=5).status_code == 200
    return called


def test_a_residents_socket_hears_nothing_about_other_residents_or_the_clerks(server):
    mine = server.issue("B")
    token = mine["status_url"].rsplit("/", 1)[1]
    phone = Listener(server.base, {"ticket": token})
    try:
        others = [server.issue("B", "elderly"), server.issue("B", "pregnant"), server.issue("A", "disabled"),
                  server.issue("B", "disabled")]
        first, counter3 = clerk(server, "clerk1", "password-1", 3)  # serves B
        second, counter2 = clerk(server, "clerk2", "password-2", 2)  # serves A, B and C
        served = [serve_next(server, first, counter3), serve_next(server, second, counter2)]
        assert {t["id"] for t in served} <= {t["id"] for t in others}
        server.issue("B", "elderly")  # one more, jumping the line while we wait
        others.append(server.issue("A", "pregnant"))
        phone.wait_for(lambda: len(phone.events) >= 3)
        resync = phone.client.call("resync", {}, timeout=10)
        # The rest of the line is served until our ticket is called at some counter.
        while True:
            called = serve_next(server, first, counter3)
            if called["id"] == mine["id"]:
                break
            others.append(called)
        assert phone.wait_for(lambda: any(
            isinstance(data, dict) and data.get("ticket", {}).get("id") == mine["id"]
            and data["ticket"].get("status") == "done" for _name, data in phone.events))
        recorded = list(phone.events)
    finally:
        phone.close()
    assert recorded, "the resident's socket heard nothing"
    staff_names = ["Clerk Satu", "Clerk Dua", "Clerk Tiga", "Pak Supervisor"]
    problems = leaks({"events": [{"name": n, "data": d} for n, d in recorded], "resync": resync},
                     [t for t in others if t["id"] != mine["id"]], staff_names)
    # Keys of the event envelope itself are ours, not the server's.
    problems = [p for p in problems if not p.startswith("$.events[") or ".data" in p]
    assert problems == [], "\n".join(problems[:40]) + "\n" + json.dumps(recorded[:5], indent=1)[:3000]
    assert resync["id"] == mine["id"] and "waiting" not in resync and "counters" not in resync


def test_a_final_ticket_of_a_past_day_gets_no_live_feed_and_its_page_ends(server):
    import sqlite3

    ticket = server.issue("A")
    token = ticket["status_url"].rsplit("/", 1)[1]
    database = server.tmp_path / "server.db"

    def set_ticket(status: str, days_ago: int) -> None:
        with sqlite3.connect(database) as db:
            db.execute("UPDATE tickets SET status = ?, service_day = date(service_day, ?) WHERE id = ?",
                       (status, f"-{days_ago} days", ticket["id"]))

    set_ticket("waiting", 0)
    Listener(server.base, {"ticket": token}).close()  # today's open ticket: live

    set_ticket("expired", 1)  # what `ptsp expire` leaves after the day
    refused: dict[str, Any] = {}
    done = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("connect_error")
    def on_error(data: Any) -> None:
        refused["data"] = data
        done.set()

    try:
        client.connect(server.base, auth={"ticket": token}, transports=["websocket"], wait_timeout=10)
    except socketio.exceptions.ConnectionError as exc:
        refused.setdefault("data", str(exc))
    assert done.wait(10) or refused
    assert not client.connected
    assert "ticket_closed" in json.dumps(refused["data"])
    page = requests.get(f"{server.base}/t/{token}", timeout=5)
    assert page.status_code == 200 and 'data-status="expired"' in page.text

    set_ticket("expired", 30)  # long past PTSP_STATUS_DAYS (7)
    gone = requests.get(f"{server.base}/t/{token}", timeout=5)
    assert gone.status_code == 410
    assert "tidak tersedia lagi" in gone.text
    assert requests.get(f"{server.base}/t/{token}/state", timeout=5).status_code == 410
    assert requests.get(f"{server.base}/t/{token}/nilai", timeout=5).status_code == 410
