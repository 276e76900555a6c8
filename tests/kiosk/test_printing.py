"""Printing an issued ticket: real bytes on a loopback printer, faults within the timeout, retries
that never print twice, staff reprints, and the printer's live state for managers."""

from __future__ import annotations

import time

import pytest
from escpos.printer import Dummy

from printers import render_escpos, ticket_layout
from printers.layout import TicketPrintData
from ptsp.models import Ticket, TicketPrinter
from ptsp.printing_runner import print_timeout, retry_jobs
from ptsp.services import printing
from tests.conftest import bearer, login
from tests.kiosk.conftest import SLACK, TIMEOUT, issue, jobs, printer_row, ticket_count, use_printer
from tests.printers.escpos_parse import parse_escpos
from tests.printers.loopback import READY

STATUS_QUERY = b"\x10\x04\x01\x10\x04\x04"
PAPER_OUT = READY | 0x60


def printed_tickets(printer) -> list:
    """Parse every connection that carried a ticket (the others were status checks)."""
    return [p for p in (parse_escpos(c) for c in printer.connections) if p.qr_payloads]


def wait_tickets(printer, count: int) -> list:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(printed_tickets(printer)) < count:
        time.sleep(0.05)
    return printed_tickets(printer)


def retry(app) -> int:
    with app.app_context():
        return retry_jobs()


def point_printer_at(app, printer_id: int, setting: str) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        session.get(TicketPrinter, printer_id).setting = setting
        session.commit()


def test_default_print_timeout_is_three_seconds(app):
    with app.app_context():
        assert print_timeout() == 3.0


def test_issued_ticket_reaches_a_loopback_printer_and_decodes_to_its_text_and_qr(app, client, world, loopback):
    printer = loopback()
    printer_id = use_printer(app, world, printer.setting)
    issue(client, world, "A", priority="elderly")
    response = issue(client, world, "A")
    assert response.status_code == 201
    body = response.get_json()
    assert body["print"]["status"] == "printed"
    (first, second) = wait_tickets(printer, 2)
    assert second.qr_payloads == [body["status_url"]]
    assert body["status_url"].startswith("http://localhost/t/")
    text = "\n".join(second.texts)
    for expected in ("Kelurahan Uji", "KTP", "A-002", "Senin, 23 November 2026", "09.00 WIB", "Di depan Anda: 1 orang",
                     "Perkiraan tunggu: belum tersedia", "Layanan ini GRATIS.",
                     "Tolak pungutan liar.", "SP4N-LAPOR! lapor.go.id"):
        assert expected in text, expected
    assert second.cuts == 1 and second.codepages == ["cp1252"]
    assert "Prioritas: Lansia" in first.texts and "Prioritas: Lansia" not in second.texts
    assert [j["status"] for j in jobs(app)] == ["printed", "printed"]
    state = printer_row(app, printer_id)
    assert (state["online"], state["paper"], state["last_error"]) == (True, "ok", None)


def test_issued_ticket_bytes_are_exactly_what_python_escpos_dummy_builds(app, client, world, loopback):
    printer = loopback()
    use_printer(app, world, printer.setting, paper=48)
    body = issue(client, world, "C").get_json()
    status_check, job = printer.wait_for_connections(2)
    assert status_check == STATUS_QUERY
    expected = Dummy()
    expected.hw("INIT")
    expected.charcode("CP1252")
    expected.set(align="center", bold=True, custom_size=True, width=1, height=1)
    expected.textln("Kelurahan Uji")
    assert job.startswith(expected.output)
    with app.extensions["ptsp.read_sessions"]() as session:
        ticket = session.get(Ticket, body["id"])
        issued_at = ticket.issued_at
    from zoneinfo import ZoneInfo

    data = TicketPrintData(office_name="Kelurahan Uji", service_name="Surat", code="C-001",
                           issued_at=issued_at.astimezone(ZoneInfo("Asia/Jakarta")), timezone_label="WIB",
                           people_ahead=0, estimated_wait_minutes=None, status_url=body["status_url"],
                           priority_label=None, complaint_channel="")
    assert job == render_escpos(ticket_layout(data, 48))


FAULTS = ["connection_refused", "accepts_but_never_reads", "paper_out"]


