"""Sessions, credentials and revocation through the test client: each refusal here held nowhere before."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from ptsp.extensions import socketio
from ptsp.models import AccountEvent, Device, Staff
from tests.conftest import bearer, login, make_test_app, pair


def staff_id(app, username: str) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalar(select(Staff.id).where(Staff.username == username))


def device_id(app, kind: str, office: int) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalar(select(Device.id).where(Device.kind == kind, Device.office_id == office))


def events(app) -> list[AccountEvent]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return list(session.scalars(select(AccountEvent).order_by(AccountEvent.id)))


def dropped(socket) -> bool:
    """Tell whether the server drops the socket within two seconds (it does so just after its refusal)."""
    deadline = time.monotonic() + 2
    while socket.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not socket.is_connected()


def copied_cookie(client, other) -> None:
    """Give `other` the session cookie `client` holds now, as a thief who copied it would."""
    cookie = client.get_cookie("session")
    other.set_cookie("session", cookie.value)


def test_a_cookie_copied_before_logout_no_longer_works(app, client, world):
    login(client, "clerk1")
    thief = app.test_client()
    copied_cookie(client, thief)
    assert thief.get("/api/v1/auth/me").status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 200
    answer = thief.get("/api/v1/auth/me")
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
    assert [e.kind for e in events(app)] == ["logout"]


def test_logout_on_a_page_ends_the_other_sessions_too(app, client, world):
    login(client, "clerk1")
    other_browser = app.test_client()
    login(other_browser, "clerk1")
    assert client.post("/counter/logout").status_code == 302
    assert other_browser.get("/api/v1/auth/me").status_code == 401
    login(client, "clerk1")  # logging in again works, under the new epoch
    assert client.get("/api/v1/auth/me").status_code == 200


def test_a_socket_from_a_cookie_copied_before_logout_is_refused(app, client, world):
    login(client, "clerk1")
    thief = app.test_client()
    copied_cookie(client, thief)
    open_socket = socketio.test_client(app, flask_test_client=thief, auth={"office": world.office})
    assert open_socket.is_connected()
    client.post("/api/v1/auth/logout")
    assert not socketio.test_client(app, flask_test_client=thief, auth={"office": world.office}).is_connected()
    # The socket opened before the logout is refused on its next command, and dropped.
    answer = open_socket.emit("command", {"action": "open", "counter": world.counters[1]}, callback=True)
    assert answer["error"] == "unauthorized"
    assert dropped(open_socket)


def test_password_change_needs_the_current_one_and_ends_the_other_sessions(app, client, world):
    login(client, "clerk1")
    other = app.test_client()
    login(other, "clerk1")
    wrong = client.post("/api/v1/auth/password", json={"current": "nope", "new": "a-new-password"})
    assert wrong.status_code == 403 and wrong.get_json()["error"] == "forbidden"
    short = client.post("/api/v1/auth/password", json={"current": "password-1", "new": "short"})
    assert short.status_code == 422
    ok = client.post("/api/v1/auth/password", json={"current": "password-1", "new": "a-new-password"})
    assert ok.status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200  # the changer stays logged in
    assert other.get("/api/v1/auth/me").status_code == 401
    assert app.test_client().post("/api/v1/auth/login", json={"username": "clerk1", "password": "password-1"}
                                  ).status_code == 401
    login(app.test_client(), "clerk1", "a-new-password")
    assert [e.kind for e in events(app)] == ["password_changed"]


def test_a_supervisor_deactivates_a_clerk_whose_sessions_end_and_who_cannot_log_in(app, client, world):
    clerk = app.test_client()
    login(clerk, "clerk2")
    socket = socketio.test_client(app, flask_test_client=clerk, auth={"office": world.office})
    login(client, "sup")
    answer = client.post(f"/api/v1/staff/{staff_id(app, 'clerk2')}/deactivate")
    assert answer.status_code == 200 and answer.get_json()["active"] is False
    assert clerk.get("/api/v1/auth/me").status_code == 401
    assert socket.emit("command", {"action": "open", "counter": world.counters[1]}, callback=True)["error"] \
        == "unauthorized"
    refused = app.test_client().post("/api/v1/auth/login", json={"username": "clerk2", "password": "password-2"})
    assert refused.status_code == 401
    again = client.post(f"/api/v1/staff/{staff_id(app, 'clerk2')}/deactivate")
    assert again.status_code == 409
    assert client.post(f"/api/v1/staff/{staff_id(app, 'clerk2')}/activate").status_code == 200
    login(app.test_client(), "clerk2")
    (event, back) = events(app)
    assert (event.kind, event.actor, event.actor_staff_id, event.target_staff_id, event.office_id) == (
        "staff_deactivated", "staff:sup", staff_id(app, "sup"), staff_id(app, "clerk2"), world.office)
    assert back.kind == "staff_activated"


def test_a_manager_resets_a_password_and_it_is_shown_once(app, client, world):
    login(client, "manager")
    reset = client.post(f"/api/v1/staff/{staff_id(app, 'clerk3')}/password", json={})
    assert reset.status_code == 200
    new = reset.get_json()["password"]
    login(app.test_client(), "clerk3", new)
    chosen = client.post(f"/api/v1/staff/{staff_id(app, 'clerk3')}/password", json={"password": "chosen-pass"})
    assert chosen.status_code == 200
    login(app.test_client(), "clerk3", "chosen-pass")
    log = client.get("/api/v1/account-events").get_json()
    assert [e["kind"] for e in log] == ["password_reset", "password_reset"]
    assert log[0]["actor"] == "staff:manager" and log[0]["staff"] == staff_id(app, "clerk3")


@pytest.mark.parametrize(("who", "target", "status", "error"), [
    ("other", "clerk1", 403, "forbidden"),  # a clerk: no account commands at all
    ("clerk1", "clerk2", 403, "forbidden"),
    ("sup", "manager", 403, "forbidden"),  # a higher role
    ("sup", "sup", 403, "forbidden"),  # one's own account: change the password instead
])
def test_account_commands_are_refused_outside_role_and_scope(app, client, world, who, target, status, error):
    login(client, who)
    for path in ("deactivate", "activate"):
        answer = client.post(f"/api/v1/staff/{staff_id(app, target)}/{path}")
        assert (answer.status_code, answer.get_json()["error"]) == (status, error)
    answer = client.post(f"/api/v1/staff/{staff_id(app, target)}/password", json={"password": "hijacked-1"})
    assert answer.status_code == status
    assert events(app) == []


def test_a_neighbour_offices_manager_is_refused(app, client, world):
    """A manager of kel-lain (a sibling office, not above kel-test) can touch none of kel-test's accounts."""
    with app.extensions["ptsp.sessions"]() as session:
        from ptsp.models import Office
        from ptsp.services.accounts import add_staff

        lain = session.scalar(select(Office).where(Office.slug == "kel-lain"))
        add_staff(session, username="mlain", name="Manajer Lain", password="password-x", role="manager", office=lain)
        session.commit()
    login(client, "mlain", "password-x")
    answer = client.post(f"/api/v1/staff/{staff_id(app, 'clerk1')}/deactivate")
    assert answer.status_code == 403 and answer.get_json()["error"] == "forbidden"
    assert client.post(f"/api/v1/staff/{staff_id(app, 'clerk1')}/password", json={}).status_code == 403
    assert client.post(f"/api/v1/devices/{device_id(app, 'kiosk', world.office)}/revoke").status_code == 403
    assert client.get(f"/api/v1/devices?office={world.office}").status_code == 403
    assert all(d["office"] == world.other_office for d in client.get("/api/v1/devices").get_json())
    assert client.get("/api/v1/account-events").get_json() == []
    login(app.test_client(), "clerk1")
    assert client.get("/api/v1/auth/me").get_json()["username"] == "mlain"


