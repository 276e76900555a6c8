"""The pages follow every numbered fact of the catalogue: none looks like a gap and costs a snapshot."""

from __future__ import annotations

import socketio

from ptsp import facts
from tests.browser.stations import display_page


def test_printer_changed_then_a_ticket_fact_costs_the_display_no_snapshot(server, page_factory):
    agent_token = server.cli("device", "add", "--office", "kel-test", "--kind", "agent", "--name", "pc-kios")
    server.cli("printer", "set", "--office", "kel-test", "--kiosk", "k", "--agent", "pc-kios", "--paper", "80")
    display = display_page(server, page_factory)
    before = display.evaluate("ptspDisplay.live.seq")
    # The page follows exactly the catalogue's numbered facts, as served at request time.
    assert display.evaluate("PTSPFacts.numbered") == [fact.name for fact in facts.NUMBERED]

    agent = socketio.Client(reconnection=False)
    agent.connect(server.base, auth={"token": agent_token}, wait_timeout=10)
    try:
        assert agent.call("agent_ready", {}, timeout=10)["status"] == 200  # the printer comes online
    finally:
        agent.disconnect()  # and goes offline again: two printer_changed facts
    server.issue("A")

    # A fresh snapshot after a gap also brings the display to the ticket's seq: then it has cost one.
    display.wait_for_function(f"ptspDisplay.live.seq >= {before} + 3")
    display.wait_for_timeout(500)
    assert display.evaluate("ptspDisplay.live.snapshots") == 1
    assert display.evaluate("ptspDisplay.live.seq") == before + 3
