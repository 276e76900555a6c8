"""Bookings on the manager's pages: the day's bookings, check-ins and no-shows per service on the dashboard, the
no-show rate over a period on the charts page and in its JSON, the bookings CSV, phone tickets, agency scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from ptsp.analytics.bookings import no_show_rate
from ptsp.analytics.dashboard import office_live
from ptsp.models import Appointment, Office, Service, Ticket
from ptsp.services import tickets
from ptsp.services.actors import Actor
from tests.conftest import login
from tests.test_agency_scope import client_of, csv_rows, mpp  # noqa: F401  (mpp is a fixture)

MONDAY, TUESDAY = date(2026, 11, 23), date(2026, 11, 24)
WIB = timedelta(hours=7)


def add_booking(app, office_id: int, service_id: int, day: date, at: str, status: str,
                phone: str | None = None) -> int:
    slot = time.fromisoformat(at)
    starts_at = datetime.combine(day, slot, UTC) - WIB
    with app.extensions["ptsp.sessions"]() as session:
        booking = Appointment(
            office_id=office_id, service_id=service_id, day=day, slot_start=slot, starts_at=starts_at,
            code=f"{len(session.scalars(select(Appointment.id)).all()):04d}-TEST", status=status, phone=phone,
            phone_consent=phone is not None, created_at=starts_at - timedelta(days=1),
            checked_in_at=starts_at - timedelta(minutes=5) if status == "checked_in" else None)
        session.add(booking)
        session.commit()
        return booking.id


@pytest.fixture
def booked(app, world):
    """At 09:00 WIB on Monday (the suite's clock): A 08:00 still `booked` (its window closed at 08:15: a
    no-show), A 08:30 checked in, A 10:00 booked (pending), B 08:00 recorded no-show, B 08:30 came late
    (converted to a walk-in), C 09:00 cancelled (not counted), A on Tuesday (another day)."""
    s = world.services
    add_booking(app, world.office, s["A"], MONDAY, "08:00", "booked", phone="081234567890")
    add_booking(app, world.office, s["A"], MONDAY, "08:30", "checked_in")
    add_booking(app, world.office, s["A"], MONDAY, "10:00", "booked")
    add_booking(app, world.office, s["B"], MONDAY, "08:00", "no_show")
    add_booking(app, world.office, s["B"], MONDAY, "08:30", "converted_walk_in")
    add_booking(app, world.office, s["C"], MONDAY, "09:00", "cancelled")
    add_booking(app, world.office, s["A"], TUESDAY, "10:00", "booked")


@pytest.fixture
def read(app):
    session = app.extensions["ptsp.read_sessions"]()
    yield session
    session.close()


def test_the_dashboard_counts_the_days_bookings_check_ins_and_no_shows_per_service(read, world, booked, clock):
    live = office_live(read, read.get(Office, world.office), clock())
    services = {s["prefix"]: s["bookings"] for s in live["services"]}
    assert services["A"] == {"booked": 3, "checked_in": 1, "late": 0, "no_show": 1, "pending": 1}
    assert services["B"] == {"booked": 2, "checked_in": 0, "late": 1, "no_show": 1, "pending": 0}
    assert services["C"] == {"booked": 0, "checked_in": 0, "late": 0, "no_show": 0, "pending": 0}
    assert live["bookings_today"] == {"booked": 5, "checked_in": 1, "late": 1, "no_show": 2, "pending": 1,
                                      "no_show_percent": 50.0}


def test_a_booking_becomes_a_no_show_once_its_window_closes(read, world, booked, clock):
    clock.advance(minutes=75)  # 10:15 WIB: A 10:00's window (15 minutes late) closes now, not yet
    before = office_live(read, read.get(Office, world.office), clock())["bookings_today"]
    clock.advance(seconds=1)
    after = office_live(read, read.get(Office, world.office), clock())["bookings_today"]
    assert (before["no_show"], before["pending"]) == (2, 1)
    assert (after["no_show"], after["pending"], after["no_show_percent"]) == (3, 0, 60.0)


def test_phone_tickets_are_counted_apart(app, read, world, clock):
    kiosk = Actor("device", None, "kiosk", world.office)
    with app.extensions["ptsp.sessions"]() as session:
        made = [tickets.issue(session, office_id=world.office, service_id=world.services["A"], actor=kiosk,
                              now=clock())[0].id for _ in range(3)]
        session.commit()
        session.execute(update(Ticket).where(Ticket.id.in_(made[:2])).values(source="phone"))
        session.commit()
    live = office_live(read, read.get(Office, world.office), clock())
    assert (live["issued_today"], live["phone_today"]) == (3, 2)


def test_the_no_show_rate_over_a_period_per_office(read, world, booked, clock):
    offices = list(read.scalars(select(Office).where(Office.id.in_([world.office, world.other_office]))))
    now = clock()
    monday = no_show_rate(read, offices, MONDAY, MONDAY, now)
    assert (monday["booked"], monday["no_show"], monday["percent"]) == (5, 2, 50.0)
    assert [o["id"] for o in monday["offices"]] == [world.office]  # an office with no booking is left out
    both = no_show_rate(read, offices, MONDAY, TUESDAY, now)
    assert (both["booked"], both["pending"], both["percent"]) == (6, 2, 50.0)
    later = no_show_rate(read, offices, MONDAY, TUESDAY, now + timedelta(days=2))
    assert (later["no_show"], later["pending"], later["percent"]) == (4, 0, 66.7)
    assert no_show_rate(read, offices, TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=3), now)["percent"] \
        is None


def test_the_pages_show_bookings_and_the_no_show_rate(client, world, booked):
    login(client, "manager")
    page = client.get(f"/manager/dashboard?office={world.office}").get_data(as_text=True)
    assert 'data-kpi="bookings">5<' in page and 'data-kpi="checked-in">1<' in page
    assert "Janji hari ini" in page
    live = client.get(f"/manager/api/dashboard?office={world.office}").get_json()
    assert live["offices"][0]["bookings_today"]["no_show"] == 2
    charts = client.get(f"/manager/api/charts?office={world.office}&from=2026-11-23&to=2026-11-24").get_json()
    assert (charts["bookings"]["booked"], charts["bookings"]["percent"]) == (6, 50.0)
    page = client.get(f"/manager/charts?office={world.office}&from=2026-11-23&to=2026-11-24").get_data(as_text=True)
    assert 'id="booking-table"' in page and "50,0%" in page


def test_the_bookings_csv_has_outcomes_and_nothing_personal(client, world, booked):
    login(client, "manager")
    rows = csv_rows(client.get(f"/manager/export/bookings.csv?office={world.office}&from=2026-11-23&to=2026-11-24"))
    assert rows[0] == ["booking_id", "office", "day", "slot", "service", "status", "outcome", "checked_in_at",
                       "ticket"]
    assert [(r[2], r[3], r[4], r[6]) for r in rows[1:]] == [
        ("2026-11-23", "08:00", "A", "no_show"), ("2026-11-23", "08:00", "B", "no_show"),
        ("2026-11-23", "08:30", "A", "checked_in"), ("2026-11-23", "08:30", "B", "late"),
        ("2026-11-23", "09:00", "C", ""), ("2026-11-23", "10:00", "A", "pending"),
        ("2026-11-24", "10:00", "A", "pending")]
    assert rows[3][7] == "2026-11-23T08:25:00+07:00"
    text = "\n".join(",".join(r) for r in rows)
    assert "0812" not in text and "TEST" not in text  # no phone, no booking code
    page = client.get("/manager/export").get_data(as_text=True)
    assert 'formaction="/manager/export/bookings.csv"' in page


def test_an_agency_manager_sees_only_their_agencys_bookings(app, mpp, clock):  # noqa: F811
    with app.extensions["ptsp.sessions"]() as session:
        ids = {s.prefix: s.id for s in session.scalars(select(Service).where(Service.office_id == mpp.office))}
    add_booking(app, mpp.office, ids["A"], MONDAY, "08:00", "no_show")
    add_booking(app, mpp.office, ids["A"], MONDAY, "08:30", "checked_in")
    add_booking(app, mpp.office, ids["C"], MONDAY, "08:00", "no_show")
    add_booking(app, mpp.office, ids["C"], MONDAY, "08:30", "no_show")
    own = client_of(app, "mgr.a")
    [office] = own.get("/manager/api/dashboard").get_json()["offices"]
    assert (office["bookings_today"]["booked"], office["bookings_today"]["no_show_percent"]) == (2, 50.0)
    charts = own.get("/manager/api/charts?from=2026-11-23&to=2026-11-23").get_json()
    assert (charts["bookings"]["booked"], charts["bookings"]["no_show"]) == (2, 1)
    assert {r[4] for r in csv_rows(own.get("/manager/export/bookings.csv"))[1:]} == {"A"}
    assert own.get(f"/manager/export/bookings.csv?agency={mpp.agencies['SAMSAT']}").status_code == 403
    whole = client_of(app, "mgr.mpp")
    [office] = whole.get("/manager/api/dashboard").get_json()["offices"]
    assert (office["bookings_today"]["booked"], office["bookings_today"]["no_show_percent"]) == (4, 75.0)
