"""Complaints from anyone (docs/complaints.md): the public page with and without a ticket, the tracking page, the
stages, the 1x24-hour first response at its boundary in WIB and WITA, escalation to the superiors' inbox, the
desk's intake, agency scope and the SP4N-LAPOR! hand-off; bad input is refused and changes nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from ptsp.domain.complaints import CODE_ALPHABET
from ptsp.models import AuditEntry, Complaint, ComplaintEvent, Staff, Violation, ViolationNotice
from ptsp.services.complaints import escalate_overdue
from tests.conftest import login
from tests.points.helpers import Office
from tests.test_agency_scope import PASSWORDS, client_of, mpp  # noqa: F401  (the fixture)

TRACK = re.compile(r"/pengaduan/(kel-[a-z]+)/k/([A-Z0-9]{10})")


def counts(app) -> tuple[int, int, int, int]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Complaint, ComplaintEvent, AuditEntry, Violation))


def complaint(app, code: str) -> Complaint:
    with app.extensions["ptsp.read_sessions"]() as session:
        row = session.scalar(select(Complaint).where(Complaint.code == code))
        assert row is not None
        session.expunge(row)
        return row


def file(app, slug: str = "kel-test", **form: str) -> tuple[str, str]:
    """File a complaint on the public page as a resident; return (tracking address, code)."""
    client = app.test_client()
    assert client.get(f"/pengaduan/{slug}").status_code == 200
    response = client.post(f"/pengaduan/{slug}", data={"text": "Antrean tidak dipanggil sejak pagi", **form})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    found = TRACK.search(response.headers["Location"])
    assert found is not None
    return response.headers["Location"], found.group(2)


def move(app, code: str, status: str, note: str | None = None, who: str = "sup") -> None:
    client = app.test_client()
    login(client, who)
    response = client.post(f"/api/v1/complaints/{complaint(app, code).id}/status",
                           json={"status": status, "note": note})
    assert response.status_code == 200, response.get_json()


@pytest.fixture
def office(app, world, clock):
    return Office(app, world, clock)


def test_anyone_files_a_complaint_without_a_ticket_and_follows_it_by_its_code(app, world, clock):
    page = app.test_client().get("/pengaduan/kel-test").get_data(as_text=True)
    assert 'name="csrf_token"' in page and "Kelurahan Uji" in page and "KTP" in page
    address, code = file(app, contact="0812-3456-7890", consent="1")
    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET) and not set(code) & set("01OIL")
    row = complaint(app, code)
    assert (row.channel, row.ticket_id, row.service_id, row.status) == ("web", None, None, "received")
    assert row.contact == "0812-3456-7890" and row.due_at == clock() + timedelta(hours=24)
    tracking = app.test_client().get(address)
    body = tracking.get_data(as_text=True)
    assert tracking.status_code == 200 and f"{code[:5]}-{code[5:]}" in body
    assert "Diterima" in body and "23-11-2026 09:00 WIB" in body and "24-11-2026 09:00 WIB" in body
    assert "0812-3456-7890" not in body  # the contact is the office's to read, never shown back
    # the code typed loosely (lower case, with a dash) finds it; another office's address or a wrong code does not
    typed = app.test_client().get(f"/pengaduan/kel-test?kode={code[:5].lower()}-{code[5:].lower()}")
    assert typed.status_code == 303 and typed.headers["Location"].endswith(f"/k/{code}")
    assert app.test_client().get(f"/pengaduan/kel-lain/k/{code}").status_code == 404
    assert app.test_client().get("/pengaduan/kel-test/k/ZZZZZZZZZZ").status_code == 404
    assert app.test_client().get("/pengaduan/no-such-office").status_code == 404


def test_a_complaint_naming_a_ticket_carries_its_service_counter_and_clerk(app, office):
    desk = office.desk("clerk1", 1)
    office.issue("A")
    served = desk.serve(5)
    token = office.tokens[served["id"]]
    _, code = file(app, ticket=f"http://ptsp.example/t/{token}")
    row = complaint(app, code)
    assert row.ticket_id == served["id"] and row.service_id == office.world.services["A"]
    assert row.counter_id == office.world.counters[1] and row.staff_id is not None
    chosen = file(app, service=str(office.world.services["C"]))[1]
    assert complaint(app, chosen).service_id == office.world.services["C"]


@pytest.mark.parametrize(("form", "message"), [
    ({"text": "  "}, "tidak boleh kosong"),
    ({"text": "x" * 2001}, "paling panjang 2000"),
    ({"text": "ok", "contact": "0812"}, "persetujuan"),
    ({"text": "ok", "contact": "9" * 121, "consent": "1"}, "Kontak paling panjang"),
    ({"text": "ok", "service": "999999"}, "Layanan yang dipilih"),
    ({"text": "ok", "service": "abc"}, "Layanan yang dipilih"),
    ({"text": "ok", "ticket": "not-a-token"}, "Tiket dengan kode"),
])
def test_bad_public_input_is_refused_with_its_reason_and_changes_nothing(app, world, form, message):
    before = counts(app)
    response = app.test_client().post("/pengaduan/kel-test", data=form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert counts(app) == before


def test_another_offices_service_or_ticket_is_refused_and_a_post_without_csrf_too(app, office):
    before = counts(app)
    foreign = app.test_client().post("/pengaduan/kel-test", data={"text": "ok",
                                                                   "service": str(office.world.other_service)})
    assert foreign.status_code == 422
    bare = FlaskClient(app, use_cookies=True).post("/pengaduan/kel-test", data={"text": "tanpa token"})
    assert bare.status_code in (400, 403)
    assert app.test_client().post("/pengaduan/nowhere", data={"text": "ok"}).status_code == 404
    assert counts(app) == before


def test_stages_with_their_dates_and_the_answer_on_the_tracking_page(app, world, clock):
    address, code = file(app)
    clock.advance(hours=2)
    move(app, code, "verifying", "Sedang kami cek")
    clock.advance(hours=3)
    move(app, code, "field_check")
    clock.advance(hours=1)
    move(app, code, "handling")
    clock.advance(hours=20)
    move(app, code, "done", "Petugas sudah ditegur; antrean kini dipanggil berurutan.")
    row = complaint(app, code)
    assert row.first_response_at == datetime(2026, 11, 23, 4, 0, tzinfo=UTC) and row.closed_at == clock()
    body = app.test_client().get(address).get_data(as_text=True)
    for label, at in (("Diterima", "23-11-2026 09:00"), ("Sedang diverifikasi", "23-11-2026 11:00"),
                      ("Cek lapangan", "23-11-2026 14:00"), ("Sedang ditangani", "23-11-2026 15:00"),
                      ("Selesai", "24-11-2026 11:00")):
        assert re.search(rf"{label}</strong>\s*<span>{at} WIB", body), label
    assert "Petugas sudah ditegur" in body and "Sedang kami cek" in body
    # the field check may be skipped, nothing else; a finished complaint moves no more
    _, other = file(app)
    move(app, other, "verifying")
    move(app, other, "handling")
    client = app.test_client()
    login(client, "sup")
    skipped = client.post(f"/api/v1/complaints/{complaint(app, other).id}/status", json={"status": "done"})
    assert skipped.status_code == 422  # closing needs the answer
    assert complaint(app, other).status == "handling"


def _boundary(app, clock, slug: str, zone_label: str, local_due: str) -> tuple[str, str]:
    """Two complaints filed now: one first answered exactly 24 hours later, one not answered."""
    answered = file(app, slug)[1]
    silent_address, silent = file(app, slug)
    clock.advance(hours=24)
    assert f"{local_due} {zone_label}" in app.test_client().get(silent_address).get_data(as_text=True)
    return answered, silent


@pytest.mark.parametrize(("slug", "start", "zone_label", "local_due", "due_day"), [
    # 09:00 WIB on Monday, due 09:00 WIB on Tuesday
    ("kel-test", datetime(2026, 11, 23, 2, 0, tzinfo=UTC), "WIB", "24-11-2026 09:00", "2026-11-24"),
    # 00:30 WITA on Tuesday (16:30 UTC Monday), due 00:30 WITA on Wednesday: the UTC day is still Tuesday
    ("kel-lain", datetime(2026, 11, 23, 16, 30, tzinfo=UTC), "WITA", "25-11-2026 00:30", "2026-11-25"),
])
def test_first_response_exactly_at_24_hours_is_in_time_one_second_later_is_overdue_and_escalated(
        app, world, clock, slug, start, zone_label, local_due, due_day):
    clock.now = start
    head = "manager" if slug == "kel-test" else "other"
    if head == "other":  # the WITA office's own supervisor
        with app.extensions["ptsp.sessions"]() as session:
            session.scalar(select(Staff).where(Staff.username == "other")).role = "supervisor"
            session.commit()
    answered, silent = _boundary(app, clock, slug, zone_label, local_due)
    # exactly 24 hours: the silent one is not overdue yet, and moving the other one now is in time
    client = app.test_client()
    login(client, head)
    moved = client.post(f"/api/v1/complaints/{complaint(app, answered).id}/status", json={"status": "verifying"})
    assert moved.status_code == 200 and moved.get_json()["overdue"] is False
    listed = {c["id"]: c for c in client.get("/api/v1/complaints").get_json()["complaints"]}
    assert listed[complaint(app, silent).id]["overdue"] is False
    with app.extensions["ptsp.sessions"]() as session:
        assert escalate_overdue(session, now=clock()) == []
    # one second later the silent one is overdue and goes to the superiors; the answered one never does
    clock.advance(seconds=1)
    listed = {c["id"]: c for c in client.get("/api/v1/complaints").get_json()["complaints"]}
    assert listed[complaint(app, silent).id]["overdue"] is True
    assert listed[complaint(app, answered).id]["overdue"] is False
    with app.extensions["ptsp.sessions"]() as session:
        [violation] = escalate_overdue(session, now=clock())
        session.commit()
        assert (violation.kind, violation.day.isoformat(), violation.staff_id) == ("complaint_late", due_day, None)
        assert violation.details["complaint"] == complaint(app, silent).id
        assert session.scalar(select(func.count()).select_from(ViolationNotice)) >= 1
        assert escalate_overdue(session, now=clock() + timedelta(hours=1)) == []  # once per complaint
        session.commit()
    # answering late now is still a breach
    clock.advance(hours=1)
    late = client.post(f"/api/v1/complaints/{complaint(app, silent).id}/status", json={"status": "verifying"})
    assert late.status_code == 200 and late.get_json()["overdue"] is True


def test_escalation_reaches_the_supervisor_chain_through_the_inbox(app, world, clock):
    _, code = file(app)
    clock.advance(hours=25)
    with app.extensions["ptsp.sessions"]() as session:
        escalate_overdue(session, now=clock())
        session.commit()
        names = {n.recipient_id: n.level for n in session.scalars(select(ViolationNotice))}
        staff = {s.id: s.username for s in session.scalars(select(Staff))}
    assert {staff[i]: level for i, level in names.items()} == {"sup": 1, "manager": 2}
    client = app.test_client()
    login(client, "sup")
    inbox = client.get("/manager/notices").get_data(as_text=True)
    assert "Pengaduan belum ditanggapi dalam 1×24 jam" in inbox
    # the discipline scan of that day does not withdraw it (it is not a scan finding)
    from ptsp.services.discipline import scan
    with app.extensions["ptsp.sessions"]() as session:
        v = session.scalar(select(Violation))
        scan(session, office_id=world.office, day=v.day, now=clock())
        session.commit()
        assert session.scalar(select(Violation.withdrawn_at)) is None


def test_the_desk_records_a_phone_complaint_with_its_channel_and_receipt_time(app, world, clock):
    client = app.test_client()
    login(client, "sup")
    page = client.get("/manager/complaints").get_data(as_text=True)
    assert 'action="/manager/complaints/record"' in page and "WhatsApp" in page
    response = client.post("/manager/complaints/record", data={
        "office": str(world.office), "channel": "phone", "service": str(world.services["B"]),
        "received_at": "2026-11-23T07:30", "text": "Warga menelepon: berkas izin hilang", "contact": "0813",
        "consent": "1"})
    assert response.status_code == 303
    code = response.headers["Location"].split("recorded=")[1]
    row = complaint(app, code)
    assert (row.channel, row.service_id, row.contact) == ("phone", world.services["B"], "0813")
    assert row.received_at == datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 07:30 WIB
    assert row.due_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    with app.extensions["ptsp.read_sessions"]() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.entity == "complaint"))
        assert entry.action == "record" and entry.after["channel"] == "phone"
        first = session.scalar(select(ComplaintEvent).where(ComplaintEvent.complaint_id == row.id))
        assert first.status == "received" and first.staff_id is not None
    listed = client.get(f"/manager/complaints?recorded={code}").get_data(as_text=True)
    assert f"{code[:5]}-{code[5:]}" in listed and "Telepon" in listed
    # the resident follows it by the same code
    assert app.test_client().get(f"/pengaduan/kel-test/k/{code}").status_code == 200


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"channel": "fax"}, 422, "Saluran"),
    ({"text": ""}, 422, "tidak boleh kosong"),
    ({"received_at": "2026-11-24T09:00"}, 422, "masa depan"),
    ({"received_at": "kemarin"}, 422, "tanggal dan jam"),
    ({"office": "x"}, 422, "Pilih kantor"),
    ({"contact": "0813"}, 422, "persetujuan"),
])
def test_bad_desk_input_is_refused_with_its_reason_and_changes_nothing(app, world, form, status, message):
    client = app.test_client()
    login(client, "sup")
    before = counts(app)
    data = {"office": str(world.office), "channel": "letter", "text": "Surat keluhan", **form}
    response = client.post("/manager/complaints/record", data=data)
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert counts(app) == before


def test_a_clerk_or_another_offices_staff_cannot_record(app, world):
    before = counts(app)
    clerk = app.test_client()
    login(clerk, "clerk1")
    assert clerk.post("/manager/complaints/record", data={"office": str(world.office), "channel": "phone",
                                                          "text": "x"}).status_code == 403
    sup = app.test_client()
    login(sup, "sup")
    assert sup.post("/manager/complaints/record", data={"office": str(world.other_office), "channel": "phone",
                                                        "text": "x"}).status_code == 403
    assert counts(app) == before


def test_agency_scope_of_the_list_the_summary_and_the_intake(app, mpp):  # noqa: F811
    dukcapil = client_of(app, "mgr.a")
    services = _services(app)
    samsat_service = services["C"]
    before = counts(app)
    refused = dukcapil.post("/manager/complaints/record", data={"office": str(mpp.office), "channel": "letter",
                                                                "text": "x", "service": str(samsat_service)})
    assert refused.status_code == 403 and counts(app) == before
    assert dukcapil.post("/manager/complaints/record", data={
        "office": str(mpp.office), "channel": "whatsapp", "text": "Keluhan WA Dukcapil",
        "service": str(services["A"])}).status_code == 303
    _, public = file(app, service=str(samsat_service), text="Keluhan publik Samsat")
    page = dukcapil.get("/manager/complaints?status=all").get_data(as_text=True)
    assert "Keluhan WA Dukcapil" in page and "Keluhan publik Samsat" not in page
    summary = re.search(r'<table class="grid" id="per-agency">(.*?)</table>', page, re.S).group(1)
    assert "Dinas Kependudukan" in summary and "Samsat" not in summary
    whole = client_of(app, "mgr.mpp").get("/manager/complaints?status=all").get_data(as_text=True)
    rows = re.search(r'id="per-agency">(.*?)</table>', whole, re.S).group(1)
    assert "Dinas Kependudukan" in rows and "Samsat" in rows
    samsat_id = complaint(app, public).id
    assert dukcapil.get(f"/manager/complaints/{samsat_id}/lapor.json").status_code == 403
    assert dukcapil.post(f"/manager/complaints/{samsat_id}/lapor", data={"lapor_number": "X1"}).status_code == 403
    assert complaint(app, public).lapor_number is None


def _services(app) -> dict[str, int]:
    from ptsp.models import Office as OfficeRow
    from ptsp.models import Service
    with app.extensions["ptsp.read_sessions"]() as session:
        office = session.scalar(select(OfficeRow).where(OfficeRow.slug == "kel-test"))
        return {s.prefix: s.id for s in session.scalars(select(Service).where(Service.office_id == office.id))}


def test_lapor_export_and_the_recorded_tracking_number(app, world, clock):
    _, code = file(app, contact="rahasia@example.org", consent="1", service=str(world.services["A"]))
    row = complaint(app, code)
    client = app.test_client()
    login(client, "manager")
    exported = client.get(f"/manager/complaints/{row.id}/lapor.json")
    data = json.loads(exported.get_data(as_text=True))
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    from ptsp.services.complaints import LAPOR_FIELDS
    assert tuple(data) == LAPOR_FIELDS and data["service"] == "KTP" and data["channel"] == "web"
    assert "rahasia" not in exported.get_data(as_text=True)
    as_csv = client.get(f"/manager/complaints/{row.id}/lapor.csv").get_data(as_text=True)
    assert as_csv.splitlines()[0] == ",".join(LAPOR_FIELDS) and "rahasia" not in as_csv
    assert client.get(f"/manager/complaints/{row.id}/lapor.xml").status_code == 404
    before = counts(app)
    bad = client.post(f"/manager/complaints/{row.id}/lapor", data={"lapor_number": "<script>"})
    assert bad.status_code == 422 and "Nomor LAPOR!" in bad.get_data(as_text=True)
    assert counts(app) == before and complaint(app, code).lapor_number is None
    saved = client.post(f"/manager/complaints/{row.id}/lapor", data={"lapor_number": "LAPOR-2026/0042"})
    assert saved.status_code == 303 and complaint(app, code).lapor_number == "LAPOR-2026/0042"
    with app.extensions["ptsp.read_sessions"]() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "lapor_number"))
        assert entry.before == {"lapor_number": None} and entry.after == {"lapor_number": "LAPOR-2026/0042"}
    assert "LAPOR-2026/0042" in app.test_client().get(f"/pengaduan/kel-test/k/{code}").get_data(as_text=True)


def test_retention_empties_the_contact_with_the_text_of_a_closed_complaint(app, world, clock):
    from ptsp.services.retention import purge
    _, code = file(app, contact="0812-1111", consent="1")
    _, still_open = file(app, contact="0812-2222", consent="1")
    move(app, code, "verifying")
    move(app, code, "handling")
    move(app, code, "done", "Sudah ditangani")
    with app.extensions["ptsp.sessions"]() as session:
        purge(session, complaints_before=clock() + timedelta(days=1), tokens_before=clock().date())
        session.commit()
    assert (complaint(app, code).contact, complaint(app, code).text) == (None, "")
    assert complaint(app, still_open).contact == "0812-2222"


def test_the_complaint_page_is_linked_from_the_status_page_the_office_pages_the_kiosk_and_the_poster(app, office):
    from tests.conftest import pair
    office.issue("A")
    waiting = next(iter(office.tokens.values()))
    status = app.test_client().get(f"/t/{waiting}").get_data(as_text=True)
    assert f"/pengaduan/kel-test?t={waiting}" in status
    form = app.test_client().get(f"/pengaduan/kel-test?t={waiting}").get_data(as_text=True)
    assert f'value="{waiting}"' in form  # the ticket comes along from the status page
    assert "/pengaduan/kel-test" in app.test_client().get("/").get_data(as_text=True)
    kiosk = app.test_client()
    pair(kiosk, office.world.kiosk, "kiosk")
    screen = kiosk.get("/kiosk/").get_data(as_text=True)
    assert 'id="complaint-link"' in screen and "/pengaduan/kel-test" in screen
    manager = app.test_client()
    login(manager, "manager")
    poster = manager.get("/manager/poster/kel-test").get_data(as_text=True)
    assert 'id="complaint-qr"' in poster and "/pengaduan/kel-test" in poster
