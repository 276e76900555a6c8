"""Behind nginx (PTSP_PROXY_HOPS=1) each resident's address counts, not the proxy's."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_app


@pytest.mark.parametrize("hops", [0, 1])
def test_login_limit_is_per_forwarded_address_only_behind_a_trusted_proxy(sqlite_url, clock, hops):
    app = make_test_app(sqlite_url, clock, PROXY_HOPS=hops, RATELIMIT_LOGIN="2 per minute")
    try:
        client = app.test_client()

        def attempt(address: str) -> int:
            return client.post("/api/v1/auth/login", json={"username": "nobody", "password": "wrong-pass"},
                               headers={"X-Forwarded-For": address}).status_code

        assert [attempt("10.0.0.1"), attempt("10.0.0.1"), attempt("10.0.0.1")] == [401, 401, 429]
        # Another resident's address: its own budget behind a trusted proxy; the proxy's shared one otherwise.
        assert attempt("10.0.0.2") == (401 if hops else 429)
    finally:
        app.extensions["ptsp.engine"].dispose()
