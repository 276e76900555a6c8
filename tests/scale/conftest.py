"""Real multi-process deployments for the scale-out and crash tests (see bench/servers.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests
import socketio

from bench.servers import CLERK_PASSWORD, REDIS_URL, Deployment
from tests.conftest import PageSession, need_service


def _need_redis() -> None:
    url = urlparse(REDIS_URL)
    need_service("Redis", url.hostname or "127.0.0.1", url.port or 6379)


@pytest.fixture
def pg_redis(tmp_path: Path) -> Iterator[Deployment]:
    """PostgreSQL (a fresh schema for this test) and Redis (a channel of its own), office loaded, no server yet."""
    need_service("PostgreSQL", "127.0.0.1", 5432)
    _need_redis()
    deployment = Deployment.postgresql(tmp_path, counters=4)
    try:
        deployment.prepare()
        yield deployment
    finally:
        deployment.close()


@pytest.fixture
def sqlite_deployment(tmp_path: Path) -> Iterator[Deployment]:
    deployment = Deployment.sqlite(tmp_path, counters=4)
    try:
        deployment.prepare()
        yield deployment
    finally:
        deployment.close()


class Listener:
    """A python-socketio client that records every event it receives."""

    def __init__(self, base: str, auth: dict[str, Any], headers: dict[str, str] | None = None,
                 reconnection: bool = False) -> None:
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.2,
                                      reconnection_delay_max=1, randomization_factor=0)
        self.events: list[tuple[str, Any]] = []
        self.changed = threading.Condition()
        self.client.on("*", self._record)
        self.client.connect(base, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=10)

    def _record(self, event: str, data: Any = None) -> None:
        with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    def named(self, event: str) -> list[Any]:
        with self.changed:
            return [data for name, data in self.events if name == event]

    def wait_for(self, test: Callable[[], Any], timeout: float = 10.0) -> Any:
        with self.changed:
            result = self.changed.wait_for(test, timeout=timeout)
        return result

    def close(self) -> None:
        self.client.disconnect()


def kiosk_headers(deployment: Deployment) -> dict[str, str]:
    return {"Authorization": f"Bearer {deployment.tokens['kiosk']}"}


def office_and_services(deployment: Deployment, base: str) -> tuple[int, list[int], list[int]]:
    """Return the bench office id, its service ids and its counter ids."""
    headers = kiosk_headers(deployment)
    office = requests.get(f"{base}/api/v1/offices", headers=headers, timeout=10).json()[0]["id"]
    snapshot = requests.get(f"{base}/api/v1/offices/{office}/queue", headers=headers, timeout=10).json()
    return office, [s["id"] for s in snapshot["services"]], [c["id"] for c in snapshot["counters"]]


def clerk_session(base: str, number: int) -> requests.Session:
    session = PageSession()
    response = session.post(f"{base}/api/v1/auth/login", timeout=10,
                            json={"username": f"clerk{number}", "password": CLERK_PASSWORD})
    assert response.status_code == 200, response.text
    return session


def wait_until(test: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = test()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(every)
