"""Manager dashboard, charts and exports over HTTP and Socket.IO: scoping, bad filters, CSV content."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ptsp.extensions import socketio
from tests.conftest import bearer, login

PAGES = ["/manager/dashboard", "/manager/dashboard/live", "/manager/charts", "/manager/export",
         "/manager/export/tickets.csv", "/manager/export/events.csv"]
JSON = ["/manager/api/dashboard", "/manager/api/charts"]


def manager_login(client, username="manager", password="password-m"):
    response = client.post("/manager/login", data={"username": username, "password": password})
    assert response.status_code == 302


def rows(response) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.mark.parametrize("path", PAGES)
def test_clerk_is_refused_every_manager_page_and_export(client, world, path):
    login(client, "clerk1")
    response = client.get(path)
    assert response.status_code == 403
    assert "tidak berwenang" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_visitor_is_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/manager/login")


@pytest.mark.parametrize("path", JSON)
def test_json_endpoints_refuse_visitors_and_clerks_as_json(client, world, path):
    assert client.get(path).get_json() == {"error": "unauthorized", "message": "Silakan masuk dulu"}
    assert client.get(path).status_code == 401
    login(client, "clerk1")
    response = client.get(path)
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"


@pytest.mark.parametrize("path", [*JSON, "/manager/export/tickets.csv", "/manager/dashboard/live",
                                  "/manager/dashboard", "/manager/charts"])
def test_office_outside_the_managers_scope_is_refused(client, world, path):
    manager_login(client)
    response = client.get(f"{path}?office={world.other_office}")
    assert response.status_code == 403
    assert "di luar wewenang" in response.get_data(as_text=True)


def test_dashboard_json_lists_only_offices_in_scope(client, world, monday):
    manager_login(client)
    data = client.get("/manager/api/dashboard").get_json()
    assert [o["name"] for o in data["offices"]] == ["Kelurahan Uji"]
    assert data["offices"][0]["service_level"]["percent"] == 33.3
    assert data["printers"] == []
    login_sup = client.post("/manager/login", data={"username": "sup", "password": "password-s"})
    assert login_sup.status_code == 302
    assert [o["name"] for o in client.get("/manager/api/dashboard").get_json()["offices"]] == ["Kelurahan Uji"]


def test_dashboard_page_shows_the_figures_and_says_when_no_printer_is_registered(client, world, monday):
    manager_login(client)
    page = client.get("/manager/dashboard").get_data(as_text=True)
    assert "Kelurahan Uji" in page and "Kelurahan Lain" not in page
    assert "33,3%" in page and "1/3" in page and "Clerk Satu" in page
    assert "Belum ada printer terdaftar" in page and "No printers registered" not in page
    english = client.get("/manager/dashboard?lang=en").get_data(as_text=True)
    assert "33.3%" in english and "No printers registered" in english
    assert "vendor/socket.io.min.js" in page and "cdn" not in page.lower()


def test_printers_panel_shows_each_kiosk_printers_live_state(app, client, world, monday, clock):
    from ptsp.services.accounts import device_for_token
    from ptsp.services.printing import note_printer_state, set_printer

    with app.extensions["ptsp.sessions"]() as session:
        kiosk = device_for_token(session, world.kiosk)
        printer = set_printer(session, kiosk=kiosk, name="Printer Kios Lobi", setting="network:127.0.0.1:9",
                              agent=None, width_chars=32)
        note_printer_state(session, printer, online=True, paper="ok", error=None, now=clock())
        note_printer_state(session, printer, online=False, paper="out", error="paper out", now=clock())
        session.commit()
        printer_id = printer.id
    manager_login(client)
    page = client.get("/manager/dashboard/live").get_data(as_text=True)
    assert "Printer Kios Lobi" in page and "paper out" in page and "out" in page and "09:00" in page
    assert "Belum ada printer terdaftar" not in page
    rows = client.get("/manager/api/dashboard").get_json()["printers"]
    assert [(r["printer_id"], r["online"], r["paper"]) for r in rows] == [(printer_id, False, "out")]


def test_charts_page_and_json_default_to_the_last_thirty_days(client, world, monday):
    manager_login(client)
    data = client.get("/manager/api/charts").get_json()
    assert (data["from"], data["to"]) == ("2026-10-25", "2026-11-23")
    assert data["waits"]["called"] == 2 and data["arrivals"]["all_days"] == [5.0]
    page = client.get(f"/manager/charts?office={world.office}&from=2026-11-23&to=2026-11-23").get_data(as_text=True)
    assert "vendor/chart.umd.min.js" in page and 'id="chart-arrivals"' in page
    assert "A · KTP" in page


@pytest.mark.parametrize(("query", "status", "message"), [
    ("from=2026-13-01", 422, "YYYY-MM-DD"),
    ("from=2026-11-23&to=2026-11-01", 422, "sebelum"),
    ("from=2024-01-01&to=2026-11-23", 422, "366"),
    ("to=0001-01-01", 422, "2000-01-01"),  # counting the default period back from it overflowed: was a 500
    ("from=9999-12-31", 422, "2099-12-31"),
    ("office=abc", 422, "nomor kantor"),
    ("office=99999999999", 422, "nomor kantor"),
    ("office=424242", 403, "di luar wewenang"),
])
def test_bad_filters_give_a_readable_4xx_everywhere(client, world, query, status, message):
    manager_login(client)
    for path in ("/manager/api/charts", "/manager/export/tickets.csv", "/manager/export/events.csv",
                 "/manager/charts", "/manager/export"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == status, path
        assert message in response.get_data(as_text=True), path
    body = client.get(f"/manager/api/charts?{query}").get_json()
    assert set(body) == {"error", "message"}


def test_the_export_form_keeps_what_was_typed_when_it_refuses_it(client, world):
    manager_login(client)
    page = client.get("/manager/export?from=2026-11-23&to=2026-11-01")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert 'value="2026-11-23"' in text and 'value="2026-11-01"' in text and 'role="alert"' in text


def test_tickets_csv_has_one_row_per_ticket_with_local_times(client, world, monday):
    manager_login(client)
    response = client.get(f"/manager/export/tickets.csv?office={world.office}&from=2026-11-23&to=2026-11-23")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"office{world.office}-2026-11-23-2026-11-23.csv" in response.headers["Content-Disposition"]
    table = rows(response)
    assert [r["code"] for r in table] == ["A-001", "A-002", "C-001", "C-002", "B-001"]
    first = table[0]
    assert first["issued_at"] == "2026-11-23T09:00:00+07:00" and first["called_at"] == "2026-11-23T09:05:00+07:00"
    assert (first["status"], first["counter"], first["clerk"], first["outcome"]) == ("done", "1", "clerk1", "selesai")
    assert "public_token" not in first
    assert {r["code"]: r["status"] for r in table}["C-002"] == "cancelled"


def test_events_csv_lists_the_log_in_order_and_nothing_outside_the_dates(client, world, monday):
    manager_login(client)
    table = rows(client.get("/manager/export/events.csv?from=2026-11-23&to=2026-11-23"))
    assert [(r["code"], r["kind"]) for r in table if r["code"] == "A-001"] == [
        ("A-001", "issued"), ("A-001", "called"), ("A-001", "started"), ("A-001", "completed")]
    assert len(table) == 5 + 3 + 3 + 1  # five issued; called/started/completed; C-002 cancelled
    completed = next(r for r in table if r["code"] == "A-002" and r["kind"] == "completed")
    assert json.loads(completed["data"]) == {"outcome": "selesai", "service_id": world.services["A"],
                                             "standard_minutes": 10.0}
    assert completed["staff"] == "clerk1"
    assert rows(client.get("/manager/export/events.csv?from=2026-11-24&to=2026-11-30")) == []


def test_export_form_links_every_export_with_the_chosen_filters(client, world):
    manager_login(client)
    page = client.get(f"/manager/export?office={world.office}&from=2026-11-01&to=2026-11-23").get_data(as_text=True)
    assert 'formaction="/manager/export/tickets.csv"' in page and 'formaction="/manager/export/events.csv"' in page
    assert 'value="2026-11-01"' in page and f'<option value="{world.office}" selected' in page
    assert "Kelurahan Lain" not in page


def test_dashboard_socket_joins_every_office_in_scope_and_no_other(app, client, world):
    manager_login(client)
    sock = socketio.test_client(app, flask_test_client=client, auth={"scope": "dashboard"})
    assert sock.is_connected()
    [ready] = [r for r in sock.get_received() if r["name"] == "dashboard_ready"]
    kec = world.office - 1  # the kecamatan is loaded first
    assert sorted(ready["args"][0]["offices"]) == sorted([kec, world.office])
    mine = client.application.test_client()
    mine.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"]},
              headers=bearer(world.kiosk))
    mine.post("/api/v1/tickets", json={"office": world.other_office, "service": world.other_service},
              headers=bearer(world.other_kiosk))
    facts = [r for r in sock.get_received() if r["name"] == "ticket_issued"]
    assert [f["args"][0]["office"] for f in facts] == [world.office]
    assert sock.emit("resync", {}, callback=True)["error"] == "invalid_input"


def test_dashboard_socket_refuses_clerks_and_visitors(app, client, world):
    assert not socketio.test_client(app, flask_test_client=client, auth={"scope": "dashboard"}).is_connected()
    login(client, "clerk1")
    assert not socketio.test_client(app, flask_test_client=client, auth={"scope": "dashboard"}).is_connected()


def test_manager_cannot_follow_an_office_outside_scope_by_room(app, client, world):
    manager_login(client)
    refused = socketio.test_client(app, flask_test_client=client, auth={"office": world.other_office})
    assert not refused.is_connected()


def test_demo_command_writes_the_history_and_reports_its_figures(monkeypatch, sqlite_url):
    from click.testing import CliRunner
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from ptsp.cli import cli
    from ptsp.db import make_engine
    from ptsp.models import Ticket

    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")  # a short secret is refused in production
    result = CliRunner().invoke(cli, ["demo", "--history", "7", "--seed", "2", "--no-serve"])
    assert result.exit_code == 0, result.output
    lines = [x for x in result.output.splitlines() if x.startswith("History for ")]
    assert len(lines) == 2  # the busy kelurahan and the quiet one
    with sessionmaker(make_engine(sqlite_url))() as session:
        count = session.scalar(select(func.count()).select_from(Ticket))
    assert count > 0 and sum(int(x.split("; ")[1].split(" tickets")[0]) for x in lines) == count
    again = CliRunner().invoke(cli, ["demo", "--history", "7", "--no-serve"])
    assert "0 tickets" in again.output and "days already present" in again.output
    bad = CliRunner().invoke(cli, ["demo", "--history", "-3", "--no-serve"])
    assert bad.exit_code == 2 and "--history" in bad.output


def test_demo_history_credits_points_by_the_ledger_rules_and_scans_discipline_on_real_hours(monkeypatch, sqlite_url):
    from click.testing import CliRunner
    from sqlalchemy import func, select
    from sqlalchemy.orm import sessionmaker

    from ptsp.cli import cli
    from ptsp.db import make_engine
    from ptsp.models import PointsLedgerEntry, Violation

    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")  # a short secret is refused in production
    result = CliRunner().invoke(cli, ["demo", "--history", "14", "--realistic-hours", "--no-serve"])
    assert result.exit_code == 0, result.output
    with sessionmaker(make_engine(sqlite_url))() as session:
        lines = session.scalar(select(func.count()).select_from(PointsLedgerEntry))
        violations = session.scalar(select(func.count()).select_from(Violation))
    written = [int(x.split(" points ledger lines")[0].rsplit(" ", 1)[1]) for x in result.output.splitlines()
               if x.startswith("History for ")]
    assert lines > 0 and sum(written) == lines
    found = [int(x.split(": ")[1].split(" ")[0]) for x in result.output.splitlines()
             if x.startswith("  Discipline scan of the history")]
    assert violations > 0 and sum(found) == violations
    check = CliRunner().invoke(cli, ["points", "recompute"])
    assert check.exit_code == 0 and "The ledger matches the event log." in check.output
