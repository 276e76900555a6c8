"""Login limits: one bucket per address across every login endpoint, one per account; unknown users cost
the same work as a wrong password."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import select

from ptsp.models import Staff
from ptsp.services import accounts
from tests.conftest import make_test_app

MANAGER_PAGE = "Terlalu banyak percobaan masuk"


def attempt(client, endpoint: str, username: str, address: str = "127.0.0.1"):
    """One wrong login through `endpoint` (api, counter or manager) from `address`."""
    environ = {"REMOTE_ADDR": address}
    if endpoint == "api":
        return client.post("/api/v1/auth/login", json={"username": username, "password": "wrong-pass"},
                           environ_base=environ)
    return client.post(f"/{endpoint}/login", data={"username": username, "password": "wrong-pass"},
                       environ_base=environ)


@pytest.fixture
def limited(db_url, clock):
    """An app with the default login limits (10 a minute per address and per account)."""
    app = make_test_app(db_url, clock)
    from tests.conftest import load_world

    load_world(app, clock)
    yield app
    app.extensions["ptsp.engine"].dispose()


def test_the_eleventh_attempt_across_mixed_endpoints_is_refused(limited):
    client = limited.test_client()
    endpoints = ["api", "counter", "manager"]
    # A different name each time: only the per-address bucket can stop them.
    statuses = [attempt(client, endpoints[i % 3], f"guess{i}").status_code for i in range(10)]
    assert statuses == [401] * 10
    api = attempt(client, "api", "guess10")
    assert api.status_code == 429 and set(api.get_json()) == {"error", "message"}
    assert api.get_json()["error"] == "too_many_requests"
    for endpoint in ("counter", "manager"):
        page = attempt(client, endpoint, "guess11")
        assert page.status_code == 429 and page.mimetype == "text/html"
        assert MANAGER_PAGE in page.get_data(as_text=True) and "<form" in page.get_data(as_text=True)
    # Another address is not held back by this one's guesses.
    assert attempt(client, "api", "clerk1", address="127.0.0.2").status_code == 401


def test_the_per_account_limit_holds_across_two_addresses(limited):
    client = limited.test_client()
    statuses = [attempt(client, ["api", "counter"][i % 2], "clerk1", address=f"127.0.0.{2 + i % 2}").status_code
                for i in range(10)]
    assert statuses == [401] * 10
    refused = attempt(client, "manager", "  CLERK1 ", address="127.0.0.9")  # case and spaces share the bucket
    assert refused.status_code == 429
    right_password = client.post("/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"},
                                 environ_base={"REMOTE_ADDR": "127.0.0.10"})
    assert right_password.status_code == 429
    # Other accounts log in as usual from those addresses.
    ok = client.post("/api/v1/auth/login", json={"username": "clerk2", "password": "password-2"},
                     environ_base={"REMOTE_ADDR": "127.0.0.3"})
    assert ok.status_code == 200


def test_an_unknown_username_is_checked_against_a_hash_of_the_real_method(limited, monkeypatch):
    checked: list[str] = []
    real_check = accounts.check_password_hash

    def spy(stored: str, password: str) -> bool:
        checked.append(stored.split(":", 1)[0])
        return real_check(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    with limited.extensions["ptsp.read_sessions"]() as session:
        assert accounts.authenticate(session, "clerk1", "wrong-pass") is None
        assert accounts.authenticate(session, "no-such-user", "wrong-pass") is None
    method = limited.config["PASSWORD_HASH_METHOD"].split(":", 1)[0]
    assert checked == [method, method]


def test_with_scrypt_an_unknown_user_takes_about_as_long_as_a_wrong_password(sqlite_url, clock):
    """The production hasher: the median of a few tries each, with a generous ratio."""
    app = make_test_app(sqlite_url, clock, PASSWORD_HASH_METHOD="scrypt")
    with app.extensions["ptsp.sessions"]() as session:
        accounts.add_staff(session, username="rina", name="Rina", password="rahasia-123", role="clerk", office=None)
        session.commit()
        assert session.scalar(select(Staff.password_hash)).startswith("scrypt:")

    def median(username: str) -> float:
        times = []
        for _ in range(3):
            with app.extensions["ptsp.read_sessions"]() as session:
                start = time.perf_counter()
                assert accounts.authenticate(session, username, "wrong-pass") is None
                times.append(time.perf_counter() - start)
        return statistics.median(times)

    with app.extensions["ptsp.read_sessions"]() as session:
        accounts.authenticate(session, "warm-up", "x")  # a process's first unknown login may make the dummy hash
    wrong, unknown = median("rina"), median("nobody")
    assert 0.5 < unknown / wrong < 2, (unknown, wrong)
    app.extensions["ptsp.engine"].dispose()