@pytest.mark.parametrize("fault", FAULTS)
def test_printer_fault_answers_in_time_keeps_the_ticket_fails_the_job_and_retries_without_double_print(
    app, client, world, loopback, fault, free_port_factory
):
    good = loopback()
    if fault == "connection_refused":
        setting, expected_error = f"network:127.0.0.1:{free_port_factory()}", "refused"
    elif fault == "accepts_but_never_reads":
        setting, expected_error = loopback(reads=False).setting, "did not answer"
    else:
        setting, expected_error = good.setting, "paper has run out"
        good.answers[4] = PAPER_OUT
    printer_id = use_printer(app, world, setting)

    started = time.monotonic()
    response = issue(client, world, "A")
    elapsed = time.monotonic() - started
    assert response.status_code == 201
    assert elapsed < TIMEOUT + SLACK, f"kiosk waited {elapsed:.2f} s"
    body = response.get_json()
    assert body["code"] == "A-001" and body["print"]["status"] == "failed"
    assert expected_error in body["print"]["last_error"]
    assert ticket_count(app) == 1
    [job] = jobs(app)
    assert (job["status"], job["attempts"], job["may_have_printed"]) == ("failed", 1, False)
    state = printer_row(app, printer_id)
    if fault == "paper_out":
        assert (state["online"], state["paper"]) == (True, "out")
    else:
        assert state["online"] is False
    assert expected_error in state["last_error"]
    assert printed_tickets(good) == []

    if fault == "paper_out":
        good.answers[4] = READY  # a new roll goes in
    else:
        point_printer_at(app, printer_id, good.setting)  # the printer is back
    assert retry(app) == 1
    assert retry(app) == 0
    assert [p.qr_payloads for p in wait_tickets(good, 1)] == [[body["status_url"]]]
    time.sleep(0.2)
    assert len(printed_tickets(good)) == 1, "the ticket was printed twice"
    [job] = jobs(app)
    assert (job["status"], job["attempts"], job["error"]) == ("printed", 2, None)
    state = printer_row(app, printer_id)
    assert (state["online"], state["paper"], state["last_error"]) == (True, "ok", None)


@pytest.fixture
def free_port_factory():
    from tests.conftest import free_port

    return free_port


def test_a_job_is_claimed_once_so_racing_retries_cannot_both_print(app, client, world, free_port_factory):
    use_printer(app, world, f"network:127.0.0.1:{free_port_factory()}")
    issue(client, world, "A")
    [job] = jobs(app)
    with app.extensions["ptsp.sessions"]() as one, app.extensions["ptsp.sessions"]() as two:
        assert printing.claim(one, job["id"], app.extensions["ptsp.clock"]()) is True
        one.commit()
        assert printing.claim(two, job["id"], app.extensions["ptsp.clock"]()) is False
        two.commit()
    assert jobs(app)[0]["status"] == "printing"
    assert retry(app) == 0


def test_a_job_that_may_have_reached_the_printer_waits_for_a_staff_reprint(app, client, world, loopback):
    good = loopback()
    printer_id = use_printer(app, world, good.setting)
    body = issue(client, world, "A").get_json()
    with app.extensions["ptsp.sessions"]() as session:
        job = session.get(printing.PrintJob, jobs(app)[0]["id"])
        job.status, job.may_have_printed, job.last_error = "failed", True, "broke after 40 of 900 bytes"
        session.commit()
    assert retry(app) == 0
    assert len(wait_tickets(good, 1)) == 1

    login(client, "clerk1")
    reprint = client.post(f"/api/v1/tickets/{body['id']}/reprint")
    assert reprint.status_code == 201, reprint.get_json()
    assert (reprint.get_json()["status"], reprint.get_json()["reprint"]) == ("printed", 1)
    assert len(wait_tickets(good, 2)) == 2
    assert [(j["reprint"], j["status"]) for j in jobs(app)] == [(0, "failed"), (1, "printed")]
    assert printer_row(app, printer_id)["online"] is True


def test_reprint_refusals_change_nothing(app, client, world, loopback):
    good = loopback()
    use_printer(app, world, good.setting)
    body = issue(client, world, "A").get_json()
    before = jobs(app)
    assert client.post(f"/api/v1/tickets/{body['id']}/reprint").get_json() == {
        "error": "unauthorized", "message": "Silakan masuk atau kirim token perangkat"}
    kiosk = client.post(f"/api/v1/tickets/{body['id']}/reprint", headers=bearer(world.kiosk))
    assert kiosk.status_code == 403 and kiosk.get_json()["error"] == "forbidden"
    login(client, "other")
    other = client.post(f"/api/v1/tickets/{body['id']}/reprint")
    assert other.status_code == 403
    assert other.get_json() == {"error": "forbidden",
                                "message": f"Kantor {world.office} di luar wewenang Anda"}
    login(client, "sup")
    missing = client.post("/api/v1/tickets/999999/reprint")
    assert missing.status_code == 404
    assert missing.get_json() == {"error": "not_found", "message": "Tiket tidak ditemukan"}
    assert client.post("/api/v1/tickets/99999999999/reprint").status_code == 404
    staff_ticket = client.post("/api/v1/tickets", json={"office": world.office, "service": world.services["A"]})
    no_printer = client.post(f"/api/v1/tickets/{staff_ticket.get_json()['id']}/reprint")
    assert no_printer.status_code == 422 and no_printer.get_json()["error"] == "invalid_input"
    assert jobs(app) == before
    assert len(wait_tickets(good, 1)) == 1


