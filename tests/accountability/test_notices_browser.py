"""Headless Chromium: the clerk answers their own violation on the counter screen, the supervisor reads it in the
inbox, the unread count goes down, and the acknowledgement with its note reaches the clerk."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.db import make_engine
from ptsp.domain.hours import service_day
from ptsp.models import Office, Staff, Violation
from ptsp.services.discipline_notices import ensure_notices
from tests.accountability.test_browser import manager_page
from tests.browser.stations import counter_page
from tests.conftest import CHEAP_HASH

ANSWER = "Ban motor bocor di jalan, sudah lapor lewat WA"


def _violations(server) -> tuple[int, int]:
    """A late opening of clerk1 and an idle stretch of clerk2, today in kel-test, noticed."""
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    now = datetime.now(UTC)
    with sessionmaker(engine, info=CHEAP_HASH)() as session:
        office = session.scalar(select(Office).where(Office.slug == "kel-test"))
        day = service_day(now, office.timezone)
        ids = []
        for username, kind, minutes in (("clerk1", "late_opening", 25.0), ("clerk2", "idle_clerk", 14.0)):
            staff = session.scalar(select(Staff).where(Staff.username == username))
            row = Violation(office_id=office.id, day=day, kind=kind, key=f"{username}-{kind}", staff_id=staff.id,
                            started_at=now - timedelta(minutes=minutes), ended_at=now, minutes=minutes, details={},
                            detected_at=now)
            session.add(row)
            session.flush()
            ids.append(row.id)
        ensure_notices(session, office_id=office.id, day=day, now=now)
        session.commit()
    engine.dispose()
    return ids[0], ids[1]


def _keep(page, name: str, shot) -> None:
    shot(page, name)
    folder = os.environ.get("PTSP_NOTICE_SHOTS")  # a person's copy, e.g. /work/shots/notices
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_clerk_answers_and_the_supervisor_acknowledges_in_the_inbox(server, page_factory, shot):
    mine, theirs = _violations(server)
    clerk = counter_page(server, page_factory, "clerk1", 1)
    item = clerk.locator(f"#my-violations li[data-violation='{mine}']")
    item.wait_for()
    assert clerk.locator(f"#my-violations li[data-violation='{theirs}']").count() == 0  # never another's
    assert "Loket dibuka terlambat" in item.inner_text() and "Belum dijawab" in item.inner_text()
    item.locator("button.answer-button").click()
    clerk.wait_for_selector("#answer-dialog[open]")
    clerk.click("#answer-send")
    assert clerk.inner_text("#answer-message") == "Isi jawaban Anda."
    clerk.fill("#answer-text", ANSWER)
    clerk.click("#answer-send")
    clerk.wait_for_function("!document.getElementById('answer-dialog').open")
    assert ANSWER in item.inner_text() and item.locator("button.answer-button").inner_text() == "Ubah jawaban"
    _keep(clerk, "counter-own-violations-1366", shot)

    sup = manager_page(server, page_factory, "sup", "password-s")
    assert sup.inner_text("#notice-unread") == "2"  # clerk1's late opening and clerk2's idle stretch
    sup.click("#nav-notices")
    row = sup.locator("#notices tr[data-notice]", has_text="Clerk Satu")
    assert row.count() == 1 and ANSWER in row.locator("td.answer").inner_text()
    assert "Clerk Dua" in sup.inner_text("#notices")
    sup.set_viewport_size({"width": 1366, "height": 768})
    _keep(sup, "inbox-1366", shot)
    sup.set_viewport_size({"width": 1920, "height": 1080})
    _keep(sup, "inbox-1920", shot)
    row.locator("button.mark-read").click()
    sup.wait_for_load_state()
    assert sup.inner_text("#notice-unread") == "1"
    row = sup.locator("#notices tr[data-notice]", has_text="Clerk Satu")
    row.locator("button.primary").click()  # acknowledge without a note: refused, readable, nothing changed
    assert "Isi catatan tindak lanjut" in sup.inner_text("#inbox-problem")
    row = sup.locator("#notices tr[data-notice]", has_text="Clerk Satu")
    row.locator("textarea[name=note]").fill("Sudah dibina; ke depan berangkat lebih awal")
    row.locator("button.primary").click()
    sup.wait_for_selector("#inbox-done")
    row = sup.locator("#notices tr[data-notice]", has_text="Clerk Satu")
    assert "Sudah dibina" in row.locator("td.follow-up").inner_text()
    assert sup.inner_text("#notice-unread") == "1"  # clerk2's notice is still unread
    sup.set_viewport_size({"width": 1366, "height": 768})
    _keep(sup, "inbox-acknowledged-1366", shot)

    clerk.evaluate("window.ptspViolations.load()")
    clerk.wait_for_function(f"document.querySelector(\"#my-violations li[data-violation='{mine}'] .ack\") !== null")
    assert "Sudah dibina" in item.inner_text() and item.locator("button.answer-button").count() == 0
    _keep(clerk, "counter-acknowledged-1366", shot)
