"""The demo's history fills every manager page: referrals and complaints in every stage, ping-pong cases, an
office that serves too few, violations, ratings, walk-aways apart from no-shows; read through the real analytics
and, in Chromium, through the pages themselves."""

from __future__ import annotations

import re
import tomllib
from collections import Counter as Tally
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from ptsp.analytics import offices as office_figures
from ptsp.analytics import pingpong
from ptsp.analytics.complaints import complaint_list
from ptsp.analytics.discipline import overview
from ptsp.analytics.leaderboard import leaderboard
from ptsp.analytics.referrals import list_referrals, quarterly_ranking
from ptsp.analytics.skm import ikm
from ptsp.db import make_engine
from ptsp.demo import DEMO_FILE, NOTICE_DAYS, office_histories
from ptsp.domain.referrals import Quarter
from ptsp.migrate import upgrade
from ptsp.models import (
    Complaint,
    Department,
    Office,
    Rating,
    Referral,
    Staff,
    Ticket,
    TicketEvent,
    Violation,
    ViolationNotice,
)
from ptsp.services.actors import Actor
from ptsp.services.points import recompute
from ptsp.services.setup import load_setup
from tests.conftest import CHEAP_HASH, LiveServer, ServerTemplate

JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 24)  # a Tuesday: the history ends on Monday 23 November
NOW = datetime(2026, 11, 24, 7, 0, tzinfo=JAKARTA).astimezone(UTC)  # before the office opens


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo set-up with 14 days of history, as `ptsp demo --history 14` writes it, at a fixed `now`."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    upgrade(engine)
    session = sessionmaker(engine, expire_on_commit=False, info=CHEAP_HASH)()
    load_setup(session, tomllib.loads(DEMO_FILE.read_text()))
    session.commit()
    results = office_histories(session, 14, seed=1, now=NOW)
    yield session, results
    session.close()
    engine.dispose()


def offices_with_hours(session) -> list[Office]:
    return [o for o in session.scalars(select(Office).order_by(Office.id)) if office_figures.has_hours(o)]


def manager(session) -> Actor:
    camat = session.scalar(select(Staff).where(Staff.username == "camat"))
    return Actor("staff", camat.id, camat.role, camat.office_id)


def test_both_kelurahan_get_history_and_the_quiet_one_is_flagged_as_serving_too_few(demo):
    session, results = demo
    assert [name for name, _stats, _s in results] == ["PTSP Kelurahan Pegangsaan", "PTSP Kelurahan Gondangdia"]
    assert all(stats.days_open == 10 and stats.tickets > 0 for _n, stats, _s in results)
    report = office_figures.report(session, offices_with_hours(session), TODAY - timedelta(days=14), TODAY, NOW)
    names = {o.id: o.name for o in offices_with_hours(session)}
    assert [names[i] for i in report["low"]] == ["PTSP Kelurahan Gondangdia"]
    for measure in ("per_open_hour", "per_clerk_hour"):
        flags = {p["office_name"]: p["flag"] for p in report[measure]["points"]}
        assert flags["PTSP Kelurahan Gondangdia"].startswith("low"), (measure, flags)
        assert not flags["PTSP Kelurahan Pegangsaan"].startswith("low"), (measure, flags)
    assert report["pooling"] and report["pooling"][0]["clerk_hours_saved"] >= 0


def test_referrals_reach_every_stage_some_answered_in_time_some_late_some_never(demo):
    session, _results = demo
    rows = list_referrals(session, None, NOW, limit=5000)
    statuses = Tally(r["status"] for r in rows)
    assert statuses["referred"] and statuses["done"] and statuses["returned"], statuses
    assert statuses["received"] + statuses["verification"] + statuses["field_check"] + statuses["in_progress"] > 0
    answered = [r for r in rows if r["responded_at"] is not None]
    assert any(not r["breached"] for r in answered) and any(r["breached"] for r in answered)
    assert any(r["overdue_open"] for r in rows)
    assert len({r["department"] for r in rows}) >= 2
    ranking = quarterly_ranking(session, None, Quarter.of(NOW - timedelta(days=1), "Asia/Jakarta"), NOW)
    assert len(ranking) >= 2 and sum(r["referrals"] for r in ranking) == len(rows)
    # Each referral is on its ticket's log as the use case writes it, by the clerk at that counter.
    events = {e.data["referral"]: e for e in session.scalars(select(TicketEvent).where(TicketEvent.kind == "referred"))}
    for referral in session.scalars(select(Referral)):
        event = events[referral.id]
        assert (event.ticket_id, event.data["department"], event.at) == (referral.ticket_id, referral.department_id,
                                                                         referral.referred_at)
        assert event.staff_id == referral.referred_by and event.counter_id == referral.counter_id
        assert referral.due_at == referral.referred_at + timedelta(hours=24)


