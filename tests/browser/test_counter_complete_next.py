"""Headless Chromium on a real `ptsp run` (SQLite and PostgreSQL): the counter screen's "Selesai & panggil berikutnya"
(docs/counter.md) completes the ticket being served and calls the next one with one socket command; the lobby
display hears the completion, then the call. Nobody waiting, a double click, a refusal, and the button's fit at
1366×768 in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.db import make_engine
from ptsp.models import Ticket
from tests.browser.stations import counter_page, display_page, wait_shown
from tests.conftest import LiveServer, ServerTemplate, seed_server_data


def _pg_template(pg_url: str) -> ServerTemplate:
    engine = make_engine(pg_url)
    try:
        display, kiosk = seed_server_data(engine)
    finally:
        engine.dispose()
    return ServerTemplate(Path("/dev/null"), display, kiosk)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def live(request: pytest.FixtureRequest, tmp_path: Path, server_template: ServerTemplate) -> Any:
    if request.param == "sqlite":
        server = LiveServer(tmp_path, server_template)
    else:
        pg = request.getfixturevalue("pg_schema")
        pg.empty()
        server = LiveServer(tmp_path, _pg_template(pg.url))
        server.env["PTSP_DATABASE_URL"] = pg.url
    server.start()
    yield server
    server.stop()


def status_of(ticket: dict[str, Any]) -> str:
    return requests.get(f"{ticket['status_url']}/state", timeout=5).json()["status"]


def stored(server: LiveServer, ticket_id: int) -> tuple[str, str | None]:
    """A ticket's status and outcome, read from the server's database."""
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    try:
        with sessionmaker(engine)() as session:
            row = session.execute(select(Ticket.status, Ticket.outcome).where(Ticket.id == ticket_id)).one()
    finally:
        engine.dispose()
    return row.status, row.outcome


def current(page: Any, code: str) -> None:
    page.wait_for_function(f"document.getElementById('current-code').textContent === '{code}'")


def call_and_start(page: Any, code: str) -> None:
    page.wait_for_function("!document.getElementById('call-next').disabled")
    page.keyboard.press("n")
    current(page, code)
    page.wait_for_function("!document.getElementById('start').disabled")
    page.click("#start")
    page.wait_for_function("!document.getElementById('complete-next').disabled")


def listen(display: Any) -> None:
    """Record, in the display page, the completions and calls its socket hears, in order."""
    display.evaluate("""() => {
        window.heard = [];
        for (const name of ['ticket_completed', 'ticket_called']) {
            ptspDisplay.socket.on(name, (fact) => heard.push([name, fact.ticket.code, fact.seq]));
        }
    }""")


def heard(display: Any, count: int) -> list[list[Any]]:
    display.wait_for_function(f"window.heard.length >= {count}")
    display.wait_for_timeout(300)  # long enough for a second, wrong completion or call to arrive too
    return display.evaluate("window.heard")


FITS = {"inside": True, "oneLine": True, "besideDone": True, "noScroll": True, "rowsOneLine": True}


def fits(page: Any) -> dict[str, Any]:
    """Whether the new button sits on one line, inside its card, beside "Selesai", with nothing overflowing and the
    rows of the outcome, the two completions and the referral each on one line (the call row wrapped before)."""
    return page.evaluate("""() => {
        const b = document.getElementById('complete-next').getBoundingClientRect();
        const d = document.getElementById('complete').getBoundingClientRect();
        const card = document.querySelector('section.current');
        const c = card.getBoundingClientRect();
        return {inside: b.left >= c.left && b.right <= c.right, oneLine: Math.abs(b.height - d.height) < 1,
                besideDone: Math.abs(b.top - d.top) < 1 && b.left > d.right,
                noScroll: card.scrollWidth <= card.clientWidth && document.documentElement.scrollWidth <= innerWidth,
                rowsOneLine: ['outcome', 'complete', 'refer']
                    .map((id) => document.getElementById(id).closest('.actions'))
                    .every((row) => new Set([...row.children].filter((el) => el.offsetParent)
                        .map((el) => Math.round(el.getBoundingClientRect().top))).size <= 1)};
    }""")


def test_complete_and_call_next_serves_in_two_presses_and_the_display_hears_both(live, page_factory, shot, request):
    db = request.node.callspec.params["live"]
    display = display_page(live, page_factory)
    clerk = counter_page(live, page_factory, "clerk1", 1)
    first, second, third = live.issue("A"), live.issue("A"), live.issue("A")
    clerk.wait_for_selector(f"#lines button.ticket[data-id='{third['id']}']")
    assert clerk.is_disabled("#complete-next"), "nothing to complete yet"
    clerk.keyboard.press("n")
    current(clerk, first["code"])
    assert clerk.is_disabled("#complete-next"), "called is not served: start first"
    clerk.click("#start")
    clerk.wait_for_function("!document.getElementById('complete-next').disabled")
    clerk.select_option("#outcome", "berkas_kurang")
    shot(clerk, f"counter-complete-next-serving-{db}")
    assert fits(clerk) == FITS
    wait_shown(display, 1)
    listen(display)
    snapshots = display.evaluate("ptspDisplay.live.snapshots")

    clerk.click("#complete-next")
    current(clerk, second["code"])
    events = heard(display, 2)
    assert [(name, code) for name, code, _seq in events] == [
        ("ticket_completed", first["code"]), ("ticket_called", second["code"])]
    assert events[1][2] == events[0][2] + 1  # numbered without a gap: no resync
    assert display.evaluate("ptspDisplay.live.snapshots") == snapshots
    assert [s["code"] for s in wait_shown(display, 2)][-1] == second["code"]
    # The page is as after "Selesai" then "Panggil berikutnya": the new ticket is called, so recall, start and
    # no-show are offered, both completions are not, the outcome is back to its default, the figures count one.
    assert "dipanggil ×1" in clerk.inner_text("#current-info")
    assert [clerk.is_enabled(f"#{b}") for b in ("recall", "start", "no-show", "complete", "complete-next")] == [
        True, True, True, False, False]
    assert clerk.input_value("#outcome") == "selesai"
    clerk.wait_for_function("document.getElementById('fig-served').textContent === '1'")
    clerk.wait_for_function(f"!document.querySelector(\"#lines button.ticket[data-id='{second['id']}']\")")
    assert clerk.inner_text("#message") == ""
    assert status_of(first) == "done" and status_of(second) == "called" and status_of(third) == "waiting"
    assert stored(live, first["id"]) == ("done", "berkas_kurang")

    # The shortcut does the same: C, on the ticket being served.
    clerk.click("#start")
    clerk.wait_for_function("!document.getElementById('complete-next').disabled")
    clerk.keyboard.press("c")
    current(clerk, third["code"])
    assert [(name, code) for name, code, _seq in heard(display, 4)][2:] == [
        ("ticket_completed", second["code"]), ("ticket_called", third["code"])]


def test_with_nobody_waiting_the_completion_stands_and_the_page_says_so(server, page_factory, shot):
    only = server.issue("A")
    clerk = counter_page(server, page_factory, "clerk1", 1)
    clerk.wait_for_selector(f"#lines button.ticket[data-id='{only['id']}']")
    call_and_start(clerk, only["code"])
    clerk.click("#complete-next")
    current(clerk, "—")
    clerk.wait_for_function("document.getElementById('message').textContent !== ''")
    assert clerk.inner_text("#message") == f"{only['code']} selesai. Tidak ada yang menunggu; belum ada yang dipanggil."
    assert clerk.get_attribute("#message", "class") == "message"  # news, not an error
    assert clerk.inner_text("#current-info") == "Tidak ada tiket aktif"
    assert clerk.is_disabled("#complete-next") and clerk.is_enabled("#call-next")
    clerk.wait_for_function("document.getElementById('fig-served').textContent === '1'")
    assert status_of(only) == "done"
    shot(clerk, "counter-complete-next-queue-empty")

    # In English: the same sentence, and the longer English label still fits on one line beside "Done".
    nxt = server.issue("A")
    clerk.click(".lang-switch a[data-lang=en]")
    clerk.wait_for_function("document.documentElement.lang === 'en' && window.ptspCounter.live.seq !== null")
    clerk.wait_for_function("document.getElementById('counter-state').textContent === 'open'")
    call_and_start(clerk, nxt["code"])
    assert "Done & call next" in clerk.inner_text("#complete-next")
    shot(clerk, "counter-complete-next-serving-en")
    assert fits(clerk) == FITS
    clerk.keyboard.press("c")
    current(clerk, "—")
    clerk.wait_for_function("document.getElementById('message').textContent !== ''")
    assert clerk.inner_text("#message") == f"{nxt['code']} done. Nobody is waiting; nobody was called."
    shot(clerk, "counter-complete-next-queue-empty-en")


def test_a_double_click_completes_once_and_calls_once(server, page_factory):
    display = display_page(server, page_factory)
    clerk = counter_page(server, page_factory, "clerk1", 1)
    first, second, third = server.issue("A"), server.issue("A"), server.issue("A")
    clerk.wait_for_selector(f"#lines button.ticket[data-id='{third['id']}']")
    call_and_start(clerk, first["code"])
    listen(display)
    clerk.evaluate("""() => {  // count the commands the page sends, by request id
        window.sent = [];
        const emit = ptspCounter.socket.emit.bind(ptspCounter.socket);
        ptspCounter.socket.emit = (name, data, ...rest) => {
            if (name === 'command') sent.push([data.action, data.request_id]);
            return emit(name, data, ...rest);
        };
    }""")
    clerk.dblclick("#complete-next")
    current(clerk, second["code"])
    assert [(name, code) for name, code, _seq in heard(display, 2)] == [
        ("ticket_completed", first["code"]), ("ticket_called", second["code"])]
    assert status_of(first) == "done" and status_of(second) == "called" and status_of(third) == "waiting"
    sent = clerk.evaluate("window.sent")  # a retry after a timeout would repeat the same request id
    assert {action for action, _id in sent} == {"complete_and_call_next"} and len({i for _a, i in sent}) == 1, sent
    assert clerk.inner_text("#message") == "", "a second command was sent and refused"


def test_a_refused_command_says_why_and_changes_nothing(server, page_factory):
    clerk = counter_page(server, page_factory, "clerk1", 1)
    first, second = server.issue("A"), server.issue("A")
    clerk.wait_for_selector(f"#lines button.ticket[data-id='{second['id']}']")
    call_and_start(clerk, first["code"])
    # An outcome the server does not accept (as a stale page could send): the command is refused as a whole.
    clerk.evaluate("document.getElementById('outcome').add(new Option('?', 'Not An Outcome'), 0)")
    clerk.select_option("#outcome", "Not An Outcome")
    clerk.click("#complete-next")
    clerk.wait_for_function("document.getElementById('message').className === 'message error'")
    assert clerk.inner_text("#message").strip() != ""
    assert "invalid_input" not in clerk.inner_text("#message")  # a sentence, not an error code
    assert clerk.inner_text("#current-code") == first["code"]
    assert "sedang dilayani" in clerk.inner_text("#current-info")
    assert clerk.is_enabled("#complete-next") and clerk.is_enabled("#complete")
    assert status_of(first) == "serving" and status_of(second) == "waiting"
