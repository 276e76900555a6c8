"""The generated demo history: closed on holidays and weekends, the Friday prayer gap, Monday and morning peaks,
numbering, events that replay to each ticket's status, counter sessions behind every call, determinism, speed."""

from __future__ import annotations

import time
import tomllib
from collections import Counter as Tally
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from ptsp.db import make_engine
from ptsp.demo import DEMO_FILE
from ptsp.demo_history import generate_history
from ptsp.domain.hours import parse_week
from ptsp.domain.lifecycle import Action, Status, next_status
from ptsp.migrate import upgrade
from ptsp.models import CounterSession, Office, Service, Ticket, TicketEvent, TicketNumber
from ptsp.services import tickets as ticket_cases
from ptsp.services.actors import Actor
from ptsp.services.setup import load_setup
from tests.conftest import CHEAP_HASH

JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 24)
KIND_ACTION = {"called": Action.CALL, "recalled": Action.RECALL, "requeued": Action.REQUEUE, "started": Action.START,
               "completed": Action.COMPLETE, "no_show": Action.NO_SHOW, "transferred": Action.TRANSFER,
               "cancelled": Action.CANCEL, "expired": Action.EXPIRE}
SERVICE_KINDS = ("called", "recalled", "started", "completed", "no_show", "transferred")


def build(url: str, days: int, today: date, seed: int) -> tuple[object, object, float]:
    from sqlalchemy.orm import sessionmaker

    engine = make_engine(url)
    upgrade(engine)
    session = sessionmaker(engine, expire_on_commit=False, info=CHEAP_HASH)()
    data = tomllib.loads(DEMO_FILE.read_text())
    load_setup(session, data)
    session.commit()
    office = session.scalar(select(Office).where(Office.slug == "kel-pegangsaan"))
    week = parse_week(next(o for o in data["offices"] if o["slug"] == "kel-pegangsaan")["hours"])
    started = time.perf_counter()
    stats = generate_history(session, office, week, days=days, today=today, seed=seed,
                             now=datetime.combine(today, datetime.min.time(), JAKARTA) + timedelta(hours=7))
    session.commit()
    return session, stats, time.perf_counter() - started


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    path = tmp_path_factory.mktemp("history") / "demo.db"
    session, stats, seconds = build(f"sqlite:///{path}", 90, TODAY, seed=7)
    yield session, stats, seconds
    session.close()


@pytest.fixture(scope="module")
def summer(tmp_path_factory):
    """A month around Independence Day (17 August) and the Prophet's Birthday (25 August 2026)."""
    path = tmp_path_factory.mktemp("summer") / "demo.db"
    session, stats, _ = build(f"sqlite:///{path}", 30, date(2026, 9, 1), seed=3)
    yield session, stats
    session.close()


def local(at: datetime) -> datetime:
    return at.astimezone(JAKARTA)


def test_ninety_days_generate_well_under_a_minute(history):
    _session, stats, seconds = history
    assert stats.days_open >= 60 and stats.tickets > 3000
    assert seconds < 60, f"history took {seconds:.1f} s"


def test_public_holidays_and_weekends_are_closed(summer):
    session, stats = summer
    assert date(2026, 8, 17) in stats.days_closed_holiday and date(2026, 8, 25) in stats.days_closed_holiday
    days = set(session.scalars(select(Ticket.service_day).distinct()))
    assert date(2026, 8, 17) not in days and date(2026, 8, 25) not in days
    assert all(d.weekday() < 5 for d in days)
    assert date(2026, 8, 18) in days  # the day after is open (and busier than usual)
    holiday = datetime(2026, 8, 17, tzinfo=JAKARTA)
    events_on_holiday = session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.at >= holiday, TicketEvent.at < holiday + timedelta(days=1)))
    assert events_on_holiday == 0


def test_nothing_is_served_during_the_friday_prayer_break(history):
    session, _stats, _ = history
    fridays = 0
    for event in session.scalars(select(TicketEvent).where(TicketEvent.kind.in_(SERVICE_KINDS))):
        at = local(event.at)
        if at.weekday() == 4:
            fridays += 1
            assert not (at.replace(hour=11, minute=30, second=0) <= at < at.replace(hour=13, minute=30, second=0)), at
    assert fridays > 100
    prayer = session.scalars(select(CounterSession).where(CounterSession.reason == "Sholat Jumat")).all()
    assert prayer and all(local(s.started_at).weekday() == 4 and s.state == "break" for s in prayer)
    assert all(local(s.started_at).time() <= datetime(2000, 1, 1, 11, 30).time() for s in prayer)
    assert all(local(s.ended_at).time() >= datetime(2000, 1, 1, 13, 30).time() for s in prayer)


