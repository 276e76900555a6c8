"""Bad input gets 4xx JSON `{error, message}` with nothing changed, on each database.

Every refusal below is checked three ways: the status, a body that is exactly
`{error, message}` (two non-empty strings), and a database left exactly as it
was: every row of the tables a command can touch is read before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from ptsp.domain.hours import service_day
from ptsp.extensions import socketio
from ptsp.models import Base, Service, TicketNumber
from tests.conftest import World, bearer, load_world, login, make_test_app

WATCHED_TABLES = ("tickets", "ticket_events", "counter_sessions", "ticket_numbers", "office_sequences")
TOO_BIG_ID = 10**20  # beyond any 64-bit integer column

# --- helpers -------------------------------------------------------------------------------------------------


def db_state(app) -> dict[str, list[tuple]]:
    """Return every row of the watched tables, in primary-key order (so counts and contents both compare)."""
    session = app.extensions["ptsp.sessions"]()
    try:
        state = {}
        for name in WATCHED_TABLES:
            table = Base.metadata.tables[name]
            rows = session.execute(select(table).order_by(*table.primary_key.columns))
            state[name] = [tuple(row) for row in rows]
        return state
    finally:
        session.close()


def row_counts(state: dict[str, list[tuple]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in state.items()}


def assert_error_body(response, status: int, error: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body, dict) and set(body) == {"error", "message"}, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    if error is not None:
        assert body["error"] == error, body
    return body


def refused(app, status: int, error: str, send: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, str]:
    """Call `send(*args, **kwargs)`, which must be refused; check the answer and that no watched row changed."""
    before = db_state(app)
    body = assert_error_body(send(*args, **kwargs), status, error)
    after = db_state(app)
    assert row_counts(after) == row_counts(before)
    assert after == before
    return body


def issue(client, world: World, prefix: str = "A", **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services[prefix],
                                                    **extra}, headers=bearer(world.kiosk))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def counter_url(world: World, verb: str, number: int = 1) -> str:
    return f"/api/v1/counters/{world.counters[number]}/{verb}"


def ticket_url(ticket_id: int, verb: str) -> str:
    return f"/api/v1/tickets/{ticket_id}/{verb}"


@pytest.fixture
def busy(client, world: World) -> dict[str, dict[str, Any]]:
    """Two waiting tickets, so numbering and sequence rows exist and any increment would show."""
    return {"a": issue(client, world, "A"), "c": issue(client, world, "C")}


@pytest.fixture
def clerk1(client, busy):
    login(client, "clerk1")
    return client


@pytest.fixture
def called(clerk1, world: World, busy) -> dict[str, Any]:
    """Counter 1 open by clerk1 with ticket A-001 called."""
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    response = clerk1.post(counter_url(world, "call-next"))
    assert response.status_code == 200
    ticket = response.get_json()["ticket"]
    assert ticket["id"] == busy["a"]["id"]
    return ticket


# --- issuing a ticket ----------------------------------------------------------------------------------------


def _body(world: World, **fields: Any) -> dict[str, Any]:
    return {"office": world.office, "service": world.services["A"], **fields}


ISSUE_BODY_CASES = {
    "an unknown service": (lambda w: _body(w, service=9999), 422, "invalid_input"),
    "a service of another office": (lambda w: _body(w, service=w.other_service), 422, "invalid_input"),
    "an office that does not exist": (lambda w: _body(w, office=9999), 404, "not_found"),
    "another office than the kiosk's own": (
        lambda w: {"office": w.other_office, "service": w.other_service}, 403, "forbidden"),
    "an office id as a string": (lambda w: _body(w, office=str(w.office)), 422, "invalid_input"),
    "an office id as true": (lambda w: _body(w, office=True), 422, "invalid_input"),
    "an office id as a float": (lambda w: _body(w, office=1.5), 422, "invalid_input"),
    "a negative office id": (lambda w: _body(w, office=-1), 422, "invalid_input"),
    "a zero service id": (lambda w: _body(w, service=0), 422, "invalid_input"),
    "a null service id": (lambda w: _body(w, service=None), 422, "invalid_input"),
    "a service id as a string": (lambda w: _body(w, service=str(w.services["A"])), 422, "invalid_input"),
    "an unknown priority": (lambda w: _body(w, priority="vip"), 422, "invalid_input"),
    "a priority as a number": (lambda w: _body(w, priority=1), 422, "invalid_input"),
    "a missing service": (lambda w: {"office": w.office}, 422, "invalid_input"),
    "an empty object": (lambda w: {}, 422, "invalid_input"),
    "an unknown extra field": (lambda w: _body(w, note="tolong cepat"), 422, "invalid_input"),
    "a JSON array": (lambda w: [_body(w)], 422, "invalid_input"),
    "a JSON string": (lambda w: "A", 422, "invalid_input"),
    "a JSON number": (lambda w: 1, 422, "invalid_input"),
}


def test_kiosk_issuing_with_a_bad_body_is_refused_and_changes_nothing(app, client, world, busy, subtests):
    for case, (make_body, status, error) in ISSUE_BODY_CASES.items():
        with subtests.test(case):
            body = make_body(world)
            refused(app, status, error, client.post, "/api/v1/tickets", json=body, headers=bearer(world.kiosk))


RAW_ISSUE_CASES = {
    "malformed JSON": ('{"office": 1, "service":', "application/json", 400, "malformed_json"),
    "JSON with a trailing comma": ('{"office": 1,}', "application/json", 400, "malformed_json"),
    "bytes that are not UTF-8": (b"\xff\xfe\x00", "application/json", 400, "malformed_json"),
    "deeply nested JSON": ("[" * 5000 + "]" * 5000, "application/json", 400, "malformed_json"),
    "a plain-text content type": ('{"office": 1, "service": 1}', "text/plain", 400, "malformed_json"),
    "a form-encoded body": ("office=1&service=1", "application/x-www-form-urlencoded", 400, "malformed_json"),
}


def test_issuing_with_a_body_that_is_not_json_is_a_400(app, client, world, busy, subtests):
    for case, (data, content_type, status, error) in RAW_ISSUE_CASES.items():
        with subtests.test(case):
            refused(app, status, error, client.post, "/api/v1/tickets", data=data, content_type=content_type,
                    headers=bearer(world.kiosk))


def test_a_body_over_64_kib_is_refused_with_413_json(app, client, world, busy):
    body = json.dumps({**_body(world), "padding": "x" * (64 * 1024)})
    assert len(body) > app.config["MAX_CONTENT_LENGTH"] == 64 * 1024
    refused(app, 413, "payload_too_large", client.post, "/api/v1/tickets", data=body,
            content_type="application/json", headers=bearer(world.kiosk))


AUTH_CASES = {
    "no credentials": (lambda w: {}, 401, "unauthorized"),
    "an unknown bearer token": (lambda w: bearer("not-a-real-token"), 401, "unauthorized"),
    "an empty bearer token": (lambda w: {"Authorization": "Bearer "}, 401, "unauthorized"),
    "a non-bearer scheme": (lambda w: {"Authorization": f"Basic {w.kiosk}"}, 401, "unauthorized"),
    "a display token": (lambda w: bearer(w.display), 403, "forbidden"),
    "another office's kiosk token": (lambda w: bearer(w.other_kiosk), 403, "forbidden"),
}


def test_issuing_without_a_kiosk_token_of_the_office_is_refused(app, client, world, busy, subtests):
    for case, (make_headers, status, error) in AUTH_CASES.items():
        with subtests.test(case):
            refused(app, status, error, client.post, "/api/v1/tickets", json=_body(world),
                    headers=make_headers(world))


def test_a_clerk_of_another_office_cannot_issue_for_this_office(app, client, world, busy):
    login(client, "other")
    refused(app, 403, "forbidden", client.post, "/api/v1/tickets", json=_body(world))


def test_the_daily_quota_refuses_without_using_up_a_number(app, client, world, clock):
    for expected in range(1, 6):
        assert issue(client, world, "B")["number"] == expected
    refused(app, 409, "quota_reached", client.post, "/api/v1/tickets",
            json=_body(world, service=world.services["B"]), headers=bearer(world.kiosk))

    session = app.extensions["ptsp.sessions"]()
    try:
        row = session.get(TicketNumber, (world.office, world.services["B"], service_day(clock(), "Asia/Jakarta")))
        assert row.last_number == 5
        session.get(Service, world.services["B"]).daily_quota = 6
        session.commit()
    finally:
        session.close()
    assert issue(client, world, "B")["code"] == "B-006"


CLOSED_TIMES = {
    "07:00 WIB Monday, before opening": datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
    "15:45 WIB Monday, after the last-ticket cutoff": datetime(2026, 11, 23, 8, 45, tzinfo=UTC),
    "16:30 WIB Monday, after closing": datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    "10:00 WIB Sunday, closed all day": datetime(2026, 11, 29, 3, 0, tzinfo=UTC),
}


def test_issuing_outside_office_hours_is_a_409(app, client, world, busy, clock, subtests):
    for case, when in CLOSED_TIMES.items():
        with subtests.test(case):
            clock.now = when
            refused(app, 409, "office_closed", client.post, "/api/v1/tickets", json=_body(world),
                    headers=bearer(world.kiosk))


@pytest.fixture
def limited_app(db_url, clock):
    app = make_test_app(db_url, clock, RATELIMIT_ISSUE="3 per minute")
    yield app
    app.extensions["ptsp.engine"].dispose()


def test_a_kiosk_over_its_rate_limit_gets_429_json_and_no_ticket(limited_app, clock):
    world = load_world(limited_app, clock)
    client = limited_app.test_client()
    for _ in range(3):
        issue(client, world)
    refused(limited_app, 429, "too_many_requests", client.post, "/api/v1/tickets", json=_body(world),
            headers=bearer(world.kiosk))


def test_an_office_id_too_big_for_any_integer_column_is_refused_not_a_500(app, client, world, busy):
    body = _body(world, office=TOO_BIG_ID)
    before = db_state(app)
    response = client.post("/api/v1/tickets", json=body, headers=bearer(world.kiosk))
    assert response.status_code in {404, 422}, response.get_data(as_text=True)
    assert_error_body(response, response.status_code)
    assert db_state(app) == before


# --- counters and tickets: illegal transitions ----------------------------------------------------------------


def test_completing_a_waiting_ticket_is_a_409(app, clerk1, world, busy):
    clerk1.post(counter_url(world, "open"))
    refused(app, 409, "invalid_transition", clerk1.post, ticket_url(busy["c"]["id"], "complete"),
            json={"outcome": "selesai"})


def test_starting_a_done_ticket_is_a_409(app, clerk1, world, called):
    assert clerk1.post(ticket_url(called["id"], "start")).status_code == 200
    assert clerk1.post(ticket_url(called["id"], "complete"), json={}).status_code == 200
    refused(app, 409, "invalid_transition", clerk1.post, ticket_url(called["id"], "start"))
    refused(app, 409, "invalid_transition", clerk1.post, ticket_url(called["id"], "complete"))
    refused(app, 409, "invalid_transition", clerk1.post, ticket_url(called["id"], "no-show"))


def test_calling_next_while_a_ticket_is_already_called_is_a_409(app, clerk1, world, called):
    refused(app, 409, "counter_busy", clerk1.post, counter_url(world, "call-next"))


def test_recalling_with_nothing_called_is_a_409(app, clerk1, world, busy):
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    refused(app, 409, "invalid_transition", clerk1.post, counter_url(world, "recall"))


def test_recalling_a_ticket_already_being_served_is_a_409(app, clerk1, world, called):
    assert clerk1.post(ticket_url(called["id"], "start")).status_code == 200
    refused(app, 409, "invalid_transition", clerk1.post, counter_url(world, "recall"))


def test_cancelling_a_called_ticket_is_a_409(app, clerk1, world, called):
    refused(app, 409, "invalid_transition", clerk1.post, ticket_url(called["id"], "cancel"))


def test_a_resident_cancelling_a_called_ticket_with_its_token_is_a_409(app, client, world, busy):
    token = busy["a"]["status_url"].rsplit("/", 1)[1]
    login(client, "clerk1")
    client.post(counter_url(world, "open"))
    client.post(counter_url(world, "call-next"))
    client.post("/api/v1/auth/logout")
    refused(app, 409, "invalid_transition", client.post, ticket_url(busy["a"]["id"], "cancel"), json={"token": token})


def test_a_resident_cancelling_with_a_wrong_or_missing_token_is_a_403(app, client, world, busy):
    refused(app, 403, "forbidden", client.post, ticket_url(busy["a"]["id"], "cancel"), json={"token": "guess"})
    # Found by the schemathesis run: a token with non-ASCII characters was a 500 (compare_digest refuses such str).
    refused(app, 403, "forbidden", client.post, ticket_url(busy["a"]["id"], "cancel"), json={"token": "tiket-ñ"})
    refused(app, 403, "forbidden", client.post, ticket_url(busy["a"]["id"], "cancel"))
    refused(app, 422, "invalid_input", client.post, ticket_url(busy["a"]["id"], "cancel"), json={"token": 7})


def test_calling_a_ticket_that_is_not_waiting_is_a_409(app, clerk1, world, called):
    assert clerk1.post(ticket_url(called["id"], "start")).status_code == 200
    assert clerk1.post(ticket_url(called["id"], "complete")).status_code == 200
    refused(app, 409, "invalid_transition", clerk1.post, counter_url(world, "call"),
            json={"ticket": called["id"], "reason": "lagi"})


# --- counters: who may act -------------------------------------------------------------------------------------


def test_counter_commands_on_a_counter_nobody_opened_are_a_409(app, clerk1, world, busy, subtests):
    for verb, body in (("call-next", None), ("recall", None), ("break", {"reason": "salat"}),
                       ("call", {"ticket": busy["a"]["id"], "reason": "lansia"})):
        with subtests.test(verb):
            refused(app, 409, "counter_not_open", clerk1.post, counter_url(world, verb), json=body)


def test_calling_on_a_counter_on_break_is_a_409(app, clerk1, world, busy):
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    assert clerk1.post(counter_url(world, "break"), json={"reason": "salat"}).status_code == 200
    refused(app, 409, "counter_not_open", clerk1.post, counter_url(world, "call-next"))


def test_taking_a_break_with_a_ticket_called_is_a_409(app, clerk1, world, called):
    refused(app, 409, "invalid_transition", clerk1.post, counter_url(world, "break"), json={"reason": "makan"})
    refused(app, 409, "invalid_transition", clerk1.post, counter_url(world, "close"))


ATTENDING_CLERK_ONLY = {
    "call-next": lambda c, w, t: c.post(counter_url(w, "call-next")),
    "recall": lambda c, w, t: c.post(counter_url(w, "recall")),
    "call a ticket": lambda c, w, t: c.post(counter_url(w, "call"), json={"ticket": t["id"], "reason": "x"}),
    "break": lambda c, w, t: c.post(counter_url(w, "break"), json={"reason": "makan"}),
    "close": lambda c, w, t: c.post(counter_url(w, "close")),
    "start": lambda c, w, t: c.post(ticket_url(t["id"], "start")),
    "complete": lambda c, w, t: c.post(ticket_url(t["id"], "complete")),
    "no-show": lambda c, w, t: c.post(ticket_url(t["id"], "no-show")),
    "transfer": lambda c, w, t: c.post(ticket_url(t["id"], "transfer"),
                                       json={"service": w.services["C"], "reason": "salah"}),
}


def test_another_clerk_cannot_act_on_a_counter_they_did_not_open(app, client, world, called, subtests):
    client.post("/api/v1/auth/logout")
    login(client, "clerk2")
    for case, action in ATTENDING_CLERK_ONLY.items():
        with subtests.test(case):
            refused(app, 403, "forbidden", action, client, world, called)


def test_opening_a_counter_already_open_by_another_clerk_is_a_409(app, client, world, called):
    client.post("/api/v1/auth/logout")
    login(client, "clerk2")
    refused(app, 409, "counter_busy", client.post, counter_url(world, "open"))


def test_a_clerk_cannot_open_a_second_counter(app, clerk1, world, called):
    refused(app, 409, "counter_busy", clerk1.post, counter_url(world, "open", 2))


OTHER_OFFICE_CLERK = {
    "open a counter in use": lambda c, w, t: c.post(counter_url(w, "open")),
    "open an idle counter": lambda c, w, t: c.post(counter_url(w, "open", 3)),
    "call-next": lambda c, w, t: c.post(counter_url(w, "call-next")),
    "close": lambda c, w, t: c.post(counter_url(w, "close")),
    "start": lambda c, w, t: c.post(ticket_url(t["id"], "start")),
    "cancel": lambda c, w, t: c.post(ticket_url(t["id"], "cancel")),
    "issue": lambda c, w, t: c.post("/api/v1/tickets", json=_body(w)),
    "read a ticket": lambda c, w, t: c.get(f"/api/v1/tickets/{t['id']}"),
    "read a counter": lambda c, w, t: c.get(f"/api/v1/counters/{w.counters[1]}"),
    "read the queue": lambda c, w, t: c.get(f"/api/v1/offices/{w.office}/queue"),
}


def test_a_clerk_of_another_office_is_forbidden_here(app, client, world, called, subtests):
    client.post("/api/v1/auth/logout")
    login(client, "other")
    for case, action in OTHER_OFFICE_CLERK.items():
        with subtests.test(case):
            refused(app, 403, "forbidden", action, client, world, called)


def test_counter_and_ticket_commands_need_a_logged_in_clerk(app, client, world, busy, subtests):
    for path in (counter_url(world, "open"), ticket_url(busy["a"]["id"], "start")):
        with subtests.test(path):
            refused(app, 401, "unauthorized", client.post, path)
            refused(app, 403, "forbidden", client.post, path, headers=bearer(world.kiosk))
            refused(app, 403, "forbidden", client.post, path, headers=bearer(world.display))
            refused(app, 401, "unauthorized", client.post, path, headers=bearer("nonsense"))


# --- transfers and out-of-order calls --------------------------------------------------------------------------


TRANSFER_CASES = {
    "to a service of another office": (lambda w: {"service": w.other_service, "reason": "salah loket"}),
    "to an unknown service": (lambda w: {"service": 9999, "reason": "salah loket"}),
    "to the same service": (lambda w: {"service": w.services["A"], "reason": "salah loket"}),
    "without a reason": (lambda w: {"service": w.services["C"]}),
    "with an empty reason": (lambda w: {"service": w.services["C"], "reason": ""}),
    "with a blank reason": (lambda w: {"service": w.services["C"], "reason": "   "}),
    "with a service id as a string": (lambda w: {"service": str(w.services["C"]), "reason": "x"}),
    "with an unknown extra field": (
        lambda w: {"service": w.services["C"], "reason": "x", "priority": "elderly"}),
}


def test_a_bad_transfer_is_a_422(app, clerk1, world, called, subtests):
    for case, make_body in TRANSFER_CASES.items():
        with subtests.test(case):
            body = make_body(world)
            refused(app, 422, "invalid_input", clerk1.post, ticket_url(called["id"], "transfer"), json=body)
    # The serving ticket can be transferred as well; the same checks apply.
    assert clerk1.post(ticket_url(called["id"], "start")).status_code == 200
    refused(app, 422, "invalid_input", clerk1.post, ticket_url(called["id"], "transfer"),
            json={"service": world.services["C"]})


CALL_BODIES = {
    "no reason": lambda t: {"ticket": t["id"]},
    "an empty reason": lambda t: {"ticket": t["id"], "reason": ""},
    "a blank reason": lambda t: {"ticket": t["id"], "reason": " \t "},
    "no ticket": lambda t: {"reason": "lansia"},
    "a ticket id as a string": lambda t: {"ticket": str(t["id"]), "reason": "lansia"},
}


def test_calling_a_specific_ticket_needs_a_reason_and_a_ticket(app, clerk1, world, busy, subtests):
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    for case, body in CALL_BODIES.items():
        with subtests.test(case):
            refused(app, 422, "invalid_input", clerk1.post, counter_url(world, "call"), json=body(busy["c"]))


def test_calling_a_ticket_of_a_service_the_counter_does_not_serve_is_a_422(app, clerk1, world, busy):
    b_ticket = issue(clerk1, world, "B")
    assert clerk1.post(counter_url(world, "open")).status_code == 200  # counter 1 serves A and C only
    refused(app, 422, "invalid_input", clerk1.post, counter_url(world, "call"),
            json={"ticket": b_ticket["id"], "reason": "x"})


# --- unknown things ---------------------------------------------------------------------------------------------


UNKNOWN_PATHS = {
    "/api/v1/counters/9999/open": None,
    "/api/v1/counters/9999/call-next": None,
    "/api/v1/counters/9999/call": {"ticket": "{ticket}", "reason": "lansia"},
    "/api/v1/tickets/9999/start": None,
    "/api/v1/tickets/9999/transfer": {"service": "{service}", "reason": "salah loket"},
    "/api/v1/tickets/9999/cancel": None,
    "/api/v1/counters/{counter}/dance": None,
    "/api/v1/tickets/{ticket}/teleport": None,
    "/api/v1/counters/abc/open": None,
    "/api/v1/nowhere": None,
}


def test_unknown_counters_tickets_and_verbs_are_404_json(app, clerk1, world, busy, subtests):
    ids = {"counter": world.counters[1], "ticket": busy["a"]["id"], "service": world.services["C"]}
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    for template, body in UNKNOWN_PATHS.items():
        path = template.format(**ids)
        if body is not None:
            body = {key: int(value.format(**ids)) if value.startswith("{") else value for key, value in body.items()}
        with subtests.test(path):
            refused(app, 404, "not_found", clerk1.post, path, json=body)


def test_reading_an_unknown_ticket_or_status_token_is_404_json(app, clerk1, busy):
    refused(app, 404, "not_found", clerk1.get, "/api/v1/tickets/9999")
    refused(app, 404, "not_found", clerk1.get, "/api/v1/status/no-such-token")
    refused(app, 404, "not_found", clerk1.get, "/api/v1/status/" + "x" * 500)


def test_a_wrong_method_is_405_json(app, client, busy):
    refused(app, 405, "method_not_allowed", client.get, "/api/v1/tickets")


BIG_ID_PATHS = [f"/api/v1/counters/{TOO_BIG_ID}/open", f"/api/v1/tickets/{TOO_BIG_ID}/start"]


@pytest.mark.parametrize("path", BIG_ID_PATHS, ids=["counter", "ticket"])
def test_an_id_in_the_path_too_big_for_any_integer_column_is_a_404(app, clerk1, busy, path):
    refused(app, 404, "not_found", clerk1.post, path)


# --- bodies of counter and ticket commands -----------------------------------------------------------------------


RAW_COMMAND_CASES = {
    "malformed JSON": ('{"reason": ', "application/json", 400, "malformed_json"),
    "a JSON array": ('[{"reason": "salat"}]', "application/json", 400, "malformed_json"),
    "a JSON string": ('"salat"', "application/json", 400, "malformed_json"),
    "JSON null": ("null", "application/json", 400, "malformed_json"),
    "bytes that are not UTF-8": (b"\xff\xfe", "application/json", 400, "malformed_json"),
    "a plain-text content type": ('{"reason": "salat"}', "text/plain", 400, "malformed_json"),
    "an unknown extra field": ('{"reason": "salat", "minutes": 15}', "application/json", 422, "invalid_input"),
    "a reason as a number": ('{"reason": 15}', "application/json", 422, "invalid_input"),
    "a missing reason": ("{}", "application/json", 422, "invalid_input"),
    "a blank reason": ('{"reason": "  "}', "application/json", 422, "invalid_input"),
    "a reason too long": (json.dumps({"reason": "x" * 201}), "application/json", 422, "invalid_input"),
}


def test_a_bad_body_for_a_counter_command_is_refused_and_changes_nothing(app, clerk1, world, busy, subtests):
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    for case, (data, content_type, status, error) in RAW_COMMAND_CASES.items():
        with subtests.test(case):
            refused(app, status, error, clerk1.post, counter_url(world, "break"), data=data,
                    content_type=content_type)


BAD_OUTCOMES = {
    "capitals and punctuation": {"outcome": "Selesai!"},
    "an empty outcome": {"outcome": ""},
    "an outcome too long": {"outcome": "x" * 33},
    "a null outcome": {"outcome": None},
    "an unknown extra field": {"outcome": "selesai", "rating": 5},
}


def test_completing_with_a_bad_outcome_is_a_422(app, clerk1, world, called, subtests):
    assert clerk1.post(ticket_url(called["id"], "start")).status_code == 200
    for case, body in BAD_OUTCOMES.items():
        with subtests.test(case):
            refused(app, 422, "invalid_input", clerk1.post, ticket_url(called["id"], "complete"), json=body)


def test_a_command_body_over_64_kib_is_413_json(app, clerk1, world, busy):
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    body = json.dumps({"reason": "x" * (64 * 1024)})
    refused(app, 413, "payload_too_large", clerk1.post, counter_url(world, "break"), data=body,
            content_type="application/json")


def test_deeply_nested_json_in_a_command_body_is_a_400(app, clerk1, world, busy):
    assert clerk1.post(counter_url(world, "open")).status_code == 200
    refused(app, 400, "malformed_json", clerk1.post, counter_url(world, "call-next"),
            data="[" * 5000 + "]" * 5000, content_type="application/json")


def test_a_login_with_a_bad_body_is_refused(app, client, busy):
    refused(app, 422, "invalid_input", client.post, "/api/v1/auth/login", json={"username": "clerk1"})
    refused(app, 422, "invalid_input", client.post, "/api/v1/auth/login", json={"username": "clerk1", "password": 1})
    refused(app, 400, "malformed_json", client.post, "/api/v1/auth/login", data="{", content_type="application/json")
    refused(app, 401, "unauthorized", client.post, "/api/v1/auth/login",
            json={"username": "clerk1", "password": "wrong"})


# --- the counter's socket ----------------------------------------------------------------------------------------


@pytest.fixture
def counter_socket(app, clerk1, world, busy):
    sock = socketio.test_client(app, flask_test_client=clerk1, auth={"office": world.office})
    assert sock.is_connected()
    assert [r["name"] for r in sock.get_received()] == ["snapshot"]
    yield sock
    if sock.is_connected():
        sock.disconnect()


SOCKET_CASES = {
    "no payload": (lambda w, t: None, "invalid_input"),
    "a string payload": (lambda w, t: "call_next", "invalid_input"),
    "a list payload": (lambda w, t: ["call_next", w.counters[1]], "invalid_input"),
    "no action": (lambda w, t: {"counter": w.counters[1]}, "invalid_input"),
    "an action that is not a string": (lambda w, t: {"action": 1, "counter": w.counters[1]}, "invalid_input"),
    "an unknown action": (lambda w, t: {"action": "dance", "counter": w.counters[1]}, "invalid_input"),
    "no counter": (lambda w, t: {"action": "call_next"}, "invalid_input"),
    "a counter id as a string": (
        lambda w, t: {"action": "call_next", "counter": str(w.counters[1])}, "invalid_input"),
    "a negative counter id": (lambda w, t: {"action": "open", "counter": -1}, "invalid_input"),
    "an unknown extra field": (lambda w, t: {"action": "open", "counter": w.counters[1], "x": 1}, "invalid_input"),
    "a transfer without a reason": (
        lambda w, t: {"action": "transfer", "ticket": t["a"]["id"], "service": w.services["C"]}, "invalid_input"),
    "an unknown counter": (lambda w, t: {"action": "open", "counter": 9999}, "not_found"),
    "another office's counter": (lambda w, t: {"action": "open", "counter": w.other_counter}, "forbidden"),
    "a counter that is not open": (
        lambda w, t: {"action": "call_next", "counter": w.counters[1]}, "counter_not_open"),
    "completing a waiting ticket": (
        lambda w, t: {"action": "complete", "ticket": t["a"]["id"]}, "invalid_transition"),
}


def test_a_bad_socket_command_is_acknowledged_with_an_error_and_changes_nothing(
    app, world, busy, counter_socket, subtests
):
    for case, (payload, error) in SOCKET_CASES.items():
        with subtests.test(case):
            before = db_state(app)
            ack = counter_socket.emit("command", payload(world, busy), callback=True)
            assert isinstance(ack, dict) and set(ack) == {"error", "message"}, ack
            assert ack["error"] == error and isinstance(ack["message"], str) and ack["message"]
            assert db_state(app) == before
            assert counter_socket.get_received() == []  # no fact went out


def test_a_socket_command_with_a_counter_id_too_big_for_the_database_is_acknowledged(app, counter_socket):
    before = db_state(app)
    ack = counter_socket.emit("command", {"action": "open", "counter": TOO_BIG_ID}, callback=True)
    assert isinstance(ack, dict) and set(ack) == {"error", "message"}, ack
    assert db_state(app) == before


def test_a_display_cannot_send_counter_commands_over_its_socket(app, world, busy):
    display = socketio.test_client(app, auth={"token": world.display})
    assert display.is_connected()
    display.get_received()
    before = db_state(app)
    ack = display.emit("command", {"action": "open", "counter": world.counters[1]}, callback=True)
    assert ack == {"error": "forbidden", "message": ack["message"]} and ack["message"]
    assert db_state(app) == before
