"""A job that fails more than once is still retried, and the kiosk's answer counts the attempt it made."""

from __future__ import annotations

import time

from ptsp.models import TicketPrinter
from tests.conftest import free_port
from tests.kiosk.conftest import issue, jobs, use_printer
from tests.kiosk.test_printing import printed_tickets, retry, wait_tickets


def point_printer_at(app, printer_id: int, setting: str) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        session.get(TicketPrinter, printer_id).setting = setting
        session.commit()


def test_a_job_that_failed_twice_prints_once_when_the_printer_comes_back(app, client, world, loopback):
    good = loopback()
    printer_id = use_printer(app, world, f"network:127.0.0.1:{free_port()}")
    body = issue(client, world, "A").get_json()
    assert body["print"]["status"] == "failed"
    assert retry(app) == 0  # the printer is still away: the second attempt fails too
    assert [(j["status"], j["attempts"]) for j in jobs(app)] == [("failed", 2)]

    point_printer_at(app, printer_id, good.setting)
    assert retry(app) == 1
    assert [p.qr_payloads for p in wait_tickets(good, 1)] == [[body["status_url"]]]
    assert retry(app) == 0
    time.sleep(0.2)
    assert len(printed_tickets(good)) == 1, "the ticket was printed twice"
    assert [(j["status"], j["attempts"], j["error"]) for j in jobs(app)] == [("printed", 3, None)]


def test_the_issue_answer_counts_the_attempt_it_made(app, client, world, loopback):
    use_printer(app, world, f"network:127.0.0.1:{free_port()}")
    failed = issue(client, world, "A").get_json()["print"]
    assert (failed["status"], failed["attempts"]) == ("failed", 1)
    use_printer(app, world, loopback().setting)
    printed = issue(client, world, "A").get_json()["print"]
    assert (printed["status"], printed["attempts"]) == ("printed", 1)


def test_a_printer_with_neither_setting_nor_agent_fails_its_job_instead_of_leaving_it_printing(app, client, world):
    printer_id = use_printer(app, world, "preview")
    with app.extensions["ptsp.sessions"]() as session:
        session.get(TicketPrinter, printer_id).setting = None  # as a hand edit of the row could leave it
        session.commit()
    answer = issue(client, world, "A")
    assert answer.status_code == 201
    assert answer.get_json()["print"]["status"] == "failed"
    [job] = jobs(app)
    assert (job["status"], job["attempts"]) == ("failed", 1)
    assert "unknown printer setting" in job["error"]
    assert retry(app) == 0
    assert [(j["status"], j["attempts"]) for j in jobs(app)] == [("failed", 2)]
