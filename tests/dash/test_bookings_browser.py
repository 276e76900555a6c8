"""Headless Chromium at the counter/manager size: the dashboard's booking figures and the charts page's no-show
rate, with screenshots to look at (the `shot` fixture: PTSP_SCREENSHOTS names a folder to keep them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ptsp.db import make_engine
from ptsp.models import Appointment, Office, Service
from tests.dash.test_browser import kpi, manager_page


def book_today(server) -> None:
    """Three bookings of service A in the server's database: one checked in, one past its window (no-show), one
    still to come (pending); the test office runs on Jakarta time (near local midnight the slots cross days)."""
    engine = make_engine(server.env["PTSP_DATABASE_URL"])
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    local = now + timedelta(hours=7)
    try:
        with engine.begin() as conn:
            office = conn.scalar(select(Office.id).where(Office.slug == "kel-test"))
            service = conn.scalar(select(Service.id).where(Service.office_id == office, Service.prefix == "A"))
            for n, (back, status) in enumerate([(10, "checked_in"), (120, "booked"), (-20, "booked")]):
                starts = now - timedelta(minutes=back)
                conn.execute(Appointment.__table__.insert().values(
                    office_id=office, service_id=service, day=local.date(),
                    slot_start=(starts + timedelta(hours=7)).time(), starts_at=starts, code=f"SHOT-000{n}",
                    status=status, phone_consent=False, created_at=now - timedelta(days=1), reschedules=0,
                    checked_in_at=now if status == "checked_in" else None))
    finally:
        engine.dispose()


def test_the_dashboard_and_charts_show_bookings_at_1366x768(server, page_factory, shot):
    book_today(server)
    server.issue("A")
    page = manager_page(server, page_factory, "/manager/dashboard")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_selector("#live-state[data-state='live']")
    assert kpi(page, "bookings") == "3" and kpi(page, "checked-in") == "1"
    assert kpi(page, "booking-no-show") == "1" and kpi(page, "phone") == "0"
    assert page.inner_text("tr[data-service='A'] [data-cell='bookings']").replace(" ", "") == "3·1·1"
    shot(page, "dashboard-bookings-1366")
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "dashboard-bookings-1920")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server.base}/manager/charts")
    table = page.inner_text("#booking-table")
    assert "50,0%" in table
    page.locator("#booking-table").scroll_into_view_if_needed()
    shot(page, "charts-bookings-1366")
