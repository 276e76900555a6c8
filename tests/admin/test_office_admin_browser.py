"""Offices and agencies in Chromium against a live `ptsp run`: a manager reaches the office page through the
Administrasi menu by keyboard, adds an agency, and changes the running text, which the open lobby display shows
at once, from the `office_changed` fact, without a reload or a fresh snapshot."""

from __future__ import annotations

from tests.admin.test_admin_browser import manager_login
from tests.browser.stations import display_page

NEW_TEXT = "Loket pengaduan pindah ke lantai 2. Layanan tetap gratis."


def test_a_manager_adds_an_agency_and_the_lobby_display_shows_the_new_running_text(server, page_factory, shot):
    display = display_page(server, page_factory)
    display.wait_for_function("document.getElementById('running-text').textContent.startsWith('Layanan PTSP')")
    loaded = display.evaluate("performance.timeOrigin")

    manager = page_factory(1366, 768)
    manager_login(manager, server.base)
    manager.focus("#nav-admin > summary")
    manager.keyboard.press("Enter")  # the menu opens from the keyboard, its links follow in the tab order
    assert manager.is_visible("#nav-admin a[href$='/manager/admin/offices']")
    shot(manager, "nav-admin-open-1366")
    manager.click("#nav-admin a[href$='/manager/admin/offices']")
    manager.click("#office-list tr[data-slug='kel-test'] a")
    manager.wait_for_selector("#edit-office")

    manager.fill("#add-agency input[name=code]", "BPN")
    manager.fill("#add-agency input[name=name]", "Badan Pertanahan Nasional")
    manager.fill("#add-agency input[name=name_en]", "Land Agency")
    manager.fill("#add-agency input[name=sort_order]", "3")
    manager.click("#add-agency button[type=submit]")
    manager.wait_for_selector("#agency-list tr[data-code='BPN']")
    assert manager.is_visible("#saved")

    manager.fill("#edit-office textarea[name=running_text]", NEW_TEXT)
    manager.click("#edit-office button[type=submit]")
    manager.wait_for_selector("#saved")
    assert manager.input_value("#edit-office textarea[name=running_text]") == NEW_TEXT
    shot(manager, "office-edit-1366", full_page=True)

    display.wait_for_function(f"document.getElementById('running-text').textContent === {NEW_TEXT!r}")
    assert display.evaluate("ptspDisplay.live.snapshots") == 1  # from the facts, not from a resync
    assert display.evaluate("performance.timeOrigin") == loaded  # the same page: no reload
    shot(display, "display-running-text-1920")

    manager.goto(f"{server.base}/manager/admin/audit")
    assert manager.locator("td", has_text="agency").count() >= 1
    assert manager.locator("td", has_text="office").count() >= 1
