"""Headless Chromium against a real `ptsp run`: a clerk asks for urgency on the counter screen (1366×768), the
supervisor's urgent page hears it live and signs it off (1366×768), the counter marks it and calls it next."""

from __future__ import annotations

import re

from tests.browser.stations import counter_page
from tests.points.test_browser import manager_login


def test_the_urgent_path_from_the_counter_to_the_sign_off_and_the_call(server, page_factory, shot):
    counter = counter_page(server, page_factory, "clerk1", 1)
    first, _, urgent = server.issue("A"), server.issue("A"), server.issue("A")
    counter.wait_for_selector(f"#lines button.ticket[data-id='{urgent['id']}']")

    supervisor = page_factory(1366, 768)
    manager_login(supervisor, server, "sup", "password-s")
    supervisor.goto(f"{server.base}/manager/urgent")
    supervisor.wait_for_selector("#urgent-live.on")  # following the office's facts
    assert supervisor.locator(".urgent-request").count() == 0

    counter.click(f"#lines button.ticket[data-id='{urgent['id']}']")
    counter.click("#urgent")
    counter.wait_for_selector("#urgent-dialog[open]")
    assert urgent["code"] in counter.text_content("#urgent-target")
    assert not counter.is_visible("#urgent-service")  # the picked ticket, not a new one
    counter.select_option("#urgent-reason", "other")
    counter.click("#urgent-send")  # "other" needs a note: refused in the dialog, nothing sent
    assert counter.text_content("#urgent-message").strip()
    counter.select_option("#urgent-reason", "burial")
    counter.fill("#urgent-note", "Akta kematian; pemakaman pukul 14.00")
    shot(counter, "urgent-counter-dialog")
    counter.click("#urgent-send")
    counter.wait_for_function("window.ptspLastUrgent !== undefined")
    assert counter.evaluate("window.ptspLastUrgent.state") == "pending"
    counter.wait_for_selector(f"#lines button.ticket.urgent-pending[data-id='{urgent['id']}']")
    assert "menunggu persetujuan" in counter.text_content("#message")
    shot(counter, "urgent-counter-pending")

    request = supervisor.locator(".urgent-request", has_text=urgent["code"])
    request.wait_for()  # arrived without a reload
    assert "pemakaman pukul 14.00" in request.text_content()
    shot(supervisor, "urgent-manager-pending")
    request.locator("input[name=note]").fill("Surat kematian dari RS dicek")
    request.locator("button[value=approve]").click()
    supervisor.wait_for_url(re.compile(r"done=approved"))
    assert supervisor.locator(".urgent-request").count() == 0
    assert "Surat kematian dari RS dicek" in supervisor.text_content("#urgent-cases")

    counter.wait_for_selector(f"#lines button.ticket.urgent-approved[data-id='{urgent['id']}']")
    counter.wait_for_function("document.getElementById('message').textContent.includes('disetujui')")
    shot(counter, "urgent-counter-approved")
    counter.keyboard.press("n")
    counter.wait_for_function(f"document.getElementById('current-code').textContent === '{urgent['code']}'")
    assert "DARURAT" in counter.text_content("#current-info")
    counter.wait_for_selector(f"#lines button.ticket[data-id='{urgent['id']}']", state="detached")
    assert first["code"] != urgent["code"]
    shot(counter, "urgent-counter-called")
    supervisor.reload()
    shot(supervisor, "urgent-manager-review", full_page=True)
    assert "Clerk Satu" in supervisor.text_content("#urgent-askers")
