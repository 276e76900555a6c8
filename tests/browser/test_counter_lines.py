"""Headless Chromium: the counter screen's waiting lines keep their elements while they redraw, so a clerk's click
that picks a ticket is not lost to a fact that arrives between the press and the release."""

from __future__ import annotations

from tests.browser.stations import counter_page


def test_a_pick_that_straddles_a_redraw_still_picks_the_ticket(server, page_factory):
    page = counter_page(server, page_factory, "clerk1", 1)
    first, second = server.issue("A"), server.issue("A")
    button = f"#lines button.ticket[data-id='{first['id']}']"
    page.wait_for_selector(f"#lines button.ticket[data-id='{second['id']}']")
    page.evaluate(f"window.kept = document.querySelector(\"{button}\")")
    box = page.locator(button).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    third = server.issue("A")  # a fact of the office: the lines redraw with the new ticket
    page.wait_for_selector(f"#lines button.ticket[data-id='{third['id']}']")
    assert page.evaluate(f"window.kept === document.querySelector(\"{button}\")"), "the ticket's button was replaced"
    page.mouse.up()
    page.wait_for_function("document.getElementById('picked').textContent !== '–'")
    assert page.inner_text("#picked") == first["code"]
    assert page.evaluate("window.ptspCounter.state.picked.id") == first["id"]
    assert "picked" in page.get_attribute(button, "class")

    # the lines still follow the queue: a called ticket leaves, the others keep their places and elements
    page.evaluate(f"window.keptSecond = document.querySelector(\"#lines button.ticket[data-id='{second['id']}']\")")
    page.keyboard.press("n")
    page.wait_for_function(f"!document.querySelector(\"{button}\")")
    codes = page.evaluate("[...document.querySelectorAll('#lines .line')][0].innerText")
    assert second["code"] in codes and third["code"] in codes and first["code"] not in codes
    assert page.evaluate(
        f"window.keptSecond === document.querySelector(\"#lines button.ticket[data-id='{second['id']}']\")")


def _asked(page):
    """The state requests the page makes from now on: "state" (with the clerk's figures) or "lines"."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.rsplit("/", 1)[-1])
            if r.url.endswith(("/counter/state", "/counter/lines")) else None)
    return asked


def test_a_fact_about_another_counter_asks_only_for_the_lines_and_a_long_line_shows_its_length(
        server, page_factory, shot):
    mine = counter_page(server, page_factory, "clerk1", 1)
    theirs = counter_page(server, page_factory, "clerk2", 2)
    mine.wait_for_timeout(300)  # the snapshot's own refresh is over
    asked = _asked(mine)
    tickets = [server.issue("A") for _ in range(14)]  # facts that name no counter
    mine.wait_for_selector(f"#lines button.ticket[data-id='{tickets[11]['id']}']")
    # 14 waiting, 12 shown: the line's length comes with the lines
    mine.wait_for_function("(document.querySelector('#lines .line .more') || {}).textContent === '+2'")
    assert mine.locator("#lines .line").first.locator("button.ticket").count() == 12
    assert asked and set(asked) == {"lines"}, asked
    served_before = mine.inner_text("#fig-served")

    asked.clear()
    theirs.keyboard.press("n")  # the other clerk calls: a fact about counter 2
    mine.wait_for_function(f"!document.querySelector(\"#lines button.ticket[data-id='{tickets[0]['id']}']\")")
    mine.wait_for_timeout(300)
    assert set(asked) == {"lines"}, asked

    asked.clear()
    mine.keyboard.press("n")  # the clerk's own call: the figures are asked for too
    mine.wait_for_function("window.ptspCounter.state.current !== null")
    mine.click("#start")
    mine.wait_for_function("window.ptspCounter.state.current && window.ptspCounter.state.current.status === 'serving'")
    mine.click("#complete")
    mine.wait_for_function(f"document.getElementById('fig-served').textContent !== '{served_before}'")
    assert "state" in asked, asked
    assert mine.inner_text("#fig-served") == "1"
    shot(mine, "counter-long-line")
