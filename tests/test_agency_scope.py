"""Agency scope (docs/mpp.md, "Agency scope"): an agency's supervisor or manager reads only their agency.

One Mal Pelayanan Publik with two agencies, DUKCAPIL (service A, counter 1, clerk1) and SAMSAT (service C,
counter 2, clerk2), and service B of the office itself (counter 3, clerk3). Each desk serves tickets that are
rated, one with a complaint. `mgr.a` manages DUKCAPIL, `mgr.b` SAMSAT, `mgr.mpp` the whole office.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from ptsp.analytics.history import load_history
from ptsp.models import Agency, AuditEntry, DisciplineSettings, Office, Staff, Ticket
from ptsp.services.printing import ticket_print_facts
from ptsp.services.setup import load_setup
from tests.conftest import ALL_DAY, SETUP, Clock, LiveServer, World, bearer, login, make_test_app
from tests.points.helpers import Office as Day
from tests.points.test_browser import manager_login

JAKARTA = ZoneInfo("Asia/Jakarta")
PASSWORDS = {"mgr.a": "password-ma", "mgr.b": "password-mb", "mgr.mpp": "password-mm", "sup.a": "password-sa"}


def mpp_setup() -> dict[str, Any]:
    data = json.loads(json.dumps(SETUP))
    office = data["offices"][1]
    services = {s["prefix"]: s for s in office["services"]}
    office["complaint_channel"] = "WhatsApp Pengaduan MPP 0811-1111"
    office["services"] = [services["B"]]
    office["counters"] = [{"number": 3, "services": ["B"]}]
    office["agencies"] = [
        {"code": "DUKCAPIL", "name": "Dinas Kependudukan dan Pencatatan Sipil", "sort_order": 1,
         "complaint_channel": "WhatsApp Pengaduan Dukcapil 0812-2222",
         "services": [services["A"]], "counters": [{"number": 1, "services": ["A"]}]},
        {"code": "SAMSAT", "name": "Samsat", "sort_order": 2,
         "services": [services["C"]], "counters": [{"number": 2, "services": ["C"]}]},
    ]
    agency_of = {"clerk1": "DUKCAPIL", "clerk2": "SAMSAT"}
    for member in office["staff"]:
        member["agency"] = agency_of.get(member["username"])
    office["staff"] += [
        {"username": "mgr.a", "name": "Manajer Dukcapil", "role": "manager", "password": PASSWORDS["mgr.a"],
         "agency": "DUKCAPIL"},
        {"username": "sup.a", "name": "Pengawas Dukcapil", "role": "supervisor", "password": PASSWORDS["sup.a"],
         "agency": "DUKCAPIL"},
        {"username": "mgr.b", "name": "Manajer Samsat", "role": "manager", "password": PASSWORDS["mgr.b"],
         "agency": "SAMSAT"},
        {"username": "mgr.mpp", "name": "Kepala MPP", "role": "manager", "password": PASSWORDS["mgr.mpp"]},
    ]
    return data


@dataclass
class Mpp:
    office: int
    agencies: dict[str, int]
    tickets: dict[str, list[dict[str, Any]]]  # prefix -> served tickets
    tokens: dict[int, str]


@pytest.fixture
def mpp(app, world, clock) -> Mpp:
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, mpp_setup())
        session.commit()
        agencies = {a.code: a.id for a in session.scalars(select(Agency))}
    day = Day(app, world, clock)
    desks = {"A": day.desk("clerk1", 1), "C": day.desk("clerk2", 2), "B": day.desk("clerk3", 3)}
    for prefix in ("A", "C", "B"):
        for _ in range(3):
            day.issue(prefix)
    served: dict[str, list[dict[str, Any]]] = {}
    for _ in range(3):
        for prefix, desk in desks.items():
            served.setdefault(prefix, []).append(desk.serve(6))
    for prefix, tickets in served.items():
        assert day.rate(tickets[0], 2, complaint=f"Keluhan layanan {prefix}: petugas lambat").status_code == 303
        assert day.rate(tickets[1], 4).status_code == 303
    return Mpp(world.office, agencies, served, day.tokens)


def client_of(app, username: str):
    client = app.test_client()
    login(client, username, PASSWORDS.get(username))
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.data[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def board_names(board: dict[str, Any]) -> set[str]:
    return {row["name"] for row in board["ranked"] + board["unranked"]}


# --- an agency's manager reads only their agency --------------------------------------------------------------

def test_an_agency_manager_sees_only_their_agency_on_the_dashboard_and_charts(app, mpp):
    client = client_of(app, "mgr.a")
    live = client.get("/manager/api/dashboard").get_json()
    [office] = live["offices"]
    assert [s["prefix"] for s in office["services"]] == ["A"]
    assert [c["number"] for c in office["counters"]] == [1]
    assert office["done_today"] == 3 and office["agency"] == mpp.agencies["DUKCAPIL"]
    page = client.get("/manager/dashboard")
    assert page.status_code == 200 and 'name="agency"' not in page.get_data(as_text=True)
    charts = client.get("/manager/api/charts").get_json()
    assert [s["prefix"] for s in charts["service_times"]] == ["A"]
    assert charts["waits"]["called"] == 3
    for path in ("/manager/api/dashboard", "/manager/api/charts", "/manager/dashboard", "/manager/charts"):
        refused = client.get(f"{path}?agency={mpp.agencies['SAMSAT']}")
        assert refused.status_code == 403, path
        assert "Samsat" not in refused.get_data(as_text=True).replace("SAMSAT", "")


def test_an_agency_manager_sees_only_their_clerks_on_the_leaderboard_and_its_exports(app, mpp):
    client = client_of(app, "mgr.a")
    board = client.get("/api/v1/points/leaderboard?period=today").get_json()
    assert board_names(board) == {"Clerk Satu"}
    page = client.get("/manager/leaderboard?period=today").get_data(as_text=True)
    assert "Clerk Satu" in page and "Clerk Dua" not in page and "Clerk Tiga" not in page
    points = csv_rows(client.get("/manager/export/points.csv"))
    assert {row[3] for row in points[1:]} == {"clerk1"} and {row[5] for row in points[1:]} == {"A"}
    trend = client.get("/api/v1/points/trend?days=1").get_json()
    credited = sum(row["points"] for row in board["ranked"] + board["unranked"])
    assert trend["series"][0]["points"] == [pytest.approx(credited)]
    tickets = csv_rows(client.get("/manager/export/tickets.csv"))
    assert {row[6] for row in tickets[1:]} == {"A"} and len(tickets) == 4
    events = csv_rows(client.get("/manager/export/events.csv"))
    assert {row[4][0] for row in events[1:]} == {"A"}
    ratings = csv_rows(client.get("/manager/export/ratings.csv"))
    assert {row[3] for row in ratings[1:]} == {"A"} and len(ratings) == 3
    other = f"agency={mpp.agencies['SAMSAT']}"
    for path in ("/api/v1/points/leaderboard", "/api/v1/points/trend", "/api/v1/points/holds",
                 "/manager/leaderboard", "/manager/export/points.csv", "/manager/export/tickets.csv",
                 "/manager/export/ratings.csv"):
        assert client.get(f"{path}?{other}").status_code == 403, path


def test_an_agency_manager_sees_only_their_ratings_and_complaints(app, mpp):
    client = client_of(app, "mgr.a")
    rows = client.get("/api/v1/skm/ikm?group=service").get_json()["rows"]
    assert [row["label"].split(" · ")[0] for row in rows] == ["A"]
    clerks = client.get("/api/v1/skm/ikm?group=clerk").get_json()["rows"]
    assert [row["label"] for row in clerks] == ["Clerk Satu"]
    complaints = client.get("/api/v1/complaints").get_json()["complaints"]
    assert [c["text"] for c in complaints] == ["Keluhan layanan A: petugas lambat"]
    page = client.get("/manager/complaints?status=all").get_data(as_text=True)
    assert "Keluhan layanan A" in page and "Keluhan layanan C" not in page and "Keluhan layanan B" not in page
    ikm_page = client.get("/manager/ikm?group=clerk").get_data(as_text=True)
    assert "Clerk Satu" in ikm_page and "Clerk Dua" not in ikm_page
    other = f"agency={mpp.agencies['SAMSAT']}"
    for path in ("/api/v1/skm/ikm", "/api/v1/complaints", "/manager/ikm", "/manager/complaints"):
        assert client.get(f"{path}?{other}").status_code == 403, path
    # moving another agency's complaint is refused and changes nothing
    samsat = client_of(app, "mgr.b").get("/api/v1/complaints").get_json()["complaints"]
    assert [c["text"] for c in samsat] == ["Keluhan layanan C: petugas lambat"]
    moved = client.post(f"/api/v1/complaints/{samsat[0]['id']}/status", json={"status": "verifying"})
    assert moved.status_code == 403
    assert client_of(app, "mgr.b").get("/api/v1/complaints").get_json()["complaints"][0]["status"] == "received"


def test_an_agency_supervisor_is_limited_like_its_manager(app, mpp):
    client = client_of(app, "sup.a")
    assert board_names(client.get("/api/v1/points/leaderboard?period=today").get_json()) == {"Clerk Satu"}
    assert client.get(f"/api/v1/complaints?agency={mpp.agencies['SAMSAT']}").status_code == 403


def test_an_agency_manager_plans_only_their_agency_and_is_refused_another(app, mpp):
    client = client_of(app, "mgr.a")
    plan = client.get("/manager/plan")
    assert plan.status_code == 200
    hours = client.get("/manager/hours")
    assert hours.status_code == 200
    other = f"agency={mpp.agencies['SAMSAT']}"
    for path in ("/manager/plan", "/manager/hours"):
        refused = client.get(f"{path}?{other}")
        assert refused.status_code == 403, path
        assert "SAMSAT" in refused.get_data(as_text=True)  # the refusal names what was refused
    with app.extensions["ptsp.read_sessions"]() as session:
        day = session.scalar(select(Ticket.service_day))
        history = load_history(session, mpp.office, day, day + timedelta(days=1), mpp.agencies["DUKCAPIL"])
        assert set(history.services) == {"A"} and history.counters == {1: ["A"]}
        assert {r.service for r in history.records} == {"A"} and len(history.records) == 3


def test_an_agency_manager_is_refused_another_agencys_discipline_referrals_and_pingpong(app, mpp):
    client = client_of(app, "mgr.a")
    for path in ("/manager/discipline", "/manager/referrals", "/manager/pingpong", "/api/v1/violations",
                 "/api/v1/violations/ranking", "/api/v1/referrals", "/api/v1/referrals/ranking"):
        assert client.get(path).status_code == 200, path
        assert client.get(f"{path}?agency={mpp.agencies['SAMSAT']}").status_code == 403, path
    pingpong = client.get("/manager/pingpong").get_data(as_text=True)
    assert 'name="agency"' not in pingpong
    # the discipline tolerance holds for the whole office: an agency's manager may not set it
    refused = client.post("/manager/discipline/tolerance", data={"office": str(mpp.office), "late_opening": "9"})
    assert refused.status_code == 403 and "seluruh kantor" in refused.get_data(as_text=True)
    with app.extensions["ptsp.read_sessions"]() as session:
        assert session.get(DisciplineSettings, mpp.office) is None


def test_an_unknown_or_malformed_agency_is_a_clear_refusal(app, mpp):
    client = client_of(app, "mgr.mpp")
    assert client.get("/api/v1/points/leaderboard?agency=999").status_code == 404
    assert client.get("/api/v1/points/leaderboard?agency=x1").status_code == 422
    assert client.get("/manager/leaderboard?agency=" + "9" * 40).status_code == 422
    with app.extensions["ptsp.read_sessions"]() as session:  # the kecamatan above the MPP, in `manager`'s scope
        kecamatan = session.scalar(select(Office.id).where(Office.slug == "kec-test"))
    mismatch = client_of(app, "manager").get(f"/api/v1/complaints?office={kecamatan}&agency={mpp.agencies['SAMSAT']}")
    assert mismatch.status_code == 422
    assert client_of(app, "manager").get(f"/api/v1/complaints?agency={mpp.agencies['SAMSAT']}").status_code == 200


# --- an office-wide manager sees every agency and may pick one -------------------------------------------------

def test_an_office_wide_manager_sees_both_agencies_and_can_filter(app, mpp):
    client = client_of(app, "mgr.mpp")
    everyone = client.get("/api/v1/points/leaderboard?period=today").get_json()
    assert board_names(everyone) == {"Clerk Satu", "Clerk Dua", "Clerk Tiga"}
    samsat = client.get(f"/api/v1/points/leaderboard?period=today&agency={mpp.agencies['SAMSAT']}").get_json()
    assert board_names(samsat) == {"Clerk Dua"}
    live = client.get(f"/manager/api/dashboard?agency={mpp.agencies['SAMSAT']}").get_json()
    assert [s["prefix"] for s in live["offices"][0]["services"]] == ["C"]
    assert sorted(s["prefix"] for s in client.get("/manager/api/dashboard").get_json()["offices"][0]["services"]) \
        == ["A", "B", "C"]
    assert len(client.get("/api/v1/complaints").get_json()["complaints"]) == 3
    complaints = client.get(f"/api/v1/complaints?agency={mpp.agencies['DUKCAPIL']}").get_json()["complaints"]
    assert [c["text"] for c in complaints] == ["Keluhan layanan A: petugas lambat"]
    page = client.get("/manager/leaderboard?period=today").get_data(as_text=True)
    assert 'name="agency"' in page and "DUKCAPIL · Dinas Kependudukan" in page
    assert client.get(f"/manager/plan?agency={mpp.agencies['SAMSAT']}").status_code == 200
    tickets = csv_rows(client.get(f"/manager/export/tickets.csv?agency={mpp.agencies['SAMSAT']}"))
    assert {row[6] for row in tickets[1:]} == {"C"}


def test_the_agency_filter_is_not_shown_for_an_office_without_agencies(app, world):
    page = client_of(app, "manager").get("/manager/leaderboard").get_data(as_text=True)
    assert 'name="agency"' not in page


# --- staff administration -------------------------------------------------------------------------------------

def staff_row(app, username: str) -> Staff | None:
    with app.extensions["ptsp.read_sessions"]() as session:
        staff = session.scalar(select(Staff).where(Staff.username == username))
        if staff is not None:
            session.expunge(staff)
        return staff


def test_an_agency_manager_lists_and_adds_only_their_agencys_staff(app, mpp):
    client = client_of(app, "mgr.a")
    listing = client.get("/manager/admin/staff").get_data(as_text=True)
    assert 'data-username="clerk1"' in listing and 'data-username="sup.a"' in listing
    assert 'data-username="clerk2"' not in listing and 'data-username="clerk3"' not in listing
    assert "DUKCAPIL · Kelurahan Uji" in listing and "SAMSAT ·" not in listing  # their own agency only
    form = {"name": "Petugas Baru", "username": "baru", "role": "clerk", "office": str(mpp.office)}
    for agency in (str(mpp.agencies["SAMSAT"]), ""):
        refused = client.post("/manager/admin/staff", data={**form, "agency": agency})
        assert refused.status_code == 403 and 'id="form-error"' in refused.get_data(as_text=True)
        assert staff_row(app, "baru") is None
    added = client.post("/manager/admin/staff", data={**form, "agency": str(mpp.agencies["DUKCAPIL"])})
    assert added.status_code == 200
    assert staff_row(app, "baru").agency_id == mpp.agencies["DUKCAPIL"]
    with app.extensions["ptsp.read_sessions"]() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry.action == "created" and entry.after["agency"] == "DUKCAPIL"


def test_an_agency_manager_cannot_touch_another_agencys_staff(app, mpp):
    client = client_of(app, "mgr.a")
    clerk2 = staff_row(app, "clerk2")
    assert client.get(f"/manager/admin/staff/{clerk2.id}").status_code == 403
    for path, data in ((f"/manager/admin/staff/{clerk2.id}/active", {"active": "0"}),
                       (f"/manager/admin/staff/{clerk2.id}/password", {}),
                       (f"/manager/admin/staff/{clerk2.id}", {"name": "X", "role": "clerk",
                                                              "agency": str(mpp.agencies["DUKCAPIL"])})):
        assert client.post(path, data=data).status_code == 403, path
    after = staff_row(app, "clerk2")
    assert after.active and after.name == "Clerk Dua" and after.agency_id == mpp.agencies["SAMSAT"]
    clerk1 = staff_row(app, "clerk1")  # their own clerk may not be moved out of their agency
    moved = client.post(f"/manager/admin/staff/{clerk1.id}", data={"name": "Clerk Satu", "role": "clerk",
                                                                     "agency": str(mpp.agencies["SAMSAT"])})
    assert moved.status_code == 403 and staff_row(app, "clerk1").agency_id == mpp.agencies["DUKCAPIL"]


def test_an_office_wide_manager_moves_a_clerk_between_agencies_with_an_audit_entry(app, mpp):
    client = client_of(app, "mgr.mpp")
    clerk1 = staff_row(app, "clerk1")
    edit = client.get(f"/manager/admin/staff/{clerk1.id}").get_data(as_text=True)
    assert 'name="agency"' in edit and "seluruh kantor" in edit
    moved = client.post(f"/manager/admin/staff/{clerk1.id}", data={
        "name": "Clerk Satu", "role": "clerk", "supervisor": str(staff_row(app, "sup").id),
        "agency": str(mpp.agencies["SAMSAT"])})
    assert moved.status_code == 302
    assert staff_row(app, "clerk1").agency_id == mpp.agencies["SAMSAT"]
    with app.extensions["ptsp.read_sessions"]() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.before["agency"], entry.after["agency"]) == ("DUKCAPIL", "SAMSAT")
        other = session.scalar(select(Office).where(Office.slug == "kel-lain"))
        foreign = Agency(office_id=other.id, code="BPN", name="BPN")
        session.add(foreign)
        session.commit()
        foreign_id = foreign.id
    refused = client_of(app, "manager").post(f"/manager/admin/staff/{clerk1.id}", data={
        "name": "Clerk Satu", "role": "clerk", "agency": str(foreign_id)})
    assert refused.status_code == 422 and staff_row(app, "clerk1").agency_id == mpp.agencies["SAMSAT"]


# --- the complaint channel of an agency -----------------------------------------------------------------------

def test_residents_see_their_services_agencys_complaint_channel_else_the_offices(app, world, mpp):
    dukcapil, samsat = mpp.tickets["A"][2], mpp.tickets["C"][2]
    status_a = app.test_client().get(f"/t/{mpp.tokens[dukcapil['id']]}").get_data(as_text=True)
    assert "WhatsApp Pengaduan Dukcapil 0812-2222" in status_a and "MPP 0811" not in status_a
    status_c = app.test_client().get(f"/t/{mpp.tokens[samsat['id']]}").get_data(as_text=True)
    assert "WhatsApp Pengaduan MPP 0811-1111" in status_c and "Dukcapil 0812" not in status_c
    state = app.test_client().get("/kiosk/state", headers=bearer(world.kiosk)).get_json()
    channels = {s["prefix"]: s["standard"]["complaint_channel"] for s in state["services"]}
    assert channels == {"A": "WhatsApp Pengaduan Dukcapil 0812-2222", "B": "WhatsApp Pengaduan MPP 0811-1111",
                        "C": "WhatsApp Pengaduan MPP 0811-1111"}
    with app.test_request_context(), app.extensions["ptsp.read_sessions"]() as session:
        printed = {}
        for prefix, tickets in mpp.tickets.items():
            ticket = session.get(Ticket, tickets[0]["id"])
            printed[prefix] = ticket_print_facts(session, ticket, "https://ptsp/t/x", "id", ticket.issued_at)
    assert printed["A"]["complaint_channel"] == "WhatsApp Pengaduan Dukcapil 0812-2222"
    assert printed["C"]["complaint_channel"] == "WhatsApp Pengaduan MPP 0811-1111"


# --- in Chromium, against a real `ptsp run` -------------------------------------------------------------------

def play_mpp_day(database: Path, kiosk: str, day: datetime) -> str:
    """Load the MPP (open all day) into the server's database and play a morning there: clerk1 serves four A
    tickets (DUKCAPIL), clerk2 three C tickets (SAMSAT), clerk3 two B tickets (the office's own). Returns the
    status page token of the first A ticket."""
    clock = Clock(day.replace(hour=8).astimezone(UTC))
    app = make_test_app(f"sqlite:///{database}", clock)
    try:
        data = mpp_setup()
        data["offices"][1].update(hours=ALL_DAY, last_ticket_minutes=0)
        with app.extensions["ptsp.sessions"]() as session:
            load_setup(session, data)
            session.commit()
            office = session.scalar(select(Office).where(Office.slug == "kel-test"))
            services = {s.prefix: s.id for s in office.services}
            counters = {c.number: c.id for c in office.counters}
            world = World(office.id, 0, services, counters, 0, 0, kiosk, "", "")
        played = Day(app, world, clock)
        desks = {"A": played.desk("clerk1", 1), "C": played.desk("clerk2", 2), "B": played.desk("clerk3", 3)}
        for prefix, count in (("A", 4), ("C", 3), ("B", 2)):
            for _ in range(count):
                played.issue(prefix)
            for _ in range(count):
                desks[prefix].serve(8)
        for desk in desks.values():
            assert desk.client.post(f"/api/v1/counters/{desk.counter}/close").status_code == 200
        return played.tokens[min(played.tokens)]
    finally:
        app.extensions["ptsp.engine"].dispose()


@pytest.mark.browser
def test_an_agency_managers_leaderboard_page_shows_only_their_clerks(tmp_path, server_template, page_factory,
                                                                      shot):
    server = LiveServer(tmp_path, server_template)
    day = datetime.combine(datetime.now(JAKARTA).date() - timedelta(days=1), time(0), JAKARTA)
    token = play_mpp_day(tmp_path / "server.db", server_template.kiosk, day)
    server.start()
    try:
        phone = page_factory(390, 844)
        phone.goto(f"{server.base}/t/{token}")
        assert phone.locator("#complaint-channel").inner_text() == "WhatsApp Pengaduan Dukcapil 0812-2222"
        shot(phone, "status-page-dukcapil-channel", full_page=True)
        for size in ((1366, 768), (1920, 1080)):
            page = page_factory(*size)
            manager_login(page, server, "mgr.a", PASSWORDS["mgr.a"])
            page.goto(f"{server.base}/manager/leaderboard?day={day.date().isoformat()}")
            board = page.locator("main").inner_text()
            assert "Clerk Satu" in board and "Clerk Dua" not in board and "Clerk Tiga" not in board
            assert page.locator("select[name=agency]").count() == 0  # their agency only, nothing to choose
            assert "DUKCAPIL" in page.locator("#own-agency").inner_text()
            shot(page, f"leaderboard-agency-manager-{size[0]}", full_page=True)
        page.goto(f"{server.base}/manager/dashboard")
        rows = page.locator("tr[data-service]")
        assert [rows.nth(i).get_attribute("data-service") for i in range(rows.count())] == ["A"]
        shot(page, "dashboard-agency-manager-1920", full_page=True)
        page = page_factory(1366, 768)
        manager_login(page, server, "mgr.mpp", PASSWORDS["mgr.mpp"])
        page.goto(f"{server.base}/manager/leaderboard?day={day.date().isoformat()}")
        board = page.locator("main").inner_text()
        assert all(name in board for name in ("Clerk Satu", "Clerk Dua", "Clerk Tiga"))
        page.select_option("select[name=agency]", label="SAMSAT · Samsat")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url("**agency=*")
        board = page.locator("main").inner_text()
        assert "Clerk Dua" in board and "Clerk Satu" not in board
        shot(page, "leaderboard-office-manager-samsat", full_page=True)
        page.goto(f"{server.base}/manager/dashboard")
        page.select_option("select[name=agency]", label="SAMSAT · Samsat")  # submits itself (data-autosubmit)
        page.wait_for_url("**agency=*")
        rows = page.locator("tr[data-service]")
        assert [rows.nth(i).get_attribute("data-service") for i in range(rows.count())] == ["C"]
        shot(page, "dashboard-office-manager-samsat", full_page=True)
        page.goto(f"{server.base}/manager/admin/staff")
        shot(page, "staff-office-manager", full_page=True)
    finally:
        server.stop()
