"""Shared fixtures: a fresh app per test on real SQLite or real PostgreSQL, a frozen clock."""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.datastructures import Headers

from ptsp.app import create_app
from ptsp.db import make_engine
from ptsp.migrate import upgrade
from ptsp.models import Base
from ptsp.services.accounts import HASH_METHOD_KEY, make_device_token
from ptsp.services.setup import load_setup

# A cheap password hash for the suite (production keeps scrypt, see test_passwords.py): one scrypt hash
# costs ~100 ms of CPU and the offices below have six accounts. Set in the environment so the `ptsp`
# subprocesses (live servers, CLI tests) use it too.
TEST_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
os.environ.setdefault("PTSP_PASSWORD_HASH_METHOD", TEST_PASSWORD_HASH_METHOD)
CHEAP_HASH = {HASH_METHOD_KEY: TEST_PASSWORD_HASH_METHOD}  # session info for sessions made without the app

PG_BASE = os.environ.get("PTSP_TEST_PG", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PTSP_TEST_REDIS", "redis://127.0.0.1:6379/0")

# Monday 23 November 2026, 09:00 WIB: inside office hours.
MONDAY_9_WIB = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def need_service(name: str, host: str, port: int) -> None:
    """Skip when a service is absent; in CI (`CI` set) fail instead, so nothing is silently skipped."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError as exc:
        message = f"{name} is not reachable on {host}:{port} ({exc})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run these tests")
        pytest.skip(message)


# Fixtures that start real processes: a test using one is slow (seconds of start-up), whatever it checks.
SLOW_FIXTURES = {"server", "planned_server", "pg_redis", "sqlite_deployment", "demo_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark Chromium tests `browser` and process-starting or long tests `slow`, so
    `pytest -m "not browser and not slow"` runs the quick part alone."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "browser" in fixtures or item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9_WIB)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


# Empties a test database in one round trip: DELETE (children first) costs milliseconds on the few rows a
# test leaves, where TRUNCATE of every table cost ~0.5 s per test (new files for each table); then the
# sequences a test used start again at 1, as RESTART IDENTITY did.
PG_EMPTY = "".join(f'DELETE FROM "{table.name}";' for table in reversed(Base.metadata.sorted_tables)) + """
DO $$
DECLARE
    used record;
BEGIN
    FOR used IN SELECT sequencename FROM pg_sequences
                WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', used.sequencename);
    END LOOP;
END $$;
INSERT INTO config_version (id, n) VALUES (1, 0);
"""


@dataclass
class PgSchema:
    """A worker's PostgreSQL schema, migrated once, and an engine that empties it between tests."""

    url: str
    engine: Any

    def empty(self) -> None:
        with self.engine.begin() as conn:
            conn.connection.driver_connection.cursor().execute(PG_EMPTY)  # the driver: no %-parameters


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[PgSchema]:
    """One schema per xdist worker, migrated once (Alembic); each test empties it before use."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    schema = f"ptsp_test_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_BASE)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    engine = make_engine(url, pool_size=1)
    upgrade(engine)
    yield PgSchema(url, engine)
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "ptsp.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    pg = request.getfixturevalue("pg_schema")
    pg.empty()
    return pg.url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated SQLite database only (for tests about the embedded mode)."""
    path = tmp_path / "ptsp.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def cli_office(monkeypatch: pytest.MonkeyPatch, sqlite_url: str, tmp_path: Path) -> str:
    """The environment of a `ptsp` command on a migrated SQLite database loaded with SETUP; its URL."""
    from click.testing import CliRunner

    from ptsp.cli import cli

    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    path = tmp_path / "office.json"
    path.write_text(json.dumps(SETUP))
    assert CliRunner().invoke(cli, ["setup", "load", str(path)]).exit_code == 0
    return sqlite_url


UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class PageClient(FlaskClient):
    """Flask's test client, sending its session's CSRF token with every cookie-authenticated state change,
    as a PTSP page does (ptspFetch's X-CSRFToken header). CSRF stays on: the token is the real one, fetched
    from GET /api/v1/auth/csrf just before the request (so a login that renews the session is followed).
    A request that brings its own Authorization or X-CSRFToken header is sent as it is; a test that shows the
    refusal uses `FlaskClient` itself (tests/test_cross_site.py)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        method = str(kwargs.get("method", "GET")).upper()
        headers = Headers(kwargs.get("headers") or {})
        if method in UNSAFE_METHODS and "Authorization" not in headers and "X-CSRFToken" not in headers:
            token = super().open("/api/v1/auth/csrf").get_json()["csrf_token"]
            headers["X-CSRFToken"] = token
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)


class PageSession(requests.Session):
    """A `requests` session against a live server that sends its CSRF token on state changes, as a page does
    (the token of GET /api/v1/auth/csrf, fetched before each such request: a login may renew the session)."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        verb = method.decode() if isinstance(method, bytes) else method
        headers = dict(kwargs.get("headers") or {})
        if verb.upper() in UNSAFE_METHODS and "Authorization" not in headers and "X-CSRFToken" not in headers:
            origin = "/".join(str(url if isinstance(url, str) else url.decode()).split("/")[:3])
            answer = super().request("GET", f"{origin}/api/v1/auth/csrf", timeout=10)
            kwargs["headers"] = {**headers, "X-CSRFToken": answer.json()["csrf_token"]}
        return super().request(method, url, *args, **kwargs)


def make_test_app(db_url: str, clock: Clock, **extra: Any):
    config = {
        "TESTING": True,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "test-secret",
        "NOW": clock,
        "ASYNC_MODE": "threading",
        "RATELIMIT_ISSUE": "10000 per minute",
        **extra,
    }
    app = create_app(config)
    app.test_client_class = PageClient
    return app


@pytest.fixture
def app(db_url: str, clock: Clock):
    app = make_test_app(db_url, clock)
    yield app
    app.extensions["ptsp.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


WEEKDAY_HOURS = {
    day: [["08:00", "12:00"], ["13:00", "16:00"]] for day in ("mon", "tue", "wed", "thu")
} | {"fri": [["07:30", "11:30"], ["13:30", "16:30"]]}

SETUP = {
    "offices": [
        {
            "slug": "kec-test",
            "name": "Kecamatan Uji",
            "kind": "kecamatan",
            "staff": [{"username": "manager", "name": "Bu Manajer", "role": "manager", "password": "password-m"}],
        },
        {
            "slug": "kel-test",
            "name": "Kelurahan Uji",
            "kind": "kelurahan",
            "parent": "kec-test",
            "running_text": "Layanan PTSP gratis. Laporkan pungutan liar ke loket pengaduan.",
            "hours": WEEKDAY_HOURS,
            "last_ticket_minutes": 30,
            "starvation_minutes": 30,
            "services": [
                {"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 10},
                {"prefix": "B", "name_id": "Perizinan", "name_en": "Licensing", "standard_minutes": 20,
                 "daily_quota": 5},
                {"prefix": "C", "name_id": "Surat", "name_en": "Letters", "standard_minutes": 5},
            ],
            "counters": [
                {"number": 1, "services": ["A", "C"]},
                {"number": 2, "services": ["A", "B", "C"]},
                {"number": 3, "services": ["B"]},
            ],
            "staff": [
                {"username": "sup", "name": "Pak Supervisor", "role": "supervisor", "password": "password-s",
                 "supervisor": "manager"},
                {"username": "clerk1", "name": "Clerk Satu", "role": "clerk", "password": "password-1",
                 "supervisor": "sup"},
                {"username": "clerk2", "name": "Clerk Dua", "role": "clerk", "password": "password-2",
                 "supervisor": "sup"},
                {"username": "clerk3", "name": "Clerk Tiga", "role": "clerk", "password": "password-3",
                 "supervisor": "sup"},
            ],
        },
        {
            "slug": "kel-lain",
            "name": "Kelurahan Lain",
            "kind": "kelurahan",
            "timezone": "Asia/Makassar",
            "hours": WEEKDAY_HOURS,
            "services": [{"prefix": "A", "name_id": "KTP", "name_en": "ID card", "standard_minutes": 10}],
            "counters": [{"number": 1, "services": ["A"]}],
            "staff": [{"username": "other", "name": "Petugas Lain", "role": "clerk", "password": "password-o"}],
        },
    ]
}


@dataclass
class World:
    """Ids and tokens of the loaded test offices."""

    office: int
    other_office: int
    services: dict[str, int]
    counters: dict[int, int]
    other_service: int
    other_counter: int
    kiosk: str
    display: str
    other_kiosk: str


def load_world(app, clock: Clock) -> World:
    from sqlalchemy import select

    from ptsp.models import Counter, Office, Service

    session = app.extensions["ptsp.sessions"]()
    try:
        load_setup(session, SETUP)
        office = session.scalar(select(Office).where(Office.slug == "kel-test"))
        other = session.scalar(select(Office).where(Office.slug == "kel-lain"))
        tokens = {
            "kiosk": make_device_token(session, office=office, kind="kiosk", name="k", now=clock())[1],
            "display": make_device_token(session, office=office, kind="display", name="d", now=clock())[1],
            "other_kiosk": make_device_token(session, office=other, kind="kiosk", name="k2", now=clock())[1],
        }
        services = {s.prefix: s.id for s in session.scalars(select(Service).where(Service.office_id == office.id))}
        counters = {c.number: c.id for c in session.scalars(select(Counter).where(Counter.office_id == office.id))}
        other_service = session.scalar(select(Service.id).where(Service.office_id == other.id))
        other_counter = session.scalar(select(Counter.id).where(Counter.office_id == other.id))
        session.commit()
        return World(office.id, other.id, services, counters, other_service, other_counter, **tokens)
    finally:
        session.close()


@pytest.fixture
def world(app, clock) -> World:
    return load_world(app, clock)


def login(client, username: str, password: str | None = None) -> None:
    password = password or {"sup": "password-s", "manager": "password-m", "other": "password-o"}.get(
        username, f"password-{username[-1]}"
    )
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def pair(client, token: str, kind: str) -> None:
    """Pair a test client as a station (its token in a header, never a URL): it keeps the device cookie."""
    response = client.post("/api/v1/devices/pair", headers=bearer(token), json={"kind": kind})
    assert response.status_code == 200, response.get_json()


def pair_page(page, base: str, path: str, token: str, kind: str = "") -> None:
    """Pair a Chromium page as a station from its set-up address `<path>#token=…`, as a person would.

    The pairing page's script posts the token and loads the station again; this returns once the address
    has lost its fragment and the station itself (not the pairing page) is shown.
    """
    page.goto(f"{base}{path}#token={token}")
    page.wait_for_function("!location.hash && !document.getElementById('pair-help')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass(frozen=True)
class ServerTemplate:
    """A migrated SQLite file holding the live server's offices and its two devices, built once per worker."""

    path: Path
    display: str
    kiosk: str


def seed_server_data(engine: Any) -> tuple[str, str]:
    """Load the test offices, open all day, into a migrated database, with a display and a kiosk `k` of kel-test
    (what `ptsp setup load` and two `ptsp device add` would make); return the display's and the kiosk's tokens."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from ptsp.models import Office

    data = json.loads(json.dumps(SETUP))
    data["offices"][1]["hours"] = ALL_DAY
    data["offices"][1]["last_ticket_minutes"] = 0
    session = sessionmaker(engine, info=CHEAP_HASH)()
    try:
        load_setup(session, data)
        office = session.scalar(select(Office).where(Office.slug == "kel-test"))
        now = datetime.now(UTC)
        display = make_device_token(session, office=office, kind="display", name="tv", now=now)[1]
        kiosk = make_device_token(session, office=office, kind="kiosk", name="k", now=now)[1]
        session.commit()
    finally:
        session.close()
    return display, kiosk


def build_server_template(folder: Path) -> ServerTemplate:
    """The server template as a SQLite file built in this process (three CLI runs cost ~5 s per server)."""
    path = folder / "server-template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    try:
        display, kiosk = seed_server_data(engine)
    finally:
        engine.dispose()
    return ServerTemplate(path, display, kiosk)


@pytest.fixture(scope="session")
def server_template(tmp_path_factory: pytest.TempPathFactory) -> ServerTemplate:
    return build_server_template(tmp_path_factory.mktemp("server-template"))


class LiveServer:
    """A real `ptsp run` process (gevent + websockets) on its own copy of the test offices, open all day."""

    def __init__(self, tmp_path: Path, template: ServerTemplate) -> None:
        self.tmp_path = tmp_path
        database = tmp_path / "server.db"
        shutil.copy(template.path, database)
        self.env = {**os.environ, "PTSP_DATABASE_URL": f"sqlite:///{database}",
                    "PTSP_ENV": "development", "PTSP_SECRET_KEY": "s3",
                    "PTSP_VAPID_PRIVATE_KEY": str(tmp_path / "vapid_private.pem")}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.display = template.display
        self.kiosk = template.kiosk

    def cli(self, *args: str) -> str:
        ptsp = [sys.executable, "-c", "from ptsp.cli import main; main()"]
        return subprocess.run([*ptsp, *args], env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def start(self) -> None:
        log = (self.tmp_path / "server.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "import sys; sys.argv=['ptsp','run','--port',sys.argv[1]]; "
             "from ptsp.cli import main; main()", str(self.port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        # Generous on purpose: on a loaded 2-core CI machine a gevent server can take many seconds to import.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                requests.get(f"{self.base}/api/v1/openapi.json", timeout=2)
                return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"server did not start: {self.log()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    def log(self) -> str:
        return (self.tmp_path / "server.log").read_text(errors="replace")

    def kiosk_get(self, path: str) -> Any:
        response = requests.get(f"{self.base}/api/v1{path}", headers=bearer(self.kiosk), timeout=5)
        response.raise_for_status()
        return response.json()

    def issue(self, prefix: str = "A", priority: str = "regular") -> dict[str, Any]:
        """Issue a ticket through the API with the kiosk token."""
        office = self.kiosk_get("/offices")[0]["id"]
        snapshot = self.kiosk_get(f"/offices/{office}/queue")
        service = next(s["id"] for s in snapshot["services"] if s["prefix"] == prefix)
        response = requests.post(f"{self.base}/api/v1/tickets", headers=bearer(self.kiosk), timeout=5,
                                 json={"office": office, "service": service, "priority": priority})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def server(tmp_path: Path, server_template: ServerTemplate) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path, server_template)
    live.start()
    yield live
    live.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (skipped without it, failed without it in CI).

    Module-scoped, so no browser outlives its tests and competes with the timing-sensitive ones.
    """
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must run the browser tests")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def poll_until(page: Any, expression: str, arg: Any = None, timeout: float = 10_000, **_: Any) -> Any:
    """`page.wait_for_function`, polled from here: Playwright's own compiles the predicate inside the page
    (`new Function`), which the pages' CSP forbids (no 'unsafe-eval'); `page.evaluate` goes through the
    DevTools protocol, which the CSP does not govern. A page that is navigating (no document yet, its
    context destroyed) is asked again; an error that lasts to the deadline is raised."""
    from playwright.sync_api import Error, TimeoutError

    deadline = time.monotonic() + timeout / 1000
    while True:
        failure: Error | None = None
        try:
            value = page.evaluate(expression, arg)
        except Error as exc:
            failure, value = exc, None
        if value:
            return value
        if time.monotonic() > deadline:
            raise failure or TimeoutError(f"wait_for_function: {expression!r} still false after {timeout:.0f} ms")
        page.wait_for_timeout(50)


@pytest.fixture
def page_factory(browser: Any) -> Iterator[Any]:
    """Open pages of a given size and browser locale, each in its own browser context (own cookies),
    closed after the test."""
    contexts: list[Any] = []

    def open_page(width: int = 1366, height: int = 768, locale: str = "id-ID") -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                      timezone_id="Asia/Jakarta")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.wait_for_function = functools.partial(poll_until, page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where a browser test saves pictures for a person to look at: under the test's own tmp_path, or
    `$PTSP_SCREENSHOTS/<test folder>` when that variable is set (PTSP_SHOTS, its older name, too)."""
    root = os.environ.get("PTSP_SCREENSHOTS") or os.environ.get("PTSP_SHOTS")
    folder = Path(root) / request.path.parent.name if root else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shot(screenshots: Path):
    """Save a screenshot of a page as `<name>.png` in `screenshots`."""

    def take(page: Any, name: str, full_page: bool = False) -> None:
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=full_page)

    return take
