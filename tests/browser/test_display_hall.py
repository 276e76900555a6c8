"""End to end in headless Chromium: a lobby display following one hall of an MPP (`?agencies=SAMSAT`) shows and
announces the calls of that agency's services only, while a display without the filter shows every call."""

from __future__ import annotations

import json

from tests.browser.stations import counter_page, display_page, shown, wait_shown
from tests.conftest import ALL_DAY
from tests.test_agencies import mpp


def test_a_display_of_one_hall_shows_only_its_agencies_calls(server, page_factory, tmp_path, shot):
    data = mpp()
    data["offices"][1]["hours"], data["offices"][1]["last_ticket_minutes"] = ALL_DAY, 0
    path = tmp_path / "mpp.json"
    path.write_text(json.dumps(data))
    server.cli("setup", "load", str(path))
    hall = display_page(server, page_factory, "?agencies=SAMSAT")
    lobby = display_page(server, page_factory)
    clerk = counter_page(server, page_factory, "clerk1", 1)  # counter 1 serves A (Dukcapil) and C (Samsat)
    dukcapil, samsat = server.issue("A"), server.issue("C")
    clerk.wait_for_selector(f"#lines button.ticket[data-id='{samsat['id']}']")

    clerk.keyboard.press("n")
    clerk.wait_for_function(f"document.getElementById('current-code').textContent === '{dukcapil['code']}'")
    assert [s["code"] for s in wait_shown(lobby, 1)] == [dukcapil["code"]]
    hall.wait_for_function("window.ptspDisplay.live.seq !== null && window.ptspDisplay.state.counters.length > 0")
    assert shown(hall) == [] and hall.inner_text("#latest-code") == "—"
    waiting = hall.evaluate("Array.from(document.querySelectorAll('#waiting li')).map((li) => li.textContent)")
    assert len(waiting) == 1 and waiting[0].startswith("C · ")

    clerk.keyboard.press("s")
    clerk.wait_for_function("document.getElementById('current-info').textContent.includes('sedang dilayani')")
    clerk.click("#complete")
    clerk.wait_for_function("document.getElementById('fig-served').textContent === '1'")
    clerk.keyboard.press("n")
    clerk.wait_for_function(f"document.getElementById('current-code').textContent === '{samsat['code']}'")
    assert [s["code"] for s in wait_shown(hall, 1)] == [samsat["code"]]
    hall.wait_for_function(f"document.getElementById('latest-code').textContent === '{samsat['code']}'")
    assert [s["code"] for s in wait_shown(lobby, 2)] == [dukcapil["code"], samsat["code"]]
    assert [s["code"] for s in shown(hall)] == [samsat["code"]]
    shot(hall, "display-hall-samsat")
