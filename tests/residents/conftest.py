"""Fixtures for residents beyond the hall: the test office offering phone tickets and alerts, loopback receivers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from ptsp import alert_runner
from ptsp.models import Office
from tests.conftest import bearer, login
from tests.residents.loopback import Browser, Recorder, b64

GATEWAY_SECRET = "gateway-secret-0123456789"


@pytest.fixture
def gateway() -> Iterator[Recorder]:
    recorder = Recorder(statuses=[200]).start()
    yield recorder
    recorder.close()


@pytest.fixture
def push_service() -> Iterator[Recorder]:
    recorder = Recorder(statuses=[201]).start()
    yield recorder
    recorder.close()


@dataclass
class Residents:
    app: Any
    client: Any
    world: Any
    gateway: Recorder
    push_service: Recorder

    def office(self, **settings: Any) -> None:
        with self.app.extensions["ptsp.sessions"]() as session:
            office = session.scalar(select(Office).where(Office.id == self.world.office))
            for key, value in settings.items():
                setattr(office, key, value)
            session.commit()

    def issue(self, prefix: str = "A") -> dict[str, Any]:
        answer = self.client.post("/api/v1/tickets", headers=bearer(self.world.kiosk),
                                  json={"office": self.world.office, "service": self.world.services[prefix]})
        assert answer.status_code == 201, answer.get_json()
        ticket = answer.get_json()
        return {"ticket": ticket, "status_url": ticket["status_url"]}

    def subscribe(self, ticket: dict[str, Any], **body: Any) -> Any:
        token = ticket["status_url"].rsplit("/", 1)[1]
        return self.client.post(f"/t/{token}/alerts", json=body)

    def subscribe_browser(self, ticket: dict[str, Any], name: str = "b") -> Browser:
        browser = Browser()
        answer = self.subscribe(ticket, push=browser.subscription(f"{self.push_service.url}/push/{name}"))
        assert answer.status_code == 201, answer.get_json()
        return browser

    def clerk(self, number: int = 1) -> int:
        login(self.client, "clerk1")
        counter = self.world.counters[number]
        assert self.client.post(f"/api/v1/counters/{counter}/open").status_code == 200
        return counter

    def call_next(self, counter: int) -> dict[str, Any]:
        answer = self.client.post(f"/api/v1/counters/{counter}/call-next")
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["ticket"]

    def finish(self, ticket_id: int) -> None:
        assert self.client.post(f"/api/v1/tickets/{ticket_id}/start").status_code == 200
        assert self.client.post(f"/api/v1/tickets/{ticket_id}/complete", json={}).status_code == 200

    def drain(self) -> None:
        alert_runner.drain(self.app)


@pytest.fixture
def residents(app, client, world, gateway, push_service, tmp_path) -> Residents:
    app.config.update(PUSH_ALLOW_LOCAL=True, VAPID_PRIVATE_KEY=str(tmp_path / "vapid_private.pem"))
    r = Residents(app, client, world, gateway, push_service)
    r.office(phone_tickets=True, alert_position=2, alert_webhook_url=f"{gateway.url}/wa",
             alert_webhook_secret=GATEWAY_SECRET)
    return r


__all__ = ["GATEWAY_SECRET", "Residents", "b64"]
