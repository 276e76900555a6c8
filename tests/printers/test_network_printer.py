import time

import pytest

from printers.backends import NetworkPrinter, printer_from_config
from printers.errors import PrinterOffline, PrintTimeout
from printers.escpos_render import render_escpos
from printers.layout import ticket_layout
from printers.status import PrinterStatus
from tests.printers.conftest import SLACK, STATUS_URL
from tests.printers.escpos_parse import parse_escpos
from tests.printers.loopback import READY


def kernel_send_buffer_ceiling() -> int:
    """Return the most a TCP send buffer can grow to on this machine."""
    try:
        with open("/proc/sys/net/ipv4/tcp_wmem") as limits:
            return int(limits.read().split()[2])
    except OSError:
        return 8 * 1024 * 1024


def test_printer_on_loopback_receives_the_exact_ticket_bytes(make_ticket, loopback_printer):
    server = loopback_printer()
    payload = render_escpos(ticket_layout(make_ticket(), 48))

    printer_from_config(server.setting).send(payload, timeout=3)

    assert server.wait_for_connections(1) == [payload]


def test_text_and_qr_payload_decode_back_from_the_received_bytes(make_ticket, loopback_printer):
    server = loopback_printer()
    ticket = make_ticket(office_name="MPP Kota Bekasi", complaint_channel="0812-9 (Jum’at)")

    NetworkPrinter("127.0.0.1", server.port).send(
        render_escpos(ticket_layout(ticket, 32)), timeout=3
    )
    (received,) = server.wait_for_connections(1)

    printout = parse_escpos(received)
    assert printout.qr_payloads == [STATUS_URL]
    for line in [
        "MPP Kota Bekasi",
        "B-007",
        "Senin, 23 November 2026",
        "08.15 WIB",
        "Di depan Anda: 4 orang",
        "Layanan ini GRATIS.",
        "Tolak pungutan liar.",
        "Pengaduan: 0812-9 (Jum’at)",
        "SP4N-LAPOR! lapor.go.id",
    ]:
        assert line in printout.texts
    assert printout.cuts == 1


@pytest.mark.parametrize(
    ("printer_byte", "paper_byte", "expected"),
    [
        (READY, READY, PrinterStatus.OK),
        (READY, 0x1E, PrinterStatus.PAPER_NEAR_END),
        (0x1A, 0x72, PrinterStatus.PAPER_OUT),
        (0x1A, READY, PrinterStatus.OFFLINE),
    ],
)
def test_status_comes_from_real_dle_eot_answers(
    loopback_printer, printer_byte, paper_byte, expected
):
    server = loopback_printer(printer_status=printer_byte, paper_status=paper_byte)

    assert NetworkPrinter("127.0.0.1", server.port).status(timeout=2) is expected
    (asked,) = server.wait_for_connections(1)
    assert parse_escpos(asked).status_requests == [1, 4]


def test_nostatus_printer_is_not_asked(loopback_printer):
    server = loopback_printer()
    printer = printer_from_config(f"{server.setting}:nostatus")
    assert printer.status(timeout=1) is PrinterStatus.UNKNOWN
    assert server.wait_for_connections(1, timeout=0.3) == []


def test_refused_connection_is_reported_offline_at_once(free_port):
    started = time.monotonic()
    with pytest.raises(PrinterOffline, match="refused the connection") as caught:
        NetworkPrinter("127.0.0.1", free_port).send(b"x", timeout=2)
    assert time.monotonic() - started < 2
    assert not caught.value.may_have_printed


def test_send_to_a_port_that_never_reads_times_out_within_the_timeout(loopback_printer):
    server = loopback_printer(reads=False)
    payload = bytes(2 * kernel_send_buffer_ceiling())

    started = time.monotonic()
    with pytest.raises(PrintTimeout, match="not reading") as caught:
        NetworkPrinter("127.0.0.1", server.port).send(payload, timeout=1.0)
    assert 0.9 < time.monotonic() - started < 1.0 + SLACK
    assert caught.value.may_have_printed


def test_status_from_a_port_that_never_reads_times_out_and_names_the_fix(loopback_printer):
    server = loopback_printer(reads=False)

    started = time.monotonic()
    with pytest.raises(PrintTimeout, match="did not answer the status request.*:nostatus"):
        NetworkPrinter("127.0.0.1", server.port).status(timeout=0.5)
    assert time.monotonic() - started < 0.5 + SLACK