def test_printer_state_changes_reach_the_office_room_and_the_health_list(app, client, world, loopback):
    from ptsp.extensions import socketio

    printer = loopback()
    printer.answers[4] = PAPER_OUT
    printer_id = use_printer(app, world, printer.setting)
    listener = socketio.test_client(app, auth={"token": world.display})
    listener.get_received()
    issue(client, world, "A")
    facts = [m["args"][0] for m in listener.get_received() if m["name"] == "printer_changed"]
    assert len(facts) == 1
    fact = facts[0]
    assert {k: fact[k] for k in ("office_id", "printer_id", "name", "online", "paper", "pending_jobs",
                                 "failed_jobs")} == {
        "office_id": world.office, "printer_id": printer_id, "name": "Kios 1", "online": True, "paper": "out",
        "pending_jobs": 0, "failed_jobs": 1}
    assert "paper" in fact["last_error"] and fact["last_seen_at"].startswith("2026-11-23T02:00")
    issue(client, world, "A")  # the same fault again is no change
    assert [m for m in listener.get_received() if m["name"] == "printer_changed"] == []
    listener.disconnect()

    login(client, "manager")
    health = client.get(f"/api/v1/offices/{world.office}/printers")
    assert health.status_code == 200
    [row] = health.get_json()
    assert (row["paper"], row["failed_jobs"], row["pending_jobs"]) == ("out", 2, 0)
    login(client, "other")
    assert client.get(f"/api/v1/offices/{world.office}/printers").status_code == 403


def test_printer_health_read_model_scopes_offices(app, client, world, loopback):
    from ptsp.analytics.printers import printer_health

    use_printer(app, world, loopback().setting)
    issue(client, world, "A")
    with app.extensions["ptsp.read_sessions"]() as session:
        assert [r["office_id"] for r in printer_health(session, None)] == [world.office]
        assert printer_health(session, {world.other_office}) == []
        assert printer_health(session, set()) == []
        [row] = printer_health(session, {world.office})
    assert set(row) == {"office_id", "printer_id", "name", "online", "paper", "last_error", "last_seen_at",
                        "pending_jobs", "failed_jobs"}
    assert (row["online"], row["paper"], row["pending_jobs"], row["failed_jobs"]) == (True, "ok", 0, 0)


def test_a_printer_is_last_seen_to_the_minute_its_pages_show(app, client, world, clock):
    """The printer's row is written once a minute while it prints well, not once per ticket."""
    printer_id = use_printer(app, world, "preview")
    issue(client, world, "A")
    first = printer_row(app, printer_id)["last_seen_at"]
    assert first == clock()
    clock.advance(seconds=40)
    issue(client, world, "A")
    assert printer_row(app, printer_id)["last_seen_at"] == first
    clock.advance(seconds=30)
    issue(client, world, "A")
    assert printer_row(app, printer_id)["last_seen_at"] == clock()


def test_the_ticket_parts_kept_per_process_follow_an_admins_edit_of_the_office_and_the_printer(app, client, world):
    """The printed ticket's blocks and words are kept per process by their content: an office renamed and a
    printer switched to 80 mm paper and English on the admin pages print as edited on the next ticket."""
    from ptsp.printing_runner import preview_jobs
    from tests.admin.test_office_admin import settings
    from tests.admin.test_printer_admin import bind, kiosk_id

    use_printer(app, world, "preview")
    kiosk_issue = {"office": world.office, "service": world.services["A"]}
    assert client.post("/kiosk/issue", json=kiosk_issue, headers=bearer(world.kiosk)).status_code == 201
    before = parse_escpos(preview_jobs(app, "preview")[-1]).texts
    assert {"Kelurahan Uji", "Nomor Antrean", "-" * 32} <= set(before)

    manager = app.test_client()
    login(manager, "manager")
    edited = manager.post(f"/manager/admin/offices/{world.office}",
                          data=settings(app, "kel-test", name="Kelurahan Uji Baru", complaint_channel="WA 0811"))
    assert edited.status_code == 302
    assert bind(manager, kiosk_id(app, world.office), paper="80", language="en", setting="preview").status_code == 302
    assert client.post("/kiosk/issue", json=kiosk_issue, headers=bearer(world.kiosk)).status_code == 201
    after = parse_escpos(preview_jobs(app, "preview")[-1]).texts
    assert {"Kelurahan Uji Baru", "Queue number", "-" * 48, "Complaints: WA 0811"} <= set(after)
    assert not {"Kelurahan Uji", "Nomor Antrean", "-" * 32} & set(after)
