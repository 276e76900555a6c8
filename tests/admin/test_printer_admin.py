"""The printers page (/manager/admin/printers) through the Flask test client, on SQLite and PostgreSQL: a kiosk's
printer bound from the page, a test print whose bytes reach a loopback TCP printer, a failed test print, an agent's
printer, the refusals (each changes nothing), and the audit entries."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from ptsp.models import AuditEntry, Device, PrintJob, TicketPrinter
from ptsp.services import printing
from ptsp.services.accounts import make_device_token
from tests.conftest import free_port, login
from tests.printers.escpos_parse import parse_escpos
from tests.printers.loopback import LoopbackPrinter


def rows(app, model, *where):
    with app.extensions["ptsp.sessions"]() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def kiosk_id(app, office: int, name: str = "k") -> int:
    return rows(app, Device, Device.office_id == office, Device.name == name)[0].id


def printouts(printer: LoopbackPrinter, count: int = 1) -> list:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [p for p in (parse_escpos(c) for c in printer.connections) if p.qr_payloads]
        if len(found) >= count:
            return found
        time.sleep(0.05)
    return []


@pytest.fixture
def loopback():
    printer = LoopbackPrinter()
    yield printer
    printer.close()


@pytest.fixture
def manager(app, world):
    app.config["PRINT_TIMEOUT"] = 1.0
    client = app.test_client()
    login(client, "manager")
    return client


def bind(manager, kiosk: int, **form):
    return manager.post(f"/manager/admin/printers/kiosk/{kiosk}",
                        data={"paper": "58", "language": "id", "setting": "", "agent": "", **form})


def test_a_manager_binds_a_network_printer_and_its_test_print_reaches_the_printer(app, world, manager, loopback):
    kiosk = kiosk_id(app, world.office)
    page = manager.get("/manager/admin/printers")
    assert page.status_code == 200 and 'data-kiosk="k"' in page.text and "belum ada printer" in page.text
    assert 'data-kiosk="k2"' not in page.text  # another office's kiosk (Kelurahan Lain is not in scope)

    saved = bind(manager, kiosk, setting=loopback.setting, paper="80")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/manager/admin/printers?saved=1")
    (printer,) = rows(app, TicketPrinter)
    assert (printer.device_id, printer.setting, printer.width_chars, printer.name) == (kiosk, loopback.setting, 48, "k")
    page = manager.get("/manager/admin/printers")
    assert "tidak diketahui" in page.text and "belum pernah" in page.text  # nothing reported yet

    done = manager.post(f"/manager/admin/printers/{printer.id}/test")
    assert done.status_code == 200 and 'data-status="printed"' in done.text, done.text
    (paper,) = printouts(loopback)
    text = "\n".join(paper.texts)
    assert "UJI" in text and "Cetak tiket uji: k" in text and "Kelurahan Uji" in text and paper.cuts == 1
    assert paper.qr_payloads == ["http://localhost/"]
    (job,) = rows(app, PrintJob)
    assert (job.ticket_id, job.status, job.printer_id) == (None, "printed", printer.id)
    page = manager.get("/manager/admin/printers")
    assert "tercetak (uji)" in page.text and "daring" in page.text

    entries = rows(app, AuditEntry, AuditEntry.entity == "printer")
    assert [(e.action, e.actor, e.office_id) for e in entries] == [
        ("bound", "staff:manager", world.office), ("test_print", "staff:manager", world.office)]
    assert entries[0].after["setting"] == loopback.setting and entries[0].after["paper_mm"] == 80
    assert entries[1].after == {"job": job.id, "name": "k", "via": "server"}

    changed = bind(manager, kiosk, setting=loopback.setting, paper="58", language="en")
    assert changed.status_code == 302
    update = rows(app, AuditEntry, AuditEntry.entity == "printer")[-1]
    assert update.action == "updated" and update.before["language"] == "id" and update.after["language"] == "en"


def test_a_failed_test_print_is_reported_counted_and_never_retried(app, world, manager):
    kiosk = kiosk_id(app, world.office)
    assert bind(manager, kiosk, setting=f"network:127.0.0.1:{free_port()}").status_code == 302
    printer = rows(app, TicketPrinter)[0]
    done = manager.post(f"/manager/admin/printers/{printer.id}/test")
    assert done.status_code == 200 and 'data-status="failed"' in done.text and "gagal" in done.text
    (job,) = rows(app, PrintJob)
    assert job.status == "failed" and job.last_error
    with app.extensions["ptsp.sessions"]() as session:
        assert printing.retryable_jobs(session) == []
    page = manager.get("/manager/admin/printers")
    assert "luring" in page.text and job.last_error.split(":")[0] in page.text


def test_an_agent_s_printer_gets_its_test_print_as_a_job_for_the_agent(app, world, manager):
    with app.extensions["ptsp.sessions"]() as session:
        from ptsp.models import Office

        agent, _token = make_device_token(session, office=session.get(Office, world.office), kind="agent",
                                          name="PC kios", now=app.config["NOW"]())
        session.commit()
        agent_id = agent.id
    kiosk = kiosk_id(app, world.office)
    assert bind(manager, kiosk, agent=str(agent_id)).status_code == 302
    printer = rows(app, TicketPrinter)[0]
    assert printer.agent_id == agent_id and printer.setting is None
    page = manager.get("/manager/admin/printers")
    assert "agent: PC kios" in page.text
    done = manager.post(f"/manager/admin/printers/{printer.id}/test")
    assert done.status_code == 200 and "dikirim ke print agent" in done.text
    (job,) = rows(app, PrintJob)
    assert (job.status, job.ticket_id) == ("pending", None)
    with app.extensions["ptsp.sessions"]() as session:
        assert printing.retryable_jobs(session) == [job.id]  # offered to the agent when it connects
    with app.app_context(), app.extensions["ptsp.sessions"]() as session:
        payload = printing.job_payload(session, session.get(PrintJob, job.id), app.config["NOW"]())
    assert payload["ticket"]["code"] == "UJI" and payload["ticket"]["people_ahead"] == 0


@pytest.mark.parametrize(("form", "status", "words"), [
    ({"setting": "file:/etc/passwd"}, 422, "ptsp printer set"),
    ({"setting": "usb:04b8:0202"}, 422, "ptsp printer set"),
    ({"setting": "network:"}, 422, "Setelan printer salah"),
    ({"setting": ""}, 422, "Pilih salah satu"),
    ({"paper": "100", "setting": "preview"}, 422, "Lebar kertas"),
    ({"language": "xx", "setting": "preview"}, 422, "tidak dikenal"),
    ({"agent": "999999"}, 404, ""),
])
def test_a_refused_binding_says_why_and_changes_nothing(app, world, manager, form, status, words):
    kiosk = kiosk_id(app, world.office)
    assert bind(manager, kiosk, setting="preview").status_code == 302
    before = [(p.setting, p.width_chars, p.language) for p in rows(app, TicketPrinter)]
    refused = bind(manager, kiosk, **form)
    assert refused.status_code == status and 'id="form-error"' in refused.text and words in refused.text
    assert [(p.setting, p.width_chars, p.language) for p in rows(app, TicketPrinter)] == before
    assert len(rows(app, AuditEntry, AuditEntry.entity == "printer")) == 1


def test_another_office_s_kiosk_and_printer_are_out_of_reach_and_clerks_are_refused(app, world, manager, loopback):
    other = kiosk_id(app, world.other_office, "k2")
    assert bind(manager, other, setting=loopback.setting).status_code == 403
    assert not rows(app, TicketPrinter)
    admin_side = app.test_client()
    with app.extensions["ptsp.sessions"]() as session:
        printer = printing.set_printer(session, kiosk=session.get(Device, other), name="lain", setting=loopback.setting,
                                       agent=None, width_chars=32)
        session.commit()
        printer_id = printer.id
    assert manager.post(f"/manager/admin/printers/{printer_id}/test").status_code == 403
    assert manager.post("/manager/admin/printers/99999/test").status_code == 404
    assert not rows(app, PrintJob) and loopback.connections == []
    login(admin_side, "clerk1")
    assert admin_side.get("/manager/admin/printers").status_code == 403
    assert admin_side.post(f"/manager/admin/printers/{printer_id}/test").status_code == 403
