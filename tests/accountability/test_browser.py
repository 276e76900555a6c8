"""Headless Chromium: the accountability pages on generated history, and the counter's refer dialog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ptsp.db import make_engine
from ptsp.models import Referral
from tests.accountability.generate import generate
from tests.browser.stations import counter_page
from tests.conftest import CHEAP_HASH


def manager_page(server, page_factory, username: str = "manager", password: str = "password-m"):
    page = page_factory(1366, 900)
    page.goto(f"{server.base}/manager/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.base}/manager/")
    return page


def test_accountability_pages_show_funnels_referrals_pingpong_and_discipline(server, page_factory, shot):
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=i) for i in range(28, 0, -1)]
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    with sessionmaker(engine, info=CHEAP_HASH)() as session:
        generate(session, days)
    engine.dispose()
    page = manager_page(server, page_factory)

    page.goto(f"{server.base}/manager/offices")
    page.wait_for_function("window.ptspCharts && window.ptspCharts.length === 2")
    sepi = page.locator("#office-table tr", has_text="Kelurahan Sepi")
    assert sepi.get_attribute("class") == "overdue"
    assert sepi.locator("[data-flag=low_alarm]").count() == 2
    assert page.locator("#office-table tr", has_text="Kelurahan Ramai").locator("[data-flag^=low]").count() == 0
    assert page.locator("#pooling-table tbody tr").count() >= 1
    assert "Kelurahan Sepi" in page.inner_text("#pooling-table")
    shot(page, "offices", full_page=True)

    page.goto(f"{server.base}/manager/referrals")
    page.wait_for_function("window.ptspCharts && window.ptspCharts.length === 1")
    ranking = page.locator("#ranking tbody tr")
    assert ranking.count() >= 2
    assert "Dinas Dukcapil" in ranking.first.inner_text()  # the fast department ranks first
    assert page.locator("#breaches tbody tr.overdue").count() >= 1
    shot(page, "referrals")

    page.goto(f"{server.base}/manager/pingpong")
    page.wait_for_function("window.ptspCharts && window.ptspCharts.length === 1")
    assert page.locator("#pingpong-cases tbody tr", has_text="A → B → A").count() >= 1
    shot(page, "pingpong")

    page.goto(f"{server.base}/manager/discipline")
    page.wait_for_function("window.ptspCharts && window.ptspCharts.length === 1")
    rows = page.locator("#violations tbody tr[data-violation]")
    assert rows.count() >= 1
    assert page.locator("#violations", has_text="Petugas Lain").count() == 0  # no chain up to this manager
    page.click(".lang-switch [data-lang=en]")
    page.wait_for_function("window.ptspCharts && window.ptspCharts.length === 1")
    assert page.locator("h1").inner_text() == "Discipline of service"
    shot(page, "discipline-en")
    page.click(".lang-switch [data-lang=id]")
    page.wait_for_function("window.ptspCharts && window.ptspCharts.length === 1")
    shot(page, "discipline")

    clerk = page_factory(1366, 768)
    clerk.goto(f"{server.base}/manager/login")
    clerk.fill("input[name=username]", "clerk1")
    clerk.fill("input[name=password]", "password-1")
    clerk.click("button[type=submit]")
    assert "pengawas dan manajer" in clerk.inner_text("[role=alert]")


def test_clerk_refers_the_case_and_the_department_answers_on_its_desk(server, page_factory, shot):
    token = server.cli("department", "add", "--office", "kec-test", "--slug", "dukcapil", "--name", "Dinas Dukcapil")
    page = counter_page(server, page_factory, "clerk1", 1)
    assert page.is_disabled("#refer")
    ticket = server.issue("A")
    page.wait_for_selector(f"#lines button.ticket[data-id='{ticket['id']}']")
    page.keyboard.press("n")
    page.wait_for_function(f"document.getElementById('current-code').textContent === '{ticket['code']}'")
    page.wait_for_function("!document.getElementById('refer').disabled")
    page.click("#refer")
    page.wait_for_selector("#refer-dialog[open]")
    assert page.inner_text("#refer-department") == "Dinas Dukcapil"
    page.click("#refer-send")
    assert page.inner_text("#refer-message") == "Isi uraian kasus."
    page.keyboard.press("x")  # focus is on a dialog button: the no-show shortcut must not fire
    page.wait_for_timeout(1000)  # a command would have been answered by now
    assert page.evaluate("window.ptspCounter.state.current && window.ptspCounter.state.current.status") == "called"
    page.fill("#refer-note", "NIK ganda; mohon verifikasi data kependudukan")
    shot(page, "counter-refer-dialog")
    page.click("#refer-send")
    page.wait_for_function("!document.getElementById('refer-dialog').open")
    page.wait_for_function("window.ptspLastReferral !== undefined")
    answer = page.evaluate("window.ptspLastReferral")
    assert answer["ticket"] == ticket["id"] and answer["status"] == "referred"
    assert page.input_value("#outcome") == "dirujuk"
    assert "Dinas Dukcapil" in page.inner_text("#message")
    shot(page, "counter-referred")
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 1
    engine.dispose()
    with page.expect_navigation():
        page.click(".lang-switch a[data-lang=en]")  # the shared switch: the same page again, in English
    page.wait_for_function("document.querySelector('#refer').innerText === 'Refer to department'", timeout=5000)

    desk = page_factory(1366, 768)
    desk.goto(f"{server.base}/manager/dinas#token={token}")
    desk.wait_for_selector(f"#desk tr[data-referral='{answer['id']}']")
    assert desk.inner_text("#dept-name") == "Dinas Dukcapil"
    row = desk.locator(f"#desk tr[data-referral='{answer['id']}']")
    assert row.locator("td").nth(4).inner_text() == "dirujuk"
    row.locator("input").fill("Diterima, verifikasi besok pagi")
    row.locator("button").click()
    desk.wait_for_function(f"document.querySelector(\"#desk tr[data-referral='{answer['id']}'] td:nth-child(5)\")"
                           ".textContent === 'diterima'")
    shot(desk, "department-desk")
    wrong = page_factory(1366, 768)
    wrong.goto(f"{server.base}/manager/dinas#token=ptsp_dinas_wrong")
    wrong.wait_for_function("document.getElementById('desk-message').textContent.length > 0")
    assert "tidak dikenal" in wrong.inner_text("#desk-message")
