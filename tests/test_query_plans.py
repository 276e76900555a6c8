"""No hot request reads an office's history: every statement of the requests a busy day repeats (an issue, the
kiosk's state, a resident's status page, the office's queue, a counter's calls and state, a display catching up)
finds its rows through an index that leads to them, never by reading the tables that grow with every ticket.

The cost of a read through the whole tickets table grows with every day of service: with 100,000 tickets of
history an issue cost five times the CPU of one in a new office, and a served ticket more than twice
(docs/benchmarks.md, "An office with history"). Timings cannot guard this; SQLite's plans can, because
without ANALYZE statistics its planner chooses the same plan for the same schema whatever the rows.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, insert, select

from ptsp.models import Ticket
from tests.conftest import bearer, login, pair
from tests.test_realtime import issue

# The tables that grow with every ticket, call or stretch of a counter (alert subscriptions live only while their
# ticket is open, so an office's are few).
GROWING = ("tickets", "ticket_events", "points_ledger", "counter_sessions", "print_jobs", "processed_commands",
           "ratings")
# Partial indexes whose rows are bounded by the office's size, not its history: a full walk of one is cheap.
BOUNDED = ("ix_tickets_waiting", "ix_tickets_parked", "ix_tickets_phone_device", "ix_tickets_counter",
           "ix_counter_sessions_open")
_SCAN = re.compile(rf"^SCAN ({'|'.join(GROWING)})\b(?! USING (COVERING )?INDEX ({'|'.join(BOUNDED)})\b)")
# A search on the office alone walks every row the office ever had.
_OFFICE_ONLY = re.compile(rf"^SEARCH ({'|'.join(GROWING)}) USING (COVERING )?INDEX "
                          rf"(?!({'|'.join(BOUNDED)}) )\w+ \(office_id=\?\)$")


def walks_history(detail: str) -> bool:
    """Whether a line of SQLite's EXPLAIN QUERY PLAN reads a growing table in a way that grows with it."""
    return bool(_SCAN.match(detail) or _OFFICE_ONLY.match(detail))


def test_the_rule_flags_the_plans_it_is_for():
    assert walks_history("SCAN tickets")
    assert walks_history("SCAN counter_sessions USING INDEX ix_counter_sessions_current")
    assert walks_history("SEARCH tickets USING INDEX ix_tickets_queue (office_id=?)")
    assert not walks_history("SCAN counter_sessions USING INDEX ix_counter_sessions_open")
    assert not walks_history("SEARCH tickets USING INDEX ix_tickets_parked (office_id=?)")
    assert not walks_history("SEARCH tickets USING INDEX ix_tickets_counter (counter_id=?)")
    assert not walks_history("SEARCH tickets USING INDEX ix_tickets_queue (office_id=? AND status=?)")
    assert not walks_history("SCAN head0")


class _Recorder:
    """Every distinct read or write statement the engine runs, with its first parameters (all threads)."""

    def __init__(self, engine) -> None:
        self.engine, self.seen = engine, {}
        event.listen(engine, "before_cursor_execute", self._add)

    def _add(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH", "INSERT")):
            self.seen.setdefault(statement, parameters)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._add)


