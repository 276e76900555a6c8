"""Cross-site requests and what pages may run, through Flask's test client (ptsp/cross_site.py,
ptsp/security_headers.py). The suite's `client` sends the session's CSRF token as a page does (PageClient in
tests/conftest.py); these tests use Flask's own client to show what happens without it."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.conftest import bearer, login, make_test_app, pair


@pytest.fixture
def bare(app) -> FlaskClient:
    """A client that sends no CSRF token unless told to: what a forged request looks like."""
    return FlaskClient(app, app.response_class, use_cookies=True)


def token_of(client: FlaskClient) -> str:
    return client.get("/api/v1/auth/csrf").get_json()["csrf_token"]


def test_login_without_a_csrf_token_is_refused_and_logs_nobody_in(bare, world):
    response = bare.post("/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "cross_site_refused"
    assert "Token keamanan" in response.get_json()["message"]
    assert bare.get("/api/v1/auth/me").status_code == 401


def test_a_logged_in_clerk_cannot_be_made_to_open_a_counter_without_the_token(bare, world):
    token = token_of(bare)
    assert bare.post("/api/v1/auth/login", headers={"X-CSRFToken": token},
                     json={"username": "clerk1", "password": "password-1"}).status_code == 200
    counter = world.counters[1]
    forged = bare.post(f"/api/v1/counters/{counter}/open")
    assert forged.status_code == 403 and forged.get_json()["error"] == "cross_site_refused"
    wrong = bare.post(f"/api/v1/counters/{counter}/open", headers={"X-CSRFToken": "not-the-token"})
    assert wrong.status_code == 403
    queue = bare.get(f"/api/v1/offices/{world.office}/queue").get_json()
    assert next(c for c in queue["counters"] if c["id"] == counter)["state"] == "closed"
    # The page's own request (its token, its origin) goes through.
    assert bare.post(f"/api/v1/counters/{counter}/open", headers={"X-CSRFToken": token_of(bare),
                     "Origin": "http://localhost"}).status_code == 200


def test_a_foreign_origin_is_refused_even_with_the_token(bare, world):
    token = token_of(bare)
    for header in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                   {"Referer": "http://evil.example/attack.html"}, {"Origin": "http://localhost:8080"}):
        response = bare.post("/api/v1/auth/login", headers={"X-CSRFToken": token, **header},
                             json={"username": "clerk1", "password": "password-1"})
        assert response.status_code == 403, header
        assert response.get_json()["error"] == "cross_site_refused"
    english = bare.post("/api/v1/auth/login?lang=en", headers={"X-CSRFToken": token, "Origin": "http://evil.example"},
                        json={"username": "clerk1", "password": "password-1"})
    assert english.get_json()["message"] == "Request from another site (http://evil.example) refused"
    assert bare.get("/api/v1/auth/me").status_code == 401


def test_a_device_token_needs_no_csrf_token(bare, world):
    response = bare.post("/api/v1/tickets", headers={**bearer(world.kiosk), "Origin": "http://evil.example"},
                         json={"office": world.office, "service": world.services["A"]})
    assert response.status_code == 201


def test_a_forged_form_gets_a_readable_page(bare, world):
    response = bare.post("/counter/login", data={"username": "clerk1", "password": "password-1"},
                         headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert "Permintaan ditolak" in response.get_data(as_text=True)
    assert bare.get("/counter/").status_code == 302  # still not logged in


def test_the_login_forms_carry_the_token_and_work(bare, world):
    page = bare.get("/counter/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = bare.post("/counter/login", data={"username": "clerk1", "password": "password-1",
                                                 "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/counter/")
    screen = bare.get("/counter/").get_data(as_text=True)
    assert '<meta name="csrf-token" content="' in screen


def test_public_url_is_the_only_origin_accepted(sqlite_url, clock):
    app = make_test_app(sqlite_url, clock, PUBLIC_URL="https://antrean.example.go.id/")
    try:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        token = token_of(client)
        body = {"username": "nobody", "password": "x"}
        own = client.post("/api/v1/auth/login", json=body,
                          headers={"X-CSRFToken": token, "Origin": "https://antrean.example.go.id"})
        assert own.status_code == 401  # past the cross-site check, refused for the credentials
        other = client.post("/api/v1/auth/login", json=body, headers={"X-CSRFToken": token, "Origin": "http://localhost"})
        assert other.status_code == 403
    finally:
        app.extensions["ptsp.engine"].dispose()


def test_the_suite_client_sends_the_token_itself(client, world):
    login(client, "clerk1")
    assert client.post(f"/api/v1/counters/{world.counters[1]}/open").status_code == 200


def page_urls(world) -> list[str]:
    # The stations as a paired browser sees them, and the refusal of an old `?token=` address.
    return ["/counter/login", "/manager/login", "/kiosk/", "/display/", "/kiosk/?token=wrong", "/kiosk/preview"]


def test_every_page_answers_with_the_security_headers(client, world):
    pair(client, world.kiosk, "kiosk")
    pair(client, world.display, "display")
    ticket = client.post("/api/v1/tickets", headers=bearer(world.kiosk),
                         json={"office": world.office, "service": world.services["A"]}).get_json()
    urls = [*page_urls(world), ticket["status_url"].split("localhost", 1)[1]]
    login(client, "sup")
    urls += ["/counter/", "/manager/", "/manager/dashboard"]
    for url in urls:
        response = client.get(url)
        assert response.mimetype == "text/html", url
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0], url
        assert "frame-ancestors 'none'" in csp and "media-src 'self'" in csp and "connect-src 'self'" in csp, url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer"), url  # pairing: none
        html = response.get_data(as_text=True)
        assert " onclick=" not in html and " onchange=" not in html and "javascript:" not in html, url
    answer = client.get(f"/api/v1/offices/{world.office}/queue")
    assert answer.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
