"""Check-in at the kiosk on a frozen clock, and the calling order that merges appointments with walk-ins
(docs/appointments.md, "Check-in at the kiosk" and "Calling order")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from printers import TicketPrintData, ticket_layout
from printers.model import TextLine
from ptsp.domain.errors import QueueEmpty
from ptsp.models import Staff, Ticket
from ptsp.services import tickets
from ptsp.services.actors import Actor
from ptsp.services.counter_screen import waiting_tickets
from ptsp.services.counters import open_counter
from ptsp.services.printing import ticket_print_facts
from tests.appointments.conftest import MONDAY, book, booking, code_of, rows, service_set, settings
from tests.conftest import bearer


@pytest.fixture
def bookable(app, world):
    service_set(app, world.services["A"], booking_share=1.0)
    return world.services["A"]


def check_in(client, world, text: str, kiosk: str | None = None, office: int | None = None):
    return client.post("/kiosk/check-in", headers=bearer(kiosk or world.kiosk),
                       json={"office": office or world.office, "text": text})


@pytest.mark.parametrize(("minutes", "status", "timing"), [
    (-31, 409, None), (-30, 201, "early"), (0, 201, "on_time"), (15, 201, "on_time"), (16, 201, "late"),
])
def test_the_check_in_window_edges(app, client, clock, world, bookable, minutes, status, timing):
    code = code_of(book(client, bookable, MONDAY, "10:30"))  # 10:30 WIB = 03:30 UTC
    clock.now = clock.now.replace(hour=3, minute=30) + timedelta(minutes=minutes)
    before = rows(app)
    answer = check_in(client, world, code)
    assert answer.status_code == status, answer.get_json()
    if status != 201:
        assert answer.get_json()["error"] == "invalid_transition" and "10:00" in answer.get_json()["message"]
        assert rows(app) == before
        return
    body = answer.get_json()
    assert body["check_in"]["timing"] == timing
    saved = booking(app, code)
    assert saved.ticket_id == body["ticket"]["id"] and saved.checked_in_at == clock()
    assert body["ticket"]["code"].startswith("A")
    if timing == "late":  # recorded as a no-show at the window's end, then the resident came: a walk-in
        assert saved.status == "converted_walk_in" and body["ticket"]["appointment"] is False
    else:
        assert saved.status == "checked_in" and body["ticket"]["appointment"] is True
        assert body["check_in"]["slot"] == "10:30"


def test_a_booking_is_spent_once_and_only_at_its_own_office_and_day(app, client, clock, world, bookable):
    code = code_of(book(client, bookable, MONDAY, "09:30"))
    later = code_of(book(client, bookable, MONDAY + timedelta(days=1), "09:30"))
    before = rows(app)
    assert check_in(client, world, later).status_code == 409  # tomorrow's booking
    other = check_in(client, world, code, kiosk=world.other_kiosk, office=world.other_office)
    assert other.status_code == 404  # another office's kiosk does not learn that the code exists
    for text in ("", "0000-0000", "x" * 301):
        assert check_in(client, world, text).status_code in (404, 422)
    assert check_in(client, world, code, office=world.other_office).status_code == 403
    assert rows(app) == before
    url = f"http://localhost/book/kel-test/b/{code.lower()}"
    assert check_in(client, world, url).status_code == 201  # what a scanner types from the QR code
    again = check_in(client, world, code)
    assert again.status_code == 409
    assert again.get_json()["message"] == "Kode janji ini sudah dipakai untuk mengambil nomor antrean"


def test_a_cancelled_or_missed_booking_gets_no_ticket(app, client, clock, world, bookable):
    cancelled = code_of(book(client, bookable, MONDAY, "09:30"))
    client.post(f"/book/kel-test/b/{cancelled}/batal")
    missed = code_of(book(client, bookable, MONDAY, "10:00"))
    clock.advance(days=1)  # Tuesday: Monday's 10:00 booking was never checked in
    before = rows(app)
    assert check_in(client, world, cancelled).status_code == 410
    assert check_in(client, world, missed).get_json()["error"] == "gone"
    assert booking(app, missed).status == "no_show"
    assert rows(app)["tickets"] == before["tickets"]


def test_a_checked_in_appointment_passes_quota_and_cut_off_but_not_a_closed_day(app, client, clock, world):
    service_set(app, world.services["A"], booking_share=1.0, daily_quota=1)
    settings(app, world.office, late_minutes=45)
    code = code_of(book(client, world.services["A"], MONDAY, "15:00"))
    walk_in = {"office": world.office, "service": world.services["A"]}
    assert client.post("/api/v1/tickets", headers=bearer(world.kiosk), json=walk_in).status_code == 201
    clock.now = clock.now.replace(hour=8, minute=40)  # 15:40 WIB: after the 15:30 cut-off, inside the window
    assert client.post("/api/v1/tickets", headers=bearer(world.kiosk), json=walk_in).status_code == 409
    answer = check_in(client, world, code)
    assert answer.status_code == 201 and answer.get_json()["ticket"]["number"] == 2  # numbering goes on


def test_the_ticket_the_list_and_the_paper_show_the_appointment(app, client, clock, world, bookable):
    code = code_of(book(client, bookable, MONDAY, "10:00"))
    clock.now = clock.now.replace(hour=2, minute=40)  # 09:40: early, the ticket waits for 10:00
    body = check_in(client, world, code).get_json()
    with app.app_context(), app.extensions["ptsp.sessions"]() as session:
        ticket = session.get_one(Ticket, body["ticket"]["id"])
        line = waiting_tickets(session, world.office, clock())[bookable]
        assert line == [{"id": ticket.id, "code": ticket.code, "priority": "regular", "transferred": False,
                         "appointment": "10:00", "ready": False, "urgent": None,
                         "returned": False}]
        facts = ticket_print_facts(session, ticket, "http://x/t/y", "id", clock())
        paper = [b.text for b in ticket_layout(TicketPrintData(**facts), 32).blocks
                 if isinstance(b, TextLine)]
        assert "JANJI pukul 10.00 WIB" in paper


def test_call_next_merges_ready_appointments_with_walk_ins_at_most_two_in_a_row(app, client, clock, world, bookable):
    settings(app, world.office, max_run=2, max_per_day=5, late_minutes=90)
    codes = [code_of(book(client, bookable, MONDAY, at)) for at in ("09:30", "10:00", "10:30")]
    early = code_of(book(client, bookable, MONDAY, "11:00"))
    clock.now = clock.now.replace(hour=3, minute=31)  # 10:31: three slots have begun, 11:00 has not
    walk_ins = [client.post("/api/v1/tickets", headers=bearer(world.kiosk), json={
        "office": world.office, "service": bookable}).get_json()["code"] for _ in range(3)]
    answers = [check_in(client, world, code).get_json() for code in codes]
    assert [a["check_in"]["timing"] for a in answers] == ["on_time"] * 3
    appointments = [a["ticket"]["code"] for a in answers]
    waiting_early = check_in(client, world, early).get_json()["ticket"]["code"]
    with app.extensions["ptsp.sessions"]() as session:
        staff = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        actor = Actor("staff", staff.id, "clerk", world.office)
        open_counter(session, counter_id=world.counters[1], actor=actor, now=clock())
        session.commit()
        called = []
        for _ in range(6):
            ticket = tickets.call_next(session, counter_id=world.counters[1], actor=actor, now=clock())
            called.append(ticket.code)
            tickets.start(session, ticket_id=ticket.id, actor=actor, now=clock())
            tickets.complete(session, ticket_id=ticket.id, outcome="selesai", actor=actor, now=clock())
            session.commit()
        a, w = appointments, walk_ins
        assert called == [a[0], a[1], w[0], a[2], w[1], w[2]]
        with pytest.raises(QueueEmpty):  # the 11:00 appointment waits for its slot
            tickets.call_next(session, counter_id=world.counters[1], actor=actor, now=clock())
        session.rollback()
        clock.now = clock.now.replace(hour=4, minute=0)
        assert tickets.call_next(session, counter_id=world.counters[1], actor=actor, now=clock()).code == waiting_early
