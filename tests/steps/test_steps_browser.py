"""Headless Chromium: a visit of several steps on the resident's status page, planned at the counter screen."""

from __future__ import annotations

from tests.browser.stations import counter_page


def _call(page, code: str) -> None:
    page.keyboard.press("n")
    page.wait_for_function(f"document.getElementById('current-code').textContent === '{code}'")


def _serve(page) -> None:
    page.wait_for_function("!document.getElementById('start').disabled")
    page.click("#start")
    page.wait_for_function("!document.getElementById('complete').disabled")
    page.click("#complete")
    page.wait_for_function("document.getElementById('current-code').textContent === '—'")


def _steps(phone) -> list[tuple[str, str]]:
    return phone.evaluate("""Array.from(document.querySelectorAll('#step-list li'),
        (li) => [li.querySelector('.step-name').textContent, li.className.replace('step step-', '')])""")


def test_a_visit_of_several_steps_on_the_residents_status_page(server, page_factory, shot):
    ticket = server.issue("A")
    desk = counter_page(server, page_factory, "clerk1", 1)
    phone = page_factory(390, 844)
    phone.goto(ticket["status_url"] if ticket["status_url"].startswith("http") else server.base + ticket["status_url"])
    phone.wait_for_selector("#connection.conn-on")
    assert phone.is_hidden("#steps"), "a visit of one step shows no steps"

    # The information desk plans the rest of the visit: letters (C), then licensing (B).
    _call(desk, ticket["code"])
    desk.click("#plan-steps")
    desk.wait_for_selector("#steps-dialog[open]")
    desk.select_option("#step-0", label="C · Surat")
    desk.select_option("#step-1", label="B · Perizinan")
    shot(desk, "counter-steps-dialog")
    desk.click("#steps-send")
    desk.wait_for_function("document.getElementById('steps-plan').textContent.includes('B · Perizinan')")
    assert desk.text_content("#steps-plan") == "Setelah ini: C · Surat → B · Perizinan"
    shot(desk, "counter-steps-planned")
    _serve(desk)

    # The phone follows its own ticket live (ticket_changed): same number, now waiting for step 2 of 3.
    phone.wait_for_function("document.getElementById('step-of').textContent === 'Langkah 2 dari 3'")
    assert _steps(phone) == [["KTP", "done"], ["Surat", "current"], ["Perizinan", "next"]]
    assert phone.text_content("#code") == ticket["code"]
    assert phone.text_content("#service") == "Surat"
    assert phone.get_attribute("#panel", "data-status") == "waiting"
    shot(phone, "status-step-2-waiting", full_page=True)

    # Counter 1 serves C too: the same ticket comes back to it for its second step, and is called.
    _call(desk, ticket["code"])
    phone.wait_for_function("document.getElementById('panel').dataset.status === 'called'")
    shot(phone, "status-step-2-called")
    _serve(desk)
    phone.wait_for_function("document.getElementById('step-of').textContent === 'Langkah 3 dari 3'")
    assert _steps(phone) == [["KTP", "done"], ["Surat", "done"], ["Perizinan", "current"]]

    last = counter_page(server, page_factory, "clerk3", 3)
    _call(last, ticket["code"])
    _serve(last)
    phone.wait_for_function("document.getElementById('panel').dataset.status === 'done'")
    assert _steps(phone) == [["KTP", "done"], ["Surat", "done"], ["Perizinan", "done"]]
    shot(phone, "status-visit-done", full_page=True)

    # In English the steps read in English.
    phone.goto(phone.url.split("?")[0] + "?lang=en")
    phone.wait_for_selector("#step-list li")
    assert [name for name, _state in _steps(phone)] == ["ID card", "Letters", "Licensing"]
    assert phone.text_content("#step-list li .step-state") == "completed"


def test_a_route_set_on_the_service_page_is_carried_by_the_next_kiosk_ticket(server, page_factory, shot):
    from tests.admin.test_admin_browser import manager_login

    manager = page_factory(1366, 768)
    manager_login(manager, server.base)
    manager.goto(f"{server.base}/manager/admin/services")
    manager.click("text=KTP")
    manager.wait_for_selector("#service-route")
    selects = manager.locator("#service-route select[name=route]")
    selects.nth(0).select_option(label="C · Surat")
    selects.nth(1).select_option(label="B · Perizinan")
    manager.click("#service-route button[type=submit]")
    manager.wait_for_selector("#saved")
    assert manager.locator("#service-route select[name=route]").nth(0).input_value() != ""
    shot(manager, "admin-service-route", full_page=True)

    ticket = server.issue("A")
    assert len(ticket["next_steps"]) == 2
    phone = page_factory(390, 844)
    phone.goto(ticket["status_url"] if ticket["status_url"].startswith("http") else server.base + ticket["status_url"])
    phone.wait_for_selector("#step-list li")
    assert _steps(phone) == [["KTP", "current"], ["Surat", "next"], ["Perizinan", "next"]]
    assert phone.text_content("#step-of") == "Langkah 1 dari 3"
    shot(phone, "status-step-1-waiting")
