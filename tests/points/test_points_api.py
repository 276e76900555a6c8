"""Supervisor decisions on held points, IKM per group, manager pages and CSV exports, all office-scoped."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from ptsp.models import PointsLedgerEntry, TicketEvent
from tests.conftest import login
from tests.points.helpers import Office, set_rules

NINE_FOURS = {f"u{i}": "4" for i in range(1, 10)}
NINE_THREES = {f"u{i}": "3" for i in range(1, 10)}


def client_for(app, username):
    client = app.test_client()
    login(client, username)
    return client


def state(app) -> tuple[int, int]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return (session.scalar(select(func.count()).select_from(PointsLedgerEntry)),
                session.scalar(select(func.count()).select_from(TicketEvent)))


@pytest.fixture
def held(app, world, clock):
    office = Office(app, world, clock)
    ticket_office = office
    office.issue("A")
    ticket = office.desk("clerk1", 1).serve(1)
    return ticket_office, ticket


def test_held_points_are_listed_for_the_supervisor_and_confirmed_once(app, held):
    _office, ticket = held
    sup = client_for(app, "sup")
    [hold] = sup.get("/api/v1/points/holds").get_json()["holds"]
    assert (hold["ticket"], hold["kind"], hold["held"], hold["code"]) == (ticket["id"], "hold", 1.0, ticket["code"])
    response = sup.post(f"/api/v1/points/holds/{ticket['id']}/confirm", json={})
    assert response.status_code == 200 and [line["kind"] for line in response.get_json()["lines"]] == ["release"]
    assert sup.get("/api/v1/points/holds").get_json()["holds"] == []
    before = state(app)
    again = sup.post(f"/api/v1/points/holds/{ticket['id']}/reject", json={"reason": "ubah pikiran"})
    assert again.status_code == 409 and again.get_json()["error"] == "invalid_transition"
    assert state(app) == before


@pytest.mark.parametrize(("user", "verb", "body", "status", "error"), [
    ("sup", "reject", {}, 422, "invalid_input"),
    ("sup", "reject", {"reason": "   "}, 422, "invalid_input"),
    ("sup", "confirm", {"reason": "x" * 301}, 422, "invalid_input"),
    ("sup", "confirm", {"reason": 5}, 422, "invalid_input"),
    ("sup", "confirm", {"why": "x"}, 422, "invalid_input"),
    ("clerk1", "confirm", {}, 403, "forbidden"),
    ("clerk2", "confirm", {}, 403, "forbidden"),
    ("other", "confirm", {}, 403, "forbidden"),
])
def test_bad_decisions_are_refused_and_change_nothing(app, held, user, verb, body, status, error):
    _office, ticket = held
    before = state(app)
    response = client_for(app, user).post(f"/api/v1/points/holds/{ticket['id']}/{verb}", json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"] == error and response.get_json()["message"]
    assert state(app) == before


def test_a_ticket_without_a_hold_cannot_be_decided(app, world, clock):
    office = Office(app, world, clock)
    office.issue("A")
    ticket = office.desk("clerk1", 1).serve(9)
    before = state(app)
    response = client_for(app, "sup").post(f"/api/v1/points/holds/{ticket['id']}/confirm", json={})
    assert response.status_code == 409 and state(app) == before
    missing = client_for(app, "sup").post("/api/v1/points/holds/424242/confirm", json={})
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_malformed_json_to_a_decision_is_400(app, held):
    _office, ticket = held
    response = client_for(app, "sup").post(f"/api/v1/points/holds/{ticket['id']}/confirm", data="{",
                                           content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "malformed_json"


@pytest.fixture
def rated(app, world, clock):
    """Two residents answer the survey at counter 1 (all 4s, all 3s), one only the quick rating."""
    office = Office(app, world, clock)
    set_rules(app, rating_min_count=1)  # three ratings: each judged on its own
    desk = office.desk("clerk1", 1)
    tickets = []
    for _ in range(3):
        office.issue("A")
        tickets.append(desk.serve(10))
    office.rate(tickets[0], 4, **NINE_FOURS)
    office.rate(tickets[1], 3, **NINE_THREES)
    office.rate(tickets[2], 2, complaint="Kursi tunggu kurang")
    return office


@pytest.mark.parametrize("group", ["office", "service", "counter", "clerk"])
def test_ikm_per_group_follows_the_formula(app, rated, group):
    [row] = client_for(app, "sup").get(f"/api/v1/skm/ikm?group={group}").get_json()["rows"]
    assert row["respondents"] == 2 and row["ratings"] == 3 and row["quick_mean"] == 3.0
    assert row["element_means"] == [3.5] * 9
    assert row["ikm"] == 87.5 and row["grade"] == "B"  # 3.5 x 9 x 1/9 x 25


def test_manager_pages_render_for_the_offices_in_scope(app, rated):
    manager = client_for(app, "manager")
    for path, needle in (("/manager/leaderboard", "Clerk Satu"), ("/manager/ikm", "87.50"),
                         ("/manager/complaints", "Kursi tunggu kurang"), ("/manager/complaints", "lapor.go.id")):
        response = manager.get(path)
        assert response.status_code == 200 and needle in response.get_data(as_text=True), path
    assert "chart.umd.min.js" in manager.get("/manager/leaderboard").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/manager/leaderboard", "/manager/ikm", "/manager/complaints",
                                  "/manager/export/points.csv", "/manager/export/ratings.csv"])
def test_manager_pages_refuse_clerks_and_send_visitors_to_login(app, world, path):
    assert app.test_client().get(path).status_code == 302
    response = client_for(app, "clerk1").get(path)
    assert response.status_code == 403 and "tidak berwenang" in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "status"), [
    ("/manager/leaderboard?office={other}", 403), ("/manager/ikm?office={other}", 403),
    ("/manager/complaints?office={other}", 403), ("/manager/export/points.csv?office={other}", 403),
    ("/manager/export/ratings.csv?office={other}", 403), ("/manager/leaderboard?period=decade", 422),
    ("/manager/ikm?from=yesterday", 422), ("/manager/export/points.csv?from=2026-11-30&to=2026-11-01", 422),
    ("/manager/export/ratings.csv?from=2020-01-01&to=2026-11-01", 422), ("/manager/complaints?status=x", 422),
])
def test_manager_pages_refuse_other_offices_and_bad_filters_readably(app, world, path, status):
    response = client_for(app, "sup").get(path.format(other=world.other_office))
    assert response.status_code == status
    assert 'role="alert"' in response.get_data(as_text=True)


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_points_and_ratings_export_as_csv_filtered_by_office_and_dates(app, world, rated):
    manager = client_for(app, "manager")
    points = rows_of(manager.get(f"/manager/export/points.csv?office={world.office}&from=2026-11-23&to=2026-11-23"))
    assert [(r["kind"], r["points"], r["clerk"], r["office"]) for r in points] == [
        ("award", "10.0", "clerk1", "kel-test"), ("award", "10.0", "clerk1", "kel-test"),
        ("award", "10.0", "clerk1", "kel-test"), ("bonus", "1.0", "clerk1", "kel-test")]
    assert all(r["event_ids"] for r in points)
    ratings = rows_of(manager.get("/manager/export/ratings.csv?from=2026-11-23&to=2026-11-23"))
    assert [(r["quick"], r["u1"], r["channel"], r["counter"]) for r in ratings] == [
        ("4", "4", "status_page", "1"), ("3", "3", "status_page", "1"), ("2", "", "status_page", "1")]
    assert rows_of(manager.get("/manager/export/points.csv?from=2026-11-22&to=2026-11-22")) == []
    assert rows_of(manager.get("/manager/export/ratings.csv?from=2026-11-24&to=2026-11-24")) == []
