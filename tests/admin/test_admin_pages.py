"""The administration pages through the Flask test client, on SQLite and PostgreSQL: staff, devices, passwords,
the audit log, and the scope refusals (each refusal changes nothing)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from ptsp.models import AuditEntry, Device, Staff
from ptsp.services import audit
from tests.conftest import bearer, login


def db_rows(app, model, *where):
    session = app.extensions["ptsp.sessions"]()
    try:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))
    finally:
        session.close()


def staff_row(app, username: str) -> Staff:
    return db_rows(app, Staff, Staff.username == username)[0]


def shown_password(html: str) -> str:
    found = re.search(r'id="temporary-password">([^<]+)<', html)
    assert found, html
    return found.group(1)


def add_clerk(client, world, username: str = "dewi") -> str:
    supervisor = None
    response = client.post("/manager/admin/staff", data={
        "name": "Dewi Lestari", "username": username, "role": "clerk", "office": str(world.office),
        "supervisor": supervisor or ""})
    assert response.status_code == 200, response.text
    return shown_password(response.text)


def test_a_manager_adds_a_clerk_who_must_choose_a_password_at_first_login(app, client, world):
    login(client, "manager")
    sup = staff_row(app, "sup")
    response = client.post("/manager/admin/staff", data={
        "name": "Dewi Lestari", "username": "Dewi", "role": "clerk", "office": str(world.office),
        "supervisor": str(sup.id)})
    assert response.status_code == 200
    temporary = shown_password(response.text)
    dewi = staff_row(app, "dewi")
    assert (dewi.role, dewi.office_id, dewi.supervisor_id, dewi.must_change_password) == (
        "clerk", world.office, sup.id, True)
    entry = db_rows(app, AuditEntry, AuditEntry.entity_id == dewi.id)[-1]
    assert (entry.entity, entry.action, entry.office_id, entry.actor, entry.before) == (
        "staff", "created", world.office, "staff:manager", None)
    assert entry.after["username"] == "dewi" and entry.after["supervisor"] == "sup"
    assert temporary not in str(entry.after)

    clerk = app.test_client()
    # The temporary password logs nobody in: not the API, and the counter only reaches the change page.
    assert clerk.post("/api/v1/auth/login", json={"username": "dewi", "password": temporary}).status_code == 403
    response = clerk.post("/counter/login", data={"username": "dewi", "password": temporary})
    assert response.status_code == 302 and response.headers["Location"].endswith("/manager/password/new")
    assert clerk.get("/counter/state").status_code == 401
    for bad in ({"new": "pendek1", "confirm": "pendek1"}, {"new": "hanyahurufsaja", "confirm": "hanyahurufsaja"},
                {"new": "dewi-loket-12", "confirm": "dewi-loket-12"},
                {"new": "loket-tiga-12", "confirm": "lain-12345"}):
        refused = clerk.post("/manager/password/new", data=bad)
        assert refused.status_code == 422 and 'id="form-error"' in refused.text, bad
    assert staff_row(app, "dewi").must_change_password
    done = clerk.post("/manager/password/new", data={"new": "loket-tiga-12", "confirm": "loket-tiga-12"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/counter/")
    assert clerk.get("/counter/state").status_code == 200
    assert not staff_row(app, "dewi").must_change_password
    actions = [e.action for e in db_rows(app, AuditEntry, AuditEntry.entity_id == dewi.id)]
    assert actions == ["created", "password_changed"]


def test_deactivating_ends_the_clerks_sessions_at_once_and_is_audited(app, client, world):
    clerk = app.test_client()
    login(clerk, "clerk1")
    assert clerk.get("/counter/state").status_code == 200
    login(client, "manager")
    clerk1 = staff_row(app, "clerk1")
    response = client.post(f"/manager/admin/staff/{clerk1.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert clerk.get("/counter/state").status_code == 401
    assert app.test_client().post("/api/v1/auth/login", json={
        "username": "clerk1", "password": "password-1"}).status_code == 401
    entry = db_rows(app, AuditEntry, AuditEntry.entity_id == clerk1.id)[-1]
    assert (entry.action, entry.before["active"], entry.after["active"]) == ("deactivated", True, False)
    assert client.post(f"/manager/admin/staff/{clerk1.id}/active", data={"active": "1"}).status_code == 302
    assert staff_row(app, "clerk1").active


def test_a_reset_gives_a_temporary_password_and_forces_a_change_at_the_next_login(app, client, world):
    clerk = app.test_client()
    login(clerk, "clerk2")
    login(client, "manager")
    clerk2 = staff_row(app, "clerk2")
    response = client.post(f"/manager/admin/staff/{clerk2.id}/password")
    temporary = shown_password(response.text)
    assert clerk.get("/counter/state").status_code == 401  # the old session ended
    fresh = app.test_client()
    assert fresh.post("/counter/login", data={"username": "clerk2", "password": "password-2"}).status_code == 401
    to_change = fresh.post("/counter/login", data={"username": "clerk2", "password": temporary})
    assert to_change.headers["Location"].endswith("/manager/password/new")
    entry = db_rows(app, AuditEntry, AuditEntry.entity_id == clerk2.id)[-1]
    assert (entry.action, entry.before["must_change_password"], entry.after["must_change_password"]) == (
        "password_reset", False, True)


def test_edit_role_and_supervisor_refuses_a_cycle_and_a_role_above_the_managers(app, client, world):
    login(client, "manager")
    sup, clerk1 = staff_row(app, "sup"), staff_row(app, "clerk1")
    # A manager may not make anyone a manager or admin, nor create one.
    for role in ("manager", "admin"):
        refused = client.post(f"/manager/admin/staff/{clerk1.id}", data={"name": "x", "role": role})
        assert refused.status_code == 403 and 'id="form-error"' in refused.text
        created = client.post("/manager/admin/staff", data={"name": "Boss", "username": "boss", "role": role,
                                                            "office": str(world.office)})
        assert created.status_code == 403
    assert staff_row(app, "clerk1").role == "clerk" and not db_rows(app, Staff, Staff.username == "boss")
    ok = client.post(f"/manager/admin/staff/{clerk1.id}", data={"name": "Clerk Satu", "role": "supervisor",
                                                               "supervisor": str(sup.id)})
    assert ok.status_code == 302
    # sup -> clerk1 -> sup would be a circle.
    cycle = client.post(f"/manager/admin/staff/{sup.id}", data={"name": sup.name, "role": "supervisor",
                                                               "supervisor": str(clerk1.id)})
    assert cycle.status_code == 422 and "berputar" in cycle.text
    assert staff_row(app, "sup").supervisor_id == staff_row(app, "manager").id
    entry = db_rows(app, AuditEntry, AuditEntry.entity_id == clerk1.id)[-1]
    assert (entry.action, entry.before["role"], entry.after["role"]) == ("updated", "clerk", "supervisor")


def test_scope_a_manager_cannot_touch_another_offices_staff_and_others_get_403(app, client, world):
    login(client, "manager")  # kec-test and kel-test under it; kel-lain is a neighbour
    other = staff_row(app, "other")
    before = (other.active, other.session_epoch)
    assert client.get(f"/manager/admin/staff/{other.id}").status_code == 403
    assert client.post(f"/manager/admin/staff/{other.id}/active", data={"active": "0"}).status_code == 403
    assert client.post(f"/manager/admin/staff/{other.id}/password").status_code == 403
    assert client.post("/manager/admin/staff", data={"name": "X", "username": "xxx", "role": "clerk",
                                                     "office": str(world.other_office)}).status_code == 403
    assert (staff_row(app, "other").active, staff_row(app, "other").session_epoch) == before
    listed = client.get("/manager/admin/staff").text
    assert 'data-username="clerk1"' in listed and 'data-username="other"' not in listed
    for username in ("sup", "clerk1"):
        page = app.test_client()
        login(page, username)
        for path in ("/manager/admin/staff", "/manager/admin/devices", "/manager/admin/audit"):
            assert page.get(path).status_code == 403, (username, path)
        assert page.post(f"/manager/admin/staff/{staff_row(app, 'clerk2').id}/active",
                         data={"active": "0"}).status_code == 403
    assert staff_row(app, "clerk2").active
    assert not db_rows(app, AuditEntry, AuditEntry.office_id == world.other_office)


def test_a_form_without_its_csrf_token_changes_nothing(app, world):
    plain = FlaskClient(app, app.response_class, use_cookies=True)
    csrf = plain.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    logged_in = plain.post("/api/v1/auth/login", json={"username": "manager", "password": "password-m"},
                           headers={"X-CSRFToken": csrf})
    assert logged_in.status_code == 200 and plain.get("/manager/admin/staff").status_code == 200
    clerk1 = staff_row(app, "clerk1")
    response = plain.post(f"/manager/admin/staff/{clerk1.id}/active", data={"active": "0"})
    assert response.status_code == 403 and staff_row(app, "clerk1").active
    assert not db_rows(app, AuditEntry)


def test_devices_pair_rename_revoke_and_duplicate_names_are_refused(app, client, world):
    login(client, "manager")
    response = client.post("/manager/admin/devices", data={"name": "Kios lobi", "kind": "kiosk",
                                                           "office": str(world.office)})
    link = re.search(r'id="pairing-link">([^<]+)<', response.text).group(1)
    assert "/kiosk/#token=ptsp_kiosk_" in link and "?token" not in link
    token = link.split("#token=")[1]
    assert client.get("/api/v1/offices", headers=bearer(token)).status_code == 200
    kiosk = db_rows(app, Device, Device.name == "Kios lobi")[0]
    for name in ("kios LOBI", " Kios  lobi ", "k"):  # "k" is the world's kiosk
        refused = client.post("/manager/admin/devices", data={"name": name, "kind": "display",
                                                              "office": str(world.office)})
        assert refused.status_code == 422 and "sudah dipakai" in refused.text
    # The same name in another office is another device, but not this manager's office.
    assert client.post("/manager/admin/devices", data={"name": "Kios lobi", "kind": "kiosk",
                                                       "office": str(world.other_office)}).status_code == 403
    assert client.post(f"/manager/admin/devices/{kiosk.id}/rename", data={"name": "k"}).status_code == 422
    neighbour = db_rows(app, Device, Device.office_id == world.other_office)[0]
    assert client.post(f"/manager/admin/devices/{neighbour.id}/revoke").status_code == 403
    assert client.post(f"/manager/admin/devices/{neighbour.id}/rename", data={"name": "x"}).status_code == 403
    assert client.get("/api/v1/offices", headers=bearer(world.other_kiosk)).status_code == 200
    assert 'data-name="k2"' not in client.get("/manager/admin/devices").text
    assert client.post(f"/manager/admin/devices/{kiosk.id}/rename", data={"name": "Kios pintu"}).status_code == 302
    assert client.post(f"/manager/admin/devices/{kiosk.id}/revoke").status_code == 302
    assert client.get("/api/v1/offices", headers=bearer(token)).status_code == 401
    # A revoked device's name is free again.
    again = client.post("/manager/admin/devices", data={"name": "Kios pintu", "kind": "kiosk",
                                                        "office": str(world.office)})
    assert again.status_code == 200
    agent = client.post("/manager/admin/devices", data={"name": "PC kios", "kind": "agent",
                                                        "office": str(world.office)})
    assert 'id="agent-token">ptsp_agent_' in agent.text and "pairing-link" not in agent.text
    actions = [(e.action, e.before and e.before["name"], e.after["name"])
               for e in db_rows(app, AuditEntry, AuditEntry.entity_id == kiosk.id, AuditEntry.entity == "device")]
    assert actions == [("created", None, "Kios lobi"), ("renamed", "Kios lobi", "Kios pintu"),
                       ("revoked", "Kios pintu", "Kios pintu")]


def test_the_audit_page_shows_only_the_managers_scope_newest_first_in_pages(app, client, world):
    login(client, "manager")
    for number in range(55):
        client.post("/manager/admin/devices", data={"name": f"TV {number}", "kind": "display",
                                                    "office": str(world.office)})
    elsewhere = app.extensions["ptsp.sessions"]()
    audit.record(elsewhere, actor=None, now=datetime.now(UTC), office_id=world.other_office, entity="staff",
                 entity_id=1, action="secret")
    elsewhere.commit()
    elsewhere.close()
    first = client.get("/manager/admin/audit").text
    assert first.count('data-action="created"') == 50 and "secret" not in first and "TV 54" in first
    assert 'id="older"' in first and 'id="newer"' not in first
    second = client.get("/manager/admin/audit?page=2").text
    assert second.count('data-action="created"') == 5 and "TV 0" in second and 'id="newer"' in second
    assert client.get("/manager/admin/audit?page=abc").status_code == 200


def test_every_member_of_staff_changes_their_own_password(app, client, world):
    other_browser = app.test_client()
    login(other_browser, "clerk3")
    login(client, "clerk3")
    assert client.get("/manager/password").status_code == 200
    wrong = client.post("/manager/password", data={"current": "nope", "new": "loket-baru-33",
                                                   "confirm": "loket-baru-33"})
    assert wrong.status_code == 403
    short = client.post("/manager/password", data={"current": "password-3", "new": "a1", "confirm": "a1"})
    assert short.status_code == 422
    assert client.get("/counter/state").status_code == 200 and other_browser.get("/counter/state").status_code == 200
    ok = client.post("/manager/password", data={"current": "password-3", "new": "loket-baru-33",
                                                "confirm": "loket-baru-33"})
    assert ok.status_code == 200 and 'id="saved"' in ok.text
    assert client.get("/counter/state").status_code == 200  # this browser stays in
    assert other_browser.get("/counter/state").status_code == 401  # every other session ended
    login(app.test_client(), "clerk3", "loket-baru-33")


def test_a_reset_while_the_change_page_is_open_makes_that_change_expire(app, client, world):
    login(client, "manager")
    clerk3 = staff_row(app, "clerk3")
    first = shown_password(client.post(f"/manager/admin/staff/{clerk3.id}/password").text)
    waiting = app.test_client()
    assert waiting.post("/counter/login", data={"username": "clerk3", "password": first}).status_code == 302
    shown_password(client.post(f"/manager/admin/staff/{clerk3.id}/password").text)  # reset again meanwhile
    late = waiting.post("/manager/password/new", data={"new": "Loket-tiga-2026", "confirm": "Loket-tiga-2026"})
    assert late.status_code == 403 and "tidak berlaku lagi" in late.text
    assert staff_row(app, "clerk3").must_change_password
    assert waiting.get("/counter/state").status_code == 401
