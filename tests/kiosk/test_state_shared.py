"""Every kiosk of an office asks for `/kiosk/state` after each fact: the part that is the same for all of them
(the office, its state, the services with their lines, waits and quotas, the agencies) is worked out once per
office fact, minute and language and shared; each kiosk's printer stays its own (docs/architecture.md, "A fact,
N screens")."""

from __future__ import annotations

from datetime import UTC, datetime

from ptsp.models import Office
from ptsp.services.accounts import make_device_token
from tests.conftest import bearer
from tests.kiosk.conftest import issue, use_printer
from tests.test_counter_lines import _TicketReads


def _second_kiosk(app, world) -> str:
    with app.extensions["ptsp.sessions"]() as session:
        token = make_device_token(session, office=session.get_one(Office, world.office), kind="kiosk", name="k-2",
                                  now=datetime.now(UTC))[1]
        session.commit()
    return token


def _state(client, token):
    response = client.get("/kiosk/state", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_kiosks_of_an_office_share_the_catalogue_but_not_the_printer(app, client, world, clock):
    use_printer(app, world, "preview")
    other = _second_kiosk(app, world)
    issue(client, world, "A")
    reads = _TicketReads(app.extensions["ptsp.engine"])
    try:
        first = _state(client, world.kiosk)
        assert reads.take() > 0
        second = _state(client, other)
        assert reads.take() == 0  # the second kiosk's catalogue is the first one's: no line counted again
        assert first["printer"] is not None and second["printer"] is None
        assert {k: v for k, v in first.items() if k != "printer"} == {k: v for k, v in second.items() if k != "printer"}
        waiting = {s["prefix"]: s["waiting"] for s in second["services"]}
        assert waiting["A"] == 1

        issue(client, world, "A")  # a fact: the very next state counts the new ticket
        assert {s["prefix"]: s["waiting"] for s in _state(client, other)["services"]}["A"] == 2
        assert reads.take() > 0

        clock.advance(minutes=1)  # the local time, open state and waits move with the clock
        later = _state(client, world.kiosk)
        assert reads.take() > 0 and later["office"]["local_time"] != first["office"]["local_time"]
    finally:
        reads.close()


def test_a_kiosk_of_another_office_never_gets_this_offices_catalogue(client, world):
    ours = _state(client, world.kiosk)
    theirs = _state(client, world.other_kiosk)
    assert theirs["office"]["id"] == world.other_office != ours["office"]["id"]
    assert [s["id"] for s in theirs["services"]] == [world.other_service]
