"""A service's route of following services on the administration page: kept, audited, checked like a clerk's
plan, refused to clerks, and carried by the next kiosk ticket."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ptsp.models import AuditEntry, Service
from tests.conftest import bearer, login


def route_of(app, service_id: int) -> list[int]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return list(session.get_one(Service, service_id).route)


def kiosk_ticket(client, world, prefix: str) -> dict:
    response = client.post("/api/v1/tickets", headers=bearer(world.kiosk),
                           json={"office": world.office, "service": world.services[prefix]})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_manager_sets_a_route_and_the_next_kiosk_ticket_carries_it(app, client, world):
    login(client, "manager")
    a, b, c = (world.services[p] for p in "ABC")
    page = client.get(f"/manager/admin/services/{a}").text
    assert 'id="service-route"' in page and page.count('name="route"') == 5
    response = client.post(f"/manager/admin/services/{a}/route", data={"route": [str(c), "", str(b), ""]})
    assert response.status_code == 302
    assert route_of(app, a) == [c, b]
    assert kiosk_ticket(client, world, "A")["next_steps"] == [c, b]
    assert kiosk_ticket(client, world, "B")["next_steps"] == []
    with app.extensions["ptsp.read_sessions"]() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "route_changed"))
        assert (entry.entity_id, entry.before, entry.after) == (a, {"route": []}, {"route": [c, b]})


def test_a_route_that_repeats_or_names_itself_is_refused_and_changes_nothing(app, client, world):
    login(client, "manager")
    a, b = world.services["A"], world.services["B"]
    for route in ([str(a)], [str(b), str(b)], [str(world.other_service)]):
        response = client.post(f"/manager/admin/services/{a}/route", data={"route": route})
        assert response.status_code == 422 and 'id="form-error"' in response.text
    assert route_of(app, a) == []


def test_a_deactivated_service_drops_out_of_the_route_a_ticket_carries(app, client, world):
    login(client, "manager")
    a, b, c = (world.services[p] for p in "ABC")
    assert client.post(f"/manager/admin/services/{a}/route", data={"route": [str(b), str(c)]}).status_code == 302
    assert client.post(f"/manager/admin/services/{b}/active", data={"active": "0"}).status_code == 302
    assert kiosk_ticket(client, world, "A")["next_steps"] == [c]


def test_a_clerk_cannot_set_a_route(app, client, world):
    login(client, "clerk1")
    response = client.post(f"/manager/admin/services/{world.services['A']}/route",
                           data={"route": [str(world.services["B"])]})
    assert response.status_code in (302, 403)
    assert route_of(app, world.services["A"]) == []


def test_a_route_in_the_set_up_file_is_loaded_by_prefix_and_exported_back(app, world):
    from ptsp.i18n.errors import describe
    from ptsp.services.setup import SetupRefused, export_setup, load_setup
    from tests.conftest import SETUP

    data = {"offices": [dict(SETUP["offices"][1], services=[
        {**s, "route": ["C", "B"]} if s["prefix"] == "A" else s for s in SETUP["offices"][1]["services"]])]}
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, data)
        session.commit()
    assert route_of(app, world.services["A"]) == [world.services["C"], world.services["B"]]
    with app.extensions["ptsp.read_sessions"]() as session:
        exported = export_setup(session, ["kel-test"]).document["offices"][0]["services"]
    assert [s["route"] for s in exported] == [["C", "B"], [], []]
    for route, problem in ((["Q"], "Layanan tujuan Q tidak tersedia"), (["A"], "sudah ada dalam kunjungan"),
                           (["B", "B"], "sudah ada dalam kunjungan")):
        bad = {"offices": [dict(data["offices"][0], services=[
            {**s, "route": route} if s["prefix"] == "A" else s for s in data["offices"][0]["services"]])]}
        with app.extensions["ptsp.sessions"]() as session, pytest.raises(SetupRefused) as refused:
            load_setup(session, bad)
        said = " ".join(describe(p) for p in refused.value.problems)
        assert problem in said, said
    assert route_of(app, world.services["A"]) == [world.services["C"], world.services["B"]]
