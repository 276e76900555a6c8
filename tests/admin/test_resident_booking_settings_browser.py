"""The office page's residents' and booking settings, and a service's booking share, in Chromium against a live
`ptsp run` at the manager's sizes: set, saved, the secret shown only as "set"."""

from __future__ import annotations

from tests.admin.test_admin_browser import manager_login

SECRET = "gateway-secret-0123456789"


def test_a_manager_sets_the_gateway_and_booking_settings_on_the_office_page(server, page_factory, shot):
    page = page_factory(1366, 768)
    manager_login(page, server.base)
    page.goto(f"{server.base}/manager/admin/offices")
    page.click("#office-list tr[data-slug='kel-test'] a")
    page.wait_for_selector("#resident-settings")
    assert page.inner_text("#secret-state").startswith("belum diatur")
    page.check("#resident-settings input[name=phone_tickets]")
    page.fill("#resident-settings input[name=alert_webhook_url]", "https://wa.example.id/kirim")
    page.fill("#resident-settings input[name=alert_webhook_secret]", SECRET)
    page.select_option("#booking-settings select[name=booking_slot_minutes]", "20")
    page.fill("#booking-settings input[name=booking_max_per_day]", "1")
    page.click("#edit-office button[type=submit]")
    page.wait_for_selector("#saved")
    assert page.inner_text("#secret-state").startswith("sudah diatur")
    assert page.input_value("#resident-settings input[name=alert_webhook_secret]") == ""
    assert SECRET not in page.content()
    assert page.input_value("#booking-settings select[name=booking_slot_minutes]") == "20"
    assert page.is_checked("#resident-settings input[name=phone_tickets]")
    page.locator("#resident-settings").scroll_into_view_if_needed()
    shot(page, "office-settings-1366")
    shot(page, "office-settings-1366-full", full_page=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "office-settings-1920-full", full_page=True)

    page.fill("#booking-settings input[name=booking_max_run]", "99")  # past the browser's max: the server says why
    page.evaluate("document.getElementById('edit-office').noValidate = true")
    page.click("#edit-office button[type=submit]")
    page.wait_for_selector("#form-error")
    assert "booking_max_run" in page.inner_text("#form-error")
    shot(page, "office-settings-refused-1920")

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server.base}/manager/admin/services")
    page.click("text=KTP")
    page.wait_for_selector("#edit-service")
    page.fill("#edit-service input[name=booking_share]", "0,25")
    page.click("#edit-service button[type=submit]")
    page.wait_for_selector("#saved")
    assert page.input_value("#edit-service input[name=booking_share]") == "0.25"
    shot(page, "service-booking-share-1366", full_page=True)
