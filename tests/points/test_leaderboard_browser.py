"""Headless Chromium against a real `ptsp run`: the leaderboard shows intervals and bands with a known outcome.

The day is played before the server starts, through the same API with a frozen clock, on the server's own
database: a past day, so the page also shows its default of "the last day with data" and says why.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from ptsp.models import Counter, Office, Service, counter_services
from tests.browser.stations import counter_page
from tests.conftest import Clock, LiveServer, ServerTemplate, World, make_test_app
from tests.points.helpers import Office as PlayedOffice
from tests.points.helpers import serve_side_by_side
from tests.points.test_browser import manager_login

JAKARTA = ZoneInfo("Asia/Jakarta")


def play_three_clerks(database: Path, kiosk: str, day: datetime) -> None:
    """08:00-14:00 local on `day`: clerk1 serves an A ticket in 10 minutes (the standard), clerk3 in 11, clerk2 in
    29."""
    clock = Clock(day.replace(hour=8).astimezone(UTC))
    app = make_test_app(f"sqlite:///{database}", clock)
    try:
        with app.extensions["ptsp.sessions"]() as session:
            office = session.scalar(select(Office).where(Office.slug == "kel-test"))
            assert office is not None
            services = {s.prefix: s.id for s in session.scalars(select(Service).where(Service.office_id == office.id))}
            counters = {c.number: c.id for c in session.scalars(select(Counter).where(Counter.office_id == office.id))}
            session.execute(insert(counter_services).values(counter_id=counters[3], service_id=services["A"]))
            session.commit()
            world = World(office.id, 0, services, counters, 0, 0, kiosk, "", "")
        played = PlayedOffice(app, world, clock)
        for username, number in (("clerk1", 1), ("clerk2", 2), ("clerk3", 3)):
            played.desk(username, number)
        for _ in range(32 + 12 + 30):
            played.issue("A")
        until = clock() + timedelta(hours=6)
        assert serve_side_by_side(played, {"clerk1": 10, "clerk2": 29, "clerk3": 11}, until) == {
            "clerk1": 32, "clerk2": 12, "clerk3": 30}
        clock.now = until
        for desk in played.desks.values():
            assert desk.client.post(f"/api/v1/counters/{desk.counter}/close").status_code == 200
    finally:
        app.extensions["ptsp.engine"].dispose()


@pytest.fixture
def played_server(tmp_path: Path, server_template: ServerTemplate, browser):
    """A live server whose database holds the three clerks' day, two days ago (office-local); nothing since."""
    live = LiveServer(tmp_path, server_template)
    today = datetime.now(JAKARTA).date()
    day = datetime.combine(today - timedelta(days=2), time(0), JAKARTA)
    play_three_clerks(tmp_path / "server.db", server_template.kiosk, day)
    live.start()
    yield live, day.date().isoformat()
    live.stop()


def bar_box(page, name: str) -> dict:
    row = page.locator("#ranked tbody tr", has_text=name)
    return row.locator(".interval .bar").bounding_box()


def test_leaderboard_shows_intervals_and_bands_and_the_day_it_falls_back_to(played_server, page_factory, shot):
    server, day = played_server
    page = page_factory(1366, 768)
    manager_login(page, server)
    page.goto(f"{server.base}/manager/leaderboard")
    note = page.locator("#shown-period").inner_text()
    assert "Hari ini belum ada poin" in note and day in note  # the period shown, and why
    assert "Jam tanpa antrean tidak menurunkan nilai" in page.locator("#how-rated").inner_text()
    assert "interval 90 %" in page.locator("#how-banded").inner_text()
    rows = page.locator("#ranked tbody tr")
    seen = [(rows.nth(i).locator("td").nth(1).inner_text(), rows.nth(i).get_attribute("data-band"))
            for i in range(rows.count())]
    assert seen == [("Clerk Satu", "1"), ("Clerk Tiga", "1"), ("Clerk Dua", "2")]
    assert [t.strip() for t in page.locator("#ranked .band").all_inner_texts()] == [
        "Kelompok 1", "Kelompok 1", "Kelompok 2"]
    for name in ("Clerk Satu", "Clerk Tiga", "Clerk Dua"):
        estimate, low, high = _numbers(page.locator("#ranked tbody tr", has_text=name).locator(".rate").inner_text())
        assert low < estimate < high
    for width, height in ((1366, 768), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        # Drawn on one scale: clerk2's bar ends left of clerk1's; clerk3's reaches into clerk1's.
        satu, tiga, dua = (bar_box(page, n) for n in ("Clerk Satu", "Clerk Tiga", "Clerk Dua"))
        assert dua["x"] + dua["width"] < satu["x"] and tiga["x"] + tiga["width"] > satu["x"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
        page.locator("#ranked").scroll_into_view_if_needed()
        shot(page, f"leaderboard-bands-{width}x{height}")
        shot(page, f"leaderboard-bands-{width}x{height}-full", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server.base}/manager/leaderboard?lang=en")
    assert "the last day with data is shown: " + day in page.locator("#shown-period").inner_text()
    assert [t.strip() for t in page.locator("#ranked .band").all_inner_texts()] == ["Band 1", "Band 1", "Band 2"]
    shot(page, "leaderboard-bands-en-1366x768-full", full_page=True)


def test_counter_shows_the_clerk_only_their_own_band(played_server, page_factory, shot):
    server, day = played_server
    page = counter_page(server, page_factory, "clerk2", 2)  # opens counter 2 today: staffed, nothing waiting
    page.wait_for_function("document.getElementById('fig-rank-today').textContent !== '–'")
    assert page.locator("#fig-rank-today").inner_text() == "belum (< 10 transaksi atau < 1 jam kerja)"
    week = page.locator("#fig-rank-week").inner_text()
    played, today = datetime.fromisoformat(day).date(), datetime.now(JAKARTA).date()
    if played.isocalendar()[:2] == today.isocalendar()[:2]:
        # This week: 12 tickets in 5.98 hours with work; today's idle, empty counter does not lower it.
        assert week.startswith("2 dari 2 · 20,1 (") and week.endswith("poin/jam kerja")
    else:
        assert week == "belum (< 10 transaksi atau < 1 jam kerja)"
    figures = page.locator("section.figures").inner_text()
    assert "Clerk Satu" not in figures and "Clerk Tiga" not in figures
    shot(page, "counter-own-band-1366x768")


def _numbers(text: str) -> tuple[float, float, float]:
    """'60.2 45.0–79.9' -> (60.2, 45.0, 79.9)."""
    estimate, interval = text.split()
    low, high = interval.split("–")
    return float(estimate), float(low), float(high)