def _add_history(app, world, days: int = 3) -> None:
    """Finished tickets of earlier days, served at counter 1: rows the hot reads must not walk."""
    table = Ticket.__table__
    with app.extensions["ptsp.engine"].begin() as conn:
        first = dict(conn.execute(select(table).order_by(table.c.id).limit(1)).mappings().one())
        first.pop("id")
        rows = [{**first, "service_day": first["service_day"] - timedelta(days=day), "number": n,
                 "status": "done", "counter_id": world.counters[1], "finished_at": first["issued_at"],
                 "started_at": first["issued_at"], "called_at": first["issued_at"], "public_token": f"h{day}-{n}"}
                for day in range(1, days + 1) for n in range(1, 6)]
        conn.execute(insert(table), rows)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_hot_request_reads_the_history_of_the_office(app, client, world):
    issue(client, world)
    _add_history(app, world)
    recorder = _Recorder(app.extensions["ptsp.engine"])
    try:
        kiosk, display, clerk = app.test_client(), app.test_client(), client
        pair(kiosk, world.kiosk, "kiosk")
        pair(display, world.display, "display")
        tickets = [issue(client, world) for _ in range(3)]
        assert kiosk.get("/kiosk/state").status_code == 200
        assert kiosk.post("/kiosk/issue", json={"office": world.office, "service": world.services["A"]}
                          ).status_code == 201
        token = tickets[-1]["status_url"].rsplit("/", 1)[1]
        assert client.get(f"/api/v1/status/{token}").status_code == 200
        assert client.get(f"/t/{token}/state").status_code == 200
        assert client.get(f"/api/v1/offices/{world.office}/queue", headers=bearer(world.kiosk)).status_code == 200
        assert display.get(f"/api/v1/offices/{world.office}/queue").status_code == 200
        login(clerk, "clerk1")
        counter = world.counters[1]
        assert clerk.post(f"/api/v1/counters/{counter}/open").status_code == 200
        called = clerk.post(f"/api/v1/counters/{counter}/call-next").get_json()["ticket"]
        assert clerk.post(f"/api/v1/counters/{counter}/recall").status_code == 200
        assert clerk.post(f"/api/v1/tickets/{called['id']}/start").status_code == 200
        reply = clerk.post(f"/api/v1/counters/{counter}/complete-and-call-next", json={"ticket": called["id"]})
        assert reply.status_code == 200, reply.get_json()
        called = reply.get_json()["ticket"]
        assert clerk.post(f"/api/v1/tickets/{called['id']}/start").status_code == 200
        assert clerk.post(f"/api/v1/tickets/{called['id']}/complete", json={"outcome": "selesai"}).status_code == 200
        assert clerk.get("/counter/state").status_code == 200
        assert clerk.post(f"/api/v1/counters/{counter}/break", json={"reason": "istirahat"}).status_code == 200
        assert clerk.post(f"/api/v1/counters/{counter}/open").status_code == 200
    finally:
        recorder.close()
    assert len(recorder.seen) > 30  # the requests above ran: a guard against recording nothing
    _assert_no_walk(app, recorder)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_round_of_the_minute_reads_the_history_of_the_office(app, client, world):
    """The rounds every process runs once a minute while the office is open run on the same loop as the calls:
    one that reads the office's history holds every display's next call for as long."""
    from ptsp import alert_runner, discipline_watch, discipline_webhook, park_watch, printing_runner, socket_sweep

    first = issue(client, world)
    _add_history(app, world)
    login(client, "clerk1")
    assert client.post(f"/api/v1/counters/{world.counters[1]}/open").status_code == 200
    assert client.post(f"/api/v1/counters/{world.counters[1]}/call-next").get_json()["ticket"]["id"] == first["id"]
    recorder = _Recorder(app.extensions["ptsp.engine"])
    try:
        with app.app_context():
            for round_ in (discipline_watch.scan_open_offices, park_watch.lapse_round, alert_runner.forget_round,
                           alert_runner.booking_round, discipline_webhook.deliver_round, printing_runner.retry_jobs,
                           socket_sweep.sweep):
                round_()
    finally:
        recorder.close()
    assert len(recorder.seen) > 10
    _assert_no_walk(app, recorder)


def _assert_no_walk(app, recorder: _Recorder) -> None:
    walking = {}
    with app.extensions["ptsp.engine"].connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters in recorder.seen.items():
            plan = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()]
            bad = [detail for detail in plan if walks_history(detail)]
            if bad:
                walking[" ".join(statement.split())] = bad
    assert not walking, "\n\n".join(f"{plan}: {statement}" for statement, plan in walking.items())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_call_nexts_heads_are_read_from_the_waiting_index_alone(app, client, world):
    """Each head of call-next's one statement is found in `ix_tickets_waiting` without reading the tickets' rows
    (migration 0029: with 600 waiting, reading each candidate's row cost half the statement)."""
    from datetime import datetime

    from ptsp.services.next_in_line import _all_heads

    issue(client, world)
    statement = _all_heads()
    with app.extensions["ptsp.engine"].connect() as conn:
        compiled = statement.compile(dialect=conn.dialect)
        params = compiled.construct_params({"office_id": world.office, "day": datetime.now().date(),
                                            "now": datetime.now(), "counter_id": world.counters[1]})
        raw = conn.connection.driver_connection
        plan = [row[3] for row in raw.execute(f"EXPLAIN QUERY PLAN {compiled}",
                                               [params[name] for name in compiled.positiontup]).fetchall()]
    reads = [detail for detail in plan if detail.startswith(("SEARCH tickets", "SCAN tickets"))]
    waiting = [detail for detail in reads if "ix_tickets_waiting" in detail]
    assert len(waiting) == 6, plan  # four heads of the lines, the returned parked one and the urgent one
    assert all(detail.startswith("SEARCH tickets USING COVERING INDEX ix_tickets_waiting") for detail in waiting), plan
