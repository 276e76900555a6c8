"""Headless Chromium against a real `ptsp run`: a resident files a complaint on a phone (390×844) and follows it
by its code; a supervisor records a phone complaint at the desk (1366×768) and moves it; the resident sees it."""

from __future__ import annotations

import re

from tests.points.test_browser import manager_login


def test_resident_files_on_a_phone_and_the_desk_records_and_answers(server, page_factory, shot):
    phone = page_factory(390, 844)
    phone.goto(f"{server.base}/pengaduan/kel-test")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.fill("textarea[name=text]", "Saya tidak dipanggil padahal nomor saya sudah lewat.")
    phone.select_option("select[name=service]", label="KTP")
    phone.fill("input[name=contact]", "0812-0000-1111")
    shot(phone, "complaint-phone-form", full_page=True)
    phone.click("button.primary")
    # without consent the contact is refused with its reason, and the text stays in the form
    assert "persetujuan" in phone.text_content("p.error")
    assert "tidak dipanggil" in phone.input_value("textarea[name=text]")
    phone.check("input[name=consent]")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r"/pengaduan/kel-test/k/[A-Z0-9]{10}\?baru=1$"))
    code = phone.text_content(".complaint-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    assert phone.locator("ol.stages li.reached").count() == 1
    shot(phone, "complaint-phone-tracking", full_page=True)

    desk = page_factory(1366, 768)
    manager_login(desk, server, "sup", "password-s")
    desk.goto(f"{server.base}/manager/complaints")
    desk.click("#intake summary")
    desk.select_option("#intake select[name=channel]", "whatsapp")
    desk.fill("#intake textarea[name=text]", "Lewat WhatsApp: berkas KTP belum jadi setelah dua minggu.")
    shot(desk, "complaint-desk-intake")
    desk.click("#intake button[type=submit]")
    desk.wait_for_url(re.compile(r"recorded="))
    assert "Pengaduan dicatat" in desk.text_content("#recorded")
    row = desk.locator("tr[data-complaint]", has_text="Saya tidak dipanggil")
    row.locator("button[data-move=verifying]").click()
    row.locator("button[data-move=field_check]").wait_for()  # the page reloads with the next stages
    shot(desk, "complaint-desk-list", full_page=True)
    assert desk.locator("#per-agency tbody tr").count() >= 1

    phone.goto(f"{server.base}/pengaduan/kel-test?kode={code.lower()}")
    phone.wait_for_url(re.compile(r"/k/[A-Z0-9]{10}$"))
    assert phone.locator("ol.stages li.reached").count() == 2
    shot(phone, "complaint-phone-verified", full_page=True)
