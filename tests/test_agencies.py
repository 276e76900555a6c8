"""Agencies inside an office: the set-up file, the kiosk's catalogue, a display following a hall, agency_scope."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from ptsp.domain.errors import InvalidInput
from ptsp.models import Agency, Counter, Service, Staff
from ptsp.services.actors import Actor, agency_scope
from ptsp.services.setup import SetupRefused, load_setup
from tests.conftest import SETUP, pair

DUKCAPIL = "Dinas Kependudukan dan Pencatatan Sipil"


def mpp(**staff_agency: str) -> dict:
    """The test office with agencies: B outside any, DUKCAPIL holding A and counter 1, SAMSAT holding C."""
    data = json.loads(json.dumps(SETUP))
    office = data["offices"][1]
    services = {s["prefix"]: s for s in office["services"]}
    office["services"] = [services["B"]]
    office["counters"] = [c for c in office["counters"] if c["number"] == 3]
    office["agencies"] = [
        {"code": "DUKCAPIL", "name": "Dinas Kependudukan dan Pencatatan Sipil", "sort_order": 2,
         "services": [services["A"]], "counters": [{"number": 1, "services": ["A", "C"]}]},
        {"code": "SAMSAT", "name": "Samsat", "name_en": "Vehicle tax office", "sort_order": 1,
         "services": [services["C"]], "counters": [{"number": 2, "services": ["C"]}]},
    ]
    for st in office["staff"]:
        st["agency"] = staff_agency.get(st["username"])
    return data


def rows(app):
    with app.extensions["ptsp.read_sessions"]() as session:
        agencies = {a.code: a.id for a in session.scalars(select(Agency))}
        by_id = {v: k for k, v in agencies.items()}
        services = {s.prefix: by_id.get(s.agency_id) for s in session.scalars(select(Service))
                    if s.office.slug == "kel-test"}
        counters = {c.number: by_id.get(c.agency_id) for c in session.scalars(select(Counter))
                    if c.office.slug == "kel-test"}
        staff = {s.username: by_id.get(s.agency_id) for s in session.scalars(select(Staff))}
        return agencies, services, counters, staff


def load(app, data) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, data)
        session.commit()


def test_an_office_without_agencies_has_none_and_its_rows_belong_to_no_agency(app, world):
    agencies, services, counters, staff = rows(app)
    assert agencies == {} and set(services.values()) == {None} and set(counters.values()) == {None}
    assert set(staff.values()) == {None}


def test_set_up_file_places_services_counters_and_staff_in_agencies_and_reloads_in_place(app, world):
    load(app, mpp(sup="SAMSAT"))
    agencies, services, counters, staff = rows(app)
    assert set(agencies) == {"DUKCAPIL", "SAMSAT"}
    assert services == {"A": "DUKCAPIL", "B": None, "C": "SAMSAT"}
    assert counters == {1: "DUKCAPIL", 2: "SAMSAT", 3: None}
    assert staff["sup"] == "SAMSAT" and staff["clerk1"] is None
    load(app, mpp(sup="SAMSAT"))  # a second load changes nothing, adds nothing
    assert rows(app) == (agencies, services, counters, staff)
    load(app, mpp())  # the supervisor's agency taken out of the file: the whole office again
    assert rows(app)[3]["sup"] is None


def test_staff_naming_an_agency_the_office_lacks_is_refused(app, world):
    with app.extensions["ptsp.sessions"]() as session:
        with pytest.raises(SetupRefused) as refused:
            load_setup(session, mpp(sup="POLRES"))
        session.rollback()
    assert [p.reason for p in refused.value.problems] == ["staff_unknown_agency"]  # checked before anything is written
    assert rows(app)[0] == {}


@pytest.mark.parametrize("bad", [{"code": "a b"}, {"code": ""}, {"name": ""}, {"color": "red"}])
def test_an_agency_with_a_bad_field_is_refused(app, world, bad):
    data = mpp()
    data["offices"][1]["agencies"][0].update(bad)
    with app.extensions["ptsp.sessions"]() as session, pytest.raises(InvalidInput):
        load_setup(session, data)


def test_kiosk_state_lists_agency_tiles_in_order_with_the_other_services_last(app, world, client):
    load(app, mpp())
    pair(client, world.kiosk, "kiosk")
    body = client.get("/kiosk/state").get_json()
    assert [(a["code"], a["name"]) for a in body["agencies"]] == [
        ("SAMSAT", {"id": "Samsat", "en": "Vehicle tax office"}),
        ("DUKCAPIL", {"id": DUKCAPIL, "en": DUKCAPIL}),  # no English name: the Indonesian one
        ("", None)]
    tile = {a["code"]: a["id"] for a in body["agencies"]}
    assert {s["prefix"]: s["agency"] for s in body["services"]} == {"A": tile["DUKCAPIL"], "B": 0, "C": tile["SAMSAT"]}
    with app.extensions["ptsp.sessions"]() as session:  # an agency switched off: its tile and services go
        session.scalar(select(Agency).where(Agency.code == "SAMSAT")).active = False
        session.commit()
    body = client.get("/kiosk/state").get_json()
    assert [a["code"] for a in body["agencies"]] == ["DUKCAPIL", ""]
    assert sorted(s["prefix"] for s in body["services"]) == ["A", "B"]


def test_kiosk_state_of_an_office_without_agencies_has_no_tiles(app, world, client):
    pair(client, world.kiosk, "kiosk")
    body = client.get("/kiosk/state").get_json()
    assert body["agencies"] == [] and {s["agency"] for s in body["services"]} == {None}


def test_display_follows_a_hall_by_agency_codes_and_refuses_unknown_ones(app, world, client):
    load(app, mpp())
    pair(client, world.display, "display")
    page = client.get("/display/?agencies=samsat,DUKCAPIL")
    assert page.status_code == 200
    hall = sorted([world.services["A"], world.services["C"]])
    assert f'"hall": {json.dumps(hall)}' in page.get_data(as_text=True)
    assert f'"hall": [{world.services["C"]}]' in client.get("/display/?agencies=SAMSAT").get_data(as_text=True)
    assert '"hall": null' in client.get("/display/").get_data(as_text=True)
    for bad in ("POLRES", "SAMSAT,POLRES", "a;b", ",", "X" * 17):
        refused = client.get(f"/display/?agencies={bad}")
        assert refused.status_code == 422 and "agencies=" in refused.get_data(as_text=True), bad


def test_agency_scope_limits_supervisors_and_managers_only():
    assert agency_scope(Actor("staff", 1, "manager", 5, 7)) == 7
    assert agency_scope(Actor("staff", 1, "supervisor", 5, 7)) == 7
    assert agency_scope(Actor("staff", 1, "manager", 5, None)) is None
    assert agency_scope(Actor("staff", 1, "admin", None, 7)) is None
    assert agency_scope(Actor("staff", 1, "clerk", 5, 7)) is None
    assert agency_scope(Actor("device", 1, "kiosk", 5)) is None
