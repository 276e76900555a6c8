"""`ptsp print-agent` end to end: a real server process, the agent process, and a loopback printer."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.conftest import PageSession
from tests.printers.escpos_parse import parse_escpos
from tests.printers.loopback import LoopbackPrinter


def tickets_on(printer: LoopbackPrinter) -> list:
    return [p for p in (parse_escpos(c) for c in printer.connections) if p.qr_payloads]


def wait_for(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def health(server) -> list[dict]:
    session = PageSession()
    assert session.post(f"{server.base}/api/v1/auth/login", json={"username": "sup", "password": "password-s"},
                        timeout=5).status_code == 200
    office = session.get(f"{server.base}/api/v1/offices", timeout=5).json()
    kel = next(o["id"] for o in office if o["slug"] == "kel-test")
    return session.get(f"{server.base}/api/v1/offices/{kel}/printers", timeout=5).json()


def test_print_agent_prints_jobs_from_a_real_server_and_acknowledges_each(server, tmp_path):
    agent_token = server.cli("device", "add", "--office", "kel-test", "--kind", "agent", "--name", "pc-kios")
    said = server.cli("printer", "set", "--office", "kel-test", "--kiosk", "k", "--agent", "pc-kios", "--paper", "80")
    assert "print agent 'pc-kios'" in said

    # Issued while no agent is connected: the job waits, the ticket is not held up.
    early = server.issue("A")
    assert early["print"]["via"] == "agent" and early["print"]["status"] == "pending"

    printer = LoopbackPrinter()
    log = (tmp_path / "agent.log").open("wb")
    agent = subprocess.Popen(
        [sys.executable, "-c", "from ptsp.cli import main; main()", "print-agent", "--server", server.base,
         "--token", agent_token, "--printer", printer.setting, "--timeout", "2"],
        env=server.env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    try:
        assert wait_for(lambda: len(tickets_on(printer)) == 1), (tmp_path / "agent.log").read_text()
        assert tickets_on(printer)[0].qr_payloads == [early["status_url"]]
        assert early["code"] in tickets_on(printer)[0].texts

        late = server.issue("C")
        assert wait_for(lambda: len(tickets_on(printer)) == 2), (tmp_path / "agent.log").read_text()
        assert tickets_on(printer)[1].qr_payloads == [late["status_url"]]
        assert "Layanan ini GRATIS." in tickets_on(printer)[1].texts
        assert any(len(line.text) > 32 for line in tickets_on(printer)[1].lines)  # laid out for 80 mm paper

        assert wait_for(lambda: health(server)[0]["pending_jobs"] == 0)
        [row] = health(server)
        assert (row["online"], row["paper"], row["failed_jobs"], row["last_error"]) == (True, "ok", 0, None)
        time.sleep(0.5)
        assert len(tickets_on(printer)) == 2, "a job was printed twice"
        text = (tmp_path / "agent.log").read_text()
        assert text.count("printed") >= 2

        agent.terminate()  # the kiosk PC shuts down: managers see its printer go offline
        agent.wait(timeout=10)
        assert wait_for(lambda: health(server)[0]["online"] is False)
        assert health(server)[0]["last_error"] == "print agent terputus (print agent disconnected)"
    finally:
        if agent.poll() is None:
            agent.terminate()
            agent.wait(timeout=10)
        printer.close()
