"""The ledger after a realistic day, its recomputation from the event log, and tamper detection."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from ptsp.models import PointsLedgerEntry, Staff
from ptsp.services.points import recompute
from tests.points.helpers import realistic_day


def ledger(app) -> list[PointsLedgerEntry]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return list(session.scalars(select(PointsLedgerEntry).order_by(PointsLedgerEntry.id)))


def staff_ids(app) -> dict[str, int]:
    with app.extensions["ptsp.read_sessions"]() as session:
        return dict(session.execute(select(Staff.username, Staff.id)).all())


@pytest.fixture
def day(app, world, clock):
    return realistic_day(app, world, clock)


def test_realistic_day_writes_exactly_the_lines_the_rules_call_for(app, world, day):
    who = staff_ids(app)
    lines = [(line.ticket_id, line.kind, line.staff_id, line.points, line.held) for line in ledger(app)]
    assert lines == [
        (day["plain"]["id"], "award", who["clerk1"], 10.0, 0.0),
        (day["transferred"]["id"], "award", who["clerk3"], 20.0, 0.0),
        (day["confirmed"]["id"], "hold", who["clerk2"], 0.0, 2.0),
        (day["confirmed"]["id"], "release", who["clerk2"], 2.0, -2.0),
        (day["confirmed"]["id"], "bonus", who["clerk2"], 1.0, 0.0),
        (day["rejected"]["id"], "hold", who["clerk1"], 0.0, 0.5),
        (day["rejected"]["id"], "reject", who["clerk1"], 0.0, -0.5),
        (day["good"]["id"], "award", who["clerk1"], 10.0, 0.0),
        (day["good"]["id"], "bonus", who["clerk1"], 1.0, 0.0),
        (day["poor"]["id"], "award", who["clerk2"], 5.0, 0.0),
    ]
    release = next(line for line in ledger(app) if line.kind == "release")
    assert release.acted_by == who["sup"] and "berkas sudah lengkap" in release.reason
    assert all(line.event_ids for line in ledger(app))


def test_recompute_reproduces_the_ledger_exactly(app, day):
    with app.extensions["ptsp.read_sessions"]() as session:
        report = recompute(session)
    assert report.matches, [d.describe() for d in report.differences]
    assert report.lines == len(ledger(app)) == 10
    assert report.points == 49.0


@pytest.mark.parametrize(("statement", "problem", "field"), [
    ("UPDATE points_ledger SET points = 99 WHERE kind = 'award' AND staff_id = :clerk", "changed", "points"),
    ("UPDATE points_ledger SET staff_id = :other WHERE kind = 'bonus' AND staff_id = :clerk", "changed", "staff_id"),
    ("DELETE FROM points_ledger WHERE kind = 'reject'", "missing", None),
])
def test_recompute_detects_a_tampered_ledger(app, day, statement, problem, field):
    who = staff_ids(app)
    with app.extensions["ptsp.engine"].begin() as connection:
        changed = connection.execute(text(statement), {"clerk": who["clerk1"], "other": who["clerk2"]}).rowcount
    assert changed >= 1
    with app.extensions["ptsp.read_sessions"]() as session:
        report = recompute(session)
    assert not report.matches
    assert {d.problem for d in report.differences} == {problem}
    if field:
        assert all(field in d.fields for d in report.differences)


def test_recompute_detects_a_forged_line(app, day):
    forged = ledger(app)[0]
    with app.extensions["ptsp.engine"].begin() as connection:
        connection.execute(text(
            "INSERT INTO points_ledger (office_id, staff_id, ticket_id, service_id, service_day, kind, points, held,"
            " reason, event_ids, at) SELECT office_id, staff_id, ticket_id, service_id, service_day, 'bonus', 5, 0,"
            " 'forged', event_ids, at FROM points_ledger WHERE id = :id"), {"id": forged.id})
    with app.extensions["ptsp.read_sessions"]() as session:
        report = recompute(session)
    assert [(d.ticket_id, d.kind, d.problem) for d in report.differences] == [(forged.ticket_id, "bonus",
                                                                                "unexpected")]


def test_recompute_of_one_office_ignores_the_others(app, world, day):
    with app.extensions["ptsp.read_sessions"]() as session:
        assert recompute(session, world.other_office).lines == 0
        assert recompute(session, world.office).lines == 10