def test_every_call_and_service_happens_inside_an_open_session_of_that_counter(history):
    session, _stats, _ = history
    open_runs = defaultdict(list)
    for run in session.scalars(select(CounterSession).where(CounterSession.state == "open")):
        open_runs[(run.counter_id, run.staff_id)].append((run.started_at, run.ended_at))
    checked = 0
    for event in session.scalars(select(TicketEvent).where(TicketEvent.kind.in_(SERVICE_KINDS))):
        assert event.counter_id is not None and event.staff_id is not None
        runs = open_runs[(event.counter_id, event.staff_id)]
        assert any(a <= event.at <= b for a, b in runs), (event.kind, event.at)
        checked += 1
    assert checked > 10000


def test_monday_is_the_busiest_weekday_and_mornings_peak(history):
    session, _stats, _ = history
    per_day = Tally(session.scalars(select(Ticket.service_day)))
    by_weekday = defaultdict(list)
    for day, count in per_day.items():
        by_weekday[day.weekday()].append(count)
    means = {w: sum(v) / len(v) for w, v in by_weekday.items()}
    assert set(means) == {0, 1, 2, 3, 4}
    assert all(means[0] > means[w] * 1.1 for w in (1, 2, 3, 4)), means
    by_hour = Tally(local(at).hour for at in session.scalars(select(Ticket.issued_at)))
    peak = max(by_hour, key=by_hour.get)
    assert peak in (8, 9, 10), by_hour
    assert by_hour[9] > 1.5 * by_hour[14]


def test_ticket_numbers_are_unique_and_contiguous_per_service_and_day(history):
    session, _stats, _ = history
    numbers = defaultdict(list)
    for service_id, day, number, code in session.execute(
            select(Ticket.issued_service_id, Ticket.service_day, Ticket.number, Ticket.code)):
        numbers[(service_id, day)].append(number)
        assert code.endswith(f"-{number:03d}")
    rows = {(r.service_id, r.day): r.last_number for r in session.scalars(select(TicketNumber))}
    assert set(rows) == set(numbers)
    for key, values in numbers.items():
        assert sorted(values) == list(range(1, len(values) + 1)), key
        assert rows[key] == len(values)
    tokens = session.scalar(select(func.count(func.distinct(Ticket.public_token))))
    assert tokens == session.scalar(select(func.count()).select_from(Ticket))


def test_events_replay_to_each_tickets_status_and_counts(history):
    session, _stats, _ = history
    events = defaultdict(list)
    for event in session.scalars(select(TicketEvent).order_by(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.id)):
        events[event.ticket_id].append(event)
    kinds = Tally()
    for ticket in session.scalars(select(Ticket)):
        kinds.update(e.kind for e in events[ticket.id] if e.kind == "referred")
        # A referral is logged on the ticket (`referred`) but does not move its status.
        log = [e for e in events[ticket.id] if e.kind != "referred"]
        assert log[0].kind == "issued" and log[0].at == ticket.issued_at
        assert log[0].data == {"priority": ticket.priority, "number": ticket.number}
        status = Status.WAITING
        for event in log[1:]:
            status = next_status(status, KIND_ACTION[event.kind])
        assert status.value == ticket.status, [e.kind for e in log]
        assert [e.at for e in log] == sorted(e.at for e in log)
        kinds.update(e.kind for e in log)
        assert ticket.call_count == sum(e.kind in ("called", "recalled") for e in log)
        assert ticket.transfer_count == sum(e.kind == "transferred" for e in log)
        if ticket.status in ("done", "no_show", "cancelled", "expired"):
            assert ticket.finished_at == log[-1].at
        if ticket.status == "done":
            assert ticket.outcome == log[-1].data["outcome"] and ticket.started_at < ticket.finished_at
        service = ticket.issued_service_id
        for moved in (e for e in log if e.kind == "transferred"):
            assert moved.data["from_service"] == service
            service = moved.data["to_service"]
        assert service == ticket.service_id
    for kind in ("no_show", "transferred", "recalled", "cancelled", "completed", "referred"):
        assert kinds[kind] > 0, kind
    assert kinds["no_show"] < 0.1 * kinds["issued"] and kinds["transferred"] < 0.1 * kinds["issued"]


