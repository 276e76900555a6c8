"""The `booking_near` reminder: once, through the office's gateway, `PTSP_BOOKING_ALERT_MINUTES` before the slot,
only for a number given with consent, with nothing in it but the office and the time (docs/alerts.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

from sqlalchemy import func, select, update

from ptsp import alert_runner
from ptsp.discipline_webhook import sign
from ptsp.models import AlertSent, Appointment, Ticket
from tests.dash.test_bookings import MONDAY, add_booking
from tests.residents.conftest import GATEWAY_SECRET

PHONE = "081234567890"
MONDAY_TIME_0940 = time(9, 40)
STARTS_0940 = datetime(2026, 11, 23, 2, 40, tzinfo=UTC)


def round_(app) -> int:
    with app.app_context():
        return alert_runner.booking_round()


def bodies(residents) -> list[dict]:
    for request in residents.gateway.requests:
        assert request.headers["x-ptsp-signature"] == sign(GATEWAY_SECRET, request.body)
    return [json.loads(r.body) for r in residents.gateway.requests]


def marks(app) -> int:
    with app.extensions["ptsp.read_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(AlertSent).where(AlertSent.event == "booking_near"))


def test_a_booking_is_reminded_once_an_hour_before_its_slot(app, residents, clock):
    service = residents.world.services["A"]
    booking = add_booking(app, residents.world.office, service, MONDAY, "10:30", "booked", phone=PHONE)
    assert round_(app) == 0 and residents.gateway.requests == []  # 09:00: 90 minutes ahead
    clock.advance(minutes=29)
    assert round_(app) == 0  # 09:29: 61 minutes ahead
    clock.advance(minutes=1)
    assert round_(app) == 1  # 09:30: the hour before the slot has begun
    [sent] = bodies(residents)
    assert sent == {
        "event": "booking_near", "key": sent["key"], "ticket": "", "office": "Kelurahan Uji", "counter": None,
        "people_ahead": None, "slot_time": "10:30", "title": "Janji 10:30 · Kelurahan Uji",
        "text": "Pengingat: janji Anda di Kelurahan Uji pukul 10:30. Mohon datang tepat waktu dan tunjukkan kode "
                "janji di kios.",
        "to": "+6281234567890"}
    with app.extensions["ptsp.read_sessions"]() as session:
        code = session.get(Appointment, booking).code
    raw = residents.gateway.requests[0].body.decode()
    assert code not in raw and raw.count("81234567890") == 1  # the number only in `to`, never the booking code
    for _ in range(3):
        clock.advance(minutes=10)
        assert round_(app) == 0  # a repeat of the round sends nothing
    assert len(residents.gateway.requests) == 1 and marks(app) == 1
    clock.advance(minutes=29)  # 10:29: the mark is still needed
    round_(app)
    assert marks(app) == 1
    clock.advance(minutes=1)  # 10:30, the slot starts: no reminder is due any more, the mark goes
    round_(app)
    assert marks(app) == 0 and len(residents.gateway.requests) == 1


def test_a_moved_booking_is_reminded_for_its_new_slot(app, residents, clock):
    service = residents.world.services["A"]
    booking = add_booking(app, residents.world.office, service, MONDAY, "09:45", "booked", phone=PHONE)
    assert round_(app) == 1
    with app.extensions["ptsp.sessions"]() as session:
        row = session.get(Appointment, booking)
        row.starts_at, row.slot_start = row.starts_at.replace(minute=50), row.slot_start.replace(minute=50)
        session.commit()
    assert round_(app) == 1 and round_(app) == 0
    assert [b["slot_time"] for b in bodies(residents)] == ["09:45", "09:50"]


def test_no_reminder_without_consent_a_number_a_gateway_or_a_live_booking(app, residents, clock):
    office, service = residents.world.office, residents.world.services["A"]
    add_booking(app, office, service, MONDAY, "09:30", "booked")  # no number
    no_consent = add_booking(app, office, service, MONDAY, "09:30", "booked", phone=PHONE)
    with app.extensions["ptsp.sessions"]() as session:
        session.execute(update(Appointment).where(Appointment.id == no_consent).values(phone_consent=False))
        session.commit()
    add_booking(app, office, service, MONDAY, "09:30", "cancelled", phone=PHONE)
    add_booking(app, office, service, MONDAY, "08:30", "booked", phone=PHONE)  # its slot has passed
    add_booking(app, residents.world.other_office, residents.world.other_service, MONDAY, "09:30", "booked",
                phone=PHONE)  # the other office has no gateway
    assert round_(app) == 0 and residents.gateway.requests == [] and marks(app) == 0
    due = add_booking(app, office, service, MONDAY, "09:30", "booked", phone=PHONE)
    app.config["BOOKING_ALERT_MINUTES"] = 0  # reminders turned off
    assert round_(app) == 0
    app.config["BOOKING_ALERT_MINUTES"] = 60
    assert round_(app) == 1
    residents.office(alert_webhook_url=None)
    with app.extensions["ptsp.sessions"]() as session:
        session.execute(update(Appointment).where(Appointment.id == due).values(slot_start=MONDAY_TIME_0940,
                                                                                 starts_at=STARTS_0940))
        session.commit()
    assert round_(app) == 0 and len(residents.gateway.requests) == 1  # the office took its gateway away


def test_a_gateway_failure_is_not_retried_by_the_next_round(app, residents, clock):
    residents.gateway.statuses[:] = [500, 500, 500]
    add_booking(app, residents.world.office, residents.world.services["A"], MONDAY, "09:30", "booked", phone=PHONE)
    assert round_(app) == 0 and len(residents.gateway.requests) == 3  # three attempts, then given up
    assert round_(app) == 0 and len(residents.gateway.requests) == 3


def test_a_tickets_clean_up_leaves_a_bookings_mark_of_the_same_number(app, residents, clock):
    """`alerts_sent` holds ticket ids and booking ids side by side: an ended ticket's clean-up (which deletes its
    marks) must not delete the reminder mark of the booking that has the same number, or it would be sent again."""
    booking = add_booking(app, residents.world.office, residents.world.services["A"], MONDAY, "09:30", "booked",
                          phone=PHONE)
    ticket = residents.issue("A")["ticket"]["id"]
    assert ticket == booking  # both tables start at 1 on a fresh database
    assert round_(app) == 1
    with app.extensions["ptsp.sessions"]() as session:
        session.execute(update(Ticket).where(Ticket.id == ticket).values(status="cancelled"))
        session.commit()
    with app.app_context():
        alert_runner.forget_round()
    assert marks(app) == 1 and round_(app) == 0 and len(residents.gateway.requests) == 1
