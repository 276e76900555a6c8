"""Pairing by a short code (docs/security.md): a station asks for a code, an administrator enters it on the devices
page, and only the browser that asked (holding the code's secret half) receives the device cookie. Single use,
ten minutes, rate-limited; every refusal is a sentence and changes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ptsp.models import AuditEntry, Device, PairingCode
from ptsp.services import pairing_codes
from tests.conftest import load_world, login, make_test_app

CODE_URL = "/api/v1/devices/pairing-code"
COLLECT_URL = "/api/v1/devices/pairing-code/collect"


def rows(app, model, *where):
    with app.extensions["ptsp.sessions"]() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def ask(client, kind: str = "kiosk", **kwargs):
    answer = client.post(CODE_URL, json={"kind": kind}, **kwargs)
    assert answer.status_code == 201, answer.get_json()
    return answer


def enter(manager, world, code: str, name: str = "Kios lobi", kind: str = "kiosk", office: int | None = None):
    return manager.post("/manager/admin/devices/code", data={
        "code": code, "name": name, "kind": kind, "office": str(office or world.office)})


@pytest.fixture
def manager(app, world):
    client = app.test_client()
    login(client, "manager")
    return client


def test_a_station_shows_a_code_the_manager_enters_it_and_only_that_browser_becomes_the_kiosk(app, world, manager):
    station = app.test_client()
    assert station.get("/kiosk/").status_code == 401  # the pairing page
    answer = ask(station)
    code = answer.get_json()["code"]
    assert len(code) == 9 and code[4] == "-" and set(code.replace("-", "")) <= set(pairing_codes.ALPHABET)
    assert answer.get_json()["expires_in"] == 600 and answer.headers["Cache-Control"] == "no-store"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("ptsp_pairing=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/api/v1/devices/pairing-code" in cookie and code not in cookie
    assert station.post(COLLECT_URL).status_code == 202  # nobody has entered it yet

    # A bystander who read the code off the screen, and even asked for a code of their own, gets nothing.
    bystander = app.test_client()
    assert bystander.post(COLLECT_URL).status_code == 404
    ask(bystander)

    page = enter(manager, world, f" {code.lower().replace('-', '')} ")  # typed loosely
    assert page.status_code == 200 and 'id="paired-by-code"' in page.text, page.text
    assert bystander.post(COLLECT_URL).status_code == 202
    assert bystander.get_cookie("ptsp_device_kiosk") is None
    assert bystander.get("/kiosk/").status_code == 401

    collected = station.post(COLLECT_URL)
    assert collected.status_code == 200 and collected.get_json()["device"]["name"] == "Kios lobi"
    assert any(h.startswith("ptsp_device_kiosk=") for h in collected.headers.getlist("Set-Cookie"))
    assert station.get("/kiosk/").status_code == 200
    assert station.post(COLLECT_URL).status_code == 404  # collected once

    device = rows(app, Device, Device.name == "Kios lobi")[0]
    assert (device.kind, device.office_id, device.revoked_at) == ("kiosk", world.office, None)
    entries = rows(app, AuditEntry, AuditEntry.entity_id == device.id, AuditEntry.entity == "device")
    assert [(e.action, e.actor) for e in entries] == [("created", "staff:manager"), ("paired_by_code", "staff:manager")]
    assert code.replace("-", "") not in str(entries[-1].after)
    code_row = rows(app, PairingCode)[0]
    assert code_row.device_id == device.id and code_row.collected_at is not None
    assert code not in {code_row.code_hash, code_row.secret_hash}  # only hashes are kept

    again = enter(manager, world, code, name="Kios dua")
    assert again.status_code == 409 and "sudah dipakai" in again.text
    assert not rows(app, Device, Device.name == "Kios dua")


def test_a_code_expires_after_ten_minutes_and_a_new_one_replaces_it(app, world, manager, clock):
    station = app.test_client()
    code = ask(station).get_json()["code"]
    clock.advance(minutes=10, seconds=1)
    late = enter(manager, world, code)
    assert late.status_code == 409 and "kedaluwarsa" in late.text
    assert station.post(COLLECT_URL).status_code == 404
    assert not rows(app, Device, Device.name == "Kios lobi")

    fresh = ask(station).get_json()["code"]
    assert fresh != code
    clock.advance(minutes=9)
    assert enter(manager, world, fresh).status_code == 200
    clock.advance(minutes=9)  # entered in time: the station has ten minutes from then to collect
    assert station.post(COLLECT_URL).status_code == 200


def test_an_entered_code_not_collected_in_time_is_gone(app, world, manager, clock):
    station = app.test_client()
    code = ask(station, kind="display").get_json()["code"]
    assert enter(manager, world, code, name="Layar", kind="display").status_code == 200
    clock.advance(minutes=10, seconds=1)
    assert station.post(COLLECT_URL).status_code == 404
    assert station.get("/display/").status_code == 401


def test_a_rating_tablet_pairs_by_code_and_keeps_its_counter_address(app, world, manager):
    tablet = app.test_client()
    assert tablet.get("/feedback/tablet?counter=1").status_code == 401
    code = ask(tablet, kind="tablet").get_json()["code"]
    assert enter(manager, world, code, name="Tablet loket 1", kind="tablet").status_code == 200
    assert tablet.post(COLLECT_URL).get_json()["device"]["kind"] == "tablet"
    assert tablet.get("/feedback/tablet?counter=1").status_code == 200


def test_asking_again_retires_the_station_s_previous_code(app, world, manager):
    station = app.test_client()
    first = ask(station).get_json()["code"]
    ask(station)
    refused = enter(manager, world, first)
    assert refused.status_code == 404 and "tidak dikenal" in refused.text


@pytest.mark.parametrize(("typed", "kind", "status", "words"), [
    ("ACDE-FG2", "kiosk", 422, "8 huruf"),
    ("0000-0000", "kiosk", 422, "8 huruf"),
    ("ACDE-FG23", "kiosk", 404, "tidak dikenal"),
    (None, "display", 422, "bukan display"),
    (None, "agent", 422, "bukan agent"),
])
def test_a_wrong_code_or_kind_is_refused_with_a_sentence_and_changes_nothing(app, world, manager, typed, kind,
                                                                             status, words):
    station = app.test_client()
    code = ask(station).get_json()["code"]
    if typed == "ACDE-FG23" and code == typed:
        pytest.skip("the random code happened to be the wrong one")
    page = enter(manager, world, typed or code, kind=kind)
    assert page.status_code == status and 'id="form-error"' in page.text and words in page.text, page.text
    assert not rows(app, Device, Device.name == "Kios lobi")
    assert rows(app, PairingCode)[0].claimed_at is None
    assert station.post(COLLECT_URL).status_code == 202


def test_a_manager_cannot_pair_into_another_office_and_a_clerk_cannot_pair_at_all(app, world, manager):
    station = app.test_client()
    code = ask(station).get_json()["code"]
    refused = enter(manager, world, code, office=world.other_office)
    assert refused.status_code == 403
    clerk = app.test_client()
    login(clerk, "clerk1")
    assert enter(clerk, world, code).status_code == 403
    assert rows(app, PairingCode)[0].claimed_at is None
    assert station.post(COLLECT_URL).status_code == 202


def test_asking_for_a_code_needs_the_page_s_csrf_token_and_a_station_kind(app, world):
    from flask.testing import FlaskClient

    bare = FlaskClient(app, use_cookies=True)
    assert bare.post(CODE_URL, json={"kind": "kiosk"}).status_code == 403
    station = app.test_client()
    for body in ({"kind": "agent"}, {}, {"kind": "kiosk", "x": 1}):
        answer = station.post(CODE_URL, json=body)
        assert answer.status_code == 422 and answer.get_json()["message"]
    assert not rows(app, PairingCode)


def test_requests_for_codes_are_rate_limited_per_address(db_url, clock):
    app = make_test_app(db_url, clock, RATELIMIT_PAIRING_CODE="3 per hour")
    try:
        load_world(app, clock)
        station = app.test_client()
        for _ in range(3):
            ask(station, environ_base={"REMOTE_ADDR": "10.0.0.5"})
        refused = station.post(CODE_URL, json={"kind": "kiosk"}, environ_base={"REMOTE_ADDR": "10.0.0.5"})
        assert refused.status_code == 429 and refused.get_json()["error"] == "too_many_requests"
        assert refused.get_json()["message"]
        ask(station, environ_base={"REMOTE_ADDR": "10.0.0.6"})  # another station's address has its own bucket
    finally:
        app.extensions["ptsp.engine"].dispose()
