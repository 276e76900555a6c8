"""Pairing by a code in Chromium against a live `ptsp run`: an unpaired kiosk page shows a code, a manager in another
browser enters it on the devices page, and the kiosk page becomes a working kiosk by itself (it issues a ticket);
another station whose code nobody entered stays unpaired. And the printers page: a kiosk bound to a loopback TCP
printer, whose test ticket's bytes arrive."""

from __future__ import annotations

import pytest

from tests.admin.test_admin_browser import manager_login
from tests.printers.escpos_parse import parse_escpos
from tests.printers.loopback import LoopbackPrinter

pytestmark = pytest.mark.browser


def test_a_kiosk_shows_a_code_and_becomes_a_kiosk_once_a_manager_enters_it(server, page_factory, shot):
    kiosk = page_factory(1080, 1920)
    assert kiosk.goto(f"{server.base}/kiosk/").status == 401
    kiosk.wait_for_selector("#pair-code-box:not([hidden])")
    code = kiosk.inner_text("#pair-code").strip()
    assert len(code) == 9 and code[4] == "-"
    assert "Berlaku sampai pukul" in kiosk.inner_text("#pair-code-expiry")
    shot(kiosk, "pairing-code-kiosk-1080x1920")
    # The page's script never sees the secret half: it is an HttpOnly cookie.
    assert "ptsp_pairing" not in kiosk.evaluate("document.cookie")
    cookies = {c["name"]: c for c in kiosk.context.cookies()}
    assert cookies["ptsp_pairing"]["httpOnly"] and cookies["ptsp_pairing"]["sameSite"] == "Strict"

    wide = page_factory(1920, 1080)
    assert wide.goto(f"{server.base}/display/").status == 401
    wide.wait_for_selector("#pair-code-box:not([hidden])")
    shot(wide, "pairing-code-display-1920")

    manager = page_factory(1366, 768)
    manager_login(manager, server.base)
    manager.goto(f"{server.base}/manager/admin/devices")
    shot(manager, "devices-with-code-form-1366", full_page=True)
    manager.fill("#pair-code input[name=code]", "nope")
    manager.fill("#pair-code input[name=name]", "Kios lobi")
    manager.click("#pair-code button[type=submit]")
    assert "8 huruf" in manager.inner_text("#form-error")
    shot(manager, "devices-code-refused-1366", full_page=True)
    manager.fill("#pair-code input[name=code]", code.lower())
    manager.fill("#pair-code input[name=name]", "Kios lobi")
    manager.select_option("#pair-code select[name=kind]", "kiosk")
    manager.select_option("#pair-code select[name=office]", label="Kelurahan Uji")
    manager.click("#pair-code button[type=submit]")
    assert manager.is_visible("#paired-by-code")
    assert manager.locator("#device-list tr[data-name='Kios lobi']").count() == 1
    shot(manager, "devices-paired-by-code-1366", full_page=True)

    # The waiting kiosk page collects its device cookie and loads the kiosk itself, which works.
    kiosk.wait_for_function("!document.getElementById('pair-help')", timeout=15_000)
    kiosk.wait_for_selector("#connection.conn-on")
    kiosk.wait_for_selector("#services button.svc")
    kiosk.click("#services button.svc[data-service] >> nth=0")
    kiosk.wait_for_selector("#ticket:not([hidden])")
    assert kiosk.inner_text("#t-code").startswith("A-")
    shot(kiosk, "paired-kiosk-ticket-1080x1920")

    # The display's page, whose code nobody entered, is still waiting and unpaired.
    assert wide.evaluate("fetch('/display/').then(r => r.status)") == 401
    manager.goto(f"{server.base}/manager/admin/audit")
    actions = manager.eval_on_selector_all("#audit tbody tr", "rows => rows.map(r => r.dataset.action)")
    assert actions[:2] == ["paired_by_code", "created"]


def test_the_printers_page_binds_the_kiosk_s_printer_and_prints_a_test_ticket(server, page_factory, shot):
    printer = LoopbackPrinter()
    try:
        manager = page_factory(1366, 768)
        manager_login(manager, server.base)
        manager.goto(f"{server.base}/manager/admin/printers")
        row = "#printer-list tr[data-kiosk='k']"
        assert "belum ada printer" in manager.inner_text(row)
        shot(manager, "printers-empty-1366", full_page=True)
        manager.fill(f"{row} input[name=setting]", printer.setting)
        manager.select_option(f"{row} select[name=paper]", "80")
        manager.click(f"{row} form.bind-form button[type=submit]")
        assert manager.is_visible("#saved") and "tidak diketahui" in manager.inner_text(f"{row} .printer-state")
        manager.click(f"{row} form.test-print button")
        assert manager.get_attribute("#test-outcome", "data-status") == "printed"
        assert "tercetak (uji)" in manager.inner_text(f"{row} .last-job")
        shot(manager, "printers-test-printed-1366", full_page=True)
        papers = [p for p in (parse_escpos(c) for c in printer.wait_for_connections(2)) if p.qr_payloads]
        assert papers and "UJI" in papers[-1].texts and papers[-1].cuts == 1
        wide = page_factory(1920, 1080)
        manager_login(wide, server.base)
        wide.goto(f"{server.base}/manager/admin/printers")
        shot(wide, "printers-1920", full_page=True)
        wide.goto(f"{server.base}/manager/admin/devices")
        shot(wide, "devices-1920", full_page=True)
    finally:
        printer.close()
