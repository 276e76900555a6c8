"""Jemput bola (docs/outreach.md): a visit request from the public page or the desk, its stages, the 1x24-hour first
response at its boundary in WIB and WITA with escalation to the superiors' inbox, the officer and the time, the
points of a confirmed visit (once, only the assigned officer, travel bounded, never self-confirmed) and their
recomputation, agency scope, and the retention of the resident's data; bad input refused, nothing changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from ptsp.cli import cli
from ptsp.domain.complaints import CODE_ALPHABET
from ptsp.models import (
    AuditEntry,
    OutreachEvent,
    OutreachRequest,
    PointsLedgerEntry,
    Staff,
    Violation,
    ViolationNotice,
)
from ptsp.services.outreach import escalate_overdue
from tests.conftest import load_world, login, make_test_app
from tests.points.helpers import Office
from tests.test_agency_scope import client_of, mpp  # noqa: F401  (the fixture)

TRACK = re.compile(r"/jemput/(kel-[a-z]+)/k/([A-Z0-9]{10})")
FAMILY = {"name": "Ibu Siti Aminah", "contact": "0812-1111-2222", "place": "RSUD Kota, ruang Melati 3",
          "reason": "Terbaring sakit setelah operasi", "on_behalf": "1", "consent": "1"}


def counts(app) -> tuple[int, ...]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (OutreachRequest, OutreachEvent, AuditEntry, Violation, PointsLedgerEntry))


def row(app, code: str) -> OutreachRequest:
    with app.extensions["ptsp.read_sessions"]() as session:
        found = session.scalar(select(OutreachRequest).where(OutreachRequest.code == code))
        assert found is not None
        session.expunge(found)
        return found


def staff_id(app, username: str) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return int(session.scalar(select(Staff.id).where(Staff.username == username)))


def file(app, world, slug: str = "kel-test", **form: str) -> tuple[str, str]:
    """A family asks for a visit on the public page; return (tracking address, code)."""
    client = app.test_client()
    assert client.get(f"/jemput/{slug}").status_code == 200
    service = world.services["A"] if slug == "kel-test" else world.other_service
    response = client.post(f"/jemput/{slug}", data={**FAMILY, "service": str(service), **form})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]
    found = TRACK.search(response.headers["Location"])
    assert found is not None
    return response.headers["Location"], found.group(2)


def as_user(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def local(clock, hours: float, zone_hours: int = 7) -> str:
    """The office-local datetime-local value `hours` from now."""
    return (clock() + timedelta(hours=hours, minutes=0) + timedelta(hours=zone_hours)).strftime("%Y-%m-%dT%H:%M")


def schedule(app, clock, code: str, officer: str = "clerk1", by: str = "sup", hours: float = 2) -> None:
    response = as_user(app, by).post(f"/manager/outreach/{row(app, code).id}/assign", data={
        "officer": str(staff_id(app, officer)), "visit_at": local(clock, hours)})
    assert response.status_code == 303, response.get_data(as_text=True)[:800]


def report(app, code: str, travel: object, who: str = "clerk1"):
    return as_user(app, who).post("/manager/outreach/mine", data={"request": str(row(app, code).id),
                                                                   "travel": str(travel), "note": "KTP direkam"})


def problem(response) -> str:
    found = re.search(r'id="problem">(.*?)</p>', response.get_data(as_text=True), re.S)
    return found.group(1) if found else ""


def ledger(app) -> list[PointsLedgerEntry]:
    with app.extensions["ptsp.read_sessions"]() as session:
        rows = list(session.scalars(select(PointsLedgerEntry).where(PointsLedgerEntry.outreach_id.is_not(None))))
        session.expunge_all()
        return rows


def test_a_family_asks_from_a_phone_and_follows_the_request_by_its_code(app, world, clock):
    page = app.test_client().get("/jemput/kel-test").get_data(as_text=True)
    assert 'name="csrf_token"' in page and "KTP" in page and "keluarga" in page
    assert 'href="/jemput/kel-test"' in app.test_client().get("/pengaduan/kel-test").get_data(as_text=True)
    address, code = file(app, world)
    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
    request = row(app, code)
    assert (request.channel, request.status, request.on_behalf, request.place) == (
        "web", "received", True, "RSUD Kota, ruang Melati 3")
    assert request.due_at == clock() + timedelta(hours=24)
    body = app.test_client().get(address).get_data(as_text=True)
    assert f"{code[:5]}-{code[5:]}" in body and "Diterima" in body and "24-11-2026 09:00 WIB" in body
    assert "0812-1111-2222" not in body and "Siti" not in body  # personal data is the office's to read
    typed = app.test_client().get(f"/jemput/kel-test?kode={code.lower()}")
    assert typed.status_code == 303 and typed.headers["Location"].endswith(f"/k/{code}")
    assert app.test_client().get(f"/jemput/kel-lain/k/{code}").status_code == 404
    schedule(app, clock, code)
    body = app.test_client().get(address).get_data(as_text=True)
    assert "Dijadwalkan" in body and "Jadwal kunjungan: 23-11-2026 11:00 WIB" in body and "Clerk Satu" not in body


@pytest.mark.parametrize(("form", "message"), [
    ({"consent": ""}, "persetujuan"),
    ({"service": ""}, "Pilih layanan"),
    ({"place": "  "}, "Kolom tempat wajib diisi"),
    ({"name": "x" * 121}, "Kolom nama paling panjang 120"),
])
def test_bad_public_input_is_refused_with_its_reason_and_changes_nothing(app, world, form, message):
    before = counts(app)
    response = app.test_client().post("/jemput/kel-test", data={**FAMILY, "service": str(world.services["A"]),
                                                                 **form})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert counts(app) == before
    other = app.test_client().post("/jemput/kel-test", data={**FAMILY, "service": str(world.other_service)})
    assert other.status_code == 422 and counts(app) == before  # another office's service


@pytest.mark.parametrize(("slug", "start", "zone_label", "local_due", "due_day"), [
    ("kel-test", datetime(2026, 11, 23, 2, 0, tzinfo=UTC), "WIB", "24-11-2026 09:00", "2026-11-24"),
    # 00:30 WITA on Tuesday is 16:30 UTC on Monday; due 00:30 WITA on Wednesday, a UTC Tuesday
    ("kel-lain", datetime(2026, 11, 23, 16, 30, tzinfo=UTC), "WITA", "25-11-2026 00:30", "2026-11-25"),
])
def test_first_response_exactly_at_24_hours_is_in_time_one_second_later_is_escalated(
        app, world, clock, slug, start, zone_label, local_due, due_day):
    clock.now = start
    head = "sup"
    if slug == "kel-lain":  # the WITA office's own supervisor
        with app.extensions["ptsp.sessions"]() as session:
            session.scalar(select(Staff).where(Staff.username == "other")).role = "supervisor"
            session.commit()
        head = "other"
    answered = file(app, world, slug)[1]
    silent_address, silent = file(app, world, slug)
    clock.advance(hours=24)
    assert f"{local_due} {zone_label}" in app.test_client().get(silent_address).get_data(as_text=True)
    moved = as_user(app, head).post(f"/manager/outreach/{row(app, answered).id}/move", data={"status": "confirmed"})
    assert moved.status_code == 303
    assert row(app, answered).first_response_at == clock()
    with app.extensions["ptsp.sessions"]() as session:
        assert escalate_overdue(session, now=clock()) == []
    clock.advance(seconds=1)
    with app.extensions["ptsp.sessions"]() as session:
        [violation] = escalate_overdue(session, now=clock())
        session.commit()
        assert (violation.kind, violation.day.isoformat(), violation.staff_id) == ("outreach_late", due_day, None)
        assert violation.details["outreach"] == row(app, silent).id
        assert session.scalar(select(func.count()).select_from(ViolationNotice)) >= 1
        assert escalate_overdue(session, now=clock() + timedelta(hours=1)) == []  # once per request
    page = as_user(app, head).get("/manager/outreach").get_data(as_text=True)
    assert re.search(rf'id="outreach-{row(app, silent).id}" class="overdue"', page)
    assert not re.search(rf'id="outreach-{row(app, answered).id}" class="overdue"', page)


def test_the_escalation_reaches_the_supervisor_chain_through_the_inbox(app, world, clock):
    file(app, world)
    clock.advance(hours=25)
    with app.extensions["ptsp.sessions"]() as session:
        escalate_overdue(session, now=clock())
        session.commit()
        staff = {s.id: s.username for s in session.scalars(select(Staff))}
        levels = {staff[n.recipient_id]: n.level for n in session.scalars(select(ViolationNotice))}
    assert levels == {"sup": 1, "manager": 2}
    assert "Permintaan jemput bola belum ditanggapi dalam 1×24 jam" in as_user(app, "sup").get(
        "/manager/notices").get_data(as_text=True)


def test_stages_and_points_of_a_confirmed_visit_once_to_the_assigned_officer(app, world, clock):
    _, code = file(app, world)
    schedule(app, clock, code, hours=2)
    assert row(app, code).status == "scheduled" and row(app, code).officer_id == staff_id(app, "clerk1")
    mine = as_user(app, "clerk1").get("/manager/outreach/mine").get_data(as_text=True)
    assert "RSUD Kota, ruang Melati 3" in mine
    before = counts(app)
    early = report(app, code, 30)  # before the visit's time
    assert early.status_code == 409 and "sebelum waktunya" in problem(early) and counts(app) == before
    clock.advance(hours=3)
    for travel, message in ((181, "0 sampai 180"), (-5, "0 sampai 180"), ("nan", "0 sampai 180"), ("x", "menit")):
        refused = report(app, code, travel)
        assert refused.status_code == 422 and message in problem(refused) and counts(app) == before
    assert report(app, code, 30).status_code == 303
    assert row(app, code).status == "visited" and ledger(app) == []  # no points before the confirmation
    sup = as_user(app, "sup")
    raised = sup.post(f"/manager/outreach/{row(app, code).id}/confirm", data={"travel": "45"})
    assert raised.status_code == 422 and "30.0 menit" in problem(raised)
    assert sup.post(f"/manager/outreach/{row(app, code).id}/confirm", data={"travel": "25"}).status_code == 303
    [line] = ledger(app)
    assert (line.staff_id, line.kind, line.points, line.held, line.ticket_id, line.acted_by) == (
        staff_id(app, "clerk1"), "award", 35.0, 0.0, None, staff_id(app, "sup"))  # KTP 10 min + travel 25
    assert line.service_day.isoformat() == "2026-11-23"
    again = sup.post(f"/manager/outreach/{row(app, code).id}/confirm", data={"travel": "25"})
    assert again.status_code == 409 and len(ledger(app)) == 1
    body = app.test_client().get(f"/jemput/kel-test/k/{code}").get_data(as_text=True)
    assert "Status: Selesai" in body
    board = sup.get(f"/api/v1/points/leaderboard?office={world.office}&period=today").get_json()
    clerk = next(r for r in [*board["ranked"], *board["unranked"]] if r["name"] == "Clerk Satu")
    assert clerk["points"] == 35.0 and clerk["transactions"] == 1


def test_a_clerk_who_wants_points_is_refused_and_nothing_changes(app, world, clock):
    _, code = file(app, world)
    before_assign = counts(app)
    own = as_user(app, "sup").post(f"/manager/outreach/{row(app, code).id}/assign", data={
        "officer": str(staff_id(app, "sup")), "visit_at": local(clock, 1)})
    assert own.status_code == 403 and "diri sendiri" in problem(own)
    clerk = as_user(app, "clerk1").post(f"/manager/outreach/{row(app, code).id}/assign", data={
        "officer": str(staff_id(app, "clerk1")), "visit_at": local(clock, 1)})
    assert clerk.status_code == 403 and counts(app) == before_assign
    past = as_user(app, "sup").post(f"/manager/outreach/{row(app, code).id}/assign", data={
        "officer": str(staff_id(app, "clerk1")), "visit_at": local(clock, -2)})
    assert past.status_code == 422 and counts(app) == before_assign
    # the manager sends the supervisor; the supervisor reports and cannot confirm their own visit
    schedule(app, clock, code, officer="sup", by="manager", hours=1)
    clock.advance(hours=2)
    assert report(app, code, 20, who="clerk2").status_code == 404  # not the assigned officer
    assert report(app, code, 20, who="sup").status_code == 303
    self_confirm = as_user(app, "sup").post(f"/manager/outreach/{row(app, code).id}/confirm", data={})
    assert self_confirm.status_code == 403 and ledger(app) == []
    assert as_user(app, "manager").post(f"/manager/outreach/{row(app, code).id}/confirm",
                                        data={}).status_code == 303
    assert [(line.staff_id, line.points) for line in ledger(app)] == [(staff_id(app, "sup"), 30.0)]


def test_a_visit_reported_while_the_officer_served_at_the_counter_is_refused(app, world, clock):
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    _, code = file(app, world)
    schedule(app, clock, code, hours=0.25)  # at +15 min, for KTP's 10 standard minutes
    office.issue("A")
    clock.advance(minutes=14)
    desk.serve(3)  # completed at +17 min, inside the visit's window
    before = counts(app)
    refused = report(app, code, 20)
    assert refused.status_code == 409 and "loket" in problem(refused) and counts(app) == before


def test_the_desk_records_a_whatsapp_request_and_a_clerk_cannot(app, world, clock):
    sup = as_user(app, "sup")
    response = sup.post("/manager/outreach/record", data={
        "office": str(world.office), "channel": "whatsapp", "service": str(world.services["B"]),
        "name": "Pak Darto", "contact": "0813-0000", "place": "Jl. Mawar 5 RT 2", "reason": "Lansia, kursi roda"})
    assert response.status_code == 303 and "recorded=" in response.headers["Location"]
    code = response.headers["Location"].split("recorded=")[1][:10]
    request = row(app, code)
    assert (request.channel, request.on_behalf, request.service_id) == ("whatsapp", False, world.services["B"])
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.entity == "outreach")) == "record"
    page = sup.get("/manager/outreach").get_data(as_text=True)
    assert "Pak Darto" in page and "Jl. Mawar 5 RT 2" in page
    before = counts(app)
    clerk = as_user(app, "clerk1").post("/manager/outreach/record", data={
        "office": str(world.office), "channel": "phone", "service": str(world.services["A"]), "name": "x",
        "contact": "x", "place": "x", "reason": "x"})
    assert clerk.status_code == 403 and counts(app) == before
    other = as_user(app, "sup").post("/manager/outreach/record", data={
        "office": str(world.other_office), "channel": "phone", "service": str(world.other_service), "name": "x",
        "contact": "x", "place": "x", "reason": "x"})
    assert other.status_code == 403 and counts(app) == before


def test_a_cancel_needs_its_reason_and_closes_the_request(app, world, clock):
    _, code = file(app, world)
    sup = as_user(app, "sup")
    before = counts(app)
    bare = sup.post(f"/manager/outreach/{row(app, code).id}/move", data={"status": "cancelled"})
    assert bare.status_code == 422 and counts(app) == before
    assert sup.post(f"/manager/outreach/{row(app, code).id}/move",
                    data={"status": "cancelled", "note": "Warga sudah datang sendiri"}).status_code == 303
    assert row(app, code).status == "cancelled" and row(app, code).closed_at == clock()
    late = sup.post(f"/manager/outreach/{row(app, code).id}/move", data={"status": "confirmed"})
    assert late.status_code == 409


def test_retention_empties_the_residents_data_after_the_request_ends(app, world, clock, monkeypatch):
    from ptsp.services.outreach_retention import purge_outreach
    _, done = file(app, world)
    _, still_open = file(app, world)
    as_user(app, "sup").post(f"/manager/outreach/{row(app, done).id}/move",
                             data={"status": "cancelled", "note": "Ibu Siti sudah pulih"})
    with app.extensions["ptsp.sessions"]() as session:
        assert purge_outreach(session, closed_before=clock() - timedelta(days=14), now=clock()) == 0
        assert purge_outreach(session, closed_before=clock() + timedelta(seconds=1), now=clock(),
                              dry_run=True) == 1
        session.rollback()
        assert row(app, done).name == "Ibu Siti Aminah"  # a dry run changes nothing
        assert purge_outreach(session, closed_before=clock() + timedelta(seconds=1), now=clock()) == 1
        session.commit()
        assert purge_outreach(session, closed_before=clock() + timedelta(seconds=1), now=clock()) == 0
        notes = list(session.scalars(select(OutreachEvent.note).where(
            OutreachEvent.request_id == row(app, done).id)))
    purged = row(app, done)
    assert (purged.name, purged.contact, purged.place, purged.reason) == ("-", "-", "-", "")
    assert purged.status == "cancelled" and purged.service_id == world.services["A"] and notes == [None, None]
    assert row(app, still_open).name == "Ibu Siti Aminah"
    page = as_user(app, "sup").get("/manager/outreach?status=all").get_data(as_text=True)
    assert "data pribadi sudah dihapus" in page


@pytest.fixture
def visit_db(monkeypatch, sqlite_url, clock):
    """A SQLite office with one confirmed visit (and one counter ticket), for the `ptsp` commands."""
    app = make_test_app(sqlite_url, clock)
    world = load_world(app, clock)
    office = Office(app, world, clock)
    office.desk("clerk2", 2)
    office.issue("A")
    office.desks["clerk2"].serve(8)
    _, code = file(app, world)
    schedule(app, clock, code)
    clock.advance(hours=3)
    assert report(app, code, 40).status_code == 303
    assert as_user(app, "sup").post(f"/manager/outreach/{row(app, code).id}/confirm", data={}).status_code == 303
    for name, value in (("PTSP_DATABASE_URL", sqlite_url), ("PTSP_SECRET_KEY", "cli-test"),
                        ("PTSP_ENV", "testing")):
        monkeypatch.setenv(name, value)
    yield app
    app.extensions["ptsp.engine"].dispose()


def test_points_recompute_reproduces_the_visit_line_and_names_a_tampered_one(visit_db):
    result = CliRunner().invoke(cli, ["points", "recompute"])
    assert result.exit_code == 0, result.output
    assert "Checked 1 jemput bola visit(s): 1 ledger line(s) expected, 50 point(s) credited." in result.output
    assert "The ledger matches the event log." in result.output
    with visit_db.extensions["ptsp.engine"].begin() as connection:
        connection.execute(text("UPDATE points_ledger SET points = 90 WHERE outreach_id IS NOT NULL"))
    tampered = CliRunner().invoke(cli, ["points", "recompute"])
    assert tampered.exit_code == 1
    assert "jemput bola 1 award: changed (points: ledger=90.0 recomputed=50.0)" in tampered.output
    with visit_db.extensions["ptsp.engine"].begin() as connection:
        connection.execute(text("DELETE FROM points_ledger WHERE outreach_id IS NOT NULL"))
    missing = CliRunner().invoke(cli, ["points", "recompute"])
    assert missing.exit_code == 1 and "jemput bola 1 award: missing" in missing.output


def test_retention_purge_command_empties_the_closed_requests(visit_db, monkeypatch):
    # the command reads the real clock; the test's visit was closed on 23 November 2026
    kept = CliRunner().invoke(cli, ["retention", "purge", "--dry-run"])
    assert kept.exit_code == 0, kept.output
    monkeypatch.setenv("PTSP_OUTREACH_DAYS", "1")
    result = CliRunner().invoke(cli, ["retention", "purge"])
    assert result.exit_code == 0, result.output
    assert "Removed the name, contact, place and reason of 1 jemput bola request(s) closed over 1 day(s) ago" \
        in result.output
    with visit_db.extensions["ptsp.engine"].connect() as connection:
        assert connection.execute(text("SELECT name, contact, place, reason, status FROM outreach_requests")).one() \
            == ("-", "-", "-", "", "done")
    assert "of 0 jemput bola" in CliRunner().invoke(cli, ["retention", "purge"]).output
    recomputed = CliRunner().invoke(cli, ["points", "recompute"])  # the points outlive the personal data
    assert recomputed.exit_code == 0 and "50 point(s)" in recomputed.output


def test_agency_scope_of_the_list_the_assignment_and_the_officer(app, world, clock, mpp):  # noqa: F811
    dukcapil = client_of(app, "mgr.a")
    a_code = file(app, world, service=str(world.services["A"]), name="Warga Dukcapil")[1]
    c_code = file(app, world, service=str(world.services["C"]), name="Warga Samsat")[1]
    page = dukcapil.get("/manager/outreach").get_data(as_text=True)
    assert "Warga Dukcapil" in page and "Warga Samsat" not in page
    whole = client_of(app, "mgr.mpp").get("/manager/outreach").get_data(as_text=True)
    assert "Warga Dukcapil" in whole and "Warga Samsat" in whole
    before = counts(app)
    refused = dukcapil.post(f"/manager/outreach/{row(app, c_code).id}/assign", data={
        "officer": str(staff_id(app, "clerk2")), "visit_at": local(clock, 2)})
    assert refused.status_code == 403 and counts(app) == before
    wrong_agency = dukcapil.post(f"/manager/outreach/{row(app, a_code).id}/assign", data={
        "officer": str(staff_id(app, "clerk2")), "visit_at": local(clock, 2)})  # a Samsat clerk
    assert wrong_agency.status_code == 422 and counts(app) == before
    assert dukcapil.post(f"/manager/outreach/{row(app, a_code).id}/assign", data={
        "officer": str(staff_id(app, "clerk1")), "visit_at": local(clock, 2)}).status_code == 303


def test_the_outreach_reasons_have_their_templates_in_one_place_only():
    from pathlib import Path

    from ptsp.i18n import errors
    from ptsp.i18n.errors_outreach import OUTREACH_MESSAGES
    source = Path(errors.__file__).read_text()
    assert not [reason for reason in OUTREACH_MESSAGES if f'"{reason}"' in source]
    assert set(OUTREACH_MESSAGES) <= set(errors.MESSAGES)
