"""Leaderboard: local periods, staffed hours without breaks, small numbers held out, who sees what."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ptsp.analytics.leaderboard import leaderboard, period
from ptsp.domain.errors import InvalidInput
from tests.conftest import login
from tests.points.helpers import Office


def test_periods_are_today_monday_to_today_and_first_of_month_to_today():
    wednesday = date(2026, 11, 25)
    assert (period("today", wednesday).start, period("today", wednesday).end) == (wednesday, wednesday)
    assert period("week", wednesday).start == date(2026, 11, 23)
    assert period("month", wednesday).start == date(2026, 11, 1)
    with pytest.raises(InvalidInput):
        period("year", wednesday)


@pytest.fixture
def board_day(app, world, clock):
    """clerk1: 3 x service A (30 points) in 1.5 staffed hours with a 30-minute break; clerk2: 2 x C (10) in 2 h."""
    office = Office(app, world, clock)
    one, two = office.desk("clerk1", 1), office.desk("clerk2", 2)
    for _ in range(2):
        office.issue("A")
        one.serve(10)
    assert one.client.post(f"/api/v1/counters/{one.counter}/break", json={"reason": "salat"}).status_code == 200
    clock.advance(minutes=30)
    assert one.client.post(f"/api/v1/counters/{one.counter}/open").status_code == 200
    office.issue("A")
    one.serve(10)
    for _ in range(2):
        office.issue("C")
        two.serve(5)
    clock.advance(minutes=120 - (clock().hour * 60 + clock().minute - 120))  # to 11:00 WIB (04:00 UTC)
    assert clock() == datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
    assert one.client.post(f"/api/v1/counters/{one.counter}/close").status_code == 200
    return office


def manager_client(app, username="manager"):
    client = app.test_client()
    login(client, username)
    return client


def test_points_per_staffed_hour_excludes_breaks_and_ranks_fairly(app, world, board_day):
    app.config["LEADERBOARD_MIN_TRANSACTIONS"] = 2
    board = manager_client(app).get(f"/api/v1/points/leaderboard?office={world.office}").get_json()
    rows = {r["name"]: r for r in board["ranked"]}
    assert rows["Clerk Satu"]["points"] == 30.0 and rows["Clerk Satu"]["staffed_hours"] == 1.5
    assert rows["Clerk Satu"]["per_hour"] == 20.0 and rows["Clerk Satu"]["transactions"] == 3
    assert rows["Clerk Dua"]["points"] == 10.0 and rows["Clerk Dua"]["staffed_hours"] == 2.0
    assert [r["name"] for r in board["ranked"]] == ["Clerk Satu", "Clerk Dua"]
    assert board["offices"][str(world.office)] == {"start": "2026-11-23", "end": "2026-11-23"}


def test_clerks_below_the_minimum_are_listed_but_not_ranked(app, world, board_day):
    app.config["LEADERBOARD_MIN_TRANSACTIONS"] = 3
    board = manager_client(app).get("/api/v1/points/leaderboard?period=week").get_json()
    assert [(r["name"], r["rank"]) for r in board["ranked"]] == [("Clerk Satu", 1)]
    assert [(r["name"], r["rank"], r["transactions"]) for r in board["unranked"]] == [("Clerk Dua", None, 2)]


def test_clerk_sees_only_their_own_rank_and_figures(app, world, board_day):
    app.config["LEADERBOARD_MIN_TRANSACTIONS"] = 2
    clerk = board_day.desks["clerk2"].client
    mine = clerk.get("/api/v1/points/me").get_json()
    assert mine["today"]["rank"] == 2 and mine["today"]["ranked_of"] == 2 and mine["today"]["points"] == 10.0
    assert "Clerk Satu" not in str(mine)
    figures = clerk.get("/counter/state").get_json()["figures"]
    assert figures["points"] == 10.0 and figures["standing"]["today"]["rank"] == 2
    assert "Clerk Satu" not in str(figures)
    refused = clerk.get("/api/v1/points/leaderboard")
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"


def test_trend_gives_a_series_per_office_in_scope(app, world, board_day):
    trend = manager_client(app).get("/api/v1/points/trend?days=7").get_json()
    assert len(trend["days"]) == 7 and trend["days"][-1] == "2026-11-23"
    series = {s["name"]: s["points"] for s in trend["series"]}
    assert series["Kelurahan Uji"][-1] == 40.0 and "Kelurahan Lain" not in series


@pytest.mark.parametrize(("user", "path", "status", "error"), [
    ("sup", "/api/v1/points/leaderboard?office={other}", 403, "forbidden"),
    ("manager", "/api/v1/points/leaderboard?office={other}", 403, "forbidden"),
    ("sup", "/api/v1/points/leaderboard?period=year", 422, "invalid_input"),
    ("sup", "/api/v1/points/leaderboard?office=abc", 422, "invalid_input"),
    ("sup", "/api/v1/points/leaderboard?office=99999999999", 422, "invalid_input"),
    ("sup", "/api/v1/points/leaderboard?office=999", 404, "not_found"),
    ("sup", "/api/v1/points/trend?days=0", 422, "invalid_input"),
    ("sup", "/api/v1/points/trend?days=-3", 422, "invalid_input"),
    ("sup", "/api/v1/skm/ikm?group=planet", 422, "invalid_input"),
    ("sup", "/api/v1/skm/ikm?from=2026-13-01", 422, "invalid_input"),
    ("sup", "/api/v1/skm/ikm?from=2026-11-20&to=2026-11-01", 422, "invalid_input"),
    ("sup", "/api/v1/complaints?status=lost", 422, "invalid_input"),
    ("clerk1", "/api/v1/points/holds", 403, "forbidden"),
    ("clerk1", "/api/v1/skm/ikm", 403, "forbidden"),
    ("clerk1", "/api/v1/complaints", 403, "forbidden"),
    (None, "/api/v1/points/leaderboard", 401, "unauthorized"),
    (None, "/api/v1/points/me", 401, "unauthorized"),
])
def test_reads_are_refused_outside_scope_or_with_bad_filters(app, world, user, path, status, error):
    client = app.test_client()
    if user:
        login(client, user)
    response = client.get(path.format(other=world.other_office))
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == error and response.get_json()["message"]


def test_each_office_keeps_its_own_local_day(app, world, clock):
    clock.now = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 23:30 WIB Monday, 00:30 WITA Tuesday
    admin_view = manager_client(app, "manager").get("/api/v1/points/leaderboard").get_json()
    assert admin_view["offices"][str(world.office)]["start"] == "2026-11-23"
    other = app.test_client()
    login(other, "other")
    assert other.get("/api/v1/points/me").status_code == 200
    with app.extensions["ptsp.read_sessions"]() as session:
        both = leaderboard(session, [world.office, world.other_office], "today", clock())
    assert both["offices"][world.other_office] == {"start": "2026-11-24", "end": "2026-11-24"}
    assert both["offices"][world.office] == {"start": "2026-11-23", "end": "2026-11-23"}
