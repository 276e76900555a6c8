"""The pages follow every numbered fact of the catalogue: none looks like a gap and costs a snapshot."""

from __future__ import annotations

import socketio

from ptsp import facts
from tests.admin.test_admin_browser import manager_login
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


def test_a_counter_added_on_the_pages_appears_on_the_open_display_from_services_changed(server, page_factory, shot):
    display = display_page(server, page_factory)
    shown = "Array.from(document.querySelectorAll('#counters .counter .num')).map((n) => n.textContent)"
    display.wait_for_function(f"{shown}.length === 3")
    loaded = display.evaluate("performance.timeOrigin")
    assert display.evaluate("ptspDisplay.live.snapshots") == 1

    manager = page_factory(1366, 768)
    manager_login(manager, server.base)
    manager.goto(f"{server.base}/manager/admin/counters")
    manager.fill("#add-counter input[name=number]", "7")
    manager.select_option("#add-counter select[name=office]", label="Kelurahan Uji")
    manager.check("#add-counter fieldset.served:has(legend:text('Kelurahan Uji')) label:has-text('A · KTP') input")
    manager.click("#add-counter button[type=submit]")
    manager.wait_for_selector("#saved")

    # The display reads the office again on the fact: counter 7 appears without a reload.
    display.wait_for_function(f"{shown}.length === 4 && {shown}.some((t) => t.includes('7'))", timeout=15_000)
    assert display.evaluate("ptspDisplay.live.snapshots") == 2  # one fresh snapshot, asked for by the fact
    assert display.evaluate("performance.timeOrigin") == loaded  # the same page
    shot(display, "display-new-counter-1920")
    server.issue("A")  # and it follows the facts after it as before: no gap, no further snapshot
    display.wait_for_function("document.querySelector('#waiting li .count').textContent === '1'")
    assert display.evaluate("ptspDisplay.live.snapshots") == 2
