"""Services and counters administered in Chromium against a live `ptsp run`, on SQLite and on PostgreSQL: a service
added on its page appears on an open kiosk without a reload and leaves it when deactivated; a counter added on its
page is offered on the counter screen after the clerk's login, and leaves the open screen when closed."""

from __future__ import annotations

import pytest

from tests.admin.test_admin_browser import counter_login, live, manager_login, save  # noqa: F401  (fixture)
from tests.conftest import pair_page

pytestmark = pytest.mark.browser

KIOSK_NAMES = "Array.from(document.querySelectorAll('#services .svc .name')).map((n) => n.textContent)"
COUNTERS_OFFERED = "Array.from(document.querySelectorAll('#counter-select option')).map((o) => o.textContent.trim())"


def add_service(page, base: str) -> None:
    page.goto(f"{base}/manager/admin/services")
    form = "#add-service"
    page.select_option(f"{form} select[name=office]", label="Kelurahan Uji")
    page.fill(f"{form} input[name=prefix]", "D")
    page.fill(f"{form} input[name=name_id]", "Akta Kelahiran")
    page.fill(f"{form} input[name=name_en]", "Birth certificate")
    page.fill(f"{form} input[name=standard_minutes]", "12")
    page.fill(f"{form} textarea[name=requirements]", "KTP-el orang tua\nKartu Keluarga\nSurat keterangan lahir")
    page.fill(f"{form} input[name=fee_rupiah]", "0")
    page.fill(f"{form} input[name=completion_days]", "3")
    page.click(f"{form} button[type=submit]")
    page.wait_for_load_state()


def test_a_service_and_a_counter_added_on_the_pages_reach_the_kiosk_and_the_counter_screen(
        live, page_factory, shot, request):  # noqa: F811  (the live fixture)
    db = request.node.callspec.params["live"]
    kiosk = page_factory(1920, 1080)
    pair_page(kiosk, live.base, "/kiosk/", live.kiosk)
    kiosk.wait_for_selector("#connection.conn-on")
    kiosk.wait_for_function(f"{KIOSK_NAMES}.includes('KTP')", timeout=30_000)
    assert "Akta Kelahiran" not in kiosk.evaluate(KIOSK_NAMES)

    manager = page_factory(1366, 768)
    manager_login(manager, live.base)
    # A refused form first: a fee without its legal basis; the form keeps what was typed.
    manager.goto(f"{live.base}/manager/admin/services")
    manager.fill("#add-service input[name=prefix]", "D")
    manager.fill("#add-service input[name=name_id]", "Legalisir")
    manager.fill("#add-service input[name=name_en]", "Legalisation")
    manager.fill("#add-service input[name=standard_minutes]", "5")
    manager.fill("#add-service input[name=fee_rupiah]", "10000")
    manager.click("#add-service button[type=submit]")
    assert "dasar hukum" in manager.inner_text("#form-error")
    assert manager.input_value("#add-service input[name=name_id]") == "Legalisir"
    save(manager, f"service-refused-1366-{db}", shot)

    add_service(manager, live.base)
    assert manager.is_visible("#saved") and "/manager/admin/services/" in manager.url
    save(manager, f"service-edit-1366-{db}", shot)
    # The open kiosk hears of the change and shows the new service without a reload.
    kiosk.wait_for_function(f"{KIOSK_NAMES}.includes('Akta Kelahiran')", timeout=15_000)
    save(kiosk, f"kiosk-new-service-1920-{db}", shot)

    manager.goto(f"{live.base}/manager/admin/counters")
    manager.fill("#add-counter input[name=number]", "7")
    manager.fill("#add-counter input[name=name]", "Akta")
    manager.select_option("#add-counter select[name=office]", label="Kelurahan Uji")
    served = "#add-counter fieldset.served:has(legend:text('Kelurahan Uji'))"
    manager.check(f"{served} label:has-text('D · Akta Kelahiran') input")
    manager.click("#add-counter button[type=submit]")
    manager.wait_for_load_state()
    assert manager.is_visible("#saved")
    assert manager.is_checked("#edit-counter label:has-text('D · Akta Kelahiran') input")
    save(manager, f"counter-edit-1366-{db}", shot)
    manager.goto(f"{live.base}/manager/admin/counters")
    assert "D" in manager.inner_text("#counter-list tr[data-number='7']")
    save(manager, f"counters-1366-{db}", shot)

    clerk = page_factory(1366, 768)
    counter_login(clerk, live.base, "clerk1", "password-1")
    clerk.wait_for_function(f"{COUNTERS_OFFERED}.some((t) => t.startsWith('7 Akta'))")
    save(clerk, f"counter-screen-offers-7-1366-{db}", shot)

    # Closed for good, counter 7 is no longer offered; deactivated, service D leaves the open kiosk.
    manager.click("#counter-list tr[data-number='7'] a")
    manager.click("#toggle-active button")
    assert manager.inner_text("#counter-status") == "ditutup"
    # the open counter screen hears `services_changed` and reads the office again: no reload needed
    clerk.wait_for_function(f"{COUNTERS_OFFERED}.length === 3 && !{COUNTERS_OFFERED}.some((t) => t.startsWith('7'))")
    manager.goto(f"{live.base}/manager/admin/services")
    manager.click("#service-list tr[data-prefix='D'] a")
    manager.click("#toggle-active button")
    kiosk.wait_for_function(f"!{KIOSK_NAMES}.includes('Akta Kelahiran')", timeout=15_000)
    manager.goto(f"{live.base}/manager/admin/audit")
    actions = manager.eval_on_selector_all("#audit tbody tr", "rows => rows.map(r => r.dataset.action)")
    assert actions[:4] == ["deactivated", "deactivated", "created", "created"]
    for path, name in (("admin/services", "services"), ("admin/counters", "counters")):
        for width, height in ((1366, 768), (1920, 1080)):
            wide = page_factory(width, height)
            manager_login(wide, live.base)
            wide.goto(f"{live.base}/manager/{path}")
            save(wide, f"{name}-list-{width}-{db}", shot)
    manager.goto(f"{live.base}/manager/admin/services?lang=en")
    assert "Add a service" in manager.inner_text("#add-service")
    save(manager, f"services-list-1366-en-{db}", shot)
