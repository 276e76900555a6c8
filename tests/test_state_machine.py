"""Random sequences of kiosk, counter and ticket commands keep the queue's invariants.

A hypothesis state machine drives the real use cases (`ptsp.services.tickets` and
`ptsp.services.counters`) against a real SQLite database: a copy, per example, of a
migrated database with the test offices of `tests.conftest.SETUP` loaded once.

Every command either succeeds and is committed, or is refused with a DomainError,
after which the database must be exactly as before and no fact may have gone out.
After every step the invariants below are checked against the database.

Clerks park tickets being served ("berkas kurang") and bring them back to the front of their counter's line
within the deadline, and re-insert residents who missed their call a few places ahead of the back
(docs/queue.md): numbering, the calling order and points stay as they were.

Residents with a booking check in at the kiosk too (docs/appointments.md): their tickets wait for their slot,
then go ahead of the walk-ins, never more than `max_run` in a row at a counter while a walk-in waits.

Clerks ask for urgency and the supervisor signs off or refuses (docs/urgent.md): a ticket is urgent exactly when
a sign-off by someone other than the asker (or the supervisor's own mark) exists, and `call_next` takes it first.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections import Counter as Tally
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select
from sqlalchemy.orm import Session

from ptsp import commands, schemas
from ptsp.db import make_engine, make_sessionmaker
from ptsp.domain.appointments import new_code
from ptsp.domain.calling_order import Priority, QueueEntry, order_queue
from ptsp.domain.codes import format_code
from ptsp.domain.errors import DomainError, QueueEmpty
from ptsp.domain.parking import MAX_PARKS, MAX_REINSERTS
from ptsp.domain.steps import MAX_STEPS
from ptsp.migrate import upgrade
from ptsp.models import (
    Appointment,
    Base,
    Counter,
    CounterSession,
    Office,
    OfficeSequence,
    PointsLedgerEntry,
    Service,
    Staff,
    Ticket,
    TicketEvent,
    TicketNumber,
    UrgentCase,
)
from ptsp.services import counters, parking, steps, tickets, urgent
from ptsp.services import points as points_service
from ptsp.services.actors import SYSTEM, Actor
from ptsp.services.check_in import check_in
from ptsp.services.tickets import appointments_max_run
from tests.conftest import MONDAY_9_WIB, Clock, World, load_world, make_test_app

T = TypeVar("T")

WIB = ZoneInfo("Asia/Jakarta")
# The test office takes tickets until 15:30 WIB (16:00 closing minus a 30-minute cutoff).
LAST_ISSUE_MINUTE = datetime(2026, 11, 23, 15, 29, tzinfo=WIB)
CLERKS = ("clerk1", "clerk2", "clerk3")
COUNTER_NUMBERS = (1, 2, 3)
PRIORITIES = [p.value for p in Priority]
WATCHED_TABLES = ("tickets", "ticket_events", "counter_sessions", "ticket_numbers", "office_sequences", "appointments",
                  "urgent_cases")

STATUS_AFTER_EVENT = {
    "issued": "waiting",
    "called": "called",
    "recalled": "called",
    "requeued": "waiting",
    "started": "serving",
    "completed": "done",
    "no_show": "no_show",
    "transferred": "waiting",
    "cancelled": "cancelled",
    "expired": "expired",
    "parked": "parked",
    "returned": "waiting",
    "reinserted": "waiting",
    "step_completed": "waiting",  # a visit of several steps goes on to its next step's line (docs/steps.md)
}
REINSERT_PLACES = 2
PLAN_EVENTS = {"steps_planned"}  # change no status


@functools.cache
def migrated_template() -> tuple[Path, World]:
    """Build, once per process, a migrated SQLite database with SETUP loaded; return it and its ids."""
    folder = Path(tempfile.mkdtemp(prefix="ptsp-machine-template-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    clock = Clock(MONDAY_9_WIB)
    app = make_test_app(f"sqlite:///{path}", clock)
    try:
        world = load_world(app, clock)
    finally:
        app.extensions["ptsp.engine"].dispose()
    return path, world


class QueueMachine(RuleBasedStateMachine):
    """One office, three counters, three clerks and a kiosk, all acting at random."""

    def __init__(self) -> None:
        super().__init__()
        template, self.world = migrated_template()
        self.folder = Path(tempfile.mkdtemp(prefix="ptsp-machine-"))
        path = self.folder / "ptsp.db"
        shutil.copy(template, path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.facts: list[dict[str, Any]] = []
        self.sessions = make_sessionmaker(self.engine, self.facts.extend)
        self.clock = Clock(MONDAY_9_WIB)
        self.kiosk = Actor("device", None, "kiosk", self.world.office)
        with self.sessions() as session:
            office = session.get(Office, self.world.office)
            office.late_reinsert_places = REINSERT_PLACES
            session.commit()
            self.starvation = timedelta(minutes=office.starvation_minutes)
            self.clerks = {
                staff.username: Actor("staff", staff.id, staff.role, staff.office_id)
                for staff in session.scalars(select(Staff).where(Staff.username.in_(CLERKS)))
            }
            sup = session.scalar(select(Staff).where(Staff.username == "sup"))
            self.supervisor = Actor("staff", sup.id, sup.role, sup.office_id)
            self.served_by = {
                counter.id: {service.id for service in counter.services}
                for counter in session.scalars(select(Counter).where(Counter.office_id == office.id))
            }
            self.base_seq = {
                row.office_id: row.seq for row in session.scalars(select(OfficeSequence))
            }
            self.max_run = appointments_max_run(session, office.id)
        # What each ticket looked like when issued: (issued_at, priority); neither may ever change.
        self.issued_as: dict[int, tuple[datetime, str]] = {}
        # Per counter: appointment calls in a row made while a walk-in it serves was waiting.
        self.held_walk_ins: dict[int, int] = defaultdict(int)

    def teardown(self) -> None:
        self.engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------------------------

    def db_state(self) -> dict[str, list[tuple]]:
        with self.sessions() as session:
            state = {}
            for name in WATCHED_TABLES:
                table = Base.metadata.tables[name]
                rows = session.execute(select(table).order_by(*table.primary_key.columns))
                state[name] = [tuple(row) for row in rows]
            return state

    def attempt(self, name: str, command: Callable[[Session], T]) -> tuple[T | None, DomainError | None]:
        """Run one use case and commit it; a refusal must leave everything as it was."""
        before, published = self.db_state(), len(self.facts)
        session = self.sessions()
        try:
            result = command(session)
            session.commit()
            event(f"{name}: done")
            return result, None
        except DomainError as refusal:
            session.rollback()
            event(f"{name}: refused ({refusal.code})")
            assert self.db_state() == before, f"refused {name} ({refusal.code}) changed the database"
            assert len(self.facts) == published, f"refused {name} ({refusal.code}) published a fact"
            return None, refusal
        finally:
            session.close()

    def read(self, query: Callable[[Session], T]) -> T:
        with self.sessions() as session:
            return query(session)

    def counter_id(self, number: int) -> int:
        return self.world.counters[number]

    def attendant(self, counter_id: int) -> Actor | None:
        """The clerk whose open or break stretch at this counter is running, if any."""
        staff_id = self.read(lambda s: s.scalar(select(CounterSession.staff_id).where(
            CounterSession.counter_id == counter_id, CounterSession.ended_at.is_(None))))
        return next((a for a in self.clerks.values() if a.id == staff_id), None)

    def acting_clerk(self, data: st.DataObject, counter_id: int | None) -> Actor:
        """Usually the clerk at the counter; sometimes anyone (who may well be refused)."""
        attending = self.attendant(counter_id) if counter_id is not None else None
        if attending is not None and data.draw(st.integers(0, 4), label="the attending clerk?"):
            return attending
        return self.clerks[data.draw(st.sampled_from(CLERKS), label="clerk")]

    def pick_counter(self, data: st.DataObject) -> int:
        """Draw a counter, mostly one that somebody has opened."""
        attended = [c for c in self.world.counters.values() if self.attendant(c) is not None]
        pool = attended if attended and data.draw(st.integers(0, 3), label="attended?") else self.world.counters
        return data.draw(st.sampled_from(sorted(pool.values() if isinstance(pool, dict) else pool)),
                         label="counter")

    def all_tickets(self) -> list[Ticket]:
        return self.read(lambda s: list(s.scalars(select(Ticket).order_by(Ticket.id))))

    def pick_ticket(self, data: st.DataObject, wanted: set[str]) -> Ticket:
        """Draw a ticket, mostly one whose status the command accepts, sometimes any ticket."""
        everything = self.all_tickets()
        fitting = [t for t in everything if t.status in wanted]
        pool = fitting if fitting and data.draw(st.integers(0, 3), label="fitting?") else everything
        return data.draw(st.sampled_from(pool), label="ticket")

    def waiting_entries(self, counter_id: int) -> list[QueueEntry]:
        """The tickets this counter may call: a parked ticket back in line only at its own counter, there first."""
        rows = self.read(lambda s: s.execute(select(
            Ticket.id, Ticket.priority, Ticket.queued_at, Ticket.appointment_at, Ticket.urgent_at,
            Ticket.return_counter_id).where(
            Ticket.office_id == self.world.office,
            Ticket.status == "waiting",
            Ticket.service_id.in_(self.served_by[counter_id]),
        )).all())
        # An urgent ticket is taken by any counter of its service (docs/urgent.md), even one parked elsewhere.
        return [QueueEntry(i, Priority(p), q, a, u, returned=r is not None) for i, p, q, a, u, r in rows
                if r in (None, counter_id) or u is not None]

    def appointment_run(self, counter_id: int) -> int:
        """The counter's latest calls that were appointments, read back from the whole event log."""
        kinds = self.read(lambda s: s.execute(select(Ticket.appointment_id).join(
            TicketEvent, TicketEvent.ticket_id == Ticket.id).where(
            TicketEvent.counter_id == counter_id, TicketEvent.kind == "called").order_by(TicketEvent.id)).all())
        run = 0
        for (appointment_id,) in kinds:
            run = run + 1 if appointment_id is not None else 0
        return min(run, self.max_run)

    def expected_head(self, counter_id: int) -> int | None:
        """The ticket `call_next` must take, from the pure queue rule over the counter's services."""
        line = order_queue(self.waiting_entries(counter_id), self.clock(), self.starvation,
                           self.appointment_run(counter_id), self.max_run)
        return line[0].ticket_id if line else None

    # --- rules -------------------------------------------------------------------------------------------------

    @rule(prefix=st.sampled_from(["A", "B", "C"]),
          priority=st.sampled_from(["regular", "regular", *PRIORITIES]))
    def issue(self, prefix: str, priority: str) -> None:
        result, _ = self.attempt("issue", lambda s: tickets.issue(
            s, office_id=self.world.office, service_id=self.world.services[prefix], priority=priority,
            actor=self.kiosk, now=self.clock()))
        if result is not None:
            ticket, position = result
            assert ticket.status == "waiting" and position["position"] >= 1
            self.issued_as[ticket.id] = (ticket.issued_at, ticket.priority)

    @initialize(opened=st.sets(st.sampled_from(COUNTER_NUMBERS)),
                arrivals=st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(PRIORITIES)),
                                  max_size=8),
                booked=st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(-3, 1)), max_size=6))
    def morning(self, opened: set[int], arrivals: list[tuple[str, str]], booked: list[tuple[str, int]]) -> None:
        """Some residents are already waiting, some with a booking whose slot has begun or is about to, and some
        clerks at their counters before the first step."""
        for prefix, priority in arrivals:
            self.issue(prefix, priority)
        for prefix, slot_in in booked:
            self.check_in_one(prefix, self.clock() + timedelta(minutes=5 * slot_in))
        for number in sorted(opened):
            _, refusal = self.attempt("open", lambda s, n=number: counters.open_counter(
                s, counter_id=self.counter_id(n), actor=self.clerks[f"clerk{n}"], now=self.clock()))
            assert refusal is None, refusal

    @rule(clerk=st.sampled_from(CLERKS), number=st.sampled_from(COUNTER_NUMBERS), anywhere=st.integers(0, 3))
    def open_counter(self, clerk: str, number: int, anywhere: int) -> None:
        counter_id = self.counter_id(number if anywhere == 0 else int(clerk[-1]))
        _, refusal = self.attempt("open", lambda s: counters.open_counter(
            s, counter_id=counter_id, actor=self.clerks[clerk], now=self.clock()))
        if refusal is None:
            assert self.attendant(counter_id) == self.clerks[clerk]

    @rule(data=st.data())
    def close_counter(self, data: st.DataObject) -> None:
        counter_id = self.pick_counter(data)
        actor = self.acting_clerk(data, counter_id)
        _, refusal = self.attempt("close", lambda s: counters.close_counter(
            s, counter_id=counter_id, actor=actor, now=self.clock()))
        if refusal is None:
            assert self.attendant(counter_id) is None

    @rule(data=st.data())
    def call_next(self, data: st.DataObject) -> None:
        counter_id = self.pick_counter(data)
        self.call_next_at(counter_id, self.acting_clerk(data, counter_id))

    @rule(number=st.sampled_from(COUNTER_NUMBERS), residents=st.integers(1, 4))
    def serve_and_call_next(self, number: int, residents: int) -> None:
        """The clerk at a counter (opening it if nobody is there) finishes the current resident and calls the
        next, several times over: the steady rhythm of a busy morning, where appointments could crowd walk-ins
        out."""
        counter_id = self.counter_id(number)
        actor = self.attendant(counter_id) or self.clerks[f"clerk{number}"]
        self.attempt("open", lambda s: counters.open_counter(s, counter_id=counter_id, actor=actor, now=self.clock()))
        for _ in range(residents):
            current = self.read(lambda s: s.scalar(select(Ticket).where(
                Ticket.counter_id == counter_id, Ticket.status.in_(["called", "serving"]))))
            if current is not None:
                if current.status == "called":
                    self.attempt("start", lambda s, t=current: tickets.start(s, ticket_id=t.id, actor=actor,
                                                                               now=self.clock()))
                self.attempt("complete", lambda s, t=current: tickets.complete(
                    s, ticket_id=t.id, outcome="selesai", actor=actor, now=self.clock()))
            self.call_next_at(counter_id, actor)

    def call_next_at(self, counter_id: int, actor: Actor) -> None:
        expected = self.expected_head(counter_id)
        attending = self.read(lambda s: counters.current_session(s, counter_id))
        ready = [e for e in self.waiting_entries(counter_id) if e.is_ready(self.clock())]
        walk_in_waits = any(e.appointment_at is None for e in ready)
        called, refusal = self.attempt("call_next", lambda s: tickets.call_next(
            s, counter_id=counter_id, actor=actor, now=self.clock()))
        if called is not None:
            assert attending is not None and (attending.staff_id, attending.state) == (actor.id, "open")
            assert called.id == expected, f"call_next took ticket {called.id}, the queue rule says {expected}"
            assert (called.status, called.counter_id, called.clerk_id) == ("called", counter_id, actor.id)
            urgent_waiting = sorted((e.urgent_at, e.ticket_id) for e in ready if e.urgent_at is not None)
            if urgent_waiting:  # the urgent tier, first signed off first, above priority and appointments
                assert called.id == urgent_waiting[0][1], "an urgent ticket waited while another was called"
                event("call_next: an urgent ticket")
            self.watch_the_merge(counter_id, called, ready, walk_in_waits)
        elif isinstance(refusal, QueueEmpty):
            assert expected is None, f"call_next found nobody waiting, but ticket {expected} waits"

    def watch_the_merge(self, counter_id: int, called: Ticket, ready: list[QueueEntry], walk_in_waits: bool,
                        returned: bool = False) -> None:
        """Walk-ins are never held back by more than `max_run` appointments in a row at a counter; an
        appointment is never called before its slot; a regular walk-in (not past the starvation limit) is
        called ahead of a ready appointment only when the counter has just called `max_run` of them."""
        now = self.clock()
        if returned or any(e.ticket_id == called.id and e.returned for e in ready):
            event("call_next: a parked ticket back at its counter, first there (docs/queue.md)")
            return
        if called.urgent_at is not None:  # signed off as urgent: called first, even before its slot (docs/urgent.md)
            event("call_next: an urgent ticket, before any slot or run")
            if called.appointment_id is None:  # a walk-in called: the counter's run of appointments starts again
                self.held_walk_ins[counter_id] = 0
            return
        if called.appointment_id is not None:
            assert called.appointment_at <= now, "an appointment was called before its slot"
            ready_at = max(called.queued_at, called.appointment_at)
            if called.priority != "regular" or now - ready_at >= self.starvation:
                # Promoted (priority, or waited past the starvation limit since its slot): it goes first by the
                # rules that hold for walk-ins too, so it neither lengthens nor breaks the run the merge limits.
                event("call_next: a promoted appointment")
                return
            self.held_walk_ins[counter_id] = self.held_walk_ins[counter_id] + 1 if walk_in_waits else 0
            assert self.held_walk_ins[counter_id] <= self.max_run, "walk-ins starved behind appointments"
            event(f"appointments in a row while a walk-in waits: {self.held_walk_ins[counter_id]}")
            event("call_next: an appointment")
            return
        self.held_walk_ins[counter_id] = 0
        promoted = called.priority != "regular" or now - called.queued_at >= self.starvation
        if not promoted and any(e.appointment_at is not None for e in ready):
            event("call_next: a walk-in ahead of a ready appointment")

    @rule(prefix=st.sampled_from(["A", "B", "C"]), slot_in=st.integers(-3, 6), residents=st.integers(1, 3))
    def check_in_booking(self, prefix: str, slot_in: int, residents: int) -> None:
        """Residents with bookings for a slot starting `slot_in` x 5 minutes from now check in at the kiosk, one
        after another: early (the ticket waits for the slot), on time, or a few minutes into the slot."""
        for _ in range(residents):
            self.check_in_one(prefix, self.clock() + timedelta(minutes=5 * slot_in))

    def check_in_one(self, prefix: str, starts: datetime) -> None:
        code = new_code()

        def command(s: Session) -> Ticket:
            local = starts.astimezone(WIB)
            s.add(Appointment(office_id=self.world.office, service_id=self.world.services[prefix], day=local.date(),
                              slot_start=local.time(), starts_at=starts, code=code, status="booked",
                              phone_consent=False, created_at=self.clock(), reschedules=0))
            s.flush()
            return check_in(s, office=s.get_one(Office, self.world.office), text=code, actor=self.kiosk,
                            status_url=lambda token: f"http://test/t/{token}", now=self.clock()).ticket

        ticket, _ = self.attempt("check_in", command)
        if ticket is not None:
            assert ticket.status == "waiting" and ticket.appointment_at == starts
            self.issued_as[ticket.id] = (ticket.issued_at, ticket.priority)

    @rule(data=st.data())
    def recall(self, data: st.DataObject) -> None:
        counter_id = self.pick_counter(data)
        actor = self.acting_clerk(data, counter_id)
        ticket, _ = self.attempt("recall", lambda s: tickets.recall(
            s, counter_id=counter_id, actor=actor, now=self.clock()))
        if ticket is not None:
            assert self.attendant(counter_id) == actor
            assert ticket.status in {"called", "waiting", "no_show"}

    def _ticket_command(self, name: str, data: st.DataObject, wanted: set[str], command: Callable) -> Ticket | None:
        ticket = self.pick_ticket(data, wanted)
        actor = self.acting_clerk(data, ticket.counter_id)
        result, _ = self.attempt(name, lambda s: command(s, ticket, actor))
        if result is not None:
            assert ticket.counter_id is not None and self.attendant(ticket.counter_id) == actor, (
                f"{name} succeeded for a clerk not attending the ticket's counter")
        return result

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        self._ticket_command("start", data, {"called"}, lambda s, t, a: tickets.start(
            s, ticket_id=t.id, actor=a, now=self.clock()))

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data(), outcome=st.sampled_from(["selesai", "berkas_kurang"]))
    def complete(self, data: st.DataObject, outcome: str) -> None:
        before = {t.id: t for t in self.all_tickets()}
        done = self._ticket_command("complete", data, {"serving"}, lambda s, t, a: tickets.complete(
            s, ticket_id=t.id, outcome=outcome, actor=a, now=self.clock()))
        if done is not None:
            self.watch_the_step(before[done.id], done)

    @rule(number=st.sampled_from(COUNTER_NUMBERS), outcome=st.sampled_from(["selesai", "berkas_kurang"]),
          plan=st.lists(st.sampled_from(["A", "B", "C"]), max_size=2, unique=True), elsewhere=st.integers(0, 5))
    def serve_in_one_press(self, number: int, outcome: str, plan: list[str], elsewhere: int) -> None:
        """The counter screen's "Selesai & panggil berikutnya" (ptsp/commands.py, docs/counter.md): the clerk at a
        counter serves the current resident (calling one if needed, sometimes planning further steps) and presses
        once: the ticket is completed, or goes on to its next step, and the counter's next resident is called, in
        one transaction. Named with another counter than the ticket's, it is refused and changes nothing."""
        counter_id = self.counter_id(number)
        actor = self.attendant(counter_id) or self.clerks[f"clerk{number}"]
        self.attempt("open", lambda s: counters.open_counter(s, counter_id=counter_id, actor=actor, now=self.clock()))
        if self.current_at(counter_id) is None:
            self.call_next_at(counter_id, actor)
        current = self.current_at(counter_id)
        if current is None:
            return
        fresh = [self.world.services[p] for p in plan if self.world.services[p] not in self.visited(current)]
        if fresh:
            self.attempt("plan_steps", lambda s: steps.plan(s, ticket_id=current.id, services=fresh, actor=actor,
                                                            now=self.clock()))
        if current.status == "called":
            self.attempt("start", lambda s: tickets.start(s, ticket_id=current.id, actor=actor, now=self.clock()))
        before = self.read(lambda s: s.get_one(Ticket, current.id))
        returned = {e.ticket_id for e in self.waiting_entries(counter_id) if e.returned}
        named = counter_id if elsewhere else next(c for c in self.world.counters.values() if c != counter_id)
        body = schemas.CompleteAndCallNext(counter=named, ticket=current.id, outcome=outcome)
        answer, refusal = self.attempt("complete_and_call_next", lambda s: commands.complete_and_call_next(
            s, body, actor, self.clock()))
        if named != counter_id or before.status != "serving":
            assert answer is None, "completed a ticket of another counter, or one not being served"
            return
        assert answer is not None, refusal
        after = self.read(lambda s: s.get_one(Ticket, current.id))
        if answer["ticket"] is not None and answer["ticket"]["id"] == current.id:  # this counter serves its next
            assert before.next_steps, "the same ticket called back without a next step"  # step: it went on to
            assert (after.service_id, after.next_steps, after.number, after.code, after.queued_at) == (  # it and was
                before.next_steps[0], before.next_steps[1:], before.number, before.code, before.queued_at)  # called
        else:
            self.watch_the_step(before, after)
        if answer["ticket"] is None:  # nobody this counter may call was left after the completion
            event("complete_and_call_next: nobody waiting")
            assert self.expected_head(counter_id) is None
            return
        called = self.read(lambda s: s.get_one(Ticket, answer["ticket"]["id"]))
        assert (called.status, called.counter_id, called.clerk_id) == ("called", counter_id, actor.id)
        # The call is a call_next's: the merge's run of appointments counts it (who waited just before it is who
        # waits now, the called ticket aside, and the called one is no walk-in when it is an appointment).
        ready = [e for e in self.waiting_entries(counter_id) if e.is_ready(self.clock())]
        self.watch_the_merge(counter_id, called, ready, any(e.appointment_at is None for e in ready),
                             returned=called.id in returned)
        event("complete_and_call_next: the same ticket back for its next step" if called.id == current.id
              else "complete_and_call_next: the next resident" + (" after a step" if before.next_steps else ""))

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data())
    def no_show(self, data: st.DataObject) -> None:
        self._ticket_command("no_show", data, {"called"}, lambda s, t, a: tickets.no_show(
            s, ticket_id=t.id, actor=a, now=self.clock()))

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        ticket = self.pick_ticket(data, {"called", "serving"})
        target = data.draw(st.sampled_from(sorted(set(self.world.services.values()) - {ticket.service_id})),
                           label="to service")
        actor = self.acting_clerk(data, ticket.counter_id)
        moved, _ = self.attempt("transfer", lambda s: tickets.transfer(
            s, ticket_id=ticket.id, to_service_id=target, reason="salah layanan", actor=actor, now=self.clock()))
        if moved is not None:
            assert self.attendant(ticket.counter_id) == actor
            assert (moved.status, moved.service_id, moved.counter_id) == ("waiting", target, None)
            # It keeps its place in line: same issue time, same priority, same queue time, same number.
            assert (moved.issued_at, moved.priority, moved.queued_at) == (
                ticket.issued_at, ticket.priority, ticket.queued_at)
            assert (moved.issued_service_id, moved.number) == (ticket.issued_service_id, ticket.number)

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data(), clerk=st.sampled_from(CLERKS))
    def cancel(self, data: st.DataObject, clerk: str) -> None:
        ticket = self.pick_ticket(data, {"waiting"})
        self.attempt("cancel", lambda s: tickets.cancel(s, ticket_id=ticket.id, actor=self.clerks[clerk],
                                                       now=self.clock()))

    def staff_member(self, data: st.DataObject) -> Actor:
        """A clerk, or sometimes the supervisor."""
        if data.draw(st.integers(0, 3), label="the supervisor?") == 0:
            return self.supervisor
        return self.clerks[data.draw(st.sampled_from(CLERKS), label="clerk")]

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data(), reason=st.sampled_from(["burial", "medical", "other"]))
    def ask_urgent(self, data: st.DataObject, reason: str) -> None:
        """Someone asks for urgency on a ticket (mostly a waiting one): pending, or signed off if the supervisor."""
        ticket = self.pick_ticket(data, {"waiting"})
        actor = self.staff_member(data)
        case, refusal = self.attempt("ask_urgent", lambda s: urgent.ask(
            s, ticket_id=ticket.id, reason=reason, note="catatan", actor=actor, now=self.clock()))
        if case is not None:
            assert ticket.status == "waiting" and case.requested_by == actor.id
            assert case.state == ("approved" if actor == self.supervisor else "pending")
        elif ticket.status == "waiting" and not self.open_cases(ticket.id):
            raise AssertionError(f"asking for urgency on waiting ticket {ticket.id} was refused: {refusal}")

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data(), approve=st.integers(0, 3))
    def urgent_case_signed_off(self, data: st.DataObject, approve: int) -> None:
        """A clerk asks for urgency on a waiting ticket and the supervisor decides it at once (mostly signs off)."""
        waiting = [t for t in self.all_tickets() if t.status == "waiting" and not self.open_cases(t.id)]
        if not waiting:
            return
        ticket = data.draw(st.sampled_from(waiting), label="urgent ticket")
        clerk = self.clerks[data.draw(st.sampled_from(CLERKS), label="asking clerk")]
        case, refusal = self.attempt("ask_urgent", lambda s: urgent.ask(
            s, ticket_id=ticket.id, reason="burial", note="", actor=clerk, now=self.clock()))
        assert case is not None, refusal
        decided, refusal = self.attempt("decide_urgent", lambda s: urgent.decide(
            s, case_id=case.id, approve=bool(approve), note="dicek", actor=self.supervisor, now=self.clock()))
        assert decided is not None and decided.state == ("approved" if approve else "declined"), refusal

    def open_cases(self, ticket_id: int) -> list[UrgentCase]:
        return self.read(lambda s: list(s.scalars(select(UrgentCase).where(
            UrgentCase.ticket_id == ticket_id, UrgentCase.state.in_(["pending", "approved"])))))

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data(), approve=st.booleans())
    def decide_urgent(self, data: st.DataObject, approve: bool) -> None:
        """The supervisor (or a clerk, who is refused) signs off or refuses a request, sometimes a decided one."""
        every = self.read(lambda s: list(s.scalars(select(UrgentCase).order_by(UrgentCase.id))))
        if not every:
            return
        pending = [c for c in every if c.state == "pending"]
        case = data.draw(st.sampled_from(pending if pending and data.draw(st.integers(0, 3)) else every),
                         label="case")
        actor = self.supervisor if data.draw(st.integers(0, 3)) else self.staff_member(data)
        ticket_status = self.read(lambda s: s.get_one(Ticket, case.ticket_id).status)
        decided, _ = self.attempt("decide_urgent", lambda s: urgent.decide(
            s, case_id=case.id, approve=approve, note="dicek", actor=actor, now=self.clock()))
        if decided is not None:
            assert case.state == "pending" and actor == self.supervisor and case.requested_by != actor.id
            assert not approve or ticket_status == "waiting"
        elif case.state == "pending" and actor == self.supervisor and case.requested_by != actor.id:
            assert approve and ticket_status != "waiting", "a valid decision was refused"

    @rule(data=st.data(), prefix=st.sampled_from(["A", "B", "B", "C"]))
    def urgent_desk_ticket(self, data: st.DataObject, prefix: str) -> None:
        """An urgent desk ticket: the supervisor's passes the daily quota (Perizinan's is 5), a clerk's does not."""
        actor = self.staff_member(data)
        case, refusal = self.attempt("urgent_desk_ticket", lambda s: urgent.issue_desk(
            s, office_id=self.world.office, service_id=self.world.services[prefix], reason="burial", note="",
            actor=actor, now=self.clock()))
        if case is not None:
            ticket = self.read(lambda s: s.get_one(Ticket, case.ticket_id))
            self.issued_as[ticket.id] = (ticket.issued_at, ticket.priority)
            assert (ticket.urgent_at is not None) == (actor == self.supervisor)
        else:
            assert actor != self.supervisor, f"the supervisor's urgent desk ticket was refused: {refusal}"

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data())
    def park(self, data: st.DataObject) -> None:
        """A resident being served goes to photocopy a missing document."""
        picked: list[Ticket] = []  # the ticket `_ticket_command` draws (and judges the clerk by) is the one parked

        def command(s: Session, t: Ticket, a: Actor) -> Ticket:
            picked.append(t)
            return parking.park(s, ticket_id=t.id, actor=a, now=self.clock())

        parked = self._ticket_command("park", data, {"serving"}, command)
        if parked is not None:
            assert (parked.status, parked.return_counter_id) == ("parked", picked[0].counter_id)
            assert parked.parked_until > self.clock()

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data())
    def return_parked(self, data: st.DataObject) -> None:
        """A parked resident is back: the clerk of the counter that parked them presses "kembali"."""
        ticket = self.pick_ticket(data, {"parked"})
        actor = self.acting_clerk(data, ticket.return_counter_id)
        back, refusal = self.attempt("return_parked", lambda s: parking.return_parked(
            s, ticket_id=ticket.id, actor=actor, now=self.clock()))
        if back is not None:
            assert self.attendant(ticket.return_counter_id) == actor
            assert ticket.parked_until is not None and self.clock() <= ticket.parked_until, "returned too late"
            assert (back.status, back.return_counter_id, back.queued_at) == (
                "waiting", ticket.return_counter_id, ticket.queued_at)
        elif ticket.status == "parked" and self.attendant(ticket.return_counter_id) == actor:
            assert refusal is not None and refusal.reason == "park_deadline_passed"

    def current_at(self, counter_id: int) -> Ticket | None:
        return self.read(lambda s: s.scalar(select(Ticket).where(
            Ticket.counter_id == counter_id, Ticket.status.in_(["called", "serving"]))))

    def at_counter(self, number: int) -> tuple[int, Actor, Ticket | None]:
        """The clerk at a counter (opening it if nobody is there) and the resident in front of them, calling the
        next one when nobody is."""
        counter_id = self.counter_id(number)
        actor = self.attendant(counter_id) or self.clerks[f"clerk{number}"]
        self.attempt("open", lambda s: counters.open_counter(s, counter_id=counter_id, actor=actor, now=self.clock()))
        if self.current_at(counter_id) is None:
            self.call_next_at(counter_id, actor)
        return counter_id, actor, self.current_at(counter_id)

    @rule(number=st.sampled_from(COUNTER_NUMBERS), away=st.integers(0, 45))
    def park_and_come_back(self, number: int, away: int) -> None:
        """The resident being served fetches a document and comes back `away` minutes later, maybe too late."""
        counter_id, actor, current = self.at_counter(number)
        if current is None:
            return
        if current.status == "called":
            self.attempt("start", lambda s: tickets.start(s, ticket_id=current.id, actor=actor, now=self.clock()))
        parked, refusal = self.attempt("park", lambda s: parking.park(
            s, ticket_id=current.id, actor=actor, now=self.clock()))
        if parked is None:
            assert refusal is not None and refusal.reason == "park_limit_reached" and current.park_count
            return
        self.clock.now = min(self.clock.now + timedelta(minutes=away), LAST_ISSUE_MINUTE)
        back, refusal = self.attempt("return_parked", lambda s: parking.return_parked(
            s, ticket_id=current.id, actor=actor, now=self.clock()))
        if self.clock() <= parked.parked_until:
            assert back is not None and back.status == "waiting", refusal
            line, head = self.waiting_entries(counter_id), self.expected_head(counter_id)
            assert head == current.id or any(  # only a signed-off urgent case or an earlier returned one goes first
                e.ticket_id == head and e.urgent_at is not None for e in line) or any(
                e.returned and e.queued_at < current.queued_at for e in line)
        else:
            assert refusal is not None and refusal.reason == "park_deadline_passed"

    @rule(number=st.sampled_from(COUNTER_NUMBERS))
    def miss_and_come_back(self, number: int) -> None:
        """The called resident is not there; they turn up a little later and the clerk re-inserts them."""
        counter_id, actor, current = self.at_counter(number)
        if current is None or current.status != "called":
            return
        self.attempt("no_show", lambda s: tickets.no_show(s, ticket_id=current.id, actor=actor, now=self.clock()))
        line = self.read(lambda s: parking.regular_line(s, current))
        back, refusal = self.attempt("reinsert", lambda s: parking.reinsert(
            s, counter_id=counter_id, ticket_id=current.id, actor=actor, now=self.clock()))
        if current.reinsert_count:
            assert refusal is not None and refusal.reason == "reinsert_limit_reached"
            return
        assert back is not None, refusal
        self.check_reinserted_place(line, back)

    @staticmethod
    def check_reinserted_place(line: list[tuple[datetime, int]], back: Ticket) -> None:
        """Exactly REINSERT_PLACES of the line behind it (all of it when shorter); never fewer when tickets were
        issued at the same instant."""
        behind = sum(1 for key in line if key > (back.queued_at, back.id))
        wanted = min(REINSERT_PLACES, len(line))
        assert behind >= wanted, (behind, wanted)
        if len({queued for queued, _ in line}) == len(line):
            assert behind == wanted, (behind, wanted)
        else:
            event(f"reinsert among tied queue times: {behind - wanted} more behind")

    @rule()
    def parked_deadlines_pass(self) -> None:
        """The minute round closes parked tickets whose resident did not come back in time."""
        overdue = {t.id for t in self.all_tickets() if t.status == "parked" and t.parked_until < self.clock()}
        closed, _ = self.attempt("lapse", lambda s: parking.lapse_overdue(
            s, office_id=self.world.office, actor=SYSTEM, now=self.clock()))
        assert closed == len(overdue)
        statuses = self.read(lambda s: {t.id: t.status for t in s.scalars(select(Ticket))})
        assert all(statuses[i] == "no_show" for i in overdue)

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data())
    def reinsert(self, data: st.DataObject) -> None:
        """A resident who missed their call is back and is re-inserted a few places ahead of the back."""
        ticket = self.pick_ticket(data, {"no_show", "waiting"})
        counter_id = self.pick_counter(data)
        actor = self.acting_clerk(data, counter_id)
        line = self.read(lambda s: parking.regular_line(s, ticket))
        back, _ = self.attempt("reinsert", lambda s: parking.reinsert(
            s, counter_id=counter_id, ticket_id=ticket.id, actor=actor, now=self.clock()))
        if back is not None:
            assert self.attendant(counter_id) == actor and ticket.service_id in self.served_by[counter_id]
            assert (back.status, back.number, back.code) == ("waiting", ticket.number, ticket.code)
            self.check_reinserted_place(line, back)

    @precondition(lambda self: self.issued_as)
    @rule(data=st.data(), plan=st.lists(st.sampled_from(["A", "B", "C"]), max_size=3))
    def plan_steps(self, data: st.DataObject, plan: list[str]) -> None:
        """A clerk plans the steps after the current one (docs/steps.md): refused when it repeats a service the
        visit has been in or names one twice, so a plan can neither earn a service twice nor hide a bounce."""
        ticket = self.pick_ticket(data, {"called", "serving"})
        services = [self.world.services[p] for p in plan]
        allowed = len(set(services)) == len(services) and not set(services) & set(self.visited(ticket))
        actor = self.acting_clerk(data, ticket.counter_id)
        planned, refusal = self.attempt("plan_steps", lambda s: steps.plan(
            s, ticket_id=ticket.id, services=services, actor=actor, now=self.clock()))
        if planned is not None:
            assert allowed and planned.next_steps == services and self.attendant(ticket.counter_id) == actor
        elif ticket.status in {"called", "serving"} and self.attendant(ticket.counter_id) == actor:
            assert not allowed, refusal

    @rule(number=st.sampled_from(COUNTER_NUMBERS), order=st.permutations(["A", "B", "C"]), length=st.integers(1, 2))
    def plan_and_finish_a_step(self, number: int, order: list[str], length: int) -> None:
        """The information desk's rhythm: the clerk at a counter plans the rest of the current visit (services it
        has not been in), serves it and finishes the step; the ticket goes on to the first planned service."""
        counter_id = self.counter_id(number)
        actor = self.attendant(counter_id) or self.clerks[f"clerk{number}"]
        self.attempt("open", lambda s: counters.open_counter(s, counter_id=counter_id, actor=actor, now=self.clock()))

        def at_counter(s: Session) -> Ticket | None:
            return s.scalar(select(Ticket).where(Ticket.counter_id == counter_id,
                                                 Ticket.status.in_(["called", "serving"])))

        if self.read(at_counter) is None:
            self.call_next_at(counter_id, actor)
        current = self.read(at_counter)
        if current is None:
            return
        fresh = [self.world.services[p] for p in order if self.world.services[p] not in self.visited(current)]
        planned, refusal = self.attempt("plan_steps", lambda s: steps.plan(
            s, ticket_id=current.id, services=fresh[:length], actor=actor, now=self.clock()))
        assert refusal is None, refusal
        if current.status == "called":
            self.attempt("start", lambda s: tickets.start(s, ticket_id=current.id, actor=actor, now=self.clock()))
        before = self.read(lambda s: s.get_one(Ticket, current.id))
        done, refusal = self.attempt("complete", lambda s: tickets.complete(
            s, ticket_id=current.id, outcome="selesai", actor=actor, now=self.clock()))
        assert refusal is None, refusal
        self.watch_the_step(before, done)

    def visited(self, ticket: Ticket) -> list[int]:
        return self.read(lambda s: steps.visited(s, s.get_one(Ticket, ticket.id)))

    def watch_the_step(self, before: Ticket, after: Ticket) -> None:
        """Completing a ticket with a planned step queues it for that step's service as the same ticket, in its
        place (queued time, number and priority kept), not as a transfer; otherwise it is done."""
        if not before.next_steps:
            assert after.status == "done"
            return
        event("complete: on to the next step")
        assert (after.status, after.service_id, after.next_steps) == (
            "waiting", before.next_steps[0], before.next_steps[1:])
        assert (after.queued_at, after.number, after.code, after.public_token, after.transfer_count) == (
            before.queued_at, before.number, before.code, before.public_token, before.transfer_count)

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes: int) -> None:
        self.clock.now = min(self.clock.now + timedelta(minutes=minutes), LAST_ISSUE_MINUTE)

    # --- invariants ------------------------------------------------------------------------------------------

    @invariant()
    def numbers_run_from_one_without_gaps_per_service_and_day(self) -> None:
        rows = self.read(lambda s: s.execute(select(
            Ticket.issued_service_id, Ticket.service_day, Ticket.number, Ticket.code, Service.prefix,
        ).join(Service, Service.id == Ticket.issued_service_id)).all())
        numbers: dict[tuple, list[int]] = defaultdict(list)
        for service_id, day, number, code, prefix in rows:
            numbers[(service_id, day)].append(number)
            assert code == format_code(prefix, number)
        for key, issued in numbers.items():
            assert sorted(issued) == list(range(1, len(issued) + 1)), f"numbers of {key}: {sorted(issued)}"
        counters_rows = self.read(lambda s: {
            (r.service_id, r.day): r.last_number for r in s.scalars(select(TicketNumber))})
        assert counters_rows == {key: len(issued) for key, issued in numbers.items()}

    @invariant()
    def a_counter_has_at_most_one_called_or_serving_ticket(self) -> None:
        active = Tally()
        for ticket in self.all_tickets():
            if ticket.status in {"called", "serving"}:
                assert ticket.counter_id is not None and ticket.clerk_id is not None
                active[ticket.counter_id] += 1
            elif ticket.status == "waiting":
                assert ticket.counter_id is None
            elif ticket.status == "parked":  # it keeps its counter, which is free for the next resident
                assert ticket.counter_id == ticket.return_counter_id is not None and ticket.parked_until
            if ticket.return_counter_id is not None:  # the binding to a counter ends with the call
                assert ticket.status not in {"called", "serving"}, (ticket.id, ticket.status)
        assert all(count == 1 for count in active.values()), dict(active)

    @invariant()
    def parks_and_reinserts_stay_within_their_limits_and_points_are_earned_once(self) -> None:
        events: dict[int, Tally] = defaultdict(Tally)
        for ticket_id, kind in self.read(lambda s: s.execute(select(TicketEvent.ticket_id, TicketEvent.kind)).all()):
            events[ticket_id][kind] += 1
        work: Tally = Tally()
        for ticket_id, kind in self.read(lambda s: s.execute(select(
                PointsLedgerEntry.ticket_id, PointsLedgerEntry.kind)).all()):
            work[ticket_id] += kind in ("award", "hold")
        for ticket in self.all_tickets():
            tally = events[ticket.id]
            assert tally["parked"] == ticket.park_count <= MAX_PARKS
            assert tally["reinserted"] == ticket.reinsert_count <= MAX_REINSERTS
            # One work line per finished part of a visit: its completion and each step before it (docs/steps.md).
            assert tally["completed"] <= 1, (ticket.id, tally)
            assert work[ticket.id] == tally["completed"] + tally["step_completed"], (ticket.id, tally)

    @invariant()
    def every_status_is_the_replay_of_its_event_log(self) -> None:
        events: dict[int, list[str]] = defaultdict(list)
        for ticket_id, kind in self.read(lambda s: s.execute(
                select(TicketEvent.ticket_id, TicketEvent.kind).order_by(TicketEvent.id)).all()):
            events[ticket_id].append(kind)
        for ticket in self.all_tickets():
            kinds = events[ticket.id]
            assert kinds and kinds[0] == "issued" and kinds.count("issued") == 1, kinds
            moves = [k for k in kinds if k not in PLAN_EVENTS]
            assert ticket.status == STATUS_AFTER_EVENT[moves[-1]], (ticket.id, ticket.status, kinds)
            assert ticket.call_count == kinds.count("called") + kinds.count("recalled")
            assert ticket.transfer_count == kinds.count("transferred")

    @invariant()
    def issue_time_and_priority_never_change(self) -> None:
        now = {t.id: (t.issued_at, t.priority) for t in self.all_tickets()}
        assert now == self.issued_as

    @invariant()
    def a_ticket_is_urgent_exactly_when_signed_off_by_someone_else_or_the_supervisor(self) -> None:
        cases = self.read(lambda s: list(s.scalars(select(UrgentCase).order_by(UrgentCase.id))))
        approved = {c.ticket_id for c in cases if c.state == "approved"}
        urgent_now = {t.id for t in self.all_tickets() if t.urgent_at is not None}
        assert urgent_now == approved
        for case in cases:
            assert (case.state == "pending") == (case.decided_by is None)
            if case.decided_by is not None:
                assert case.decided_by == self.supervisor.id
                assert case.requested_by != case.decided_by or case.decided_at == case.requested_at
        open_per_ticket = Tally(c.ticket_id for c in cases if c.state in ("pending", "approved"))
        assert all(n == 1 for n in open_per_ticket.values()), open_per_ticket

    @invariant()
    def the_office_sequence_counts_the_published_facts(self) -> None:
        published: dict[int, list[int]] = defaultdict(list)
        for fact in self.facts:
            published[fact["office"]].append(fact["seq"])
        stored = self.read(lambda s: {r.office_id: r.seq for r in s.scalars(select(OfficeSequence))})
        for office_id in set(stored) | set(published):
            base = self.base_seq.get(office_id, 0)
            seqs = published[office_id]
            assert seqs == list(range(base + 1, base + len(seqs) + 1)), f"office {office_id} facts: {seqs}"
            assert stored.get(office_id, 0) == base + len(seqs)


    @invariant()
    def planned_steps_never_repeat_a_service_and_a_finished_visit_has_none(self) -> None:
        for ticket in self.all_tickets():
            if ticket.next_steps:
                assert ticket.status in {"waiting", "called", "serving", "parked", "expired", "cancelled", "no_show"}
                # The plan never repeats a service nor goes back to one the visit has been in; an unplanned
                # transfer back (ping-pong, counted as such) may repeat one in the path already walked.
                visited, planned = self.visited(ticket), ticket.next_steps
                assert len(planned) == len(set(planned)) < MAX_STEPS, (ticket.id, planned)
                assert not set(planned) & set(visited), (ticket.id, visited, planned)
            else:
                assert ticket.status != "done" or ticket.next_steps == []

    @invariant()
    def each_step_earns_its_clerk_once_and_the_ledger_replays(self) -> None:
        """One work line (award or hold) per completed step, to the clerk who finished it; recompute agrees."""
        with self.sessions() as session:
            report = points_service.recompute(session)
            assert report.matches, [d.describe() for d in report.differences]
            finished = sorted(session.execute(select(TicketEvent.ticket_id, TicketEvent.staff_id).where(
                TicketEvent.kind.in_(["completed", "step_completed"]))).all())
            worked = sorted(session.execute(select(PointsLedgerEntry.ticket_id, PointsLedgerEntry.staff_id).where(
                PointsLedgerEntry.kind.in_(["award", "hold"]))).all())
        assert worked == finished


QueueMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=30, deadline=None)
TestRandomCommandsKeepTheQueueInvariants = QueueMachine.TestCase
