"""Helpers for the appointment tests: the booking page as a resident's phone uses it, and a snapshot of what a
refused request must leave as it was."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from ptsp.models import Appointment, AppointmentSettings, Service, Ticket

MONDAY = date(2026, 11, 23)  # the suite's clock starts at 09:00 WIB on this day


@pytest.fixture(autouse=True)
def generous_limits(request):
    """The booking pages' rate limits out of the way in the tests with an app (one test puts them back)."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        app.config["RATELIMIT_BOOKING"] = app.config["RATELIMIT_BOOKING_LOOKUP"] = "10000 per hour"


def settings(app, office_id: int, **values: Any) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        row = session.get(AppointmentSettings, office_id)
        if row is None:
            row = AppointmentSettings(office_id=office_id, slot_minutes=30, days_ahead=14, early_minutes=30,
                                      late_minutes=15, max_per_day=2, no_show_limit=2, block_days=30, max_run=2)
            session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        session.commit()


def service_set(app, service_id: int, **values: Any) -> None:
    with app.extensions["ptsp.sessions"]() as session:
        service = session.get_one(Service, service_id)
        for key, value in values.items():
            setattr(service, key, value)
        session.commit()


def book(client, service_id: int, day: date, at: str, phone: str = "", consent: bool = False,
         slug: str = "kel-test"):
    """Open the service's page (which gives the phone its booking cookie), then post the form."""
    assert client.get(f"/book/{slug}/layanan/{service_id}?day={day.isoformat()}").status_code == 200
    form = {"day": day.isoformat(), "time": at, "phone": phone}
    if consent:
        form["consent"] = "yes"
    return client.post(f"/book/{slug}/layanan/{service_id}", data=form)


def code_of(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["Location"].split("/b/")[1].split("?")[0]


def rows(app) -> dict[str, list[tuple]]:
    """Every booking and ticket, to show that a refusal changed nothing."""
    with app.extensions["ptsp.sessions"]() as session:
        return {
            "appointments": [tuple(r) for r in session.execute(select(Appointment.__table__).order_by(Appointment.id))],
            "tickets": [tuple(r) for r in session.execute(select(Ticket.__table__).order_by(Ticket.id))],
        }


def booking(app, code: str) -> Appointment:
    with app.extensions["ptsp.sessions"]() as session:
        return session.scalars(select(Appointment).where(Appointment.code == code)).one()
