"""Headless Chromium on a real `ptsp run`: a clerk parks a ticket ("berkas kurang"), brings it back to the front
of the counter's line and re-inserts a resident who missed their call (counter 1366x768); the parked resident's
phone shows where and until when to come back (390x844). docs/queue.md."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from ptsp.db import make_engine
from ptsp.models import Office
from tests.browser.stations import counter_page


def _office_reinserts(server, places: int) -> None:
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    with sessionmaker(engine)() as session:
        session.execute(update(Office).where(Office.slug == "kel-test").values(late_reinsert_places=places))
        session.commit()
    engine.dispose()


def _current(page, code: str) -> None:
    page.wait_for_function(f"document.getElementById('current-code').textContent === '{code}'")


def _line(page, service_prefix: str) -> list[str]:
    return page.evaluate("""(prefix) => {
        const line = [...document.querySelectorAll('#lines .line')].find((l) =>
            l.querySelector('h3').textContent.trim().startsWith(prefix + ' '));
        return [...line.querySelectorAll('button.ticket')].map((b) => b.dataset.code);
    }""", service_prefix)


def test_park_return_and_re_insert_on_the_counter_screen_and_the_residents_phone(server, page_factory, shot):
    _office_reinserts(server, 3)
    page = counter_page(server, page_factory, "clerk1", 1)
    parked, missed, *rest = [server.issue("A") for _ in range(6)]
    page.wait_for_selector(f"#lines button.ticket[data-id='{rest[-1]['id']}']")

    page.keyboard.press("n")
    _current(page, parked["code"])
    assert page.is_disabled("#park")  # called, not yet served: no parking to dodge a no-show
    page.click("#start")
    page.wait_for_function("!document.getElementById('park').disabled")
    page.click("#park")
    _current(page, "—")
    page.wait_for_selector(f"#parked button[data-id='{parked['id']}']")
    until = page.text_content("#parked li .when")
    assert until.startswith("kembali sebelum ")

    phone = page_factory(390, 844)
    phone.goto(parked["status_url"])
    phone.wait_for_selector("#panel[data-status='parked'] #parked-until")
    text = phone.text_content("#parked-until")
    assert text == f"Kembali ke loket 1 sebelum pukul {until.removeprefix('kembali sebelum ')}."
    shot(phone, "status-parked-390x844")

    page.keyboard.press("n")
    _current(page, missed["code"])
    page.click("#no-show")
    _current(page, "—")
    page.wait_for_selector(f"#missed button[data-id='{missed['id']}']")
    assert page.is_visible("#missed-box") and "3 nomor" in page.text_content("#missed-hint")
    shot(page, "counter-parked-and-missed-1366x768")

    page.click(f"#parked button[data-id='{parked['id']}']")
    page.wait_for_selector("#parked li.none")
    page.click(f"#missed button[data-id='{missed['id']}']")
    page.wait_for_selector("#missed li.none")
    expected = [parked["code"], rest[0]["code"], missed["code"], *[t["code"] for t in rest[1:]]]
    page.wait_for_function("(codes) => { const line = [...document.querySelectorAll('#lines .line')][0];"
                           " return JSON.stringify([...line.querySelectorAll('button.ticket')]"
                           ".map((b) => b.dataset.code)) === JSON.stringify(codes); }", expected)
    assert _line(page, "A") == expected
    assert "⟲" in page.text_content(f"#lines button.ticket[data-id='{parked['id']}']")
    phone.wait_for_selector("#panel[data-status='waiting'] #position")
    phone.wait_for_function("document.getElementById('position').textContent === '1'")
    shot(page, "counter-returned-and-reinserted-1366x768")

    page.keyboard.press("n")
    _current(page, parked["code"])  # back at the front of counter 1's line
    phone.wait_for_selector("#panel[data-status='called'] #called-counter")


def test_the_office_page_sets_the_park_minutes_and_the_re_insert_places(server, page_factory, shot):
    from tests.admin.test_admin_browser import manager_login

    page = page_factory(1366, 768)
    manager_login(page, server.base)
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    with sessionmaker(engine)() as session:
        office_id = session.query(Office.id).filter(Office.slug == "kel-test").scalar()
    page.goto(f"{server.base}/manager/admin/offices/{office_id}")
    page.fill("input[name=park_minutes]", "20")
    page.fill("input[name=late_reinsert_places]", "3")
    page.locator("input[name=late_reinsert_places]").scroll_into_view_if_needed()
    shot(page, "office-queue-settings-1366x768")
    page.click("#edit-office button[type=submit]")
    page.wait_for_selector("#saved")
    assert page.input_value("input[name=park_minutes]") == "20"
    with sessionmaker(engine)() as session:
        row = session.get(Office, office_id)
        assert (row.park_minutes, row.late_reinsert_places) == (20, 3)
    engine.dispose()
