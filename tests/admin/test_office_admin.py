"""Offices and agencies on the administration pages, on SQLite and PostgreSQL: an admin creates an office, a manager
edits those of their scope and keeps them there, agencies are added, renamed and deactivated (never deleted), an
agency's manager changes only their own agency's names, and every refusal is a 4xx that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ptsp import facts
from ptsp.models import Agency, AuditEntry, Office, Service, Staff
from ptsp.services import office_admin
from ptsp.services.accounts import add_staff
from ptsp.services.actors import Actor
from tests.conftest import bearer, login
from tests.test_agencies import load, mpp

MANAGER_FIELDS = {"name": "Kelurahan Uji", "kind": "kelurahan", "timezone": "Asia/Jakarta",
                  "last_ticket_minutes": "30", "starvation_minutes": "30", "max_calls": "3",
                  "on_recall_limit": "requeue", "target_wait_minutes": "15", "complaint_channel": "",
                  "running_text": "Layanan PTSP gratis."}


def one(app, model, *where) -> Any:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalars(select(model).where(*where)).one()


def office(app, slug: str) -> Office:
    return one(app, Office, Office.slug == slug)


def agency(app, code: str) -> Agency:
    return one(app, Agency, Agency.code == code)


def audit_rows(app, entity: str) -> list[AuditEntry]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)))


def settings(app, slug: str, **changes: str) -> dict[str, str]:
    """The edit form of an office as the page fills it, with `changes`."""
    row = office(app, slug)
    form = {key: "" if getattr(row, key) is None else str(getattr(row, key)) for key in MANAGER_FIELDS}
    return {**form, "parent_id": str(row.parent_id or ""), **changes}


def add_account(app, username: str, role: str, office_slug: str | None, agency_code: str | None = None) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        home = session.scalar(select(Office).where(Office.slug == office_slug)) if office_slug else None
        staff = add_staff(session, username=username, name=username, password=f"password-{username}",
                          role=role, office=home)
        if agency_code:
            staff.agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code))
        session.commit()


def test_an_admin_creates_an_office_and_a_manager_may_not(app, client, world):
    add_account(app, "root", "admin", None)
    login(client, "root", "password-root")
    kec = office(app, "kec-test")
    response = client.post("/manager/admin/offices", data={
        "slug": "kel-baru", "name": "Kelurahan Baru", "kind": "kelurahan", "parent_id": str(kec.id),
        "timezone": "Asia/Makassar"})
    assert response.status_code == 302, response.text
    new = office(app, "kel-baru")
    assert (new.name, new.parent_id, new.timezone, new.max_calls, new.running_text) == (
        "Kelurahan Baru", kec.id, "Asia/Makassar", 3, None)
    entry = audit_rows(app, "office")[-1]
    assert (entry.action, entry.entity_id, entry.actor, entry.before) == ("created", new.id, "staff:root", None)
    assert entry.after["slug"] == "kel-baru" and entry.after["timezone"] == "Asia/Makassar"
    assert "WITA" in client.get("/manager/admin/offices").text

    taken = client.post("/manager/admin/offices", data={"slug": "kel-baru", "name": "X", "kind": "kelurahan"})
    bad = client.post("/manager/admin/offices", data={"slug": "Kel Baru!", "name": "X", "kind": "desa"})
    assert (taken.status_code, bad.status_code) == (422, 422)
    assert "sudah dipakai" in taken.text and 'id="form-error"' in bad.text

    manager = app.test_client()
    login(manager, "manager")
    refused = manager.post("/manager/admin/offices", data={"slug": "kel-lagi", "name": "Lagi", "kind": "kelurahan",
                                                           "parent_id": str(kec.id)})
    assert refused.status_code == 403
    assert 'id="add-office"' not in manager.get("/manager/admin/offices").text
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.scalar(select(Office.id).where(Office.slug == "kel-lagi")) is None
    assert len(audit_rows(app, "office")) == 1


def test_a_manager_edits_an_office_of_their_scope_and_the_change_is_audited(app, client, world):
    login(client, "manager")
    listed = client.get("/manager/admin/offices").text
    assert 'data-slug="kel-test"' in listed and 'data-slug="kel-lain"' not in listed
    kel = office(app, "kel-test")
    assert client.get(f"/manager/admin/offices/{kel.id}").status_code == 200
    response = client.post(f"/manager/admin/offices/{kel.id}", data=settings(
        app, "kel-test", running_text="  Loket pengaduan di lantai 2.  ", max_calls="5", timezone="Asia/Jayapura",
        on_recall_limit="no_show", complaint_channel="SP4N-LAPOR!"))
    assert response.status_code == 302 and response.headers["Location"].endswith("saved=1")
    kel = office(app, "kel-test")
    assert (kel.running_text, kel.max_calls, kel.timezone, kel.on_recall_limit, kel.complaint_channel) == (
        "Loket pengaduan di lantai 2.", 5, "Asia/Jayapura", "no_show", "SP4N-LAPOR!")
    entry = audit_rows(app, "office")[-1]
    assert (entry.action, entry.office_id, entry.actor) == ("updated", kel.id, "staff:manager")
    assert (entry.before["max_calls"], entry.after["max_calls"]) == (3, 5)
    assert entry.after["running_text"] == "Loket pengaduan di lantai 2."
    # Saving the same values again changes nothing and writes nothing.
    assert client.post(f"/manager/admin/offices/{kel.id}", data=settings(app, "kel-test")).status_code == 302
    assert len(audit_rows(app, "office")) == 1
    # An empty running text goes back to the display's welcome.
    client.post(f"/manager/admin/offices/{kel.id}", data=settings(app, "kel-test", running_text=""))
    assert office(app, "kel-test").running_text is None


def test_a_running_text_change_is_published_to_the_offices_stations_after_commit(app, world, clock):
    with app.extensions["ptsp.sessions"]() as session:
        actor = Actor("staff", 1, "admin")
        kel = session.scalar(select(Office).where(Office.slug == "kel-test"))
        office_admin.update_office(session, actor, kel.id, settings(app, "kel-test", running_text="Baru"), clock())
        queued = session.info["facts"]
        assert [(f["event"], f["office"]) for f in queued] == [(facts.OFFICE_CHANGED.name, kel.id)]
        assert queued[0]["data"]["settings"]["running_text"] == "Baru"
        session.rollback()
        assert "facts" not in session.info  # a refused or rolled-back change is never heard of


@pytest.mark.parametrize("change", [
    {"max_calls": "0"}, {"max_calls": "11"}, {"max_calls": "tiga"}, {"max_calls": ""},
    {"last_ticket_minutes": "-1"}, {"starvation_minutes": "601"}, {"target_wait_minutes": "0"},
    {"timezone": "Europe/Paris"}, {"kind": "desa"}, {"on_recall_limit": "forget"}, {"name": "   "},
    {"running_text": "x" * 501}, {"complaint_channel": "y" * 201}, {"max_calls": "99999999999999999999"},
], ids=lambda change: "-".join(f"{k}={v[:8]}" for k, v in change.items()))
def test_bad_settings_are_refused_with_a_reason_and_nothing_changes(app, client, world, change):
    login(client, "manager")
    before = settings(app, "kel-test")
    kel = office(app, "kel-test")
    response = client.post(f"/manager/admin/offices/{kel.id}", data={**before, **change})
    assert response.status_code == 422, response.text
    error = response.text.split('id="form-error">', 1)[1].split("</p>", 1)[0]
    assert next(iter(change)) in error  # the sentence names the field
    assert settings(app, "kel-test") == before and audit_rows(app, "office") == []


def test_parents_in_scope_only_and_never_a_cycle(app, client, world):
    login(client, "manager")  # kec-test and kel-test below it; kel-lain is a neighbour
    kec, kel, lain = office(app, "kec-test"), office(app, "kel-test"), office(app, "kel-lain")
    refusals = {
        (kel.id, str(lain.id)): 403,  # moved under an office outside the manager's scope
        (kel.id, ""): 403,  # made a root: admins only
        (kec.id, str(kel.id)): 422,  # under its own child
        (kel.id, str(kel.id)): 422,  # under itself
        (kel.id, "999999"): 422,  # no such office
    }
    for (office_id, parent), status in refusals.items():
        slug = "kec-test" if office_id == kec.id else "kel-test"
        response = client.post(f"/manager/admin/offices/{office_id}", data=settings(app, slug, parent_id=parent))
        assert response.status_code == status, (office_id, parent, response.text)
    assert (office(app, "kel-test").parent_id, office(app, "kec-test").parent_id) == (kec.id, None)
    # The manager's own office keeps its place (no parent) while its other settings change.
    assert client.post(f"/manager/admin/offices/{kec.id}", data=settings(
        app, "kec-test", name="Kecamatan Uji Baru")).status_code == 302
    assert office(app, "kec-test").name == "Kecamatan Uji Baru"
    # Out of scope: neither the page nor the change.
    assert client.get(f"/manager/admin/offices/{lain.id}").status_code == 403
    assert client.post(f"/manager/admin/offices/{lain.id}", data=settings(
        app, "kel-lain", running_text="x")).status_code == 403
    assert office(app, "kel-lain").running_text is None
    assert client.get("/manager/admin/offices/999999").status_code == 404

    add_account(app, "root", "admin", None)
    root = app.test_client()
    login(root, "root", "password-root")
    assert root.post(f"/manager/admin/offices/{kec.id}", data=settings(
        app, "kec-test", parent_id=str(kel.id))).status_code == 422
    assert root.post(f"/manager/admin/offices/{lain.id}", data=settings(
        app, "kel-lain", parent_id=str(kec.id))).status_code == 302
    assert office(app, "kel-lain").parent_id == kec.id
    assert [e.action for e in audit_rows(app, "office")] == ["updated", "updated"]


@pytest.mark.parametrize("username", ["sup", "clerk1"])
def test_supervisors_and_clerks_are_refused_every_office_page(app, client, world, username):
    login(client, username)
    kel = office(app, "kel-test")
    load(app, mpp())
    samsat = agency(app, "SAMSAT")
    for path in ("/manager/admin/offices", f"/manager/admin/offices/{kel.id}", f"/manager/admin/agencies/{samsat.id}"):
        assert client.get(path).status_code == 403, path
    posts = {f"/manager/admin/offices/{kel.id}": settings(app, "kel-test", running_text="x"),
             f"/manager/admin/offices/{kel.id}/agencies": {"code": "BPN", "name": "BPN", "sort_order": "0"},
             f"/manager/admin/agencies/{samsat.id}": {"code": "SAMSAT", "name": "x", "sort_order": "1"},
             f"/manager/admin/agencies/{samsat.id}/active": {"active": "0"},
             "/manager/admin/offices": {"slug": "kel-x", "name": "x", "kind": "kelurahan"}}
    for path, data in posts.items():
        assert client.post(path, data=data).status_code == 403, path
    assert office(app, "kel-test").running_text != "x" and agency(app, "SAMSAT").active
    assert audit_rows(app, "office") == audit_rows(app, "agency") == []


def test_a_manager_adds_edits_and_deactivates_agencies_with_unique_codes(app, client, world):
    login(client, "manager")
    kel, lain = office(app, "kel-test"), office(app, "kel-lain")
    added = client.post(f"/manager/admin/offices/{kel.id}/agencies", data={
        "code": "DUKCAPIL", "name": "Dinas Kependudukan", "name_en": "", "sort_order": "2"})
    assert added.status_code == 302, added.text
    dukcapil = agency(app, "DUKCAPIL")
    assert (dukcapil.office_id, dukcapil.name_en, dukcapil.sort_order, dukcapil.active) == (kel.id, None, 2, True)
    for bad in ({"code": "dukcapil", "name": "Lagi", "sort_order": "0"},  # the same code, whatever its case
                {"code": "DUK CAPIL", "name": "x", "sort_order": "0"}, {"code": "", "name": "x", "sort_order": "0"},
                {"code": "BPN", "name": "", "sort_order": "0"}, {"code": "BPN", "name": "x", "sort_order": "-1"}):
        refused = client.post(f"/manager/admin/offices/{kel.id}/agencies", data=bad)
        assert refused.status_code == 422 and 'id="form-error"' in refused.text, bad
    # The same code in another office is another agency, but that office is outside this manager's scope.
    assert client.post(f"/manager/admin/offices/{lain.id}/agencies", data={
        "code": "BPN", "name": "BPN", "sort_order": "0"}).status_code == 403
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.scalars(select(Agency.code)).all() == ["DUKCAPIL"]

    edited = client.post(f"/manager/admin/agencies/{dukcapil.id}", data={
        "code": "DISDUKCAPIL", "name": "Disdukcapil", "name_en": "Civil Registry", "sort_order": "1"})
    assert edited.status_code == 302
    assert (agency(app, "DISDUKCAPIL").name_en, agency(app, "DISDUKCAPIL").sort_order) == ("Civil Registry", 1)
    assert client.post(f"/manager/admin/agencies/{dukcapil.id}/active", data={"active": "0"}).status_code == 302
    assert not agency(app, "DISDUKCAPIL").active
    assert "nonaktif" in client.get(f"/manager/admin/offices/{kel.id}").text
    assert client.post(f"/manager/admin/agencies/{dukcapil.id}/active", data={"active": "1"}).status_code == 302
    entries = audit_rows(app, "agency")
    assert [e.action for e in entries] == ["created", "updated", "deactivated", "activated"]
    assert (entries[1].before["code"], entries[1].after["code"]) == ("DUKCAPIL", "DISDUKCAPIL")
    assert (entries[2].before["active"], entries[2].after["active"]) == (True, False)
    assert client.get("/manager/admin/agencies/999999").status_code == 404


def test_an_agencys_manager_renames_only_their_own_agency(app, client, world):
    load(app, mpp())
    add_account(app, "kasi", "manager", "kel-test", agency_code="SAMSAT")
    login(client, "kasi", "password-kasi")
    samsat, dukcapil, kel = agency(app, "SAMSAT"), agency(app, "DUKCAPIL"), office(app, "kel-test")
    page = client.get(f"/manager/admin/offices/{kel.id}").text
    assert 'id="office-read-only"' in page and 'id="add-agency"' not in page
    renamed = client.post(f"/manager/admin/agencies/{samsat.id}", data={"name": "Samsat Kota", "name_en": "Samsat"})
    assert renamed.status_code == 302
    assert (agency(app, "SAMSAT").name, agency(app, "SAMSAT").name_en) == ("Samsat Kota", "Samsat")
    refusals = {
        f"/manager/admin/agencies/{samsat.id}": {"code": "SAMSAT2", "name": "Samsat Kota", "sort_order": "1"},
        f"/manager/admin/agencies/{dukcapil.id}": {"name": "Bukan milik saya"},
        f"/manager/admin/agencies/{samsat.id}/active": {"active": "0"},
        f"/manager/admin/offices/{kel.id}/agencies": {"code": "BPN", "name": "BPN", "sort_order": "0"},
        f"/manager/admin/offices/{kel.id}": settings(app, "kel-test", running_text="Teks Samsat"),
    }
    for path, data in refusals.items():
        assert client.post(path, data=data).status_code == 403, path
    samsat_now = agency(app, "SAMSAT")
    assert (samsat_now.code, samsat_now.sort_order, samsat_now.active) == ("SAMSAT", 1, True)
    assert agency(app, "DUKCAPIL").name != "Bukan milik saya"
    assert office(app, "kel-test").running_text != "Teks Samsat"
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.scalar(select(Agency.id).where(Agency.code == "BPN")) is None
    assert [e.action for e in audit_rows(app, "agency")] == ["updated"]
    assert one(app, Staff, Staff.username == "kasi").agency_id == samsat.id


def test_a_deactivated_agency_leaves_the_kiosk_but_its_issued_tickets_are_still_served(app, client, world):
    load(app, mpp())  # DUKCAPIL holds service A and counter 1 (A and C); SAMSAT holds C
    dukcapil = agency(app, "DUKCAPIL")
    service_a = one(app, Service, Service.id == world.services["A"])
    assert service_a.agency_id == dukcapil.id
    kiosk = bearer(world.kiosk)
    issued = client.post("/api/v1/tickets", headers=kiosk, json={"office": world.office, "service": service_a.id})
    assert issued.status_code == 201
    codes = [a["code"] for a in client.get("/kiosk/state", headers=kiosk).get_json()["agencies"]]
    assert "DUKCAPIL" in codes

    manager = app.test_client()
    login(manager, "manager")
    assert manager.post(f"/manager/admin/agencies/{dukcapil.id}/active", data={"active": "0"}).status_code == 302
    assert 'id="agency-waiting">1<' in manager.get(f"/manager/admin/agencies/{dukcapil.id}").text
    state = client.get("/kiosk/state", headers=kiosk).get_json()
    assert "DUKCAPIL" not in [a["code"] for a in state["agencies"]]
    assert service_a.id not in [s["id"] for s in state["services"]]
    refused = client.post("/api/v1/tickets", headers=kiosk, json={"office": world.office, "service": service_a.id})
    assert refused.status_code == 409 and refused.get_json()["error"] == "office_closed"

    clerk = app.test_client()
    login(clerk, "clerk1")
    assert clerk.post(f"/api/v1/counters/{world.counters[1]}/open").status_code == 200
    called = clerk.post(f"/api/v1/counters/{world.counters[1]}/call-next")
    assert called.status_code == 200 and called.get_json()["ticket"]["id"] == issued.get_json()["id"]


def test_an_agencys_complaint_channel_is_set_on_its_page_by_the_office_or_its_own_manager(app, client, world):
    load(app, mpp())  # DUKCAPIL holds service A, SAMSAT holds C; B is the office's own
    kel = office(app, "kel-test")
    login(client, "manager")
    assert 'name="complaint_channel"' in client.get(f"/manager/admin/offices/{kel.id}").text  # the add form
    added = client.post(f"/manager/admin/offices/{kel.id}/agencies", data={
        "code": "BPN", "name": "Badan Pertanahan", "name_en": "", "sort_order": "3",
        "complaint_channel": "  WhatsApp Pengaduan BPN 0813-3333 "})
    assert added.status_code == 302
    assert agency(app, "BPN").complaint_channel == "WhatsApp Pengaduan BPN 0813-3333"  # trimmed
    dukcapil = agency(app, "DUKCAPIL")
    page = client.get(f"/manager/admin/agencies/{dukcapil.id}").text
    assert 'id="edit-agency"' in page and 'name="complaint_channel"' in page
    form = {"code": "DUKCAPIL", "name": dukcapil.name, "name_en": dukcapil.name_en or "",
            "sort_order": str(dukcapil.sort_order)}
    assert client.post(f"/manager/admin/agencies/{dukcapil.id}",
                       data={**form, "complaint_channel": "WhatsApp Dukcapil 0812-2222"}).status_code == 302
    assert 'value="WhatsApp Dukcapil 0812-2222"' in client.get(f"/manager/admin/agencies/{dukcapil.id}").text
    # Too long: refused with the reason, nothing changed, nothing recorded.
    refused = client.post(f"/manager/admin/agencies/{dukcapil.id}", data={**form, "complaint_channel": "x" * 201})
    assert refused.status_code == 422 and 'id="form-error"' in refused.text
    assert agency(app, "DUKCAPIL").complaint_channel == "WhatsApp Dukcapil 0812-2222"
    # A form without the field (an older page) leaves the channel alone.
    renamed = client.post(f"/manager/admin/agencies/{dukcapil.id}", data={**form, "name": "Disdukcapil"})
    assert renamed.status_code == 302
    assert agency(app, "DUKCAPIL").complaint_channel == "WhatsApp Dukcapil 0812-2222"

    # The kiosk's standard of service A shows the agency's channel; C (SAMSAT, none yet) the office's, if any.
    state = client.get("/kiosk/state", headers=bearer(world.kiosk)).get_json()
    channels = {s["prefix"]: s["standard"]["complaint_channel"] for s in state["services"]}
    assert channels["A"] == "WhatsApp Dukcapil 0812-2222" and channels["C"] == kel.complaint_channel

    # SAMSAT's own manager sets SAMSAT's channel, and may not touch DUKCAPIL's.
    add_account(app, "kasi", "manager", "kel-test", agency_code="SAMSAT")
    kasi = app.test_client()
    login(kasi, "kasi", "password-kasi")
    samsat = agency(app, "SAMSAT")
    assert kasi.post(f"/manager/admin/agencies/{samsat.id}", data={
        "name": samsat.name, "name_en": samsat.name_en or "", "complaint_channel": "Loket Pengaduan Samsat"},
    ).status_code == 302
    assert agency(app, "SAMSAT").complaint_channel == "Loket Pengaduan Samsat"
    assert kasi.post(f"/manager/admin/agencies/{dukcapil.id}", data={
        "name": "Disdukcapil", "complaint_channel": "bukan milik saya"}).status_code == 403
    assert agency(app, "DUKCAPIL").complaint_channel == "WhatsApp Dukcapil 0812-2222"
    # Emptied, the office's channel is shown again.
    assert kasi.post(f"/manager/admin/agencies/{samsat.id}", data={
        "name": samsat.name, "name_en": samsat.name_en or "", "complaint_channel": "  "}).status_code == 302
    assert agency(app, "SAMSAT").complaint_channel is None

    entries = [e for e in audit_rows(app, "agency") if e.action in ("created", "updated")]
    before = [(e.before or {}).get("complaint_channel", "-") for e in entries]
    after = [e.after["complaint_channel"] for e in entries]
    assert before == ["-", None, "WhatsApp Dukcapil 0812-2222", None, "Loket Pengaduan Samsat"]
    assert after == ["WhatsApp Pengaduan BPN 0813-3333", "WhatsApp Dukcapil 0812-2222", "WhatsApp Dukcapil 0812-2222",
                     "Loket Pengaduan Samsat", None]
