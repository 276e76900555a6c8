"""Device pairing (docs/security.md): a station's token goes once in a header, a signed HttpOnly cookie comes back,
and from then on the station's pages, fetches and socket are known by that cookie; no address carries a token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from ptsp.extensions import socketio
from ptsp.models import Device
from tests.conftest import bearer, login, pair


def pair_answer(client, token: str | None, body=None, **kwargs):
    headers = bearer(token) if token else {}
    return client.post("/api/v1/devices/pair", headers=headers, json={"kind": "kiosk"} if body is None else body,
                       **kwargs)


def revoke(app, token_kind: str) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        session.execute(update(Device).where(Device.kind == token_kind).values(revoked_at=datetime.now(UTC)))
        session.commit()


def test_pairing_sets_a_strict_httponly_cookie_that_is_not_the_token(client, world):
    answer = pair_answer(client, world.kiosk)
    assert answer.status_code == 200 and answer.get_json()["device"]["kind"] == "kiosk"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("ptsp_device_kiosk=") and world.kiosk not in cookie
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes and "samesite=strict" in cookie.lower()
    assert "secure" not in attributes  # plain HTTP here; over HTTPS it is Secure (below)
    assert answer.headers["Cache-Control"] == "no-store"
    assert client.get("/kiosk/").status_code == 200


def test_pairing_over_https_gives_a_secure_cookie(client, world):
    answer = pair_answer(client, world.kiosk, base_url="https://ptsp.example")
    assert "Secure" in answer.headers["Set-Cookie"]


@pytest.mark.parametrize(("token", "body", "status", "error"), [
    (None, None, 401, "unauthorized"),
    ("ptsp_kiosk_nope", None, 401, "unauthorized"),
    ("display", None, 403, "forbidden"),
    ("kiosk", {"kind": "agent"}, 422, "invalid_input"),
    ("kiosk", {}, 422, "invalid_input"),
    ("kiosk", {"kind": "kiosk", "x": 1}, 422, "invalid_input"),
])
def test_pairing_refuses_with_a_message_and_sets_nothing(client, world, token, body, status, error):
    token = getattr(world, token, token) if token else None
    answer = pair_answer(client, token, body)
    assert answer.status_code == status, answer.get_json()
    assert answer.get_json()["error"] == error and answer.get_json()["message"]
    assert "Set-Cookie" not in answer.headers


def test_pairing_refuses_broken_json_and_a_staff_login_without_a_token(client, world):
    broken = client.post("/api/v1/devices/pair", headers={**bearer(world.kiosk), "Content-Type": "application/json"},
                         data="{")
    assert broken.status_code == 400 and broken.get_json()["error"] == "malformed_json"
    login(client, "clerk1")
    assert pair_answer(client, None).status_code == 401


def test_station_pages_refuse_a_token_in_the_address_and_never_echo_it(client, world):
    pair(client, world.kiosk, "kiosk")
    for url in (f"/kiosk/?token={world.kiosk}", f"/kiosk/preview?token={world.kiosk}",
                f"/display/?token={world.display}", f"/display/speech.wav?token={world.display}&text=halo"):
        answer = client.get(url)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400, url
        assert "tidak diterima lagi" in page and "#token=" in page
        assert world.kiosk not in page and world.display not in page
        assert "Set-Cookie" not in answer.headers


def test_a_forged_or_foreign_cookie_is_no_pairing(app, client, world):
    client.set_cookie("ptsp_device_kiosk", "bm90IHNpZ25lZA.forged")
    assert client.get("/kiosk/").status_code == 401
    other = app.test_client()
    pair(other, world.display, "display")
    display_cookie = other.get_cookie("ptsp_device_display").value
    client.set_cookie("ptsp_device_kiosk", display_cookie)  # a display's signed value under the kiosk's name
    assert client.get("/kiosk/").status_code == 401
    assert client.get("/kiosk/state").status_code == 401


def test_a_revoked_device_cookie_stops_at_the_next_request_and_socket(app, client, world):
    pair(client, world.display, "display")
    cookie = f"ptsp_device_display={client.get_cookie('ptsp_device_display').value}"
    listener = socketio.test_client(app, auth={"device": "display"}, headers={"Cookie": cookie})
    assert listener.is_connected() and any(e["name"] == "snapshot" for e in listener.get_received())
    listener.disconnect()
    assert client.get("/display/").status_code == 200
    revoke(app, "display")
    assert client.get("/display/").status_code == 401
    assert client.get("/display/speech.wav?text=halo").status_code == 401
    assert not socketio.test_client(app, auth={"device": "display"}, headers={"Cookie": cookie}).is_connected()


def test_sockets_take_the_cookie_of_the_kind_asked_for_and_tokens_still(app, client, world):
    pair(client, world.kiosk, "kiosk")
    cookie = f"ptsp_device_kiosk={client.get_cookie('ptsp_device_kiosk').value}"
    assert not socketio.test_client(app, auth={"device": "display"}, headers={"Cookie": cookie}).is_connected()
    assert not socketio.test_client(app, auth={"device": "kiosk"}).is_connected()
    assert socketio.test_client(app, auth={"device": "kiosk"}, headers={"Cookie": cookie}).is_connected()
    assert socketio.test_client(app, auth={"token": world.display}).is_connected()  # print agents, scripts


def test_a_manager_who_paired_a_kiosk_is_the_manager_on_staff_routes_and_the_kiosk_on_its_own(client, world):
    pair(client, world.kiosk, "kiosk")
    login(client, "sup")
    assert client.get("/kiosk/state").status_code == 200  # the kiosk's fetch: the device cookie
    assert client.get("/api/v1/auth/me").get_json()["username"] == "sup"
    assert client.get(f"/api/v1/offices/{world.office}/printers").status_code == 200  # staff only


def test_each_paired_kiosk_has_its_own_issue_budget(db_url, clock):
    from tests.conftest import load_world, make_test_app

    app = make_test_app(db_url, clock, RATELIMIT_ISSUE="2 per minute")
    try:
        world = load_world(app, clock)
        one, two = app.test_client(), app.test_client()
        pair(one, world.kiosk, "kiosk")
        pair(two, world.other_kiosk, "kiosk")
        body = {"office": world.office, "service": world.services["A"]}
        assert [one.post("/kiosk/issue", json=body).status_code for _ in range(3)] == [201, 201, 429]
        other = {"office": world.other_office, "service": world.other_service}
        assert two.post("/kiosk/issue", json=other).status_code == 201  # another kiosk, same address
    finally:
        app.extensions["ptsp.engine"].dispose()
