"""The plan and the leaderboard read the same points ledger."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from ptsp.analytics import plan_report
from ptsp.analytics.planning import PlanSettings, build_plan
from ptsp.models import PointsLedgerEntry
from tests.points.helpers import Office


def test_plan_shows_the_points_the_ledger_credited_per_hour_next_to_the_demand(app, world, clock):
    office = Office(app, world, clock)
    desk = office.desk("clerk1", 1)
    for _ in range(3):
        office.issue("A")
    for _ in range(3):
        desk.serve(minutes=10)  # standard 10 minutes: credited in full, not held
    clock.advance(hours=1)  # 10:xx WIB
    office.issue("C")
    desk.serve(minutes=5)  # standard 5 minutes
    with app.extensions["ptsp.read_sessions"]() as session:
        credited = session.scalar(select(func.sum(PointsLedgerEntry.points)))
        plan = build_plan(session, world.office, date(2026, 11, 30), 1,
                          PlanSettings(history_days=7, simulate=False))
    assert credited == 35.0
    assert plan.ledger_points == {("mon", 9): 30.0, ("mon", 10): 5.0}
    rows = {(r["weekday"], r["hour"]): r for r in plan_report.hourly_rows(plan)}
    assert rows[("mon", "09:00")]["ledger_points"] == 30.0
    assert rows[("mon", "10:00")]["ledger_points"] == 5.0
    assert rows[("mon", "11:00")]["ledger_points"] == 0.0
