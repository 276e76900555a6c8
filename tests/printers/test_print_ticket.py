import time

from printers.backends import PreviewPrinter, printer_from_config
from printers.escpos_render import render_escpos
from printers.job import print_ticket
from printers.layout import ticket_layout
from printers.status import PrinterStatus
from tests.printers.conftest import SLACK, STATUS_URL
from tests.printers.escpos_parse import parse_escpos

TIMEOUT = 1.5


def timed_print(printer, ticket, timeout=TIMEOUT, **options):
    started = time.monotonic()
    result = print_ticket(printer, ticket, 32, timeout, **options)
    return result, time.monotonic() - started


def test_ticket_prints_after_a_status_check(make_ticket, loopback_printer):
    server = loopback_printer()
    ticket = make_ticket()

    result, _ = timed_print(printer_from_config(server.setting), ticket)

    assert result.ok
    assert result.status is PrinterStatus.OK
    assert (result.reason, result.failure) == ("", None)
    # Two connections, listed in the order they were opened: the status questions, then the job.
    asked, job = server.wait_for_connections(2)
    assert asked == b"\x10\x04\x01" + b"\x10\x04\x04"
    assert job == render_escpos(ticket_layout(ticket, 32))
    assert parse_escpos(job).qr_payloads == [STATUS_URL]


def test_paper_near_end_still_prints_and_says_so(make_ticket, loopback_printer):
    server = loopback_printer(paper_status=0x1E)

    result, _ = timed_print(printer_from_config(server.setting), make_ticket())

    assert result.ok
    assert result.status is PrinterStatus.PAPER_NEAR_END
    assert len(server.wait_for_connections(2)) == 2


def test_paper_out_answer_fails_fast_and_sends_nothing(make_ticket, loopback_printer):
    server = loopback_printer(printer_status=0x1A, paper_status=0x72)

    result, elapsed = timed_print(printer_from_config(server.setting), make_ticket())

    assert elapsed < TIMEOUT
    assert not result.ok
    assert result.failure == "paper_out"
    assert result.status is PrinterStatus.PAPER_OUT
    assert "paper has run out" in result.reason
    assert not result.may_have_printed
    time.sleep(0.2)  # a job connection, had one been opened, would have closed by now
    (only,) = server.wait_for_connections(1)
    assert parse_escpos(only).texts == []


def test_printer_reporting_offline_is_not_sent_the_job(make_ticket, loopback_printer):
    server = loopback_printer(printer_status=0x1A)

    result, _ = timed_print(printer_from_config(server.setting), make_ticket())

    assert (result.ok, result.failure, result.status) == (False, "offline", PrinterStatus.OFFLINE)
    assert "offline" in result.reason


def test_connection_refused_fails_within_the_timeout(make_ticket, free_port):
    printer = printer_from_config(f"network:127.0.0.1:{free_port}")

    result, elapsed = timed_print(printer, make_ticket())

    assert elapsed < TIMEOUT
    assert (result.ok, result.failure, result.status) == (False, "offline", PrinterStatus.OFFLINE)
    assert f"127.0.0.1:{free_port} refused the connection" in result.reason
    assert not result.may_have_printed


def test_port_that_accepts_but_never_reads_fails_within_the_timeout(make_ticket, loopback_printer):
    server = loopback_printer(reads=False)

    result, elapsed = timed_print(printer_from_config(server.setting), make_ticket())

    assert elapsed < TIMEOUT + SLACK
    assert (result.ok, result.failure) == (False, "timeout")
    assert "did not answer the status request" in result.reason
    assert not result.may_have_printed


def test_status_check_keeps_to_its_own_budget(make_ticket, loopback_printer):
    server = loopback_printer(reads=False)

    result, elapsed = timed_print(
        printer_from_config(server.setting), make_ticket(), timeout=3, status_timeout=0.3
    )

    assert result.failure == "timeout"
    assert elapsed < 0.3 + SLACK


def test_preview_printer_keeps_the_last_jobs(make_ticket):
    printer = PreviewPrinter(keep=2)
    tickets = [make_ticket(code=code) for code in ("A-001", "A-002", "A-003")]

    results = [print_ticket(printer, ticket, 48, TIMEOUT) for ticket in tickets]

    assert all(result.ok for result in results)
    assert printer.jobs() == [render_escpos(ticket_layout(t, 48)) for t in tickets[1:]]