def test_complaints_reach_every_stage(demo):
    session, _results = demo
    views = complaint_list(session, [o.id for o in offices_with_hours(session)], NOW)
    stage = Tally()
    for c in views:
        if c["status"] != "done":
            stage["open overdue" if c["overdue"] else f"open {c['status']}"] += 1
        else:
            stage["answered late" if c["overdue"] else "answered in time"] += 1
            assert c["events"][-1]["note"], "a closed complaint carries its answer"
    assert stage["open received"] and stage["open overdue"], stage  # new ones, and ones left past 1x24 h
    assert stage["answered in time"] and stage["answered late"], stage
    assert {"verifying", "handling"} & {c["status"] for c in views}
    ratings = {r.id: r for r in session.scalars(select(Rating))}
    for complaint in session.scalars(select(Complaint)):  # filed with a poor rating, as the use case files it
        rating = ratings[complaint.rating_id]
        assert rating.quick <= 2 and (complaint.ticket_id, complaint.received_at) == (rating.ticket_id, rating.at)


def test_pingpong_cases_are_found_by_the_existing_rule(demo):
    session, _results = demo
    report = pingpong.report(session, offices_with_hours(session), TODAY - timedelta(days=14), TODAY)
    reasons = Tally(r for case in report["cases"] for r in case["reasons"])
    assert reasons["service_bounce"] >= 1, reasons
    assert any(re.fullmatch(r"(\w) → \w → \1", case["services"]) for case in report["cases"])
    assert reasons["department_bounce"] >= 1, reasons


def test_discipline_violations_ratings_and_points_are_there_and_the_ledger_matches(demo):
    session, results = demo
    seen = overview(session, manager(session), first_day=TODAY - timedelta(days=14),
                    last_day=TODAY - timedelta(days=1))
    assert seen.total and sum(stats.violations or 0 for _n, stats, _s in results) == seen.total
    per_kind = seen.per_kind
    assert {"late_opening", "idle_clerk", "uncovered_service"} <= set(per_kind), per_kind
    offices = [o.id for o in offices_with_hours(session)]
    rows = ikm(session, offices, TODAY - timedelta(days=14), TODAY)
    assert len(rows) == 2 and all(row["ratings"] > 0 and row["respondents"] > 0 for row in rows)
    board = leaderboard(session, offices, "month", NOW - timedelta(days=1))
    assert len(board["ranked"]) >= 4
    assert recompute(session).matches
    # The last week's violations reached two superiors, as the live scan would have brought them; older ones not.
    noticed = session.scalars(select(Violation.day).join(ViolationNotice).distinct()).all()
    assert noticed and min(noticed) >= TODAY - timedelta(days=NOTICE_DAYS)
    levels = set(session.scalars(select(ViolationNotice.level)))
    assert levels == {1, 2}


def test_walk_aways_are_cancelled_while_waiting_and_no_shows_were_called(demo):
    session, _results = demo
    statuses = Tally(session.scalars(select(Ticket.status)))
    issued = sum(statuses.values())
    assert 0.02 < statuses["cancelled"] / issued < 0.12, statuses
    assert 0.02 < statuses["no_show"] / issued < 0.1, statuses
    called = set(session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.kind == "called")))
    cancelled = set(session.scalars(select(Ticket.id).where(Ticket.status == "cancelled")))
    no_shows = set(session.scalars(select(Ticket.id).where(Ticket.status == "no_show")))
    assert not cancelled & called and no_shows <= called
    waits = [(t.finished_at - t.queued_at).total_seconds() / 60
             for t in session.scalars(select(Ticket).where(Ticket.status == "cancelled"))]
    assert max(waits) > 30 and min(waits) < 30  # patience varies from resident to resident


def test_discipline_is_judged_by_the_real_hours_when_the_demo_opens_all_day(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'allday.db'}")
    upgrade(engine)
    all_day = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    with sessionmaker(engine, info=CHEAP_HASH)() as session:
        load_setup(session, tomllib.loads(DEMO_FILE.read_text()))
        office = session.scalar(select(Office).where(Office.slug == "kel-pegangsaan"))
        office.hours = all_day
        session.commit()
        office_histories(session, 7, seed=2, now=NOW)
        session.expire_all()
        assert session.scalar(select(Office.hours).where(Office.slug == "kel-pegangsaan")) == all_day
        late = list(session.scalars(select(Violation).where(Violation.kind == "late_opening",
                                                            Violation.office_id == office.id)))
        opened = {(v.day, v.counter_id) for v in late}
        # Judged against 00:00 every counter would be late every day; by the real 08:00 (07:30) only some are.
        assert late and len(opened) < 0.6 * 4 * 5
        assert all(v.minutes < 60 for v in late)
    engine.dispose()


