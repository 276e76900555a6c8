"""The counter screens' lines (`/counter/lines`, and the same part of `/counter/state`): the first tickets of each
line in calling order with each line's length, worked out once per office fact and shared by every screen of the
office, never older than the office's last fact, never another office's (docs/architecture.md, "A fact, N
screens")."""

from __future__ import annotations

import threading

from sqlalchemy import event, select

from ptsp.models import Office
from ptsp.services.counter_screen import LINE_SHOWN, waiting_tickets
from tests.conftest import bearer, login
from tests.test_realtime import issue


class _TicketReads:
    """Counts the statements on this thread that read the tickets table (the lines' work)."""

    def __init__(self, engine) -> None:
        self.engine, self.thread, self.count = engine, threading.get_ident(), 0
        event.listen(engine, "before_cursor_execute", self._add)

    def _add(self, _conn, _cursor, statement, *_args) -> None:
        if threading.get_ident() == self.thread and "FROM tickets" in statement:
            self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._add)


def _clerk(app, username):
    client = app.test_client()
    login(client, username)
    return client


def test_the_lines_hold_the_first_tickets_in_calling_order_and_each_lines_length(app, client, world, clock):
    for _ in range(LINE_SHOWN + 3):
        issue(client, world)
    elderly = client.post("/api/v1/tickets", headers=bearer(world.kiosk), json={
        "office": world.office, "service": world.services["A"], "priority": "elderly"}).get_json()
    issue(client, world, "B")
    clerk = _clerk(app, "clerk1")
    lines = clerk.get("/counter/lines").get_json()
    a, b = str(world.services["A"]), str(world.services["B"])
    assert lines["waiting_total"] == {a: LINE_SHOWN + 4, b: 1, **{str(s): 0 for p, s in world.services.items()
                                                                   if p not in ("A", "B")}}
    assert len(lines["waiting"][a]) == LINE_SHOWN and len(lines["waiting"][b]) == 1
    assert lines["waiting"][a][0]["id"] == elderly["id"]  # the priority ticket is first, though issued last
    with app.extensions["ptsp.sessions"]() as session:  # the same order as the whole line's
        whole = waiting_tickets(session, world.office, clock())[world.services["A"]]
    assert len(whole) == LINE_SHOWN + 4 and lines["waiting"][a] == whole[:LINE_SHOWN]
    state = clerk.get("/counter/state").get_json()  # the full state carries the same part, and the figures
    assert {k: state[k] for k in lines} == lines and state["figures"]["served"] == 0


def test_every_screen_of_the_office_gets_the_lines_worked_out_once_per_fact(app, client, world):
    issue(client, world)
    one, two, three = _clerk(app, "clerk1"), _clerk(app, "clerk2"), _clerk(app, "clerk3")
    reads = _TicketReads(app.extensions["ptsp.engine"])
    try:
        first = one.get("/counter/lines").get_json()
        assert reads.take() > 0  # the first screen after a fact works the lines out
        assert two.get("/counter/lines").get_json() == first and three.get("/counter/lines").get_json() == first
        assert reads.take() == 0  # the others get the same answer, no ticket read
        fresh = issue(client, world)  # a fact: the very next request sees it
        reads.take()
        line = two.get("/counter/lines").get_json()["waiting"][str(world.services["A"])]
        assert [t["id"] for t in line][-1] == fresh["id"] and reads.take() > 0
        called = one.post(f"/api/v1/counters/{world.counters[1]}/open")
        assert called.status_code == 200
        ticket = one.post(f"/api/v1/counters/{world.counters[1]}/call-next").get_json()["ticket"]
        after = three.get("/counter/lines").get_json()["waiting"][str(world.services["A"])]
        assert ticket["id"] not in [t["id"] for t in after] and [t["id"] for t in after] == [fresh["id"]]
    finally:
        reads.close()


def test_the_lines_are_worked_out_again_each_minute_and_after_a_change_of_the_set_up(app, client, world, clock):
    issue(client, world)
    clerk = _clerk(app, "clerk1")
    reads = _TicketReads(app.extensions["ptsp.engine"])
    try:
        clerk.get("/counter/lines")
        reads.take()
        clerk.get("/counter/lines")
        assert reads.take() == 0
        clock.advance(minutes=1)  # the order and the appointments' times move with the clock, facts or not
        clerk.get("/counter/lines")
        assert reads.take() > 0
        with app.extensions["ptsp.sessions"]() as session:  # an administrator's change, told by no ticket fact
            session.scalar(select(Office).where(Office.id == world.office)).late_reinsert_places = 5
            session.commit()
        assert clerk.get("/counter/lines").get_json()["reinsert_places"] == 5
    finally:
        reads.close()


def test_the_lines_need_a_login_and_are_only_ever_the_clerks_own_office(app, client, world):
    assert client.get("/counter/lines").status_code == 401
    assert client.get("/counter/lines").get_json()["error"] == "unauthorized"
    ours = issue(client, world)
    mine = _clerk(app, "clerk1").get("/counter/lines").get_json()
    assert ours["id"] in [t["id"] for t in mine["waiting"][str(world.services["A"])]]
    neighbour = _clerk(app, "other").get("/counter/lines").get_json()  # asked right after, at our office's seq
    assert neighbour["waiting"] == {str(world.other_service): []}
    theirs = client.post("/api/v1/tickets", headers=bearer(world.other_kiosk), json={
        "office": world.other_office, "service": world.other_service}).get_json()
    assert theirs["id"] not in [t["id"] for line in _clerk(app, "clerk1").get("/counter/lines").get_json()["waiting"]
                                .values() for t in line]


def test_an_account_of_no_office_gets_a_clear_refusal_not_a_crash(app, client, world):
    from ptsp.services.accounts import add_staff

    with app.extensions["ptsp.sessions"]() as session:
        add_staff(session, username="cityadmin", name="Admin Kota", password="password-x", role="admin", office=None)
        session.commit()
    admin = app.test_client()
    login(admin, "cityadmin", "password-x")
    for path in ("/counter/lines", "/counter/state"):
        answer = admin.get(path)
        body = answer.get_json()
        assert answer.status_code == 403 and body["error"] == "forbidden", (path, body)
        assert body["message"] == "Layar loket hanya untuk akun sebuah kantor", body
