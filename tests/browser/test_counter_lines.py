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