def test_the_same_seed_writes_the_same_casework(tmp_path):
    def casework(name: str) -> list[tuple]:
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        upgrade(engine)
        with sessionmaker(engine, info=CHEAP_HASH)() as session:
            load_setup(session, tomllib.loads(DEMO_FILE.read_text()))
            session.commit()
            office_histories(session, 7, seed=4, now=NOW)
            rows = [tuple(r) for r in session.execute(
                select(Referral.ticket_id, Referral.status, Referral.responded_at).order_by(Referral.id))]
            rows += [(session.scalar(select(func.count()).select_from(Department)),)]
        engine.dispose()
        return rows

    assert casework("a.db") == casework("b.db")


# -- Chromium over every manager page ------------------------------------------------------------------------

PAGES = {  # path -> the page's main table (None: a form or chart page without one)
    "/manager/": None,
    "/manager/dashboard": "[data-table='services']",
    "/manager/charts": "#service-table",
    "/manager/export": None,
    # As a manager opens them: the plan and hours pages on the office with history, the leaderboard on the
    # last day with points (today is empty before the first live ticket).
    "/manager/plan": "#hourly",
    "/manager/hours": ".table-scroll table",
    "/manager/calculator": None,
    "/manager/leaderboard": "#ranked",
    "/manager/leaderboard?period={period}": "#ranked",
    "/manager/ikm": "#ikm",
    "/manager/complaints": "#complaints",
    "/manager/offices": "#office-table",
    "/manager/referrals": "#ranking",
    "/manager/pingpong": "#pingpong-cases",
    "/manager/discipline": "#violations",
    "/manager/notices": "#notices",  # the camat is the second superior of the kelurahan's clerks
}
BAD_TEXT = re.compile(r"\bNone\b|\bnan\b|∞", re.IGNORECASE)


@pytest.fixture
def demo_server(tmp_path):
    """A real `ptsp run` on what `ptsp demo --history 14 --no-serve` wrote (all-day hours, real-hour history)."""
    from ptsp.demo import add_history, prepare_demo
    from tests.conftest import Clock, make_test_app

    database = tmp_path / "demo.db"
    app = make_test_app(f"sqlite:///{database}", Clock(datetime.now(UTC)))
    prepare_demo(app)
    add_history(app, 14)
    app.extensions["ptsp.engine"].dispose()
    live = LiveServer(tmp_path, ServerTemplate(database, "", ""))
    live.start()
    yield live
    live.stop()


def test_every_manager_page_has_content_after_the_demo_history(demo_server, page_factory, shot):
    page = page_factory(1366, 768)
    page.goto(f"{demo_server.base}/manager/login")
    page.fill("input[name=username]", "camat")
    page.fill("input[name=password]", "demo-manajer")
    page.click("button[type=submit]")
    page.wait_for_url(f"{demo_server.base}/manager/")
    problems = []
    today = datetime.now(JAKARTA).date()
    period = "month" if today.day > 1 else "week"  # the history ends yesterday
    for path, table in PAGES.items():
        page.goto(f"{demo_server.base}{path.format(period=period)}")
        page.wait_for_load_state("networkidle")
        name = path.split("?")[0].replace("/manager", "").strip("/") or "index"
        shot(page, name)
        text = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
        bad = [text[max(0, m.start() - 40):m.end() + 20] for m in BAD_TEXT.finditer(text)]
        if bad:
            problems.append(f"{path}: shows {bad[:3]}")
        if table is not None:
            rows = page.locator(f"{table} tbody tr")
            cells = [rows.nth(i).locator("td").count() for i in range(rows.count())]
            if not any(n > 1 for n in cells):  # only an empty-row message (one cell spanning the table)
                problems.append(f"{path}: {table} has no rows")
    assert not problems, problems


def test_live_referrals_ratings_and_complaints_follow_the_history_on_both_databases(db_url):
    from ptsp.services.feedback import rate
    from ptsp.services.referrals import refer

    engine = make_engine(db_url)
    upgrade(engine)
    with sessionmaker(engine, info=CHEAP_HASH)() as session:
        load_setup(session, tomllib.loads(DEMO_FILE.read_text()))
        session.commit()
        office_histories(session, 10, seed=3, now=NOW)
        highest = {model: session.scalar(select(func.max(model.id))) for model in (Rating, Referral, Complaint)}
        assert all(highest.values()), highest
        rated = select(Rating.ticket_id)
        ticket = session.scalar(select(Ticket).where(Ticket.status == "done", Ticket.id.not_in(rated))
                                .order_by(Ticket.id.desc()))
        clerk = session.get_one(Staff, ticket.clerk_id)
        department = session.scalar(select(Department).order_by(Department.id))
        referral = refer(session, ticket_id=ticket.id, department_id=department.id, note="kasus baru",
                         actor=Actor("staff", clerk.id, clerk.role, clerk.office_id), now=NOW)
        rating, complaint = rate(session, ticket=ticket, quick=1, elements=None, complaint="Lama sekali",
                                 channel="status_page", now=NOW)
        session.commit()
        assert referral.id > highest[Referral] and rating.id > highest[Rating]
        assert complaint is not None and complaint.id > highest[Complaint]
    engine.dispose()
