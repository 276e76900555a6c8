import importlib.util
import os
import time

import pytest

from printers.backends import (
    CupsPrinter,
    FilePrinter,
    PreviewPrinter,
    SerialPrinter,
    UsbPrinter,
    printer_from_config,
)
from printers.errors import PrinterOffline, PrintTimeout
from printers.escpos_render import render_escpos
from printers.layout import ticket_layout
from printers.status import PrinterStatus
from tests.printers.conftest import SLACK, STATUS_URL
from tests.printers.escpos_parse import parse_escpos
from tests.printers.serial_line import SerialLine

# More than a pipe or a pty buffers, so a reader that never reads stalls the writer.
STALLING_PAYLOAD = bytes(4 * 1024 * 1024)


@pytest.fixture
def serial_line():
    lines: list[SerialLine] = []

    def open_line(**options):
        line = SerialLine(**options)
        lines.append(line)
        return line

    yield open_line
    for line in lines:
        line.close()


def wait_for(predicate, timeout=3.0):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.01)
    return predicate()


def test_file_printer_appends_the_job_to_the_file(tmp_path, make_ticket):
    target = tmp_path / "lp0"
    target.write_bytes(b"")
    payload = render_escpos(ticket_layout(make_ticket(), 32))
    printer = printer_from_config(f"file:{target}")

    printer.send(payload, timeout=2)
    printer.send(payload, timeout=2)

    assert target.read_bytes() == payload + payload
    assert printer.status(timeout=1) is PrinterStatus.UNKNOWN


def test_file_printer_whose_device_is_missing_is_offline(tmp_path):
    with pytest.raises(PrinterOffline, match="does not exist"):
        FilePrinter(str(tmp_path / "lp9")).send(b"x", timeout=1)


def test_file_printer_without_a_device_behind_it_is_offline(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(PrinterOffline, match="no device is behind"):
        FilePrinter(str(fifo)).send(b"x", timeout=1)


def test_file_printer_that_stops_taking_data_times_out(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # present, but never reads
    try:
        started = time.monotonic()
        with pytest.raises(PrintTimeout, match="bytes taken") as caught:
            FilePrinter(str(fifo)).send(STALLING_PAYLOAD, timeout=0.5)
        assert time.monotonic() - started < 0.5 + SLACK
        assert caught.value.may_have_printed
    finally:
        os.close(reader)


def test_serial_printer_delivers_the_ticket(serial_line, make_ticket):
    line = serial_line()
    payload = render_escpos(ticket_layout(make_ticket(), 32))

    printer_from_config(f"serial:{line.device}:19200").send(payload, timeout=2)

    assert wait_for(lambda: line.received() == payload)
    assert parse_escpos(line.received()).qr_payloads == [STATUS_URL]


def test_serial_printer_reads_dle_eot_status(serial_line):
    line = serial_line(paper_status=0x1E)
    assert SerialPrinter(line.device).status(timeout=1) is PrinterStatus.PAPER_NEAR_END


def test_serial_printer_reports_paper_out(serial_line):
    line = serial_line(printer_status=0x1A, paper_status=0x72)
    assert SerialPrinter(line.device).status(timeout=1) is PrinterStatus.PAPER_OUT


def test_serial_printer_that_never_reads_times_out(serial_line):
    line = serial_line(reads=False)
    printer = SerialPrinter(line.device)

    started = time.monotonic()
    with pytest.raises(PrintTimeout, match="status request"):
        printer.status(timeout=0.3)
    with pytest.raises(PrintTimeout, match="whole job"):
        printer.send(STALLING_PAYLOAD, timeout=0.5)
    assert time.monotonic() - started < 0.8 + 2 * SLACK


def test_serial_device_that_does_not_exist_is_offline(tmp_path):
    with pytest.raises(PrinterOffline, match="cannot open serial printer"):
        SerialPrinter(str(tmp_path / "ttyUSB7")).send(b"x", timeout=1)


def test_cups_printer_without_the_lp_client_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterOffline, match="'lp' is not installed"):
        CupsPrinter("Kiosk").send(b"x", timeout=1)


def write_lp(directory, body):
    """Put a stand-in for the CUPS ``lp`` client on a PATH of its own."""
    lp = directory / "lp"
    lp.write_text("#!/bin/sh\n" + body)
    lp.chmod(0o755)


def test_cups_printer_hands_raw_bytes_to_lp(tmp_path, monkeypatch, make_ticket):
    write_lp(tmp_path, f'echo "$@" > {tmp_path}/args\nexec cat > {tmp_path}/job\n')
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.defpath}")
    payload = render_escpos(ticket_layout(make_ticket(), 48))

    printer_from_config("cups:Kiosk_1").send(payload, timeout=2)

    assert (tmp_path / "args").read_text() == "-d Kiosk_1 -o raw -t PTSP ticket\n"
    assert (tmp_path / "job").read_bytes() == payload


def test_cups_printer_passes_on_why_lp_refused(tmp_path, monkeypatch):
    write_lp(tmp_path, 'echo "lp: The printer or class does not exist." >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PrinterOffline, match="refused the job: lp: The printer"):
        CupsPrinter("Nope").send(b"x", timeout=2)


def test_cups_printer_gives_up_on_a_hung_lp(tmp_path, monkeypatch):
    write_lp(tmp_path, "exec sleep 30\n")
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.defpath}")
    started = time.monotonic()
    with pytest.raises(PrintTimeout, match="did not accept the job") as caught:
        CupsPrinter("Kiosk").send(b"x", timeout=0.5)
    assert time.monotonic() - started < 0.5 + SLACK
    assert caught.value.may_have_printed


@pytest.mark.skipif(importlib.util.find_spec("usb") is not None, reason="pyusb is installed")
def test_usb_printer_without_pyusb_says_what_to_install():
    with pytest.raises(PrinterOffline, match="pip install pyusb"):
        UsbPrinter(0x0416, 0x5011).send(b"x", timeout=1)


def test_preview_printer_keeps_only_the_last_jobs():
    printer = printer_from_config("preview:2")
    assert isinstance(printer, PreviewPrinter)
    for job in (b"one", b"two", b"three"):
        printer.send(job, timeout=1)
    assert printer.jobs() == [b"two", b"three"]
    assert printer.status(timeout=1) is PrinterStatus.OK
