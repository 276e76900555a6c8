"""Headless Chromium: the booking page on a 390×844 phone, and the check-in at a 1080×1920 kiosk, typed on the
kiosk's keys and read by a hand scanner (a keyboard to the browser).

Screenshots go to the test's tmp_path, or to $PTSP_SCREENSHOTS/appointments/ for a person to look at.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ALL_DAY, SETUP, pair_page

CODE = re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$")


@pytest.fixture
def bookable_server(server, tmp_path):
    """The live server's KTP service open to booking, one resident per 30-minute slot, with what to bring; and
    its Surat service, two per slot."""
    data = json.loads(json.dumps(SETUP))
    office = data["offices"][1]
    office["hours"], office["last_ticket_minutes"] = ALL_DAY, 0
    ktp = office["services"][0]
    ktp["booking_share"], ktp["requirements"] = 1.0, ["KTP-el lama atau surat keterangan hilang", "Kartu Keluarga"]
    office["services"][2]["booking_share"] = 1.0  # Surat, 5 minutes: two residents per slot
    path = tmp_path / "bookable.json"
    path.write_text(json.dumps(data))
    server.cli("setup", "load", str(path))
    return server


def book_on_phone(server, page_factory, shot=None, phone: str = "", service: str = "KTP") -> tuple[object, str]:
    page = page_factory(390, 844)
    page.goto(f"{server.base}/book/kel-test")
    if shot:
        shot(page, "book-1-services-390x844")
    page.click(f"a.service >> text={service}")
    page.wait_for_selector("form.book")
    free = page.locator("label.slot:not(.full)")
    if free.count() == 0:  # late in the live server's day (after 23:00 WIB): book the next open day instead
        page.locator("a[aria-current=true] >> xpath=../following-sibling::li[a][1]/a").click()
        page.wait_for_selector("form.book")
        free = page.locator("label.slot:not(.full)")
    assert free.count() > 0, "no free slot today nor on the next open day"
    if shot:
        shot(page, "book-2-slots-390x844", full_page=True)
    free.first.click()
    if phone:
        page.fill("input[name=phone]", phone)
        page.check("input[name=consent]")
    page.click("button.primary")
    page.wait_for_selector("p.code")
    code = page.inner_text("p.code").strip()
    assert CODE.match(code), code
    return page, code


def test_booking_page_on_a_phone(bookable_server, page_factory, shot):
    page, code = book_on_phone(bookable_server, page_factory, shot, phone="0812 3456 7890")
    shot(page, "book-3-code-390x844", full_page=True)
    assert page.locator(".qr svg").count() == 1
    assert "Kartu Keluarga" in page.inner_text("ul.req")
    assert "7890" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.click("a.button >> text=Ubah jadwal")
    page.wait_for_selector("form.book")
    page.click("a >> text=Kembali")
    page.wait_for_selector("p.code")
    page.click("button.danger")
    page.wait_for_selector(".status-cancelled")
    assert "Dibatalkan" in page.inner_text(".booking")
    english = page_factory(390, 844)
    english.goto(f"{bookable_server.base}/book/kel-test?lang=en")
    assert "Choose a service" in english.inner_text("h1")
    wide = page_factory(1366, 768)
    wide.goto(f"{bookable_server.base}/book/kel-test/b/{code}")
    shot(wide, "book-4-cancelled-1366x768")
    full_hd = page_factory(1920, 1080)
    full_hd.goto(f"{bookable_server.base}/book/kel-test")
    shot(full_hd, "book-5-services-1920x1080")


def test_check_in_at_the_kiosk_by_keys_and_by_scanner(bookable_server, page_factory, shot):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    if datetime.now(ZoneInfo("Asia/Jakarta")).hour == 23:  # the live server runs on the real clock
        pytest.skip("after 23:00 WIB today's slots are gone and a booking for tomorrow cannot check in today")
    _, typed = book_on_phone(bookable_server, page_factory, service="Surat")
    _, scanned = book_on_phone(bookable_server, page_factory, service="Surat")  # the same, first slot
    kiosk = page_factory(1080, 1920)
    pair_page(kiosk, bookable_server.base, "/kiosk/?return=60", bookable_server.kiosk)
    kiosk.wait_for_selector("#services button.svc")
    shot(kiosk, "kiosk-1-start-with-appointment-button-1080x1920")

    kiosk.click("#appt-open")
    kiosk.wait_for_selector("#checkin:not([hidden])")
    for key in "ZZZZZZZZ":
        kiosk.click(f"#appt-keys button[data-key='{key}']")
    kiosk.click("#appt-submit")
    kiosk.wait_for_function("document.getElementById('appt-error').textContent.includes('tidak ditemukan')")
    shot(kiosk, "kiosk-2-check-in-unknown-code-1080x1920")
    kiosk.fill("#appt-code", "")
    for key in typed.replace("-", ""):
        kiosk.click(f"#appt-keys button[data-key='{key}']")
    kiosk.click("#appt-submit")
    kiosk.wait_for_selector("#ticket:not([hidden])")
    assert kiosk.inner_text("#t-code").startswith("C")
    assert "Janji pukul" in kiosk.inner_text("#t-appointment")
    shot(kiosk, "kiosk-3-appointment-ticket-1080x1920")

    kiosk.click("#done")
    kiosk.wait_for_selector("#start:not([hidden])")
    kiosk.keyboard.type(f"{bookable_server.base}/book/kel-test/b/{scanned}\n", delay=5)  # what a scanner types
    kiosk.wait_for_selector("#ticket:not([hidden])")
    assert "Janji pukul" in kiosk.inner_text("#t-appointment")


def test_the_counter_list_and_the_display_mark_an_appointment(bookable_server, page_factory, shot):
    """A booking whose slot began five minutes ago is checked in after a walk-in: the counter's list marks it,
    "call next" takes it first, and the lobby display marks the call."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    import requests
    from sqlalchemy import select

    from ptsp.db import make_engine, make_sessionmaker
    from ptsp.domain.appointments import new_code
    from ptsp.models import Appointment, Office, Service
    from tests.browser.stations import counter_page, display_page
    from tests.conftest import bearer

    server = bookable_server
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    starts = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    code = new_code()
    try:
        with make_sessionmaker(engine, lambda facts: None)() as session:
            office = session.scalar(select(Office).where(Office.slug == "kel-test"))
            service = session.scalar(select(Service).where(Service.office_id == office.id, Service.prefix == "A"))
            local = starts.astimezone(ZoneInfo("Asia/Jakarta"))
            session.add(Appointment(office_id=office.id, service_id=service.id, day=local.date(),
                                    slot_start=local.time(), starts_at=starts, code=code, status="booked",
                                    phone_consent=False, created_at=starts - timedelta(days=1), reschedules=0))
            session.commit()
            office_id = office.id
    finally:
        engine.dispose()
    walk_in = server.issue("A")
    answer = requests.post(f"{server.base}/kiosk/check-in", headers=bearer(server.kiosk), timeout=5,
                           json={"office": office_id, "text": code})
    assert answer.status_code == 201, answer.text
    booked = answer.json()["ticket"]["code"]
    display = display_page(server, page_factory)
    clerk = counter_page(server, page_factory, "clerk1", 1)
    clerk.wait_for_selector("#lines .ticket .appt")
    assert "Janji" in clerk.inner_text("#lines .ticket .appt")
    shot(clerk, "counter-waiting-list-appointment-1366x768")
    clerk.click("#call-next")
    display.wait_for_function(f"window.ptspDisplay.shown.some((s) => s.code === '{booked}')")
    assert display.inner_text("#latest-code") == booked and walk_in["code"] != booked
    assert display.is_visible("#latest-mark")
    shot(display, "display-appointment-call-1920x1080")
