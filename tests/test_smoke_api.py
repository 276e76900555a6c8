"""The happy path through the REST API, end to end on each database."""

from ptsp.models import Ticket
from tests.conftest import bearer, login


def ticket_token(client, ticket) -> str:
    with client.application.extensions["ptsp.read_sessions"]() as session:
        return session.get(Ticket, ticket["id"]).public_token


def test_resident_is_issued_called_served_and_done(client, world, clock):
    issued = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"]},
                         headers=bearer(world.kiosk))
    assert issued.status_code == 201
    ticket = issued.get_json()
    assert ticket["code"] == "A-001"
    assert ticket["people_ahead"] == 0
    assert ticket["status_url"] == f"http://localhost/t/{ticket_token(client, ticket)}"

    login(client, "clerk1")
    assert client.post(f"/api/v1/counters/{world.counters[1]}/open").status_code == 200
    called = client.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    assert called.status_code == 200
    assert called.get_json()["ticket"]["id"] == ticket["id"]
    clock.advance(minutes=1)
    assert client.post(f"/api/v1/tickets/{ticket['id']}/start").get_json()["ticket"]["status"] == "serving"
    clock.advance(minutes=9)
    done = client.post(f"/api/v1/tickets/{ticket['id']}/complete", json={"outcome": "selesai"})
    assert done.get_json()["ticket"]["status"] == "done"
    assert client.post(f"/api/v1/counters/{world.counters[1]}/call-next").status_code == 204
