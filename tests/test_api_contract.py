"""The API keeps its published contract: schemathesis against a live `ptsp run`, as a kiosk and as staff.

For every operation of /api/v1/openapi.json (read from the live server), a bounded, derandomized run of
generated requests (valid ones, invalid ones, and valid ones aimed at the real office, counters and tickets)
must give no server error, only documented status codes, the documented content type and bodies that fit the
documented schema (every error is `{error, message}`).

One pass calls with the kiosk's bearer token, one with a logged-in manager's session cookie. The passes share
the server's data, so an operation that would end the pass's own credentials (logout; revoking, deactivating,
changing a password) runs last in its pass; nothing is left out.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis  # noqa: E402  (in the test extra: a missing one is an error, not a skip)
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import PageSession  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
# Per operation and pass: ~40 operations x 3 passes stay well under a minute on 2 cores. PTSP_CONTRACT_EXAMPLES
# runs a longer hunt by hand, PTSP_CONTRACT_SEED another (still reproducible) series of examples.
MAX_EXAMPLES = int(os.environ.get("PTSP_CONTRACT_EXAMPLES", "15"))
SEED = os.environ.get("PTSP_CONTRACT_SEED")
# Operations that end the pass's own credentials; they run after every other operation of the pass.
ENDS_CREDENTIALS = re.compile(r"/auth/logout$|revoke|deactivate|password")


@dataclass
class Caller:
    """What every request of a pass carries: exactly these credentials, no generated ones."""

    name: str
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def kiosk_caller(server: Any) -> Caller:
    return Caller("kiosk", headers={"Authorization": f"Bearer {server.kiosk}"})


def staff_caller(server: Any, username: str, password: str) -> Caller:
    browser = PageSession()  # logs in with the page's CSRF token
    response = browser.post(f"{server.base}/api/v1/auth/login", json={"username": username, "password": password},
                            timeout=10)
    assert response.status_code == 200, response.text
    caller = Caller(username, cookies={"session": browser.cookies["session"]})
    # Cookie-authenticated changes carry the session's CSRF token, as a page's requests do.
    caller.headers["X-CSRFToken"] = browser.get(f"{server.base}/api/v1/auth/csrf", timeout=10).json()["csrf_token"]
    return caller


def authorize(case: Any, caller: Caller) -> None:
    """Replace whatever credentials schemathesis made up for the security schemes with the caller's own."""
    for name in [n for n in case.headers if n.lower() == "authorization"]:
        del case.headers[name]
    case.headers.update(caller.headers)
    case.cookies = {k: v for k, v in (case.cookies or {}).items() if k != "session"} | caller.cookies


def known_ids(server: Any) -> dict[str, int]:
    """Ids of real objects on the server, so part of the examples reach past the 404s."""
    office = server.kiosk_get("/offices")[0]["id"]
    snapshot = server.kiosk_get(f"/offices/{office}/queue")
    tickets = [server.issue(prefix)["id"] for prefix in ("A", "A", "B", "C")]
    return {"office_id": office, "counter_id": snapshot["counters"][0]["id"], "ticket_id": tickets[0],
            "referral_id": 1, "complaint_id": 1}


def strategy_for(operation: Any, ids: dict[str, int]) -> Any:
    """Valid and invalid requests, and valid ones naming real objects."""
    names = {p.name for p in operation.path_parameters}
    choices = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    if names & ids.keys():
        choices.append(operation.as_strategy(path_parameters={n: ids[n] for n in names & ids.keys()}))
    return st.one_of(choices)


def exercise(operation: Any, caller: Caller, transport: requests.Session, ids: dict[str, int]) -> None:
    @settings(max_examples=MAX_EXAMPLES, derandomize=SEED is None, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy_for(operation, ids))
    def run(case: Any) -> None:
        authorize(case, caller)
        case.call_and_validate(session=transport, checks=CHECKS, timeout=15)

    (seed(int(SEED))(run) if SEED is not None else run)()


