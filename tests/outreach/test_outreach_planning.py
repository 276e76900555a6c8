"""Jemput bola in the plan (docs/planning.md, "Jemput bola"): the officer-hours visits take away from the counters,
averaged per open day by weekday and hour, are added to the shifts on top of the counters' need, and left out of
what the counters get (the predictions and the simulation)."""

from __future__ import annotations

from datetime import date, datetime

from ptsp.analytics import plan_report
from ptsp.analytics.outreach import spread
from ptsp.analytics.planning import PlanSettings, build_plan, outreach_officers, plan_from_history
from tests.outreach.test_outreach import as_user, file, report, row, schedule
from tests.points.helpers import Office


def test_a_visit_is_spread_over_the_clock_hours_it_covers_and_rounded_half_up_into_officers():
    start = datetime(2026, 11, 23, 10, 30)
    assert spread(start, 90) == [(date(2026, 11, 23), 10, 0.5), (date(2026, 11, 23), 11, 1.0)]
    assert spread(datetime(2026, 11, 23, 23, 45), 30) == [(date(2026, 11, 23), 23, 0.25),
                                                          (date(2026, 11, 24), 0, 0.25)]
    assert [outreach_officers(h) for h in (0.0, 0.2, 0.49, 0.5, 1.0, 1.6)] == [0, 0, 0, 1, 1, 2]


def test_the_plan_counts_outreach_hours_as_demand_and_adds_their_officers_to_the_shifts(app, world, clock):
    Office(app, world, clock).issue("A")  # a day with tickets is a day that teaches the plan (an open day)
    _, code = file(app, world)  # Monday 23 November, 09:00 WIB
    schedule(app, clock, code, hours=1)  # the visit at 10:00 WIB
    _, cancelled = file(app, world)
    schedule(app, clock, cancelled, hours=1)
    as_user(app, "sup").post(f"/manager/outreach/{row(app, cancelled).id}/move",
                             data={"status": "cancelled", "note": "tidak jadi"})
    clock.advance(hours=2)
    assert report(app, code, 50).status_code == 303  # KTP 10 standard minutes + 50 travel: 10:00-11:00
    assert as_user(app, "sup").post(f"/manager/outreach/{row(app, code).id}/confirm", data={}).status_code == 303
    settings = PlanSettings(history_days=7, simulate=False)
    with app.extensions["ptsp.read_sessions"]() as session:
        plan = build_plan(session, world.office, date(2026, 11, 30), 1, settings)
    assert plan.outreach_hours == {("mon", 10): 1.0}  # the cancelled visit counts nothing
    assert plan.ledger_points == {}  # the visit's 60 points are not counter work in that hour
    rows = {(r["weekday"], r["hour"]): r for r in plan_report.hourly_rows(plan)}
    assert rows[("mon", "10:00")]["outreach_hours"] == 1.0 and rows[("mon", "09:00")]["outreach_hours"] == 0.0
    without = plan_from_history(plan.history, date(2026, 11, 30), 1, settings)
    monday = next(d for d in plan.weeks[0].shifts.days if d.label.startswith("mon"))
    monday_without = next(d for d in without.weeks[0].shifts.days if d.label.startswith("mon"))
    assert monday.cover[10] >= monday_without.cover[10] + 1  # the officer away is rostered on top
    assert plan.weekdays["mon"].cover[10] == monday.cover[10] - 1  # and the counters do not count on them
    page = as_user(app, "sup").get(f"/manager/plan?office={world.office}&weekday=mon").get_data(as_text=True)
    assert "Jemput bola (jam)" in page
