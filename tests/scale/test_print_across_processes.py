"""Print jobs and the print agent across processes: the agent on process B prints tickets issued through A."""

from __future__ import annotations

import subprocess
import sys

import requests
from sqlalchemy import select

from ptsp.models import PrintJob, TicketPrinter
from tests.printers.escpos_parse import parse_escpos
from tests.printers.loopback import LoopbackPrinter

from .conftest import kiosk_headers, office_and_services, wait_until


def printed(printer: LoopbackPrinter) -> list:
    return [p for p in (parse_escpos(c) for c in printer.connections) if p.qr_payloads]


def test_agent_connected_to_b_prints_each_ticket_issued_through_a_once(pg_redis):
    a, b = pg_redis.start(2)
    agent_token = pg_redis.cli("device", "add", "--office", "bench", "--kind", "agent", "--name", "pc-kios")
    pg_redis.cli("printer", "set", "--office", "bench", "--kiosk", "kiosk", "--agent", "pc-kios", "--paper", "80")
    engine = pg_redis.engine()

    def printer_online() -> bool:
        with engine.connect() as conn:
            return bool(conn.execute(select(TicketPrinter.online)).scalar())

    printer = LoopbackPrinter()
    log_path = pg_redis.workdir / "agent.log"
    with log_path.open("wb") as log:
        agent = subprocess.Popen(
            [sys.executable, "-c", "from ptsp.cli import main; main()", "print-agent", "--server", b.base,
             "--token", agent_token, "--printer", printer.setting, "--timeout", "2"],
            env=pg_redis.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_until(printer_online, timeout=30), log_path.read_text()
        office, services, _ = office_and_services(pg_redis, a.base)
        issued = []
        for service in services[:2]:
            response = requests.post(f"{a.base}/api/v1/tickets", headers=kiosk_headers(pg_redis), timeout=10,
                                     json={"office": office, "service": service})
            assert response.status_code == 201, response.text
            assert response.json()["print"]["via"] == "agent"
            issued.append(response.json())

        assert wait_until(lambda: len(printed(printer)) == 2, timeout=20), log_path.read_text()
        assert [p.qr_payloads for p in printed(printer)] == [[t["status_url"]] for t in issued]
        assert all(t["code"] in p.texts for t, p in zip(issued, printed(printer), strict=True))

        def jobs() -> list[tuple[int, str, int]]:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(
                    select(PrintJob.ticket_id, PrintJob.status, PrintJob.attempts).order_by(PrintJob.id))]

        assert wait_until(lambda: all(status == "printed" for _, status, _ in jobs()), timeout=10), jobs()
        assert [(ticket, attempts) for ticket, _, attempts in jobs()] == [(t["id"], 1) for t in issued]
        assert len(printed(printer)) == 2
    finally:
        agent.terminate()
        agent.wait(timeout=10)
        printer.close()
        engine.dispose()