def run_pass(schema: Any, caller: Caller, ids: dict[str, int]) -> list[str]:
    """Exercise every operation as `caller`; return one line per operation that broke the contract."""
    transport = requests.Session()
    transport.cookies.set_policy(http_cookie_policy())  # the caller's cookies only, never ones a response sets
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: (bool(ENDS_CREDENTIALS.search(op.path)), op.path, op.method))
    failures = []
    for operation in operations:
        try:
            exercise(operation, caller, transport, ids)
        except (FailureGroup, Exception) as exc:  # keep going: report every operation that fails
            failures.append(f"[{caller.name}] {operation.method.upper()} {operation.path}: {exc}")
    return failures


def http_cookie_policy() -> http.cookiejar.CookiePolicy:
    return http.cookiejar.DefaultCookiePolicy(allowed_domains=[])


def test_the_live_api_keeps_its_documented_contract(server):
    ids = known_ids(server)
    callers = [Caller("anonymous"), kiosk_caller(server), staff_caller(server, "manager", "password-m")]
    schema = schemathesis.openapi.from_url(f"{server.base}/api/v1/openapi.json", timeout=10)
    schema.config.base_url = server.base
    failures = [line for caller in callers for line in run_pass(schema, caller, ids)]
    assert not failures, "\n\n".join(failures)
    assert "Traceback" not in server.log()


# The quick part of the contract (no server, a second or two): every documented operation, called by each kind
# of caller with readable, unreadable and wrongly typed bodies, answers only documented statuses, and every
# refusal is `{error, message}`. It covers routes added later without waiting for the live run.
BODIES = [("application/json", b"{}"), ("application/json", b"{"), ("application/json", b"[]"),
          ("text/plain", b"x")]


# Query values that look numeric to str.isdigit() but not to int() (a superscript one was a 500), or are long.
ODD_QUERY_VALUES = ["\u00b9", "1" * 40, "-1"]


def variants(method: str, entry: dict) -> list[tuple[str | None, bytes | None, dict | None]]:
    """Bodies for a change; for a read, no parameters and then every query parameter set to each odd value."""
    if method != "get":
        return [(content_type, body, None) for content_type, body in BODIES]
    names = [p["name"] for p in entry["parameters"] if p["in"] == "query"]
    return [(None, None, None)] + [(None, None, dict.fromkeys(names, value)) for value in ODD_QUERY_VALUES if names]


def test_every_operation_answers_only_documented_statuses_in_process(app, world):
    from tests.conftest import login

    anonymous, clerk, manager = app.test_client(), app.test_client(), app.test_client()
    login(clerk, "clerk1")
    login(manager, "manager")
    callers = [("anonymous", anonymous, {}), ("kiosk", anonymous, {"Authorization": f"Bearer {world.kiosk}"}),
               ("display", anonymous, {"Authorization": f"Bearer {world.display}"}),
               ("unknown token", anonymous, {"Authorization": "Bearer nope"}),
               ("not bearer", anonymous, {"Authorization": "Basic eDp5"}), ("clerk", clerk, {}),
               ("manager", manager, {})]
    document = anonymous.get("/api/v1/openapi.json").get_json()
    operations = sorted(((p, m, e) for p, ops in document["paths"].items() for m, e in ops.items()),
                        key=lambda op: (bool(ENDS_CREDENTIALS.search(op[0])), op[0], op[1]))
    wrong = []
    for path, method, entry in operations:
        for ids in (world.office, 2**31 - 1):
            url = re.sub(r"\{[^}]+\}", str(ids), path)
            for name, client, headers in callers:
                for content_type, body, query in variants(method, entry):
                    response = client.open(url, method=method.upper(), headers=headers, data=body,
                                           content_type=content_type, query_string=query)
                    code = response.status_code
                    if str(code) not in entry["responses"] or (
                            code >= 400 and set(response.get_json() or {}) != {"error", "message"}):
                        wrong.append(f"{name}: {method.upper()} {url} {query} {body!r} -> {code} "
                                     f"{response.data[:200]!r}")
    assert not wrong, "\n".join(wrong)
