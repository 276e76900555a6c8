"""Ping-pong: detection rules on plain journeys, and the report on a hand-built day."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ptsp.analytics.pingpong import report
from ptsp.domain.pingpong import Journey, reasons
from ptsp.models import Office
from ptsp.services.referrals import add_department, refer, report_progress
from tests.accountability.history import MONDAY


@pytest.mark.parametrize(("journey", "expected"), [
    (Journey(services=[1]), []),
    (Journey(services=[1, 2], counters=[10, 20]), []),
    (Journey(services=[1, 2, 1], counters=[10, 20, 10]), ["service_bounce", "counter_bounce"]),
    (Journey(services=[1], counters=[10, 10, 10]), []),  # recalled and requeued at the same counter
    (Journey(services=[1], counters=[10, 20, 10]), ["counter_bounce"]),
    (Journey(services=[1, 2, 3], counters=[10, 20, 30]), []),  # two handoffs: still allowed
    (Journey(services=[1, 2, 3, 4]), ["many_handoffs"]),
    (Journey(services=[1, 2, 3], departments=[7]), ["many_handoffs"]),
    (Journey(services=[1], departments=[7]), []),
    (Journey(services=[1], departments=[7], returned_referrals=1), ["department_bounce"]),
    (Journey(services=[1], departments=[7, 8]), ["department_bounce"]),
    (Journey(services=[1], departments=[7, 7]), ["department_bounce"]),
])
def test_journey_reasons(journey, expected):
    assert reasons(journey) == expected


def test_more_handoffs_may_be_allowed():
    assert reasons(Journey(services=[1, 2, 3, 4]), max_handoffs=3) == []


def test_report_counts_pingpong_per_office_and_issued_service(db, history, world, clock):
    A, B, C = (history.service(p).id for p in "ABC")
    history.ticket("A", "08:00", ("called", "08:01", 1), ("completed", "08:10", 1))
    history.ticket("A", "08:05", ("called", "08:11", 1), ("transferred", "08:15", 1, {"to_service": "B"}),
                   ("called", "08:20", 3), ("transferred", "08:25", 3, {"to_service": "A"}),
                   ("called", "08:30", 1), ("completed", "08:40", 1))
    history.ticket("A", "08:06", ("called", "08:12", 2), ("requeued", "08:14", 2), ("called", "08:20", 1),
                   ("requeued", "08:22", 1), ("called", "08:30", 2), ("completed", "08:35", 2))
    history.ticket("B", "08:07", ("called", "08:08", 3), ("transferred", "08:09", 3, {"to_service": "C"}),
                   ("called", "08:10", 1), ("completed", "08:20", 1))
    returned = history.ticket("C", "08:08", ("called", "08:09", 1), ("completed", "08:15", 1))
    office = db.scalar(select(Office).where(Office.slug == "kec-test"))
    dept, _ = add_department(db, office=office, slug="dukcapil", name="Dukcapil", now=clock())
    staff = history.staff("clerk1")
    from ptsp.services.actors import Actor

    referral = refer(db, ticket_id=returned.id, department_id=dept.id, note="n",
                     actor=Actor("staff", staff.id, "clerk", staff.office_id), now=clock())
    report_progress(db, referral_id=referral.id, status="returned", note="bukan wewenang kami", department=dept,
                    now=clock())
    db.commit()
    result = report(db, [history.office], MONDAY, MONDAY)
    rows = {r["service_prefix"]: r for r in result["rows"]}
    assert (rows["A"]["tickets"], rows["A"]["pingpong"], rows["A"]["service_bounce"], rows["A"]["counter_bounce"]) \
        == (3, 2, 1, 2)
    assert (rows["B"]["tickets"], rows["B"]["pingpong"]) == (1, 0)
    assert (rows["C"]["tickets"], rows["C"]["pingpong"], rows["C"]["department_bounce"]) == (1, 1, 1)
    paths = {c["code"]: (c["services"], c["counters"]) for c in result["cases"]}
    assert paths["A-002"] == ("A → B → A", "1 → 3 → 1")
    assert paths["A-003"] == ("A", "2 → 1 → 2")
    assert [r["service_prefix"] for r in result["rows"]][:2] == ["C", "A"]  # highest rate first
    assert {A, B, C} >= {r["service"] for r in result["rows"]}
