"""Discipline rules on small hand-built days, recorded idempotently, and shown to the right supervisors."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from ptsp.models import DisciplineSettings, Staff, Violation
from ptsp.services.discipline import scan
from tests.accountability.history import MONDAY

FRIDAY = date(2026, 11, 27)

EVENING = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 17:00 WIB, after closing


def found(db, history, kind: str | None = None) -> list[Violation]:
    scan(db, office_id=history.office.id, day=MONDAY, now=EVENING)
    db.commit()
    query = select(Violation).order_by(Violation.kind, Violation.started_at)
    return [v for v in db.scalars(query) if kind is None or v.kind == kind]


def test_a_counter_opened_less_than_15_minutes_before_opening_is_late_and_one_opened_by_then_is_not(db, history):
    # Seed article 000: staff at their post 15 minutes before opening (08:00 here), so by 07:45.
    history.stretch(1, "clerk1", "open", "08:07", "12:00")
    history.stretch(2, "clerk2", "open", "07:45", "12:00")
    history.stretch(3, "clerk3", "open", "07:55", "12:00")  # before opening, but not 15 minutes before
    late = found(db, history, "late_opening")
    assert sorted((v.counter_id, v.staff_id, v.minutes) for v in late) == [
        (history.counter(1).id, history.staff("clerk1").id, 22.0),
        (history.counter(3).id, history.staff("clerk3").id, 10.0)]
    assert late[0].details["expected_by"] == history.at("07:45").isoformat()
    assert late[0].details["opens_at"] == history.at("08:00").isoformat()


def test_a_counter_staffed_only_for_the_afternoon_is_measured_against_the_afternoon_opening(db, history):
    history.stretch(1, "clerk1", "open", "12:50", "16:00")
    history.stretch(2, "clerk2", "open", "13:05", "16:00")
    history.stretch(3, "clerk3", "open", "10:00", "16:00")
    late = found(db, history, "late_opening")
    # Ready by 12:45 for the 13:00 afternoon, by 07:45 for the 08:00 morning.
    expected = [(history.counter(1).id, 5.0), (history.counter(2).id, 20.0), (history.counter(3).id, 135.0)]
    assert sorted((v.counter_id, v.minutes) for v in late) == expected


def test_grace_minutes_of_the_office_excuse_a_small_delay(db, history):
    db.add(DisciplineSettings(office_id=history.office.id, late_grace_minutes=10))
    history.stretch(1, "clerk1", "open", "07:52", "12:00")  # 7 minutes after the 07:45 ready time
    assert found(db, history, "late_opening") == []


def test_service_uncovered_while_its_only_open_counter_is_on_break(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "09:00")
    history.stretch(1, "clerk1", "break", "09:00", "09:20")
    history.stretch(1, "clerk1", "open", "09:20", "12:00")
    history.ticket("A", "08:55", ("called", "09:25", 1), ("completed", "09:35", 1))
    gaps = found(db, history, "uncovered_service")
    assert [(v.service_id, v.started_at, v.ended_at, v.staff_id) for v in gaps] == [
        (history.service("A").id, history.at("09:00"), history.at("09:20"), history.staff("clerk1").id)]
    assert gaps[0].details["tickets_waiting"] == 1


def test_service_covered_by_another_counter_during_the_break_is_not_uncovered(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "09:00")
    history.stretch(1, "clerk1", "break", "09:00", "09:20")
    history.stretch(1, "clerk1", "open", "09:20", "12:00")
    history.stretch(2, "clerk2", "open", "08:50", "12:00")
    history.ticket("A", "08:55", ("called", "08:58", 2), ("completed", "09:30", 2))
    history.ticket("A", "09:01", ("called", "09:21", 1), ("completed", "09:30", 1))
    assert found(db, history, "uncovered_service") == []


def test_a_service_left_uncovered_through_the_lunch_staff_break_is_a_violation(db, history):
    # Seed article 000: no empty counter in opening hours, breaks included. Lunch (12:00-13:00) is not a
    # closure the office declared, so the office stays open and service A must stay covered.
    history.stretch(1, "clerk1", "open", "07:50", "12:00")
    history.stretch(1, "clerk1", "open", "13:03", "16:00")
    history.ticket("A", "11:50", ("called", "13:04", 1), ("completed", "13:10", 1))
    gaps = found(db, history, "uncovered_service")
    assert [(v.service_id, v.started_at, v.ended_at, v.minutes, v.staff_id) for v in gaps] == [
        (history.service("A").id, history.at("12:00"), history.at("13:03"), 63.0, history.staff("clerk1").id)]


def test_lunch_covered_by_staggered_breaks_or_a_wait_of_a_few_minutes_is_not_uncovered(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "12:00")  # clerk1 lunches 12:00-13:00
    history.stretch(1, "clerk1", "open", "13:00", "16:00")
    history.stretch(2, "clerk2", "open", "07:50", "11:30")  # clerk2 lunches 11:30-12:00 and covers A at lunch
    history.stretch(2, "clerk2", "break", "11:30", "12:00")
    history.stretch(2, "clerk2", "open", "12:00", "16:00")
    history.ticket("A", "11:50", ("called", "12:01", 2), ("completed", "12:10", 2))
    history.ticket("C", "11:31", ("called", "11:34", 1), ("completed", "11:40", 1))  # 3 minutes: under 5
    assert found(db, history, "uncovered_service") == []


def _declare_friday_prayer(db, history) -> None:
    history.office.closures = {"fri": [["11:30", "13:30", "Sholat Jumat"]]}
    db.commit()


def test_the_friday_prayer_the_office_declares_closed_stays_closed_and_an_undeclared_gap_does_not(db, history):
    friday = FRIDAY
    history.stretch(1, "clerk1", "open", "07:15", "11:30", day=friday)
    history.stretch(1, "clerk1", "open", "13:30", "16:30", day=friday)
    history.ticket("A", "11:25", ("called", "13:31", 1), ("completed", "13:40", 1), day=friday)
    late_evening = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)

    def uncovered():
        result = scan(db, office_id=history.office.id, day=friday, now=late_evening)
        db.commit()
        rows = db.scalars(select(Violation).where(Violation.kind == "uncovered_service")).all()
        return result, [(v.started_at, v.ended_at, v.withdrawn_at is not None) for v in rows]

    # Undeclared, the Friday gap is a staff break: the office is open and A waited with no counter.
    result, rows = uncovered()
    assert rows == [(history.at("11:30", friday), history.at("13:30", friday), False)]
    assert result.new_ids and result.new_ids == result.notify_ids
    # Declared closed: the finding goes, and its row is withdrawn (kept for what refers to it), not deleted.
    _declare_friday_prayer(db, history)
    result, rows = uncovered()
    assert rows == [(history.at("11:30", friday), history.at("13:30", friday), True)]
    assert (result.found, result.removed, result.new_ids) == (0, 1, ())
    from ptsp.analytics.discipline import visible_violations
    from ptsp.services.actors import Actor
    assert visible_violations(db, Actor("staff", history.staff("sup").id, "admin", None)) == []
    # Found again (the declaration withdrawn): the same row comes back, no duplicate.
    history.office.closures = {}
    db.commit()
    result, rows = uncovered()
    assert rows == [(history.at("11:30", friday), history.at("13:30", friday), False)]
    assert (result.restored, result.added) == (1, 0)


def test_uncovered_before_anyone_opened_names_nobody(db, history):
    history.ticket("C", "08:00", ("called", "08:30", 1), ("completed", "08:35", 1))
    history.stretch(1, "clerk1", "open", "08:30", "12:00")
    gaps = found(db, history, "uncovered_service")
    assert [(v.started_at, v.ended_at, v.staff_id) for v in gaps] == [(history.at("08:00"), history.at("08:30"), None)]


def test_breaks_over_the_daily_allowance_are_flagged_and_the_lunch_staff_break_counts(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "10:00")
    history.stretch(1, "clerk1", "break", "10:00", "10:20")
    history.stretch(1, "clerk1", "open", "10:20", "12:00")
    history.stretch(1, "clerk1", "break", "12:00", "13:00")  # lunch: the office stays open, so it counts
    history.stretch(1, "clerk1", "open", "13:00", "16:00")
    history.stretch(2, "clerk2", "open", "07:50", "11:00")
    history.stretch(2, "clerk2", "break", "11:00", "11:50")
    history.stretch(2, "clerk2", "open", "11:50", "16:00")
    long = found(db, history, "long_break")
    assert [(v.staff_id, v.minutes, v.details["break_minutes"]) for v in long] == [
        (history.staff("clerk1").id, 20.0, 80.0)]


def test_break_time_in_a_declared_closure_does_not_count(db, history):
    _declare_friday_prayer(db, history)
    history.stretch(1, "clerk1", "open", "07:15", "11:00", day=FRIDAY)
    history.stretch(1, "clerk1", "break", "11:00", "13:40", day=FRIDAY)  # 30 + 10 minutes outside the prayer
    history.stretch(1, "clerk1", "open", "13:40", "16:30", day=FRIDAY)
    scan(db, office_id=history.office.id, day=FRIDAY, now=datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    db.commit()
    assert db.scalars(select(Violation).where(Violation.kind == "long_break")).all() == []
    history.office.closures = {}
    db.commit()
    scan(db, office_id=history.office.id, day=FRIDAY, now=datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    db.commit()
    assert [v.minutes for v in db.scalars(select(Violation).where(Violation.kind == "long_break"))] == [100.0]


def test_a_single_break_over_the_per_break_allowance_is_flagged_when_set(db, history):
    db.add(DisciplineSettings(office_id=history.office.id, break_minutes_each=30))
    history.stretch(2, "clerk2", "open", "07:50", "11:00")
    history.stretch(2, "clerk2", "break", "11:00", "11:50")
    long = found(db, history, "long_break")
    assert [(v.key.split(":")[0], v.minutes) for v in long] == [("break", 20.0)]


def test_open_counter_calling_nobody_while_its_service_waits_is_idle(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "12:00")
    history.stretch(2, "clerk2", "open", "07:50", "12:00")
    history.ticket("B", "08:30", ("called", "08:32", 2), ("completed", "09:15", 2))
    history.ticket("A", "09:00", ("called", "09:16", 2), ("completed", "09:20", 2))
    idle = found(db, history, "idle_clerk")
    # Counter 1 serves A and sat open from 09:00 to 09:16 while A waited; counter 2 was busy with B.
    assert [(v.counter_id, v.staff_id, v.started_at, v.minutes) for v in idle] == [
        (history.counter(1).id, history.staff("clerk1").id, history.at("09:00"), 16.0)]


def test_a_short_wait_or_a_queue_the_counter_does_not_serve_is_not_idle(db, history):
    history.stretch(1, "clerk1", "open", "07:50", "12:00")
    history.stretch(3, "clerk3", "open", "07:50", "12:00")
    history.ticket("A", "09:00", ("called", "09:05", 1), ("completed", "09:20", 1))
    history.ticket("A", "09:30", ("called", "09:55", 1), ("completed", "10:00", 1))  # counter 3 serves only B
    assert [v.counter_id for v in found(db, history, "idle_clerk")] == [history.counter(1).id]
    assert found(db, history, "idle_clerk")[0].started_at == history.at("09:30")


def test_scanning_a_day_twice_changes_nothing_and_a_grown_stretch_is_updated(db, history):
    history.stretch(1, "clerk1", "open", "08:07", "12:00")
    history.stretch(1, "clerk1", "break", "13:00", None)
    first = scan(db, office_id=history.office.id, day=MONDAY, now=datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    db.commit()
    ids = sorted(db.scalars(select(Violation.id)))
    again = scan(db, office_id=history.office.id, day=MONDAY, now=datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    db.commit()
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert sorted(db.scalars(select(Violation.id))) == ids
    assert (first.added, first.found) == (len(ids), 1)  # late opening; the running break is 60 min, not over
    later = scan(db, office_id=history.office.id, day=MONDAY, now=EVENING)  # the break ran on to 16:00
    db.commit()
    assert (later.added, later.updated) == (1, 0)
    assert db.scalar(select(func.count()).select_from(Violation)) == len(ids) + 1


def test_rules_use_local_time_of_an_office_in_wita(db, world):
    from tests.accountability.history import History

    lain = History(db, "kel-lain")
    lain.stretch(1, "other", "open", "08:10", "12:00")  # 08:10 WITA = 07:10 WIB: late in Makassar (ready by 07:45)
    scan(db, office_id=lain.office.id, day=MONDAY, now=EVENING)
    db.commit()
    late = db.scalars(select(Violation).where(Violation.kind == "late_opening")).all()
    assert [(v.office_id, v.minutes) for v in late] == [(lain.office.id, 25.0)]


def _violations_for(db, history, world):
    history.stretch(1, "clerk1", "open", "08:30", "12:00")  # clerk1 (supervisor: sup, then manager)
    from tests.accountability.history import History

    History(db, "kel-lain").stretch(1, "other", "open", "09:00", "12:00")  # other: nobody above
    history.ticket("C", "08:00", ("called", "08:31", 1), ("completed", "08:35", 1))  # uncovered, nobody named
    scan(db, office_id=history.office.id, day=MONDAY, now=EVENING)
    scan(db, office_id=world.other_office, day=MONDAY, now=EVENING)
    boss = Staff(name="Kepala", username="boss", password_hash="x", role="manager", office_id=None)
    db.add(boss)
    db.flush()
    history.staff("manager").supervisor_id = boss.id
    db.commit()


def test_supervisor_and_their_supervisor_see_a_clerks_violation_and_no_one_else(db, history, world):
    from ptsp.analytics.discipline import visible_violations
    from ptsp.services.actors import Actor

    _violations_for(db, history, world)

    def seen(username: str, role: str, office: int | None) -> set[tuple[str, str | None]]:
        staff = history.staff(username)
        rows = visible_violations(db, Actor("staff", staff.id, role, office))
        return {(v.kind, db.get(Staff, v.staff_id).username if v.staff_id else None) for v in rows}

    clerk_late = {("late_opening", "clerk1"), ("uncovered_service", None)}
    assert seen("sup", "supervisor", world.office) == clerk_late
    assert seen("manager", "manager", history.office.parent_id) == clerk_late
    assert seen("boss", "manager", None) == set()  # three levels up: not told
    assert seen("clerk1", "clerk", world.office) == set()
    assert seen("clerk2", "clerk", world.office) == set()
    admin = Actor("staff", history.staff("boss").id, "admin", None)
    assert {v.office_id for v in visible_violations(db, admin)} == {world.office, world.other_office}


def test_real_use_cases_late_opening_and_idle_clerk_recorded_with_the_frozen_clock(db, history, world, clock):
    from ptsp.services import counters, tickets
    from ptsp.services.actors import Actor

    clerk1 = history.staff("clerk1")
    actor = Actor("staff", clerk1.id, "clerk", clerk1.office_id)
    counters.open_counter(db, counter_id=world.counters[1], actor=actor, now=clock())  # 09:00, office opened 08:00
    tickets.issue(db, office_id=world.office, service_id=world.services["A"], actor=Actor("system"), now=clock())
    db.commit()
    clock.advance(minutes=12)
    called = tickets.call_next(db, counter_id=world.counters[1], actor=actor, now=clock())
    clock.advance(minutes=5)
    tickets.start(db, ticket_id=called.id, actor=actor, now=clock())
    tickets.complete(db, ticket_id=called.id, outcome="selesai", actor=actor, now=clock())
    db.commit()
    result = scan(db, office_id=world.office, day=MONDAY, now=clock())
    db.commit()
    rows = {v.kind: v for v in db.scalars(select(Violation))}
    assert (result.found, set(rows)) == (2, {"late_opening", "idle_clerk"})
    assert (rows["late_opening"].minutes, rows["late_opening"].staff_id) == (75.0, clerk1.id)  # from 07:45
    assert (rows["idle_clerk"].minutes, rows["idle_clerk"].counter_id) == (12.0, world.counters[1])