def test_service_times_follow_each_services_standard(history):
    session, _stats, _ = history
    minutes = defaultdict(list)
    rows = session.execute(select(Service.prefix, Service.standard_minutes, Ticket.started_at, Ticket.finished_at)
                           .join(Service, Service.id == Ticket.service_id).where(Ticket.status == "done"))
    standard = {}
    for prefix, std, started, finished in rows:
        minutes[prefix].append((finished - started).total_seconds() / 60)
        standard[prefix] = std
    for prefix, values in minutes.items():
        mean = sum(values) / len(values)
        assert 0.8 * standard[prefix] <= mean <= 1.2 * standard[prefix], (prefix, mean)
        assert max(values) - min(values) > standard[prefix] / 2  # they vary
    assert sum(minutes["B"]) / len(minutes["B"]) > sum(minutes["A"]) / len(minutes["A"]) > \
        sum(minutes["C"]) / len(minutes["C"])


def test_clerks_sometimes_open_late_and_take_breaks(history):
    session, _stats, _ = history
    late = 0
    for run in session.scalars(select(CounterSession).where(CounterSession.state == "open")):
        at = local(run.started_at)
        opening = at.replace(hour=7 if at.weekday() == 4 else 8, minute=30 if at.weekday() == 4 else 0, second=0)
        if opening <= at and at - opening > timedelta(minutes=10) and at.hour < 10:
            late += 1
    assert late > 5
    reasons = Tally(session.scalars(select(CounterSession.reason).where(CounterSession.state == "break")))
    assert reasons["Istirahat siang"] > 0 and reasons["Istirahat sebentar"] > 0


def test_same_seed_gives_the_same_history_and_another_seed_does_not(tmp_path):
    def fingerprint(seed: int, name: str) -> list[tuple]:
        session, _stats, _ = build(f"sqlite:///{tmp_path / name}", 14, TODAY, seed)
        rows = session.execute(select(Ticket.code, Ticket.issued_at, Ticket.status, Ticket.public_token)
                               .order_by(Ticket.id)).all()
        session.close()
        return [tuple(r) for r in rows]

    first = fingerprint(11, "a.db")
    assert first == fingerprint(11, "b.db")
    assert first != fingerprint(12, "c.db")


def test_running_again_keeps_existing_days_and_real_tickets_follow_on(db_url, clock):
    session, stats, _ = build(db_url, 10, date(2026, 11, 23), seed=5)
    assert stats.tickets > 0
    office = session.scalar(select(Office).where(Office.slug == "kel-pegangsaan"))
    again = generate_history(session, office, parse_week(office.hours), days=10, today=date(2026, 11, 23), seed=5,
                             now=clock())
    assert again.tickets == 0 and again.days_skipped == stats.days_open
    # A real ticket issued after the history gets a fresh id and number 1 of its day.
    office.hours = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    service = office.services[0]
    ticket, _ = ticket_cases.issue(session, office_id=office.id, service_id=service.id,
                                   actor=Actor("device", None, "kiosk", office.id), now=clock())
    session.commit()
    assert ticket.number == 1
    assert ticket.id == session.scalar(select(func.max(Ticket.id)))
    session.close()


def test_a_share_of_completed_tickets_is_rated_once_by_the_clerk_who_completed_it(history):
    from ptsp.models import Rating

    session, stats, _ = history
    ratings = session.scalars(select(Rating)).all()
    assert len(ratings) == stats.ratings
    done = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.status == "done"))}
    assert 0.25 * len(done) < len(ratings) < 0.45 * len(done)
    assert len({r.ticket_id for r in ratings}) == len(ratings)
    completed = {e.ticket_id: e for e in session.scalars(select(TicketEvent).where(TicketEvent.kind == "completed"))}
    for rating in ratings:
        ticket, event = done[rating.ticket_id], completed[rating.ticket_id]
        assert (rating.staff_id, rating.counter_id, rating.service_id) == (event.staff_id, event.counter_id,
                                                                           ticket.service_id)
        assert rating.at > ticket.finished_at and 1 <= rating.quick <= 4
        assert rating.channel in ("status_page", "tablet")
        elements = [getattr(rating, f"u{i}") for i in range(1, 10)]
        assert all(e is None for e in elements) or all(1 <= e <= 4 for e in elements)
    assert Tally(r.quick for r in ratings).most_common(1)[0][0] == 4
    assert any(r.u1 is not None for r in ratings) and any(r.u1 is None for r in ratings)


def test_completion_events_carry_the_service_and_its_standard_like_the_use_case(history):
    session, _stats, _ = history
    standards = {s.id: s.standard_minutes for s in session.scalars(select(Service))}
    for event, service_id in session.execute(select(TicketEvent, Ticket.service_id).join(Ticket).where(
            TicketEvent.kind == "completed")):
        assert event.data["service_id"] == service_id
        assert event.data["standard_minutes"] == standards[service_id]
