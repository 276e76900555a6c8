"""Cross-site attacks on a real `ptsp run` in Chromium: a page on a second origin (a tiny http.server on
another port of 127.0.0.1, so the browser sends the clerk's cookies along: same site, other origin) tries to
change state with the clerk's session, to log the browser in, to open the clerk's socket and to frame the
counter screen; a name with markup shown on the counter screen stays text."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio

from tests.browser.stations import PASSWORDS, counter_page
from tests.conftest import PageSession, bearer, free_port

XSS = "<img src=x onerror=window.__xss=1>"


class Attacker:
    """Serves the pages written into its folder from http://127.0.0.1:<own port>."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *args: None  # type: ignore[method-assign]
        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def page(self, name: str, html: str) -> str:
        (self.folder / name).write_text(f"<!doctype html><html><body>{html}</body></html>", encoding="utf-8")
        return f"{self.base}/{name}"


@pytest.fixture
def attacker(tmp_path: Path) -> Iterator[Attacker]:
    folder = tmp_path / "attacker"
    folder.mkdir()
    site = Attacker(folder)
    yield site
    site.httpd.shutdown()
    site.httpd.server_close()


def clerk_page(server: Any, page_factory: Any, username: str = "clerk1") -> Any:
    """A browser context where the clerk is logged in (the counter screen's form), no counter opened."""
    page = page_factory()
    page.goto(f"{server.base}/counter/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_selector("#connection.conn-on")
    return page


def office_queue(server: Any) -> tuple[int, dict[str, Any]]:
    staff = PageSession()
    assert staff.post(f"{server.base}/api/v1/auth/login", json={"username": "sup", "password": "password-s"},
                      timeout=5).status_code == 200
    office = next(o["id"] for o in staff.get(f"{server.base}/api/v1/offices", timeout=5).json()
                  if o["slug"] == "kel-test")
    return office, staff.get(f"{server.base}/api/v1/offices/{office}/queue", timeout=5).json()


def test_a_page_on_another_origin_cannot_act_with_the_clerks_cookie(server, page_factory, attacker):
    ticket = server.issue("A")
    office, queue = office_queue(server)
    counter = next(c["id"] for c in queue["counters"] if c["number"] == 1)
    page = clerk_page(server, page_factory)
    api = f"{server.base}/api/v1"
    url = attacker.page("forge.html", f"""
      <form id="f" method="post" action="{api}/counters/{counter}/open"><input name="x" value="1"></form>
      <script>
        (async () => {{
          for (const path of ["counters/{counter}/open", "counters/{counter}/call-next"]) {{
            await fetch("{api}/" + path, {{method: "POST", credentials: "include", mode: "no-cors",
                                           headers: {{"Content-Type": "text/plain"}}, body: "{{}}"}});
          }}
          document.getElementById("f").submit();
        }})();
      </script>""")
    page.goto(url)
    page.wait_for_url(f"{api}/counters/{counter}/open")
    assert "cross_site_refused" in page.content()
    _, after = office_queue(server)
    assert next(c for c in after["counters"] if c["id"] == counter)["state"] == "closed"
    assert requests.get(f"{api}/tickets/{ticket['id']}", headers=bearer(server.kiosk), timeout=5).json()["status"] \
        == "waiting"
    assert office


def test_login_csrf_from_another_origin_is_refused(server, page_factory, attacker):
    page = page_factory()
    url = attacker.page("login.html", f"""
      <form id="f" method="post" action="{server.base}/counter/login">
        <input name="username" value="clerk2"><input name="password" value="{PASSWORDS['clerk2']}"></form>
      <script>document.getElementById("f").submit();</script>""")
    page.goto(url)
    page.wait_for_url(f"{server.base}/counter/login")
    assert "Permintaan ditolak" in page.content()
    page.goto(f"{server.base}/counter/")
    assert page.url.endswith("/counter/login")  # the browser was not logged in as the attacker's clerk


def test_a_socket_opened_from_another_origin_is_refused(server, page_factory, attacker):
    office, _ = office_queue(server)
    page = clerk_page(server, page_factory)
    url = attacker.page("socket.html", f"""
      <script src="{server.base}/static/vendor/socket.io.min.js"></script>
      <script>
        window.__result = "pending";
        const socket = io("{server.base}", {{auth: {{office: {office}}}, withCredentials: true, reconnection: false}});
        socket.on("connect", () => {{ window.__result = "connected"; }});
        socket.on("snapshot", () => {{ window.__result = "snapshot"; }});
        socket.on("connect_error", (e) => {{ window.__result = "refused"; }});
      </script>""")
    page.goto(url)
    page.wait_for_function("window.__result !== 'pending'")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__result") == "refused"


def cookie_header(server: Any) -> str:
    staff = PageSession()
    assert staff.post(f"{server.base}/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"},
                      timeout=5).status_code == 200
    return "; ".join(f"{k}={v}" for k, v in staff.cookies.items())


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_socket_origin_check_with_a_real_client(server, transport):
    office, _ = office_queue(server)
    cookies = cookie_header(server)

    def connect(headers: dict[str, str], auth: dict[str, Any]) -> bool:
        # The Origin a browser would send, as the only one (websocket-client would add its own from the URL).
        origin = headers.pop("Origin", None)
        options = {"origin": origin} if origin else {"suppress_origin": True}
        client = socketio.Client(reconnection=False, websocket_extra_options=options)
        if origin and transport == "polling":
            headers["Origin"] = origin
        try:
            client.connect(server.base, headers=headers, auth=auth, transports=[transport], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            return False
        client.disconnect()
        return True

    assert not connect({"Origin": "http://evil.example", "Cookie": cookies}, {"office": office})
    assert not connect({"Origin": server.base.replace("127.0.0.1", "localhost"), "Cookie": cookies}, {"office": office})
    assert connect({"Origin": server.base, "Cookie": cookies}, {"office": office})
    assert connect({}, {"token": server.display})  # a program (print agent, display token): no Origin, a token


def test_another_origin_cannot_frame_the_counter_screen(server, page_factory, attacker):
    page = clerk_page(server, page_factory)
    headers = requests.get(f"{server.base}/counter/login", timeout=5).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    url = attacker.page("frame.html", f'<iframe id="victim" src="{server.base}/counter/"></iframe>')
    page.goto(url)
    page.wait_for_timeout(1500)
    frames = [f for f in page.frames if f != page.main_frame]
    assert frames
    for frame in frames:
        assert frame.query_selector("#counter-select") is None
        assert frame.query_selector("meta[name=csrf-token]") is None


def test_markup_in_names_shows_as_text_on_the_counter_screen(server, page_factory):
    database = server.env["PTSP_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        db.execute("UPDATE services SET name_id = ?, name_en = ? WHERE prefix = 'A'", (XSS, XSS))
        db.execute("UPDATE counters SET name = ?", (XSS,))
        db.execute("UPDATE staff SET name = ? WHERE username IN ('clerk1', 'clerk2')", (XSS,))
        db.execute("UPDATE offices SET name = ?", (XSS,))
    other = counter_page(server, page_factory, "clerk2", 2)  # shows clerk2's name at counter 2 to clerk1
    server.issue("A")
    page = counter_page(server, page_factory, "clerk1", 1)
    page.wait_for_function("(document.querySelector('#lines') || {}).textContent")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__xss") is None
    assert other.evaluate("window.__xss") is None
    text = page.evaluate("document.body.innerText")
    assert XSS in text
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
