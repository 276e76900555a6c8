"""Dashboard and chart figures on a small hand-built history, with exact expected numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ptsp.analytics.charts import arrivals_by_hour, chart_data, service_times, waiting_times
from ptsp.analytics.dashboard import live_dashboard, office_live, service_level
from ptsp.models import Office
from ptsp.services import tickets
from ptsp.services.actors import Actor

MONDAY = date(2026, 11, 23)


@pytest.fixture
def read(app):
    session = app.extensions["ptsp.read_sessions"]()
    yield session
    session.close()


def office(session, office_id):
    return session.get(Office, office_id)


def test_service_level_counts_called_tickets_and_overdue_waiting_ones(read, world, monday, clock):
    level = service_level(read, office(read, world.office), MONDAY, clock())
    # A-001 in 5 min (within), A-002 in 20 min (missed), C-001 still waiting after 30 min (missed);
    # C-002 cancelled after 5 min and B-001 waiting 2 min are not counted.
    assert level == {"target_minutes": 15, "counted": 3, "within": 1, "percent": 33.3}


def test_service_level_counts_a_ticket_once_it_outwaits_the_target(read, world, monday, clock):
    clock.advance(minutes=14)  # 09:44: B-001 has waited 16 minutes
    level = service_level(read, office(read, world.office), MONDAY, clock())
    assert (level["counted"], level["within"]) == (4, 1)


def test_live_office_shows_queues_counters_waits_and_totals(read, world, monday, clock):
    live = office_live(read, office(read, world.office), clock())
    assert live["local_time"] == "09:30" and live["zone"] == "WIB" and live["open_now"] is True
    assert (live["waiting"], live["longest_wait_minutes"]) == (2, 30.0)
    assert (live["issued_today"], live["done_today"], live["no_show_today"]) == (5, 2, 0)
    services = {s["prefix"]: s for s in live["services"]}
    assert {p: (s["waiting"], s["longest_wait_minutes"], s["done"]) for p, s in services.items()} == {
        "A": (0, None, 2), "B": (1, 2.0, 0), "C": (1, 30.0, 0)}
    counters = {c["number"]: c for c in live["counters"]}
    assert counters[1]["state"] == "open" and counters[1]["staff_name"] == "Clerk Satu"
    assert counters[1]["ticket"] is None
    assert counters[2]["state"] == counters[3]["state"] == "closed"
    assert (live["counters_open"], live["counters_break"], live["counters_closed"]) == (1, 0, 2)
    assert live["displays"][0]["connected"] is False
    assert live["seq"] > 0


def test_live_dashboard_skips_offices_without_services_and_files_printers_by_office(read, world, monday, clock):
    offices = list(read.scalars(select(Office).order_by(Office.id)))
    printers = [{"office_id": world.office, "printer_id": 1, "name": "Kios 1", "online": True, "paper": "ok",
                 "last_error": None, "last_seen_at": None, "pending_jobs": 0, "failed_jobs": 0}]
    data = live_dashboard(read, offices, clock(), printers)
    names = [o["name"] for o in data["offices"]]
    assert names == ["Kelurahan Uji", "Kelurahan Lain"]  # the kecamatan office has no services
    assert data["offices"][0]["printers"] == printers and data["offices"][1]["printers"] == []
    assert data["printers"] == printers


def test_a_call_on_the_counter_shows_its_ticket(app, read, world, monday, clock):
    from tests.dash.conftest import staff_actor

    session = app.extensions["ptsp.sessions"]()
    called = tickets.call_next(session, counter_id=world.counters[1], actor=staff_actor(session, "clerk1"),
                               now=clock())
    session.commit()
    session.close()
    live = office_live(read, office(read, world.office), clock())
    counter = next(c for c in live["counters"] if c["number"] == 1)
    assert counter["ticket"] == {"code": called.code, "status": "called"}
    assert live["waiting"] == 1


def test_waiting_times_histogram_median_and_never_called(read, world, monday):
    waits = waiting_times(read, [office(read, world.office)], MONDAY, MONDAY)
    assert waits["counts"] == [0, 1, 0, 0, 1, 0, 0, 0]  # 5 min falls in 5–10, 20 min in 20–30
    assert (waits["called"], waits["never_called"], waits["within_target"]) == (2, 3, 1)
    assert (waits["median_minutes"], waits["p90_minutes"]) == (12.5, 18.5)


def test_service_times_per_service(read, world, monday):
    rows = {r["prefix"]: r for r in service_times(read, [office(read, world.office)], MONDAY, MONDAY)}
    assert (rows["A"]["count"], rows["A"]["mean_minutes"], rows["A"]["median_minutes"], rows["A"]["p90_minutes"]) == (
        2, 9.5, 9.5, 9.9)
    assert rows["B"]["count"] == 0 and rows["B"]["mean_minutes"] is None
    assert rows["A"]["standard_minutes"] == 10


def test_arrivals_by_hour_use_each_offices_local_clock_and_open_days(app, read, world, monday, clock):
    session = app.extensions["ptsp.sessions"]()
    clock.now = datetime(2026, 11, 24, 3, 15, tzinfo=UTC)  # Tuesday 10:15 WIB = 11:15 WITA
    for office_id, service_id in ((world.office, world.services["A"]), (world.other_office, world.other_service)):
        tickets.issue(session, office_id=office_id, service_id=service_id,
                      actor=Actor("device", None, "kiosk", office_id), now=clock())
    session.commit()
    session.close()
    mine = arrivals_by_hour(read, [office(read, world.office)], MONDAY, date(2026, 11, 24))
    assert mine["hours"] == [9, 10] and mine["open_days"] == 2
    assert mine["all_days"] == [2.5, 0.5]
    assert [(w["label"], w["open_days"], w["mean"]) for w in mine["weekdays"]] == [
        ("Senin", 1, [5.0, 0.0]), ("Selasa", 1, [0.0, 1.0])]
    both = arrivals_by_hour(read, [office(read, world.office), office(read, world.other_office)], MONDAY,
                            date(2026, 11, 24))
    assert both["hours"] == [9, 10, 11] and both["open_days"] == 3
    assert both["weekdays"][1]["mean"] == [0.0, 0.5, 0.5]  # two offices open on Tuesday, 10:15 WIB and 11:15 WITA
    only_tuesday = chart_data(read, [office(read, world.office)], date(2026, 11, 24), date(2026, 11, 24))
    assert only_tuesday["arrivals"]["all_days"] == [1.0] and only_tuesday["waits"]["never_called"] == 1