def test_a_revoked_kiosk_token_is_refused_by_rest_pages_and_an_open_socket(app, client, world):
    kiosk = device_id(app, "kiosk", world.office)
    display = device_id(app, "display", world.office)
    kiosk_page, display_page = app.test_client(), app.test_client()  # browsers paired before the revocation
    pair(kiosk_page, world.kiosk, "kiosk")
    pair(display_page, world.display, "display")
    assert kiosk_page.get("/kiosk/").status_code == display_page.get("/display/").status_code == 200
    screen = socketio.test_client(app, auth={"token": world.display})
    assert screen.emit("heartbeat", {"seq": 0}, callback=True)["status"] == 200
    login(client, "sup")
    listed = client.get("/api/v1/devices").get_json()
    assert {d["id"] for d in listed} == {kiosk, display}
    assert client.post(f"/api/v1/devices/{kiosk}/revoke").status_code == 200
    assert client.post(f"/api/v1/devices/{display}/revoke").status_code == 200
    assert client.post(f"/api/v1/devices/{kiosk}/revoke").status_code == 409
    assert app.test_client().get("/api/v1/offices", headers=bearer(world.kiosk)).status_code == 401
    assert app.test_client().get("/kiosk/state", headers=bearer(world.kiosk)).status_code == 401
    assert kiosk_page.get("/kiosk/").status_code == 401
    assert display_page.get("/display/").status_code == 401
    assert not socketio.test_client(app, auth={"token": world.display}).is_connected()
    assert screen.emit("heartbeat", {"seq": 0}, callback=True)["error"] == "unauthorized"
    assert dropped(screen)
    kinds = [(e.kind, e.target_device_id, e.actor) for e in events(app)]
    assert kinds == [("device_revoked", kiosk, "staff:sup"), ("device_revoked", display, "staff:sup")]


def test_the_new_endpoints_answer_bad_input_with_json_4xx(app, client, world):
    login(client, "manager")
    assert client.post("/api/v1/staff/999999/deactivate").status_code == 404
    assert client.post("/api/v1/devices/999999/revoke").status_code == 404
    broken = client.post(f"/api/v1/staff/{staff_id(app, 'clerk1')}/password", data="{", content_type="application/json")
    assert broken.status_code == 400 and set(broken.get_json()) == {"error", "message"}
    extra = client.post(f"/api/v1/staff/{staff_id(app, 'clerk1')}/password", json={"password": 12345678})
    assert extra.status_code == 422
    assert client.get("/api/v1/devices?office=abc").status_code == 422
    assert events(app) == []


def test_the_issue_limit_is_one_bucket_per_kiosk_whatever_the_header_spelling(db_url, clock):
    app = make_test_app(db_url, clock, RATELIMIT_ISSUE="3 per minute")
    from tests.conftest import load_world

    world = load_world(app, clock)
    body = {"office": world.office, "service": world.services["A"]}
    client = app.test_client()
    spellings = [f"Bearer {world.kiosk}", f"bearer {world.kiosk}", f"Bearer  {world.kiosk}",
                 f"BEARER {world.kiosk}"]
    statuses = [client.post("/api/v1/tickets", json=body, headers={"Authorization": h}).status_code
                for h in spellings]
    assert statuses == [201, 201, 201, 429]
    # The kiosk page's own route shares the bucket with the API.
    page = client.post("/kiosk/issue", json=body, headers=bearer(world.kiosk))
    assert page.status_code == 429
    # Another kiosk has its own bucket.
    other = {"office": world.other_office, "service": world.other_service}
    assert client.post("/api/v1/tickets", json=other, headers=bearer(world.other_kiosk)).status_code == 201
    app.extensions["ptsp.engine"].dispose()
