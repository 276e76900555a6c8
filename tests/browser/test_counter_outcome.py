"""Headless Chromium: the outcome a clerk picked (or a referral set) belongs to that ticket only."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from ptsp.db import make_engine
from ptsp.models import Ticket
from tests.browser.stations import counter_page


def _call_next(page, code: str) -> None:
    page.keyboard.press("n")
    page.wait_for_function(f"document.getElementById('current-code').textContent === '{code}'")


def _serve_and_complete(page) -> None:
    page.wait_for_function("!document.getElementById('start').disabled")
    page.click("#start")
    page.wait_for_function("!document.getElementById('complete').disabled")
    page.click("#complete")
    page.wait_for_function("document.getElementById('current-code').textContent === '—'")


def test_next_ticket_starts_with_the_default_outcome_after_a_referral_or_a_picked_outcome(server, page_factory):
    server.cli("department", "add", "--office", "kec-test", "--slug", "dukcapil", "--name", "Dinas Dukcapil")
    page = counter_page(server, page_factory, "clerk1", 1)
    referred, picked, plain = server.issue("A"), server.issue("A"), server.issue("A")
    page.wait_for_selector(f"#lines button.ticket[data-id='{plain['id']}']")

    _call_next(page, referred["code"])
    assert page.input_value("#outcome") == "selesai"
    page.wait_for_function("!document.getElementById('refer').disabled")
    page.click("#refer")
    page.wait_for_selector("#refer-dialog[open]")
    page.fill("#refer-note", "NIK ganda; mohon verifikasi data kependudukan")
    page.click("#refer-send")
    page.wait_for_function("window.ptspLastReferral !== undefined")
    assert page.input_value("#outcome") == "dirujuk"
    _serve_and_complete(page)

    _call_next(page, picked["code"])
    assert page.input_value("#outcome") == "selesai", "the referral's outcome must not carry over"
    page.select_option("#outcome", "berkas_kurang")
    _serve_and_complete(page)

    _call_next(page, plain["code"])
    assert page.input_value("#outcome") == "selesai", "the picked outcome must not carry over"
    _serve_and_complete(page)

    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    with sessionmaker(engine)() as session:
        outcomes = dict(session.execute(select(Ticket.id, Ticket.outcome)).all())
    engine.dispose()
    assert outcomes == {referred["id"]: "dirujuk", picked["id"]: "berkas_kurang", plain["id"]: "selesai"}
