"""Drive a realistic office day through the real API, one client (cookie jar) per person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import bearer, login


@dataclass
class Desk:
    """A clerk logged in at a counter."""

    client: Any
    counter: int
    clock: Any

    def call(self) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/counters/{self.counter}/call-next")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["ticket"]

    def act(self, ticket: dict[str, Any], verb: str, **body: Any) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/tickets/{ticket['id']}/{verb}", json=body)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def serve(self, minutes: float, outcome: str = "selesai") -> dict[str, Any]:
        ticket = self.call()
        self.act(ticket, "start")
        self.clock.advance(minutes=minutes)
        self.act(ticket, "complete", outcome=outcome)
        self.clock.advance(minutes=1)
        return ticket


@dataclass
class Office:
    app: Any
    world: Any
    clock: Any
    desks: dict[str, Desk] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)

    def desk(self, username: str, counter_number: int) -> Desk:
        client = self.app.test_client()
        login(client, username)
        counter = self.world.counters[counter_number]
        assert client.post(f"/api/v1/counters/{counter}/open").status_code == 200
        self.desks[username] = Desk(client, counter, self.clock)
        return self.desks[username]

    def issue(self, prefix: str) -> dict[str, Any]:
        response = self.app.test_client().post("/api/v1/tickets", headers=bearer(self.world.kiosk), json={
            "office": self.world.office, "service": self.world.services[prefix]})
        assert response.status_code == 201, response.get_json()
        ticket = response.get_json()
        self.tokens[ticket["id"]] = ticket["status_url"].rsplit("/", 1)[1]
        return ticket

    def rate(self, ticket: dict[str, Any], quick: int, **extra: Any) -> Any:
        return self.app.test_client().post(f"/t/{self.tokens[ticket['id']]}/nilai", data={"quick": quick, **extra})


def serve_side_by_side(office: Office, minutes: dict[str, float], until: datetime, gap: float = 1.0) -> dict[str, int]:
    """Let the named desks work at once: each calls the next ticket, serves it for its own minutes, pauses
    `gap` minutes and calls again, in time order, while the service still ends by `until`. Returns how many each
    served. The tickets must be waiting already."""
    clock = office.clock
    next_call = dict.fromkeys(minutes, clock())
    serving: dict[str, tuple[dict[str, Any], datetime]] = {}
    served = dict.fromkeys(minutes, 0)
    while True:
        due = [(done, 0, name) for name, (_, done) in serving.items()]
        due += [(at, 1, name) for name, at in next_call.items()
                if name not in serving and at + timedelta(minutes=minutes[name]) <= until]
        if not due:
            return served
        at, kind, name = min(due)  # kind 0 completes, 1 calls: at the same instant a completion goes first
        clock.now = at
        desk = office.desks[name]
        if kind == 0:
            desk.act(serving.pop(name)[0], "complete", outcome="selesai")
            served[name] += 1
            next_call[name] = at + timedelta(minutes=gap)
        else:
            ticket = desk.call()
            desk.act(ticket, "start")
            serving[name] = (ticket, at + timedelta(minutes=minutes[name]))


def supervisor(app) -> Any:
    client = app.test_client()
    login(client, "sup")
    return client


def realistic_day(app, world, clock) -> dict[str, Any]:
    """Awards, a transfer, a no-show, a cancel, holds confirmed and rejected, good and poor ratings.

    A day of three ratings: every rating is judged on its own (`rating_min_count` 1), as rule 11 would on a
    busy day; tests/points/test_red_team.py plays the default.
    """
    set_rules(app, rating_min_count=1)
    office = Office(app, world, clock)
    one, two, three = office.desk("clerk1", 1), office.desk("clerk2", 2), office.desk("clerk3", 3)
    sup = supervisor(app)
    made: dict[str, Any] = {}

    office.issue("A")
    made["plain"] = one.serve(10)  # award 10 to clerk1 (served the whole standard)

    office.issue("A")
    moved = one.call()
    one.act(moved, "start")
    clock.advance(minutes=2)
    one.act(moved, "transfer", service=world.services["B"], reason="salah antre")
    clock.advance(minutes=3)
    made["transferred"] = three.serve(20)  # award 20 (service B) to clerk3 only

    office.issue("C")
    missing = two.call()
    clock.advance(minutes=3)
    two.act(missing, "no-show")  # nothing

    office.issue("A")
    made["confirmed"] = two.serve(2)  # hold 2 (the minutes spent) for clerk2
    assert office.rate(made["confirmed"], 4).status_code == 303  # good rating while held: no bonus yet
    clock.advance(minutes=30)
    assert sup.post(f"/api/v1/points/holds/{made['confirmed']['id']}/confirm",
                    json={"reason": "berkas sudah lengkap"}).status_code == 200  # release + bonus

    office.issue("A")
    made["rejected"] = one.serve(0.5)  # hold 0.5 for clerk1
    assert sup.post(f"/api/v1/points/holds/{made['rejected']['id']}/reject",
                    json={"reason": "tidak ada berkas"}).status_code == 200

    cancelled = office.issue("C")
    assert sup.post(f"/api/v1/tickets/{cancelled['id']}/cancel").status_code == 200  # nothing

    office.issue("A")
    made["good"] = one.serve(10)
    assert office.rate(made["good"], 4, complaint="Antrian rapi, terima kasih").status_code == 303
    office.issue("C")
    made["poor"] = two.serve(5)
    assert office.rate(made["poor"], 2).status_code == 303
    made["office"] = office
    return made


def set_rules(app, **changes: Any) -> None:
    """Run the app's use cases with some points settings changed (as `PTSP_POINTS_*` would at start-up)."""
    from dataclasses import replace

    from ptsp.services.points import RULES_KEY

    for name in ("ptsp.sessions", "ptsp.read_sessions"):
        maker = app.extensions[name]
        info = dict(maker.kw.get("info") or {})
        info[RULES_KEY] = replace(info[RULES_KEY], **changes)
        maker.configure(info=info)
