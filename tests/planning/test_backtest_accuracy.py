"""The backtest's model on a history whose arrivals, service times and staffing are known.

`office_days` runs a first-come first-served office: Poisson arrivals at known hourly rates, exponential
service times with known means, a known number of clerks each hour (their counter sessions written),
the 12:00 lunch closure, and clerks who start no service that would run into a break or past
closing. The backtest then predicts each past hour from the arrivals and counters it
finds in the log and must be within the bounds stated in docs/planning.md ("How exact is the model"):

- over all checked hours, the mean absolute error of the hourly mean wait is at most 75% of the mean
  actual wait plus 2 minutes, and of the service level at most 0.30 (30 points);
- the model's mean wait over all hours is within 25% of the actual (no systematic bias);
- the plan's counterfactual is not what is measured: the hour with one clerk waits far longer than it.

Why these bounds: an hour's actual mean wait is the mean of about 10 correlated waits, each roughly
exponential, so its own sampling error is of the order of the wait itself divided by sqrt(10) and
larger in a busy hour (waits of one hour share the queue); the bounds leave room for that noise and
for the model's approximations (Allen-Cunneen for the mixed services, the fluid backlog) and are
met by every seed tried (1-6); the seed here is fixed, so the test is deterministic.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ptsp.analytics.backtest import backtest_errors
from ptsp.analytics.planning import PlanSettings, build_plan
from tests.planning.history_builder import office_days

START = date(2026, 11, 30)  # a Monday
RATES = {"A": 6.0, "B": 1.0, "C": 4.0}  # residents per hour
MINUTES = {"A": 10.0, "B": 20.0, "C": 5.0}  # mean service minutes (load about 1.7 Erlangs)
SEED = 3  # every seed of 1-6 meets the bounds (worst: MAE 0.69 of the wait, bias 22%, level MAE 0.24)
CLERKS = {8: 3, 9: 3, 10: 1, 11: 3, 13: 3, 14: 2, 15: 2}  # 10:00 has one clerk: a queue builds


@pytest.fixture
def session(app):
    s = app.extensions["ptsp.sessions"]()
    yield s
    s.close()


def run(session, world, seed: int):
    days = [START - timedelta(days=i) for i in range(1, 43) if (START - timedelta(days=i)).weekday() < 4]
    office_days(session, "kel-test", days, lambda p, h, wd: RATES[p], MINUTES,
                lambda hour, weekday: CLERKS.get(hour, 0), seed=seed, fit_before_break=True)
    session.commit()
    return build_plan(session, world.office, START, 1,
                      PlanSettings(simulate=False, history_days=42, backtest_days=21))


def test_the_backtest_model_is_within_its_stated_bound_on_known_history(session, world):
    plan = run(session, world, seed=SEED)
    errors = backtest_errors(plan.backtest)
    overall = errors[-1]
    assert overall.hour is None and overall.hours >= 60
    assert overall.mean_wait_mae <= 0.75 * overall.actual_wait + 2.0
    assert overall.service_level_mae <= 0.3
    assert overall.model_wait == pytest.approx(overall.actual_wait, rel=0.25)
    by_hour = {e.hour: e for e in errors[:-1]}
    assert set(by_hour) == {8, 9, 10, 11, 13, 14, 15}
    # the understaffed hour: measured and modelled long, while the plan's counterfactual is short
    ten = by_hour[10]
    assert ten.actual_wait > 3 * ten.plan_wait and ten.model_wait > 3 * ten.plan_wait
    assert all(abs(r.actual_clerks - CLERKS[r.hour]) < 1e-6 for r in plan.backtest)
