"""Headless Chromium against a real `ptsp run`: a family asks for a home visit on a phone (390×844) and follows it by
its code; on the outreach requests page (1366×768) a supervisor records a WhatsApp request, confirms the first,
assigns an officer and a time; the officer reports the visit on their own page; the supervisor confirms it, the
officer's points are in the ledger (and `ptsp points recompute` agrees); the family sees each stage."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.points.test_browser import manager_login


def test_a_family_asks_and_the_office_assigns_visits_and_credits_the_officer(server, page_factory, shot):
    phone = page_factory(390, 844)
    phone.goto(f"{server.base}/jemput/kel-test")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.select_option("select[name=service]", label="KTP")
    phone.fill("input[name=name]", "Bapak Slamet")
    phone.check("input[name=on_behalf]")
    phone.fill("input[name=contact]", "0812-3333-4444")
    phone.fill("textarea[name=place]", "RSUD Kota, ruang Anggrek 2")
    phone.fill("textarea[name=reason]", "Stroke, belum bisa berjalan; KTP hilang")
    shot(phone, "outreach-phone-form", full_page=True)
    phone.click("button.primary")
    assert "persetujuan" in phone.text_content("p.error")  # no consent: refused, the form keeps what was typed
    assert phone.input_value("textarea[name=place]") == "RSUD Kota, ruang Anggrek 2"
    phone.check("input[name=consent]")
    phone.click("button.primary")
    phone.wait_for_url(re.compile(r"/jemput/kel-test/k/[A-Z0-9]{10}\?baru=1$"))
    code = phone.text_content(".complaint-code").strip()
    assert re.fullmatch(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code)
    assert phone.locator("ol.stages li.reached").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "outreach-phone-tracking", full_page=True)

    desk = page_factory(1366, 768)
    manager_login(desk, server, "sup", "password-s")
    desk.goto(f"{server.base}/manager/outreach")
    assert desk.locator("nav a[href='/manager/outreach']").count() == 1  # under Akuntabilitas
    desk.click("#intake summary")
    desk.select_option("#intake select[name=channel]", "whatsapp")
    desk.select_option("#intake select[name=service]", index=1)
    desk.fill("#intake input[name=name]", "Ibu Wati")
    desk.fill("#intake input[name=contact]", "0813-5555")
    desk.fill("#intake input[name=place]", "Jl. Kenanga 7 RT 3 RW 1")
    desk.fill("#intake input[name=reason]", "Lansia 84 tahun, kursi roda")
    shot(desk, "outreach-desk-intake")
    desk.click("#intake button[type=submit]")
    desk.wait_for_url(re.compile(r"recorded="))
    assert "Permintaan dicatat" in desk.text_content("#recorded")
    assert desk.locator("tr[data-outreach]").count() == 2
    row = desk.locator("tr[data-outreach]", has_text="Bapak Slamet")
    row.locator("form.move button").click()
    desk.wait_for_url(re.compile(r"#outreach-\d+$"))
    row = desk.locator("tr[data-outreach]", has_text="Bapak Slamet")
    assert row.get_attribute("data-status") == "confirmed"
    # the visit at the current minute of the office (WIB), so the officer can report it now
    minute = datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%dT%H:%M")
    row.locator("select[name=officer]").select_option(label="Clerk Satu")
    row.locator("input[name=visit_at]").fill(minute)
    row.locator("form.assign button").click()
    desk.wait_for_url(re.compile(r"#outreach-\d+$"))
    row = desk.locator("tr[data-outreach]", has_text="Bapak Slamet")
    assert row.get_attribute("data-status") == "scheduled" and "Clerk Satu" in row.text_content()
    assert "Pak Supervisor" not in row.locator("select[name=officer]").text_content()  # never oneself
    shot(desk, "outreach-desk-scheduled", full_page=True)

    officer = page_factory(1366, 768)  # a clerk logs in at the counter and opens their visits from its header
    officer.goto(f"{server.base}/counter/login")
    officer.fill("input[name=username]", "clerk1")
    officer.fill("input[name=password]", "password-1")
    officer.click("button[type=submit]")
    officer.wait_for_selector("#my-visits")
    shot(officer, "outreach-counter-header")
    officer.goto(f"{server.base}/manager/outreach/mine")
    visit = officer.locator("tr[data-outreach]", has_text="RSUD Kota, ruang Anggrek 2")
    visit.locator("input[name=travel]").fill("35")
    visit.locator("input[name=note]").fill("Perekaman KTP di ruang rawat")
    shot(officer, "outreach-officer-mine")
    visit.locator("button[type=submit]").click()
    officer.wait_for_url(re.compile(r"reported=1"))
    assert officer.locator("tr[data-outreach]", has_text="RSUD Kota").count() == 0

    desk.goto(f"{server.base}/manager/outreach")
    row = desk.locator("tr[data-outreach]", has_text="Bapak Slamet")
    assert row.get_attribute("data-status") == "visited"
    assert desk.text_content("#summary") and "1" in desk.locator("#summary .card").nth(2).text_content()
    row.locator("form.confirm input[name=travel]").fill("30")  # the supervisor lowers the claimed travel
    shot(desk, "outreach-desk-visited", full_page=True)
    row.locator("form.confirm button").click()
    desk.wait_for_url(re.compile(r"#outreach-\d+$"))
    assert desk.locator("tr[data-outreach]", has_text="Bapak Slamet").get_attribute("data-status") == "done"
    shot(desk, "outreach-desk-done", full_page=True)
    recompute = server.cli("points", "recompute")
    assert "Checked 1 jemput bola visit(s): 1 ledger line(s) expected, 40 point(s) credited." in recompute
    assert "The ledger matches the event log." in recompute

    phone.goto(f"{server.base}/jemput/kel-test?kode={code.lower()}")
    phone.wait_for_url(re.compile(r"/k/[A-Z0-9]{10}$"))
    assert "Selesai" in phone.text_content("h1") and phone.locator("ol.stages li.reached").count() == 5
    assert "Clerk Satu" not in phone.content()
    shot(phone, "outreach-phone-done", full_page=True)
