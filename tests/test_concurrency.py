"""Kiosks and clerks at once, on real SQLite and real PostgreSQL, with real threads."""

from __future__ import annotations

import threading
import time
from collections import Counter as Tally

import pytest
from sqlalchemy import func, select

from ptsp.domain.errors import QueueEmpty
from ptsp.models import Counter, Office, Service, Ticket, TicketEvent
from ptsp.services import counters, tickets
from ptsp.services.accounts import add_staff
from ptsp.services.actors import Actor
from ptsp.services.setup import load_setup
from tests.conftest import MONDAY_9_WIB

# 18 threads contend on every write. The run is CPU-bound in Python (about 10 ms of CPU per ticket's issue,
# call, start and complete), so its length buys repetitions, not more contention: 400 tickets keep every
# thread interleaving with every other (2,000 took a third of the suite's wall time, 800 still 30 s).
KIOSKS, TICKETS_PER_KIOSK, CLERKS = 8, 50, 10
ALL_DAY = {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _busy_office(app) -> tuple[int, list[int], list[tuple[int, Actor]]]:
    session = app.extensions["ptsp.sessions"]()
    load_setup(session, {"offices": [{
        "slug": "mpp-busy", "name": "MPP Sibuk", "kind": "mpp", "hours": ALL_DAY, "last_ticket_minutes": 0,
        "services": [
            {"prefix": p, "name_id": p, "name_en": p, "standard_minutes": 5} for p in ("A", "B", "C")
        ],
        "counters": [
            {"number": n, "services": ["A", "B", "C"] if n % 3 == 0 else (["A", "B"] if n % 2 else ["A", "C"])}
            for n in range(1, CLERKS + 1)
        ],
    }]})
    office = session.scalar(select(Office).where(Office.slug == "mpp-busy"))
    service_ids = list(session.scalars(select(Service.id).where(Service.office_id == office.id)))
    clerks = []
    for counter in session.scalars(select(Counter).where(Counter.office_id == office.id)):
        staff = add_staff(session, username=f"loket{counter.number}", name=f"Loket {counter.number}",
                          password="password-x", role="clerk", office=office)
        session.flush()
        actor = Actor("staff", staff.id, "clerk", office.id)
        counters.open_counter(session, counter_id=counter.id, actor=actor, now=MONDAY_9_WIB)
        clerks.append((counter.id, actor))
    session.commit()
    session.close()
    return office.id, service_ids, clerks


@pytest.mark.slow
def test_eight_kiosks_and_ten_clerks_number_and_call_every_ticket_exactly_once(app):
    office_id, service_ids, clerks = _busy_office(app)
    sessions = app.extensions["ptsp.sessions"]
    kiosk = Actor("device", None, "kiosk", office_id)
    issued: list[int] = []
    called: list[int] = []
    errors: list[BaseException] = []
    kiosks_done = threading.Event()
    lock = threading.Lock()

    def run_kiosk(k: int) -> None:
        try:
            for i in range(TICKETS_PER_KIOSK):
                with sessions() as session:
                    ticket, _ = tickets.issue(
                        session, office_id=office_id, service_id=service_ids[(k + i) % 3],
                        priority="elderly" if i % 7 == 0 else "regular", actor=kiosk, now=MONDAY_9_WIB,
                    )
                    session.commit()
                    with lock:
                        issued.append(ticket.id)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    def run_clerk(counter_id: int, actor: Actor) -> None:
        try:
            while True:
                with sessions() as session:
                    try:
                        ticket = tickets.call_next(session, counter_id=counter_id, actor=actor, now=MONDAY_9_WIB)
                    except QueueEmpty:
                        session.rollback()
                        if kiosks_done.is_set():
                            return
                        time.sleep(0.05)  # an idle clerk looks again shortly; a hot loop starved the kiosks of the GIL
                        continue
                    session.commit()
                    with lock:
                        called.append(ticket.id)
                with sessions() as session:
                    tickets.start(session, ticket_id=ticket.id, actor=actor, now=MONDAY_9_WIB)
                    tickets.complete(session, ticket_id=ticket.id, outcome="selesai", actor=actor, now=MONDAY_9_WIB)
                    session.commit()
        except BaseException as exc:
            errors.append(exc)

    kiosk_threads = [threading.Thread(target=run_kiosk, args=(k,)) for k in range(KIOSKS)]
    clerk_threads = [threading.Thread(target=run_clerk, args=clerk) for clerk in clerks]
    for thread in kiosk_threads + clerk_threads:
        thread.start()
    for thread in kiosk_threads:
        thread.join()
    kiosks_done.set()
    for thread in clerk_threads:
        thread.join()

    assert errors == []
    total = KIOSKS * TICKETS_PER_KIOSK
    assert len(issued) == len(set(issued)) == total
    assert sorted(called) == sorted(issued), "every ticket called exactly once"

    with sessions() as session:
        for service_id in service_ids:
            numbers = sorted(session.scalars(select(Ticket.number).where(Ticket.issued_service_id == service_id)))
            assert numbers == list(range(1, len(numbers) + 1)), "numbers 1..N without gap or duplicate"
        statuses = Tally(session.scalars(select(Ticket.status).where(Ticket.office_id == office_id)))
        assert statuses == {"done": total}
        call_events = session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "called")
        )
        assert call_events == total


def test_one_clerk_opening_two_counters_at_once_gets_one(app, world):
    """Two opens by one clerk racing on two counters: the second waits for the first and is refused (on
    PostgreSQL each locked only its own counter, so both passed the "open elsewhere" check: one clerk serving
    two tickets at once, each earning points by its own minutes)."""
    from ptsp.domain.errors import CounterBusy
    from ptsp.models import CounterSession, Staff

    sessions = app.extensions["ptsp.sessions"]
    with sessions() as session:
        staff = session.scalar(select(Staff).where(Staff.username == "clerk1"))
        actor = Actor("staff", staff.id, "clerk", world.office)
    first = sessions()
    counters.open_counter(first, counter_id=world.counters[1], actor=actor, now=MONDAY_9_WIB)
    first.flush()  # counter 1 opened, not yet committed
    outcome: list[object] = []

    def second() -> None:
        with sessions() as session:
            try:
                counters.open_counter(session, counter_id=world.counters[2], actor=actor, now=MONDAY_9_WIB)
                session.commit()
                outcome.append("opened")
            except CounterBusy as exc:
                session.rollback()
                outcome.append(exc.reason)

    racer = threading.Thread(target=second)
    racer.start()
    time.sleep(0.5)  # the second open runs (or waits) while the first is uncommitted
    first.commit()
    first.close()
    racer.join(10)
    assert outcome == ["other_counter_open"]
    with sessions() as session:
        open_rows = session.scalar(select(func.count()).select_from(CounterSession).where(
            CounterSession.staff_id == actor.staff_id, CounterSession.ended_at.is_(None)))
    assert open_rows == 1
