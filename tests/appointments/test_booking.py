"""Booking from the public page: free slots, refusals that change nothing, cancel and reschedule, the limits
against brokers (calo), and slot capacity taken from the plan (docs/appointments.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from ptsp.domain.appointments import bookable_per_hour
from ptsp.models import Appointment, Office, OfficeClosedDay, Service
from ptsp.services import appointments
from ptsp.services.appointment_capacity import hour_plans
from tests.appointments.conftest import MONDAY, book, booking, code_of, rows, service_set, settings

TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def one_per_slot(app, world):
    """Service A books one resident per 30-minute slot: the plan's one clerk, a third of it A's, no walk-ins
    expected (no history), the whole share open to booking: 1/3 x 60/10 = 2 an hour."""
    service_set(app, world.services["A"], booking_share=1.0, requirements=["KTP-el asli", "Kartu Keluarga"])
    return world.services["A"]


def test_a_resident_books_a_slot_and_gets_a_code_a_qr_and_what_to_bring(app, client, world, one_per_slot):
    page = client.get("/book/kel-test")
    assert page.status_code == 200 and "KTP" in page.text and "Perizinan" in page.text
    answer = book(client, one_per_slot, MONDAY, "10:00")
    code = code_of(answer)
    shown = client.get(answer.headers["Location"])
    assert shown.status_code == 200
    assert code in shown.text and "<svg" in shown.text and "KTP-el asli" in shown.text
    assert f"/book/kel-test/b/{code}" in shown.text  # the QR code's URL, which a kiosk scanner may type
    saved = booking(app, code)
    assert (saved.status, saved.day, saved.slot_start.strftime("%H:%M")) == ("booked", MONDAY, "10:00")
    assert saved.starts_at == datetime(2026, 11, 23, 3, 0, tzinfo=saved.starts_at.tzinfo)  # 10:00 WIB
    assert saved.phone is None and saved.device_key and len(saved.device_key) == 64


def test_the_phone_is_kept_only_with_consent_and_never_shown(app, client, world, one_per_slot):
    code = code_of(book(client, one_per_slot, MONDAY, "10:00", phone="+62 812-3456-7890", consent=True))
    saved = booking(app, code)
    assert saved.phone == "081234567890" and saved.phone_consent and "dihapus" in saved.consent_text
    page = client.get(f"/book/kel-test/b/{code}")
    assert "7890" not in page.text


def test_a_full_slot_is_refused_and_nothing_changes(app, client, world, one_per_slot):
    code_of(book(client, one_per_slot, MONDAY, "10:00"))
    before = rows(app)
    other = app.test_client()
    answer = book(other, one_per_slot, MONDAY, "10:00")
    assert answer.status_code == 409 and "penuh" in answer.text
    assert rows(app) == before


def test_no_slot_on_a_holiday_in_a_break_or_after_the_last_ticket(app, client, world, one_per_slot):
    with app.extensions["ptsp.sessions"]() as session:
        session.add(OfficeClosedDay(office_id=world.office, day=TUESDAY, reason="Rapat kerja",
                                    created_at=datetime.now().astimezone()))
        session.commit()
    page = client.get(f"/book/kel-test/layanan/{one_per_slot}?day={TUESDAY.isoformat()}")
    assert "Rapat kerja" in page.text and 'name="time"' not in page.text
    saturday = client.get(f"/book/kel-test/layanan/{one_per_slot}?day=2026-11-28")
    assert 'name="time"' not in saturday.text
    before = rows(app)
    holiday = book(client, one_per_slot, TUESDAY, "10:00")
    assert holiday.status_code == 409 and "Rapat kerja" in holiday.text
    for day, at in ((MONDAY, "12:00"), (MONDAY, "12:30"), (MONDAY, "15:30"), (MONDAY, "08:30"),
                    (date(2026, 11, 28), "10:00"), (MONDAY, "10:15")):
        answer = book(client, one_per_slot, day, at)  # a break, the cut-off, past, Saturday, not a slot start
        assert answer.status_code == 422, (day, at, answer.status_code)
    assert rows(app) == before
    assert book(client, one_per_slot, MONDAY, "15:00").status_code == 303  # the last slot before 15:30


@pytest.mark.parametrize("form", [
    {"day": "2026-13-01", "time": "10:00"},
    {"day": "", "time": "10:00"},
    {"day": "2026-11-23", "time": "25:00"},
    {"day": "2026-11-23", "time": ""},
    {"day": "2026-11-23", "time": "10:00", "phone": "12345", "consent": "yes"},
    {"day": "2026-11-23", "time": "10:00", "phone": "081234567890"},  # a number without consent
    {"day": "2026-12-23", "time": "10:00"},  # beyond the 14 days open to booking
    {"day": "2026-11-22", "time": "10:00"},  # yesterday
])
def test_bad_input_is_a_4xx_and_changes_nothing(app, client, world, one_per_slot, form):
    client.get(f"/book/kel-test/layanan/{one_per_slot}")
    before = rows(app)
    answer = client.post(f"/book/kel-test/layanan/{one_per_slot}", data=form)
    assert 400 <= answer.status_code < 500 and 'class="error"' in answer.text
    assert rows(app) == before


def test_unknown_office_service_or_code_are_404_and_a_service_not_open_to_booking_is_refused(
        app, client, world, one_per_slot):
    assert client.get("/book/nowhere").status_code == 404
    assert client.get("/book/kel-test/b/ABCD-EFGH").status_code == 404
    assert client.get("/book/kel-test/b/not-a-code").status_code == 404
    service_set(app, world.services["C"], booking_share=0.0)
    before = rows(app)
    assert client.get(f"/book/kel-lain/layanan/{one_per_slot}").status_code == 422  # A of another office
    client.get(f"/book/kel-test/layanan/{one_per_slot}")
    assert client.post(f"/book/kel-lain/layanan/{one_per_slot}", data={"day": "2026-11-23", "time": "10:00"}
                       ).status_code == 422
    answer = client.post(f"/book/kel-test/layanan/{world.services['C']}", data={"day": "2026-11-23", "time": "10:00"})
    assert answer.status_code == 422
    assert rows(app) == before
    assert "Surat" not in client.get("/book/kel-test").text


def test_a_post_without_the_csrf_token_or_the_booking_cookie_is_refused(app, world, one_per_slot):
    plain = FlaskClient(app, use_cookies=True)
    plain.get(f"/book/kel-test/layanan/{one_per_slot}")
    before = rows(app)
    refused = plain.post(f"/book/kel-test/layanan/{one_per_slot}", data={"day": "2026-11-23", "time": "10:00"})
    assert refused.status_code == 403
    fresh = app.test_client()  # never opened a booking page: no device cookie
    answer = fresh.post(f"/book/kel-test/layanan/{one_per_slot}", data={"day": "2026-11-23", "time": "10:00"})
    assert answer.status_code == 422 and "Cookie" in answer.text
    assert rows(app) == before


def test_changes_are_rate_limited_per_address(app, client, world, one_per_slot):
    app.config["RATELIMIT_BOOKING"] = "2 per hour"
    assert book(client, one_per_slot, MONDAY, "10:00").status_code == 303
    assert book(client, one_per_slot, MONDAY, "10:30").status_code == 303
    before = rows(app)
    assert book(app.test_client(), one_per_slot, MONDAY, "11:00").status_code == 429
    assert rows(app) == before


def test_cancel_gives_the_place_back(app, client, world, one_per_slot):
    code = code_of(book(client, one_per_slot, MONDAY, "10:00"))
    assert client.post(f"/book/kel-test/b/{code}/batal").status_code == 303
    assert booking(app, code).status == "cancelled" and booking(app, code).cancelled_at is not None
    assert "Dibatalkan" in client.get(f"/book/kel-test/b/{code}").text
    again = client.post(f"/book/kel-test/b/{code}/batal")
    assert again.status_code == 409
    assert book(app.test_client(), one_per_slot, MONDAY, "10:00").status_code == 303


def test_reschedule_moves_the_booking_and_frees_its_old_slot(app, client, world, one_per_slot):
    code = code_of(book(client, one_per_slot, MONDAY, "10:00"))
    form = client.get(f"/book/kel-test/b/{code}/ubah?day={TUESDAY.isoformat()}")
    assert form.status_code == 200 and code in form.text
    moved = client.post(f"/book/kel-test/b/{code}/ubah", data={"day": TUESDAY.isoformat(), "time": "09:00"})
    assert moved.status_code == 303
    saved = booking(app, code)
    assert (saved.day, saved.slot_start.strftime("%H:%M"), saved.reschedules) == (TUESDAY, "09:00", 1)
    assert book(app.test_client(), one_per_slot, MONDAY, "10:00").status_code == 303  # the old place is free
    taken = app.test_client()
    code_of(book(taken, one_per_slot, TUESDAY, "10:00"))
    before = rows(app)
    full = client.post(f"/book/kel-test/b/{code}/ubah", data={"day": TUESDAY.isoformat(), "time": "10:00"})
    assert full.status_code == 409
    assert rows(app) == before


def test_limits_per_device_and_per_phone_and_a_day(app, client, world, one_per_slot):
    settings(app, world.office, max_per_day=2)
    code_of(book(client, one_per_slot, MONDAY, "10:00"))
    code_of(book(client, one_per_slot, MONDAY, "10:30"))
    before = rows(app)
    third = book(client, one_per_slot, MONDAY, "11:00")
    assert third.status_code == 403 and "2 janji per hari" in third.text
    assert rows(app) == before
    code_of(book(client, one_per_slot, TUESDAY, "10:00"))  # another day is another count
    phone = app.test_client()
    code_of(book(phone, one_per_slot, MONDAY, "13:00", phone="081211112222", consent=True))
    code_of(book(phone, one_per_slot, MONDAY, "13:30", phone="081211112222", consent=True))
    other_device_same_phone = app.test_client()
    answer = book(other_device_same_phone, one_per_slot, MONDAY, "14:00", phone="0812-1111-2222", consent=True)
    assert answer.status_code == 403


def test_repeated_no_shows_block_the_phone_and_the_device(app, client, clock, world, one_per_slot):
    code_of(book(client, one_per_slot, MONDAY, "09:30", phone="081299998888", consent=True))
    code_of(book(client, one_per_slot, MONDAY, "10:00", phone="081299998888", consent=True))
    clock.advance(hours=2)  # 11:00: both windows (to 09:45 and 10:15) are over, nobody came
    blocked = book(client, one_per_slot, TUESDAY, "10:00")
    assert blocked.status_code == 403 and "tidak didatangi" in blocked.text
    with app.extensions["ptsp.sessions"]() as session:
        assert sorted(session.scalars(select(Appointment.status))) == ["no_show", "no_show"]
    by_phone = book(app.test_client(), one_per_slot, TUESDAY, "10:00", phone="081299998888", consent=True)
    assert by_phone.status_code == 403
    assert book(app.test_client(), one_per_slot, TUESDAY, "10:00").status_code == 303  # a stranger books


def test_english_is_the_second_language_of_the_booking_pages(app, client, world, one_per_slot):
    page = client.get(f"/book/kel-test/layanan/{one_per_slot}?lang=en")
    assert "Book" in page.text and "ID card" in page.text


def test_slot_capacity_comes_from_the_plan(app, world, clock):
    from tests.planning.history_builder import office_days

    days = [MONDAY - timedelta(days=i) for i in range(1, 43) if (MONDAY - timedelta(days=i)).weekday() < 5]
    with app.extensions["ptsp.sessions"]() as session:
        office_days(session, "kel-lain", days, lambda p, h, w: 3.0, {"A": 10}, lambda h, w: 1)
        session.commit()
        office = session.scalars(select(Office).where(Office.slug == "kel-lain")).one()
        service = session.get_one(Service, world.other_service)
        plans = hour_plans(session, office, MONDAY)["mon"]["A"]
        # One service alone on one counter: the pool's clerks are all A's, the walk-ins its forecast.
        assert set(plans) == {8, 9, 10, 11, 13, 14, 15}
        assert all(p.clerks >= 1 for p in plans.values())
        assert 2.0 <= sum(p.walk_ins for p in plans.values()) / len(plans) <= 4.5  # 3 an hour were written
        now = clock()
        slots = appointments.day_slot_list(session, office, service, MONDAY + timedelta(days=7), now)
        hours = {8: 1.0, 9: 1.0, 10: 1.0, 11: 1.0, 13: 1.0, 14: 1.0, 15: 0.5}  # 15:30 is the cut-off
        expected = sum(bookable_per_hour(plans[h], 10, service.booking_share) * share for h, share in hours.items())
        assert sum(s.capacity for s in slots) == int(expected + 1e-9)
        assert sum(s.capacity for s in slots) > 0
        # More expected walk-ins leave less to book: the same office with five times the walk-ins.
        office_days(session, "kel-lain", days, lambda p, h, w: 12.0, {"A": 10}, lambda h, w: 1, seed=8)
        session.commit()
        busier = hour_plans(session, office, MONDAY)["mon"]["A"]
        assert all(busier[h].walk_ins > plans[h].walk_ins for h in plans)
