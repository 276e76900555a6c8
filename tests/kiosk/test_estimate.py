"""The estimated wait on known cases: live queue, counters open for the service, recent service times."""

from __future__ import annotations

from tests.conftest import bearer, login
from tests.kiosk.conftest import issue


def clerk(app, username: str, counter: int):
    client = app.test_client()
    login(client, username)
    assert client.post(f"/api/v1/counters/{counter}/open").status_code == 200
    return client


def serve(client, clock, counter: int, minutes: float) -> None:
    called = client.post(f"/api/v1/counters/{counter}/call-next")
    assert called.status_code == 200, called.get_json()
    ticket = called.get_json()["ticket"]["id"]
    assert client.post(f"/api/v1/tickets/{ticket}/start").status_code == 200
    clock.advance(minutes=minutes)
    assert client.post(f"/api/v1/tickets/{ticket}/complete", json={"outcome": "selesai"}).status_code == 200


def kiosk_service(client, world, prefix: str) -> dict:
    state = client.get("/kiosk/state", headers=bearer(world.kiosk)).get_json()
    return next(s for s in state["services"] if s["prefix"] == prefix)


def test_wait_is_people_ahead_times_mean_recent_service_time_shared_by_open_counters(app, client, world, clock):
    one = clerk(app, "clerk1", world.counters[1])
    two = clerk(app, "clerk2", world.counters[2])
    issue(client, world, "A")
    issue(client, world, "A")
    serve(one, clock, world.counters[1], 6)
    serve(two, clock, world.counters[2], 10)
    tickets = [issue(client, world, "A").get_json() for _ in range(4)]
    # mean of 6 and 10 = 8 minutes; two open counters serve A.
    assert kiosk_service(client, world, "A")["waiting"] == 4
    assert kiosk_service(client, world, "A")["estimated_wait_minutes"] == 16  # ceil(4 × 8 / 2)
    assert [t["estimated_wait_minutes"] for t in tickets] == [0, 4, 8, 12]
    assert [t["people_ahead"] for t in tickets] == [0, 1, 2, 3]
    # Letters (C) have no history yet: the standard 5 minutes, the same two counters.
    issue(client, world, "C")
    assert kiosk_service(client, world, "C")["estimated_wait_minutes"] == 3  # ceil(1 × 5 / 2)

    assert two.post(f"/api/v1/counters/{world.counters[2]}/break", json={"reason": "salat"}).status_code == 200
    assert kiosk_service(client, world, "A")["estimated_wait_minutes"] == 32  # one counter left: ceil(4 × 8 / 1)
    ticket = client.get(f"/t/{tickets[-1]['status_url'].rsplit('/', 1)[1]}/state").get_json()
    assert (ticket["people_ahead"], ticket["estimated_wait_minutes"]) == (3, 24)


def test_wait_is_unknown_when_no_counter_serving_the_service_is_open(app, client, world, clock):
    clerk(app, "clerk3", world.counters[3])  # counter 3 serves only B
    issue(client, world, "A")
    assert kiosk_service(client, world, "A")["estimated_wait_minutes"] is None
    assert kiosk_service(client, world, "B")["estimated_wait_minutes"] == 0  # nobody ahead, counter 3 open
    assert kiosk_service(client, world, "C")["estimated_wait_minutes"] is None  # nobody ahead, nobody to serve


def test_service_times_older_than_a_week_give_way_to_the_standard(app, client, world, clock):
    one = clerk(app, "clerk1", world.counters[1])
    issue(client, world, "A")
    serve(one, clock, world.counters[1], 30)
    assert one.post(f"/api/v1/counters/{world.counters[1]}/close").status_code == 200
    issue(client, world, "A")
    issue(client, world, "A")
    one2 = clerk(app, "clerk1", world.counters[1])
    assert kiosk_service(client, world, "A")["estimated_wait_minutes"] == 60  # ceil(2 × 30 / 1)
    clock.advance(days=8)
    del one2
    # A week later the 30-minute service no longer counts; today's line is empty again.
    issue(client, world, "A")
    issue(client, world, "A")
    assert kiosk_service(client, world, "A")["estimated_wait_minutes"] == 20  # ceil(2 × 10 / 1), the standard
