"""Complaints in the quarterly report (issue 17): per agency, the complaints received in the quarter, how many
were answered, the 1x24-hour first-response breaches, and the median and p90 hours to the first response, beside
the referrals ranking, under the reader's agency scope; the quarter is the receiving office's local calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ptsp.domain.complaints import first_response_summary, quantile
from ptsp.models import Staff
from tests.points.test_open_complaints import _services, complaint, file
from tests.test_agency_scope import client_of, mpp  # noqa: F401  (the fixture)


def test_quantiles_and_the_summary_count_breaches_answered_late_and_never():
    assert quantile([], 0.5) is None
    assert quantile([2.0, 30.0], 0.5) == 16.0 and quantile([2.0, 30.0], 0.9) == pytest.approx(27.2)
    t0 = datetime(2026, 11, 23, 2, tzinfo=UTC)
    day = timedelta(hours=24)
    cases = [(t0, t0 + day, t0 + day),  # exactly at 24 hours: in time
             (t0, t0 + day, t0 + day + timedelta(seconds=1)),  # a second late
             (t0, t0 + day, None)]  # never answered
    assert first_response_summary(cases, t0 + day) == {
        "complaints": 3, "answered": 2, "breaches": 1, "median_response_hours": 24.0, "p90_response_hours": 24.0}
    assert first_response_summary(cases, t0 + day + timedelta(seconds=1))["breaches"] == 2


def _move(client, code: str, app) -> None:
    response = client.post(f"/api/v1/complaints/{complaint(app, code).id}/status", json={"status": "verifying"})
    assert response.status_code == 200, response.get_json()


def test_each_agency_gets_its_counts_response_times_and_breaches_in_the_quarter(app, clock, mpp):  # noqa: F811
    # the fixture filed one complaint with a rating per service (A Dukcapil, C Samsat, B the office's), unanswered
    services = _services(app)
    head = client_of(app, "mgr.mpp")
    a1 = file(app, service=str(services["A"]))[1]
    a2 = file(app, service=str(services["A"]))[1]
    file(app, service=str(services["C"]))
    clock.advance(hours=2)
    _move(head, a1, app)  # 2 hours
    clock.advance(hours=28)
    _move(head, a2, app)  # 30 hours: a breach
    body = head.get("/api/v1/referrals/ranking?quarter=2026Q4").get_json()
    rows = {r["agency_name"]: r for r in body["complaints"]}
    assert body["quarter"] == "2026Q4" and "departments" in body
    dukcapil = rows["Dinas Kependudukan dan Pencatatan Sipil"]
    assert {k: dukcapil[k] for k in ("complaints", "answered", "breaches")} == {
        "complaints": 3, "answered": 2, "breaches": 2}
    assert dukcapil["median_response_hours"] == 16.0 and dukcapil["p90_response_hours"] == 27.2
    assert {k: rows["Samsat"][k] for k in ("complaints", "answered", "breaches", "median_response_hours")} == {
        "complaints": 2, "answered": 0, "breaches": 2, "median_response_hours": None}
    assert rows[None]["complaints"] == 1 and rows[None]["breaches"] == 1  # about service B, of no agency
    # an agency's manager reads only their own agency's row; another quarter is empty
    own = client_of(app, "mgr.a").get("/api/v1/referrals/ranking?quarter=2026Q4").get_json()["complaints"]
    assert [r["agency_name"] for r in own] == ["Dinas Kependudukan dan Pencatatan Sipil"]
    assert head.get("/api/v1/referrals/ranking?quarter=2026Q3").get_json()["complaints"] == []
    # the page shows the same table beside the referrals ranking
    page = head.get("/manager/referrals?quarter=2026Q4").get_data(as_text=True)
    table = re.search(r'id="complaints-quarter">(.*?)</table>', page, re.S).group(1)
    assert "Samsat" in table and "27.2" in table and "16.0" in table
    scoped = client_of(app, "mgr.a").get("/manager/referrals?quarter=2026Q4").get_data(as_text=True)
    assert "Samsat" not in re.search(r'id="complaints-quarter">(.*?)</table>', scoped, re.S).group(1)


def test_the_quarter_of_a_complaint_is_its_offices_local_calendar(app, world, clock):
    # 00:30 WITA on 1 January 2027 is still 31 December in UTC and in WIB: the WITA office counts it in 2027Q1
    clock.now = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    file(app, "kel-lain")
    file(app, "kel-test")  # 23:30 WIB on 31 December: 2026Q4
    with app.extensions["ptsp.sessions"]() as session:  # the WITA office's own supervisor
        session.scalar(select(Staff).where(Staff.username == "other")).role = "supervisor"
        session.commit()
    wib, wita = client_of(app, "manager"), client_of(app, "other")

    def quarter(client, name: str) -> list[int]:
        return [r["complaints"] for r in client.get(f"/api/v1/referrals/ranking?quarter={name}").get_json()[
            "complaints"]]

    assert (quarter(wib, "2026Q4"), quarter(wib, "2027Q1")) == ([1], [])
    assert (quarter(wita, "2026Q4"), quarter(wita, "2027Q1")) == ([], [1])
