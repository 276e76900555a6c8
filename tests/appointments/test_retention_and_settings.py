"""A booking's phone number and limit keys are deleted when their use is over; the booking settings come from
the set-up file (docs/appointments.md, "Privacy" and "Settings")."""

from __future__ import annotations

import copy
from datetime import timedelta

from sqlalchemy import select

from ptsp.models import AppointmentSettings, Service
from ptsp.services.appointment_retention import BookingPurge, purge_bookings
from ptsp.services.setup import load_setup
from tests.appointments.conftest import MONDAY, book, booking, code_of, service_set, settings
from tests.conftest import SETUP, bearer


def test_phones_go_after_the_visit_and_no_show_keys_after_the_block(app, client, clock, world):
    service_set(app, world.services["A"], booking_share=1.0)
    settings(app, world.office, block_days=30)
    came = code_of(book(client, world.services["A"], MONDAY, "09:30", phone="081211112222", consent=True))
    missed = code_of(book(client, world.services["A"], MONDAY, "10:00", phone="081233334444", consent=True))
    cancelled = code_of(book(app.test_client(), world.services["A"], MONDAY + timedelta(days=2), "10:00",
                             phone="081255556666", consent=True))
    client.post(f"/book/kel-test/b/{cancelled}/batal")
    clock.now = clock.now.replace(hour=2, minute=35)  # 09:35: the 09:30 resident checks in
    assert client.post("/kiosk/check-in", headers=bearer(world.kiosk),
                       json={"office": world.office, "text": came}).status_code == 201
    with app.extensions["ptsp.sessions"]() as session:
        today = purge_bookings(session, today=MONDAY)  # the day is not over: only the cancelled one's phone
        session.commit()
    assert (today.phones, today.keys) == (1, 0)
    assert booking(app, cancelled).phone is None and booking(app, came).phone == "081211112222"

    with app.extensions["ptsp.sessions"]() as session:
        next_day = purge_bookings(session, today=MONDAY + timedelta(days=1))
        session.commit()
    assert next_day.phones == 2
    visited, no_show = booking(app, came), booking(app, missed)
    assert visited.phone is None and visited.consent_text is None and visited.phone_key is None
    assert no_show.status == "no_show" and no_show.phone is None and no_show.phone_key  # the block rests on it
    with app.extensions["ptsp.sessions"]() as session:
        assert purge_bookings(session, today=MONDAY + timedelta(days=1)) == BookingPurge(0, 0)  # a second run
        later = purge_bookings(session, today=MONDAY + timedelta(days=32))
        session.commit()
    assert later.keys >= 1 and booking(app, missed).phone_key is None and booking(app, missed).device_key is None
    assert booking(app, missed).status == "no_show"  # the count stays


def test_booking_settings_and_shares_come_from_the_set_up_file(app, world):
    data = copy.deepcopy(SETUP)
    office = data["offices"][1]
    office.update(booking_slot_minutes=15, booking_max_run=3, booking_max_per_day=1)
    office["services"][1]["booking_share"] = 0.0
    with app.extensions["ptsp.sessions"]() as session:
        load_setup(session, data)
        session.commit()
        row = session.get_one(AppointmentSettings, world.office)
        assert (row.slot_minutes, row.max_run, row.max_per_day, row.late_minutes) == (15, 3, 1, 15)
        shares = dict(session.execute(select(Service.prefix, Service.booking_share).where(
            Service.office_id == world.office)).all())
        assert shares == {"A": 0.5, "B": 0.0, "C": 0.5}
