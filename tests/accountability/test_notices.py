"""Reaching two superiors: who is notified of a violation, the inbox's rules, and the clerk's answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ptsp.domain.errors import InvalidInput, InvalidTransition, NotFound
from ptsp.models import Office, Staff, Violation, ViolationAnswer, ViolationNotice
from ptsp.services import discipline_notices as notices
from ptsp.services.accounts import add_staff
from ptsp.services.actors import Actor
from ptsp.services.discipline import scan
from tests.accountability.history import MONDAY, History

AFTER = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def actor(staff: Staff) -> Actor:
    return Actor("staff", staff.id, staff.role, staff.office_id)


def violation(db, office_id: int, staff: Staff | None, key: str = "k", kind: str = "late_opening",
              day=MONDAY) -> Violation:
    row = Violation(office_id=office_id, day=day, kind=kind, key=key, staff_id=staff.id if staff else None,
                    started_at=AFTER - timedelta(minutes=30), ended_at=AFTER, minutes=30.0, details={},
                    detected_at=AFTER)
    db.add(row)
    db.flush()
    return row


def who(db, v: Violation) -> list[tuple[str, int]]:
    rows = db.scalars(select(ViolationNotice).where(ViolationNotice.violation_id == v.id)
                      .order_by(ViolationNotice.level, ViolationNotice.recipient_id))
    return [(db.get(Staff, n.recipient_id).username, n.level) for n in rows]


def test_a_clerks_violation_reaches_their_supervisor_and_theirs_once(db, history, world):
    history.stretch(1, "clerk1", "open", "08:20", "12:00")  # 35 minutes after 07:45
    scan(db, office_id=world.office, day=MONDAY, now=AFTER)
    created = notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)
    late = db.scalar(select(Violation))
    assert late.kind == "late_opening" and len(created) == 2
    assert who(db, late) == [("sup", 1), ("manager", 2)]
    assert notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER) == []  # idempotent
    scan(db, office_id=world.office, day=MONDAY, now=AFTER)  # a repeat scan keeps the row and its notices
    assert notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER) == []
    assert db.scalar(select(func.count()).select_from(ViolationNotice)) == 2


def test_an_uncovered_service_reaches_the_offices_supervisors_and_their_supervisor(db, history, world):
    v = violation(db, world.office, None, kind="uncovered_service")
    notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)
    assert who(db, v) == [("sup", 1), ("manager", 2)]


def test_without_a_supervisor_the_office_heads_are_notified_and_never_the_clerk_themself(db, history, world):
    clerk2 = history.staff("clerk2")
    clerk2.supervisor_id = None
    sup = history.staff("sup")
    v1, v2 = violation(db, world.office, clerk2, "a"), violation(db, world.office, sup, "b")
    notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)
    assert who(db, v1) == [("sup", 1), ("manager", 2)]
    assert who(db, v2) == [("manager", 1)]  # the supervisor's own lateness goes to their manager, not to them


def test_fallback_climbs_to_the_parent_office_and_skips_inactive_staff(db, history, world):
    history.staff("sup").active = False  # left: the kelurahan has no active supervisor or manager
    v = violation(db, world.office, history.staff("clerk1"))  # clerk1's supervisor is still `sup`
    notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)
    assert who(db, v) == [("manager", 1)]  # the kecamatan's manager; nobody above them


def test_a_neighbour_office_is_notified_only_of_its_own(db, world):
    lain = db.scalar(select(Office).where(Office.slug == "kel-lain"))
    other = History(db, "kel-lain").staff("other")
    v = violation(db, lain.id, other)
    assert notices.ensure_notices(db, office_id=lain.id, day=MONDAY, now=AFTER) == []  # no one above
    boss = add_staff(db, username="sup-lain", name="Pengawas Lain", password="password-l", role="supervisor",
                     office=lain)
    v2 = violation(db, lain.id, other, "second")
    notices.ensure_notices(db, office_id=lain.id, day=MONDAY, now=AFTER)
    assert who(db, v2) == [("sup-lain", 1)] and who(db, v) == [("sup-lain", 1)]
    assert boss.id not in {n.recipient_id for n in db.scalars(select(ViolationNotice).join(Violation).where(
        Violation.office_id == world.office))}


@pytest.fixture
def noticed(db, history, world):
    clerk1 = history.staff("clerk1")
    v = violation(db, world.office, clerk1)
    notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)
    db.commit()
    return v


def _notice(db, v: Violation, username: str) -> ViolationNotice:
    staff = db.scalar(select(Staff).where(Staff.username == username))
    return db.scalar(select(ViolationNotice).where(ViolationNotice.violation_id == v.id,
                                                   ViolationNotice.recipient_id == staff.id))


def test_only_the_recipient_reads_and_acknowledges_once_with_a_note(db, history, noticed):
    sup, manager, clerk2 = history.staff("sup"), history.staff("manager"), history.staff("clerk2")
    mine = _notice(db, noticed, "sup")
    assert notices.unread_count(db, sup.id) == 1
    for stranger in (manager, clerk2):
        with pytest.raises(NotFound):
            notices.mark_read(db, notice_id=mine.id, actor=actor(stranger), now=AFTER)
        with pytest.raises(NotFound):
            notices.acknowledge(db, notice_id=mine.id, actor=actor(stranger), note="ok", now=AFTER)
    with pytest.raises(InvalidInput):
        notices.acknowledge(db, notice_id=mine.id, actor=actor(sup), note="   ", now=AFTER)
    assert mine.read_at is None and mine.acknowledged_at is None
    notices.mark_read(db, notice_id=mine.id, actor=actor(sup), now=AFTER)
    assert notices.unread_count(db, sup.id) == 0 and notices.unread_count(db, manager.id) == 1
    later = AFTER + timedelta(hours=1)
    notices.acknowledge(db, notice_id=mine.id, actor=actor(sup), note=" Sudah ditegur lisan ", now=later)
    assert (mine.read_at, mine.acknowledged_at, mine.note) == (AFTER, later, "Sudah ditegur lisan")
    with pytest.raises(InvalidTransition):
        notices.acknowledge(db, notice_id=mine.id, actor=actor(sup), note="lagi", now=later)
    assert mine.note == "Sudah ditegur lisan"


def test_the_clerk_answers_their_own_violation_until_it_is_acknowledged(db, history, noticed):
    clerk1, clerk2, sup = history.staff("clerk1"), history.staff("clerk2"), history.staff("sup")
    with pytest.raises(NotFound):
        notices.answer(db, violation_id=noticed.id, actor=actor(clerk2), text="bukan saya", now=AFTER)
    with pytest.raises(InvalidInput):
        notices.answer(db, violation_id=noticed.id, actor=actor(clerk1), text=" ", now=AFTER)
    assert db.scalar(select(func.count()).select_from(ViolationAnswer)) == 0
    notices.answer(db, violation_id=noticed.id, actor=actor(clerk1), text="Ban motor bocor", now=AFTER)
    notices.answer(db, violation_id=noticed.id, actor=actor(clerk1), text="Ban motor bocor di jalan", now=AFTER)
    assert [a.text for a in db.scalars(select(ViolationAnswer))] == ["Ban motor bocor di jalan"]
    assert notices.inbox(db, sup.id)[0].violation.answer.text == "Ban motor bocor di jalan"
    notices.acknowledge(db, notice_id=_notice(db, noticed, "sup").id, actor=actor(sup), note="Dimaklumi", now=AFTER)
    with pytest.raises(InvalidTransition):
        notices.answer(db, violation_id=noticed.id, actor=actor(clerk1), text="ubah", now=AFTER)
    own = notices.own_violations(db, clerk1.id, since=MONDAY)
    names = notices.Names.of(db, own, {n.recipient_id for v in own for n in v.notices})
    view = notices.own_violation_view(own[0], names)
    assert view["answer"]["text"] == "Ban motor bocor di jalan" and view["answer_editable"] is False
    assert view["acknowledgements"] == [{"level": 1, "by": "Pak Supervisor", "at": AFTER.isoformat(),
                                         "note": "Dimaklumi"}]
    assert notices.own_violations(db, clerk2.id, since=MONDAY) == []


def test_a_violation_the_scan_withdraws_keeps_its_notices_but_leaves_every_list(db, history, world):
    stretch = history.stretch(1, "clerk1", "open", "08:20", "12:00")
    scan(db, office_id=world.office, day=MONDAY, now=AFTER)
    notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)
    late = db.scalar(select(Violation))
    clerk1 = history.staff("clerk1")
    notices.answer(db, violation_id=late.id, actor=actor(clerk1), text="macet", now=AFTER)
    db.commit()
    boss = db.scalar(select(ViolationNotice.recipient_id).where(ViolationNotice.level == 1))
    assert notices.unread_count(db, boss) == 1
    stretch.started_at = history.at("07:40")  # corrected history: on time after all
    scan(db, office_id=world.office, day=MONDAY, now=AFTER)
    db.commit()
    db.refresh(late)
    assert late.withdrawn_at is not None  # kept, with what was said about it
    assert db.scalar(select(func.count()).select_from(ViolationNotice)) > 0
    assert db.scalar(select(func.count()).select_from(ViolationAnswer)) == 1
    assert notices.unread_count(db, boss) == 0 and notices.inbox(db, boss) == []
    assert notices.own_violations(db, clerk1.id, since=MONDAY) == []
    with pytest.raises(NotFound):
        notices.answer(db, violation_id=late.id, actor=actor(clerk1), text="ubah", now=AFTER)
    assert notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER) == []


def test_a_violation_under_the_tolerance_is_not_noticed_until_it_reaches_it(db, history, world):
    from ptsp.models import DisciplineSettings
    history.stretch(1, "clerk1", "open", "07:50", "12:00")  # 5 minutes late (ready at 07:45)
    db.merge(DisciplineSettings(office_id=world.office, tolerance_minutes={"late_opening": 10}))
    db.flush()
    scan(db, office_id=world.office, day=MONDAY, now=AFTER)
    assert db.scalar(select(func.count()).select_from(Violation)) == 1
    assert notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER) == []
    db.merge(DisciplineSettings(office_id=world.office, tolerance_minutes={"late_opening": 5}))
    db.flush()
    assert len(notices.ensure_notices(db, office_id=world.office, day=MONDAY, now=AFTER)) > 0
