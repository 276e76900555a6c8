"""Headless Chromium on a frozen clock: on 17 August and on an office's closure day the kiosk shows one full
screen saying why ("Libur nasional: …", "Kantor tutup: …") and when it opens again, in portrait 1080×1920 and
landscape 1920×1080, with no service to tap; on the next working day the tiles are back and a tap issues.

The app runs in this process (werkzeug, threads) so the test's clock is the server's clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.serving import make_server

from ptsp.services.actors import SYSTEM
from ptsp.services.office_calendar import add_closure
from tests.conftest import Clock, World, free_port, load_world, make_test_app, pair_page
from tests.kiosk.test_browser_layout import tap

INDEPENDENCE_DAY_9_WIB = datetime(2026, 8, 17, 2, 0, tzinfo=UTC)

# The holiday card within the viewport, its text inside the card, and no service card anywhere on screen.
HOLIDAY_LAYOUT = """() => {
  const view = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1
    && a.bottom <= b.bottom + 1;
  const card = document.querySelector('#holiday .holiday-card').getBoundingClientRect();
  const parts = Array.from(document.querySelectorAll('#holiday .holiday-card > *'))
    .filter((p) => p.offsetParent !== null);
  const tiles = Array.from(document.querySelectorAll('#services .svc')).filter((c) => c.offsetParent !== null);
  return { cardInView: inside(card, view), partsInside: parts.every((p) => inside(p.getBoundingClientRect(), card)),
    titleSize: parseFloat(getComputedStyle(document.getElementById('holiday-title')).fontSize),
    startHidden: document.getElementById('start').hidden, visibleTiles: tiles.length };
}"""


@pytest.fixture
def app(sqlite_url: str, clock: Clock) -> Iterator[Any]:
    """The page, not the database, is under test: one app on SQLite (the REST tests run on both databases)."""
    app = make_test_app(sqlite_url, clock)
    yield app
    app.extensions["ptsp.engine"].dispose()


@pytest.fixture
def world(app: Any, clock: Clock) -> World:
    return load_world(app, clock)


@pytest.fixture
def live_app(app: Any, world: World) -> Iterator[str]:
    """The test app, with its frozen clock, served over HTTP on a free port for Chromium."""
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def holiday_screen(page: Any) -> dict[str, Any]:
    page.wait_for_selector("#holiday:not([hidden])")
    return page.evaluate(HOLIDAY_LAYOUT)


@pytest.mark.parametrize("size", [(1080, 1920), (1920, 1080)], ids=["portrait", "landscape"])
def test_the_kiosk_shows_the_holiday_screen_then_issues_on_the_next_working_day(
    app, world, clock, live_app, page_factory, shot, size
):
    clock.now = INDEPENDENCE_DAY_9_WIB
    page = page_factory(*size)
    pair_page(page, live_app, "/kiosk/?return=60", world.kiosk)
    layout = holiday_screen(page)
    assert page.inner_text("#holiday-title") == "Libur nasional: Hari Kemerdekaan Republik Indonesia"
    assert "Selasa, 18 Agustus 2026 pukul 08.00 WIB" in page.inner_text("#holiday-text")
    assert layout == {**layout, "cardInView": True, "partsInside": True, "startHidden": True, "visibleTiles": 0}
    assert layout["titleSize"] >= 60  # readable from across the hall
    shot(page, f"kiosk-holiday-{size[0]}x{size[1]}")

    page.click("a.lang-btn:has-text('EN')")
    page.wait_for_function("document.documentElement.lang === 'en' && !!ptspKiosk.state.data")
    holiday_screen(page)
    assert page.inner_text("#holiday-title") == "National holiday: Independence Day"
    shot(page, f"kiosk-holiday-{size[0]}x{size[1]}-en")
    page.click("a.lang-btn:has-text('ID')")  # back to the office's language, as the idle kiosk does itself
    page.wait_for_function("document.documentElement.lang === 'id' && !!ptspKiosk.state.data")

    with app.extensions["ptsp.sessions"]() as session:
        add_closure(session, SYSTEM, office_id=world.office, day=datetime(2026, 8, 18).date(),
                    reason="Pembersihan gedung setelah upacara", now=clock())
        session.commit()
    clock.advance(days=1)  # Tuesday 18 August: the office's own closure day
    page.evaluate("ptspKiosk.refresh()")
    page.wait_for_function("document.getElementById('holiday').dataset.kind === 'office'")
    layout = holiday_screen(page)
    assert page.inner_text("#holiday-title") == "Kantor tutup: Pembersihan gedung setelah upacara"
    assert layout["cardInView"] and layout["partsInside"] and layout["visibleTiles"] == 0
    shot(page, f"kiosk-closure-{size[0]}x{size[1]}")

    clock.advance(days=1)  # Wednesday 19 August: a working day
    page.evaluate("ptspKiosk.refresh()")
    page.wait_for_selector("#services button.svc")
    assert page.locator("#holiday").is_hidden()
    first = page.evaluate("ptspKiosk.state.data.services[0]")
    tap(page, f"#services .svc[data-service='{first['id']}']")
    page.wait_for_selector("#ticket:not([hidden])")
    assert page.inner_text("#t-code") == f"{first['prefix']}-001"

