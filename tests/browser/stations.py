"""Helpers that drive the counter and display pages like a clerk and a lobby TV would."""

from __future__ import annotations

from typing import Any

from tests.conftest import pair_page

PASSWORDS = {"clerk1": "password-1", "clerk2": "password-2", "clerk3": "password-3"}


def counter_page(server: Any, page_factory: Any, username: str, counter_number: int) -> Any:
    """Log a clerk in through the form, pick a counter and open it."""
    page = page_factory(1366, 768)
    page.goto(f"{server.base}/counter/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_selector("#connection.conn-on")
    page.wait_for_function("window.ptspCounter.live.seq !== null")
    label = page.locator("#counter-select option", has_text=str(counter_number)).first.get_attribute("value")
    page.select_option("#counter-select", label)
    page.click("#open")
    page.wait_for_selector("#counter-state.badge-open")
    return page


def display_page(server: Any, page_factory: Any, query: str = "") -> Any:
    """Pair a fresh browser as the lobby display from its set-up address (#token=…), wait for its first snapshot."""
    page = page_factory(1920, 1080)
    pair_page(page, server.base, f"/display/{query}", server.display)
    page.wait_for_function("window.ptspDisplay && window.ptspDisplay.live.seq !== null")
    return page


def shown(page: Any) -> list[dict[str, Any]]:
    """Return the calls the display has shown and queued for announcement, in order."""
    return page.evaluate("window.ptspDisplay.shown")


def announcer_log(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("window.Announcer.log")


def wait_shown(page: Any, count: int) -> list[dict[str, Any]]:
    page.wait_for_function(f"window.ptspDisplay.shown.length >= {count}")
    return shown(page)
