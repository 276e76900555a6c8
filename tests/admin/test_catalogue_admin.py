"""Services and counters on the administration pages, on SQLite and PostgreSQL: created and edited with the
service standard, each refusal changing nothing, the scope refusals (another office, an agency's manager,
supervisors and clerks), the audit entries, closed counters leaving the counter screen and the plan, and the
kiosk reading its catalogue again after each change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ptsp.extensions import socketio
from ptsp.models import Agency, AuditEntry, Counter, Office, Service
from ptsp.services.accounts import add_staff
from ptsp.services.snapshot import office_snapshot
from tests.conftest import bearer, login

FEE_BASIS = "Perda Kota Uji No. 3 Tahun 2024 tentang Retribusi"


def new_service(office: int, **changes: str) -> dict[str, str]:
    form = {"office": str(office), "prefix": "D", "name_id": "Akta Kelahiran", "name_en": "Birth certificate",
            "standard_minutes": "12", "daily_quota": "", "active": "1",
            "requirements": "KTP-el orang tua\n\n  Kartu Keluarga  \nSurat keterangan lahir",
            "fee_rupiah": "", "fee_basis": "", "completion_days": "3"}
    return {**form, **changes}


def rows(app, model, *where):
    with app.extensions["ptsp.read_sessions"]() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def served(app, counter_id: int) -> tuple[Counter, list[str]]:
    with app.extensions["ptsp.read_sessions"]() as session:
        counter = session.get(Counter, counter_id)
        return counter, [s.prefix for s in counter.services]


def count(app, model) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def audit_of(app, entity: str) -> list[AuditEntry]:
    return rows(app, AuditEntry, AuditEntry.entity == entity)


def kiosk_names(client, world) -> dict[str, str]:
    state = client.get("/kiosk/state", headers=bearer(world.kiosk)).get_json()
    return {s["prefix"]: s["name"]["id"] for s in state["services"]}


def snapshot_numbers(app, world, clock) -> list[int]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return [c["number"] for c in office_snapshot(session, world.office, clock())["counters"]]


def make_agency_manager(app, world) -> tuple[int, int]:
    """An agency (DUKCAPIL) in the test office, a manager limited to it, and its own service E."""
    with app.extensions["ptsp.sessions"]() as session:
        office = session.get(Office, world.office)
        agency = Agency(office_id=world.office, code="DUKCAPIL", name="Dukcapil")
        other = Agency(office_id=world.office, code="SAMSAT", name="Samsat")
        session.add_all([agency, other])
        session.flush()
        staff = add_staff(session, username="dukmgr", name="Manajer Dukcapil", password="password-d",
                          role="manager", office=office)
        staff.agency_id = agency.id
        session.add(Service(office_id=world.office, prefix="E", name_id="KIA", name_en="Child ID",
                            agency_id=agency.id))
        session.commit()
        return agency.id, other.id


def test_a_manager_adds_a_service_with_its_standard_and_the_kiosk_hears_of_it(app, client, world):
    kiosk = socketio.test_client(app, auth={"token": world.kiosk})
    kiosk.get_received()
    login(client, "manager")
    response = client.post("/manager/admin/services", data=new_service(world.office, prefix="d"))
    assert response.status_code == 302
    service = rows(app, Service, Service.prefix == "D")[0]
    assert (service.office_id, service.agency_id, service.name_en, service.standard_minutes, service.daily_quota,
            service.active, service.fee_rupiah, service.fee_basis, service.completion_days) == (
        world.office, None, "Birth certificate", 12.0, None, True, 0, None, 3)
    assert service.requirements == ["KTP-el orang tua", "Kartu Keluarga", "Surat keterangan lahir"]
    assert response.headers["Location"].endswith(f"/manager/admin/services/{service.id}?saved=1")
    [entry] = audit_of(app, "service")
    assert (entry.action, entry.entity_id, entry.office_id, entry.actor, entry.before) == (
        "created", service.id, world.office, "staff:manager", None)
    assert entry.after["prefix"] == "D" and entry.after["requirements"][1] == "Kartu Keluarga"
    # After the commit the kiosk hears `services_changed`, and its next state offers the new service.
    heard = [m["name"] for m in kiosk.get_received()]
    assert "services_changed" in heard
    assert kiosk_names(client, world)["D"] == "Akta Kelahiran"
    page = client.get("/manager/admin/services").text
    assert 'data-prefix="D"' in page and "Akta Kelahiran" in page
    kiosk.disconnect()


@pytest.mark.parametrize("changes", [
    {"prefix": "A"},  # taken in this office
    {"prefix": "D1"},
    {"prefix": ""},
    {"name_id": ""},
    {"name_en": "x" * 201},  # longer than the column
    {"standard_minutes": "0"},
    {"standard_minutes": "481"},
    {"standard_minutes": "sepuluh"},
    {"daily_quota": "0"},
    {"fee_rupiah": "-1"},
    {"fee_rupiah": "1.5"},
    {"fee_rupiah": "15000"},  # a fee without its legal basis
    {"fee_rupiah": "15000", "fee_basis": "   "},
    {"completion_days": "-1"},
    {"requirements": "x" * 301},
    {"agency": "999"},
])
def test_a_refused_service_form_says_why_and_changes_nothing(app, client, world, changes):
    login(client, "manager")
    before = count(app, Service)
    response = client.post("/manager/admin/services", data=new_service(world.office, **changes))
    assert response.status_code == 422, response.text
    assert 'id="form-error"' in response.text
    assert count(app, Service) == before and audit_of(app, "service") == []
    # what was typed is shown again
    assert 'value="Akta Kelahiran"' in response.text or changes.get("name_id") == ""


def test_a_paid_service_publishes_its_fee_with_the_legal_basis(app, client, world):
    login(client, "manager")
    response = client.post("/manager/admin/services", data=new_service(
        world.office, fee_rupiah="15000", fee_basis=FEE_BASIS, daily_quota="20"))
    assert response.status_code == 302
    service = rows(app, Service, Service.prefix == "D")[0]
    assert (service.fee_rupiah, service.fee_basis, service.daily_quota) == (15000, FEE_BASIS, 20)
    state = client.get("/kiosk/state", headers=bearer(world.kiosk)).get_json()
    shown = next(s for s in state["services"] if s["prefix"] == "D")
    assert shown["standard"]["fee_rupiah"] == 15000 and shown["standard"]["fee_basis"] == FEE_BASIS


def test_editing_renames_on_the_kiosk_and_deactivating_removes_the_service_but_keeps_it(app, client, world):
    login(client, "manager")
    a = world.services["A"]
    form = new_service(world.office, prefix="A", name_id="KTP-el", name_en="ID card")
    assert client.post(f"/manager/admin/services/{a}", data=form).status_code == 302
    assert kiosk_names(client, world)["A"] == "KTP-el"
    assert client.post(f"/manager/admin/services/{a}/active", data={"active": "0"}).status_code == 302
    assert "A" not in kiosk_names(client, world)
    assert rows(app, Service, Service.id == a)[0].active is False  # kept, not deleted
    assert 'id="service-status">nonaktif' in client.get(f"/manager/admin/services/{a}").text
    assert client.post(f"/manager/admin/services/{a}/active", data={"active": "1"}).status_code == 302
    assert "A" in kiosk_names(client, world)
    actions = [(e.action, e.before and e.before["name_id"]) for e in audit_of(app, "service")]
    assert actions == [("updated", "KTP"), ("deactivated", "KTP-el"), ("activated", "KTP-el")]


def test_a_prefix_with_tickets_cannot_change_and_an_unused_one_can(app, client, world):
    login(client, "manager")
    issued = client.post("/api/v1/tickets", headers=bearer(world.kiosk),
                         json={"office": world.office, "service": world.services["A"]})
    assert issued.status_code == 201
    refused = client.post(f"/manager/admin/services/{world.services['A']}",
                          data=new_service(world.office, prefix="K", name_id="KTP", name_en="ID card"))
    assert refused.status_code == 422 and "sudah ada tiket" in refused.text
    taken = client.post(f"/manager/admin/services/{world.services['C']}",
                        data=new_service(world.office, prefix="B", name_id="Surat", name_en="Letters"))
    assert taken.status_code == 422 and "sudah dipakai" in taken.text
    assert [s.prefix for s in rows(app, Service, Service.office_id == world.office)] == ["A", "B", "C"]
    moved = client.post(f"/manager/admin/services/{world.services['C']}",
                        data=new_service(world.office, prefix="S", name_id="Surat", name_en="Letters"))
    assert moved.status_code == 302
    assert rows(app, Service, Service.id == world.services["C"])[0].prefix == "S"


def test_a_manager_adds_and_edits_a_counter_offered_to_the_clerks(app, client, world, clock):
    login(client, "manager")
    services = [str(world.services["A"]), str(world.services["C"])]
    response = client.post("/manager/admin/counters", data={
        "office": str(world.office), "number": "7", "name": "Akta", "services": services})
    assert response.status_code == 302
    counter, prefixes = served(app, rows(app, Counter, Counter.number == 7)[0].id)
    assert (counter.office_id, counter.name, counter.active, prefixes) == (world.office, "Akta", True, ["A", "C"])
    assert 7 in snapshot_numbers(app, world, clock)
    edited = client.post(f"/manager/admin/counters/{counter.id}", data={
        "number": "8", "name": "", "services": [str(world.services["B"])]})
    assert edited.status_code == 302
    counter, prefixes = served(app, counter.id)
    assert (counter.number, counter.name, prefixes) == (8, None, ["B"])
    created, updated = audit_of(app, "counter")
    assert (created.action, created.after["services"]) == ("created", ["A", "C"])
    assert (updated.before["number"], updated.after["number"], updated.after["services"]) == (7, 8, ["B"])
    assert client.get("/manager/admin/counters").status_code == 200


@pytest.mark.parametrize("changes", [
    {"number": "1"},  # taken
    {"number": "0"},
    {"number": "1000"},
    {"number": "tujuh"},
    {"name": "x" * 101},
    {"services": "other"},  # a service of another office
    {"agency": "999"},
])
def test_a_refused_counter_form_says_why_and_changes_nothing(app, client, world, changes):
    login(client, "manager")
    form = {"office": str(world.office), "number": "7", "name": "Akta", "services": [str(world.services["A"])]}
    form.update({k: v for k, v in changes.items() if k != "services"})
    if changes.get("services") == "other":
        form["services"] = [str(world.other_service)]
    before = count(app, Counter)
    response = client.post("/manager/admin/counters", data=form)
    assert response.status_code == 422, response.text
    assert 'id="form-error"' in response.text
    assert count(app, Counter) == before and audit_of(app, "counter") == []


def test_an_open_counter_cannot_be_closed_for_good_and_a_closed_one_leaves_the_screen_and_plan(
        app, client, world, clock):
    clerk = app.test_client()
    login(clerk, "clerk1")
    counter = world.counters[3]
    assert clerk.post(f"/api/v1/counters/{counter}/open", json={}).status_code == 200
    login(client, "manager")
    refused = client.post(f"/manager/admin/counters/{counter}/active", data={"active": "0"})
    assert refused.status_code == 409 and "Clerk Satu" in refused.text
    assert rows(app, Counter, Counter.id == counter)[0].active and audit_of(app, "counter") == []
    assert clerk.post(f"/api/v1/counters/{counter}/close", json={}).status_code == 200
    assert client.post(f"/manager/admin/counters/{counter}/active", data={"active": "0"}).status_code == 302
    assert 3 not in snapshot_numbers(app, world, clock)
    # no clerk may open it any more; its row and history stay
    again = clerk.post(f"/api/v1/counters/{counter}/open", json={})
    assert again.status_code == 403 and again.get_json()["error"] == "forbidden"
    from ptsp.analytics.history import load_history
    with app.extensions["ptsp.read_sessions"]() as session:
        day = clock().date()
        assert sorted(load_history(session, world.office, day - timedelta(days=7), day).counters) == [1, 2]
    [entry] = audit_of(app, "counter")
    assert (entry.action, entry.before["active"], entry.after["active"]) == ("deactivated", True, False)
    assert client.post(f"/manager/admin/counters/{counter}/active", data={"active": "1"}).status_code == 302
    assert 3 in snapshot_numbers(app, world, clock)


def test_a_manager_is_refused_another_offices_services_and_counters(app, client, world):
    login(client, "manager")  # kec-test and kel-test, not kel-lain
    for path, data in (("/manager/admin/services", new_service(world.other_office)),
                       ("/manager/admin/counters", {"office": str(world.other_office), "number": "5"})):
        response = client.post(path, data=data)
        assert response.status_code == 403, path
    assert client.get(f"/manager/admin/services/{world.other_service}").status_code == 403
    assert client.post(f"/manager/admin/counters/{world.other_counter}/active",
                       data={"active": "0"}).status_code == 403
    assert "Kelurahan Lain" not in client.get("/manager/admin/services").text
    assert rows(app, Counter, Counter.id == world.other_counter)[0].active
    assert audit_of(app, "service") == audit_of(app, "counter") == []


@pytest.mark.parametrize("username", ["sup", "clerk1"])
def test_supervisors_and_clerks_are_refused(app, client, world, username):
    login(client, username)
    for path in ("/manager/admin/services", "/manager/admin/counters",
                 f"/manager/admin/services/{world.services['A']}", f"/manager/admin/counters/{world.counters[1]}"):
        assert client.get(path).status_code == 403, path
    assert client.post("/manager/admin/services", data=new_service(world.office)).status_code == 403
    assert client.post(f"/manager/admin/counters/{world.counters[1]}/active", data={"active": "0"}).status_code == 403
    assert count(app, AuditEntry) == 0


def test_an_agency_manager_changes_only_their_agencys_services_and_counters(app, client, world):
    dukcapil, samsat = make_agency_manager(app, world)
    login(client, "dukmgr", "password-d")
    # the office's own services and another agency's: refused, nothing written
    for agency in ("", str(samsat)):
        refused = client.post("/manager/admin/services", data=new_service(world.office, agency=agency))
        assert refused.status_code == 403, agency
    assert client.get(f"/manager/admin/services/{world.services['A']}").status_code == 403
    assert client.post(f"/manager/admin/services/{world.services['A']}/active",
                       data={"active": "0"}).status_code == 403
    assert client.post("/manager/admin/counters", data={"office": str(world.office), "number": "9"}).status_code == 403
    assert count(app, AuditEntry) == 0
    # their own agency's: allowed
    created = client.post("/manager/admin/services", data=new_service(world.office, agency=str(dukcapil)))
    assert created.status_code == 302
    assert rows(app, Service, Service.prefix == "D")[0].agency_id == dukcapil
    # their counter may serve their agency's services and the office's own, not another agency's
    e = rows(app, Service, Service.prefix == "E")[0].id
    assert client.post("/manager/admin/counters", data={
        "office": str(world.office), "number": "9", "agency": str(dukcapil),
        "services": [str(e), str(world.services["A"])]}).status_code == 302
    with app.extensions["ptsp.sessions"]() as session:
        session.add(Service(office_id=world.office, prefix="F", name_id="Pajak", name_en="Tax", agency_id=samsat))
        session.commit()
    f = rows(app, Service, Service.prefix == "F")[0].id
    counter = rows(app, Counter, Counter.number == 9)[0]
    refused = client.post(f"/manager/admin/counters/{counter.id}", data={
        "number": "9", "agency": str(dukcapil), "services": [str(e), str(f)]})
    assert refused.status_code == 422 and "bukan F" in refused.text
    assert served(app, counter.id)[1] == ["A", "E"]
    page = client.get("/manager/admin/services").text
    assert f'/manager/admin/services/{e}"' in page and f'/manager/admin/services/{world.services["A"]}"' not in page
    assert [e.action for e in rows(app, AuditEntry)] == ["created", "created"]


def test_a_service_cannot_move_to_an_agency_while_another_agencys_counter_serves_it(app, client, world):
    dukcapil, samsat = make_agency_manager(app, world)
    with app.extensions["ptsp.sessions"]() as session:
        session.get(Counter, world.counters[3]).agency_id = samsat
        session.commit()
    login(client, "manager")
    b = world.services["B"]  # served by counter 3, now Samsat's
    form = new_service(world.office, prefix="B", name_id="Perizinan", name_en="Licensing", agency=str(dukcapil))
    refused = client.post(f"/manager/admin/services/{b}", data=form)
    assert refused.status_code == 422 and "loket 3" in refused.text
    assert rows(app, Service, Service.id == b)[0].agency_id is None


def test_a_form_without_its_csrf_token_is_refused(app, world):
    plain = FlaskClient(app, app.response_class, use_cookies=True)
    csrf = plain.get("/api/v1/auth/csrf").get_json()["csrf_token"]
    assert plain.post("/api/v1/auth/login", json={"username": "manager", "password": "password-m"},
                      headers={"X-CSRFToken": csrf}).status_code == 200
    assert plain.post("/manager/admin/services", data=new_service(world.office)).status_code == 403
    assert plain.post(f"/manager/admin/counters/{world.counters[1]}/active", data={"active": "0"}).status_code == 403
    assert count(app, Service) == 4 and audit_of(app, "service") == audit_of(app, "counter") == []
