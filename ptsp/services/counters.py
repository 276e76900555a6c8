"""Counter use cases: open, take a break, close; and who is attending a counter."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from .. import facts
from ..domain.errors import (
    CounterBusy,
    CounterNotOpen,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from ..models import Counter, CounterSession, Staff, Ticket
from ..models.tickets import AT_A_COUNTER
from .actors import Actor
from .lookup import publish, require_office
from .serializers import counter_view

# Built once (they run with every counter command; see lookup._UPSERTS).
_COUNTER_LOCKED = select(Counter).where(Counter.id == bindparam("counter_id")).with_for_update()
_CURRENT_SESSION = select(CounterSession).where(CounterSession.counter_id == bindparam("counter_id"),
                                                CounterSession.ended_at.is_(None))
# PostgreSQL reads the stretch after the counter's lock is granted: a join under FOR UPDATE would see the stretch
# as it was when the statement began, before the lock wait.
_COUNTER_AND_STRETCH = (
    select(Counter, CounterSession)
    .outerjoin(CounterSession, and_(CounterSession.counter_id == Counter.id, CounterSession.ended_at.is_(None)))
    .where(Counter.id == bindparam("counter_id"))
)


def _held(session: Session) -> dict[Any, Any]:
    """What this transaction has already read of its counters: the locked counter rows, and the running stretch
    `require_attending` found (docs/benchmarks.md, "Served ticket"). Keyed by the transaction, so a commit or
    rollback forgets it; `_switch`, the only writer of a stretch here, drops it."""
    transaction = session.get_transaction() or session.begin()
    held = session.info.get("ptsp.held")
    if held is None or held[0] is not transaction:
        held = session.info["ptsp.held"] = (transaction, {})
    return held[1]


def lock_counter(session: Session, counter_id: int) -> Counter:
    """Load a counter, row-locked on PostgreSQL so its commands run one at a time (once per transaction: a
    second command of the same transaction, complete then call-next, already holds the lock)."""
    held = _held(session)
    if ("counter", counter_id) in held:
        return cast(Counter, held[("counter", counter_id)])
    if session.get_bind().dialect.name == "postgresql":
        counter = session.scalars(_COUNTER_LOCKED, {"counter_id": counter_id}).first()
    else:  # SQLite: the write lock is held, so its running stretch comes in the same read (for `_attending`)
        row = session.execute(_COUNTER_AND_STRETCH, {"counter_id": counter_id}).first()
        counter = None if row is None else row[0]
        if row is not None:
            held.setdefault(("stretch", counter_id), row[1])
    if counter is None:
        raise NotFound("counter_not_found", id=counter_id)
    # Held for the transaction: the identity map keeps rows weakly, and the fact's view of the ticket reads
    # `ticket.counter` again (a second SELECT of this row per start and complete, docs/benchmarks.md).
    held[("counter", counter_id)] = counter
    return counter


def current_session(session: Session, counter_id: int) -> CounterSession | None:
    """Return the counter's running open or break stretch, if any."""
    return session.scalars(_CURRENT_SESSION, {"counter_id": counter_id}).first()


def _attending(session: Session, counter_id: int) -> CounterSession | None:
    held = _held(session)
    key = ("stretch", counter_id)
    if key not in held:
        held[key] = current_session(session, counter_id)
    return cast(CounterSession | None, held[key])


def require_attending(session: Session, counter: Counter, actor: Actor, state: str | None = None) -> CounterSession:
    """Raise unless `actor` is the staff member who opened this counter (and it is in `state`)."""
    if actor.kind != "staff":
        raise Forbidden("counter_staff_only")
    current = _attending(session, counter.id)
    if current is None:
        raise CounterNotOpen("counter_not_open", counter=counter.number)
    if current.staff_id != actor.staff_id:
        raise Forbidden("counter_opened_by_other", counter=counter.number)
    if state and current.state != state:
        raise CounterNotOpen("counter_on_break", counter=counter.number)
    return current


def _publish_counter(session: Session, counter: Counter) -> None:
    session.flush()
    view = counter_view(counter, current_session(session, counter.id))
    publish(session, counter.office_id, facts.COUNTER_CHANGED, view)


def _switch(
    session: Session, counter: Counter, actor: Actor, now: datetime, state: str | None, reason: str | None
) -> Counter:
    _held(session).pop(("stretch", counter.id), None)
    current = current_session(session, counter.id)
    if current is not None:
        current.ended_at, current.ended_by = now, actor.staff_id
    if state is not None:
        session.add(CounterSession(
            counter_id=counter.id, office_id=counter.office_id, staff_id=actor.staff_id,
            state=state, reason=reason, started_at=now,
        ))
    _publish_counter(session, counter)
    return counter


def _has_active_ticket(session: Session, counter_id: int) -> bool:
    return session.scalar(
        select(Ticket.id).where(Ticket.counter_id == counter_id, AT_A_COUNTER)
    ) is not None


def open_counter(session: Session, *, counter_id: int, actor: Actor, now: datetime) -> Counter:
    """Open a counter for the acting clerk, or resume it after a break."""
    if actor.kind != "staff":
        raise Forbidden("open_counter_staff_only")
    if session.get_bind().dialect.name == "postgresql":
        # the clerk's row first (then the counter's, as elsewhere): their opens at two counters run one at a
        # time, so the second sees the first and is refused below; each locking only its own counter, both
        # passed and one clerk served at two counters at once (SQLite's writers queue already)
        session.execute(select(Staff.id).where(Staff.id == actor.staff_id).with_for_update())
    counter = lock_counter(session, counter_id)
    require_office(session, actor, counter.office_id)
    if not counter.active:
        raise Forbidden("counter_inactive", counter=counter.number)
    current = current_session(session, counter.id)
    if current is not None and current.staff_id != actor.staff_id:
        raise CounterBusy("counter_in_use", counter=counter.number, staff=current.staff.name)
    if current is not None and current.state == "open":
        return counter
    elsewhere = session.scalars(
        select(CounterSession).where(
            CounterSession.staff_id == actor.staff_id,
            CounterSession.ended_at.is_(None),
            CounterSession.counter_id != counter.id,
        )
    ).first()
    if elsewhere is not None:
        raise CounterBusy("other_counter_open")
    return _switch(session, counter, actor, now, "open", None)


def break_counter(session: Session, *, counter_id: int, reason: str, actor: Actor, now: datetime) -> Counter:
    """Put an open counter on break, with a reason."""
    if not reason or not reason.strip():
        raise InvalidInput("break_reason_required")
    counter = lock_counter(session, counter_id)
    require_attending(session, counter, actor, state="open")
    if _has_active_ticket(session, counter.id):
        raise InvalidTransition("finish_ticket_before_break")
    return _switch(session, counter, actor, now, "break", reason.strip())


def close_counter(session: Session, *, counter_id: int, actor: Actor, now: datetime) -> Counter:
    """Close a counter; a supervisor or above may close one left open by a clerk."""
    counter = lock_counter(session, counter_id)
    current = current_session(session, counter.id)
    if current is None:
        return counter
    if current.staff_id != actor.staff_id:
        require_office(session, actor, counter.office_id)
        if not actor.at_least("supervisor"):
            raise Forbidden("counter_opened_by_other", counter=counter.number)
    if _has_active_ticket(session, counter.id):
        raise InvalidTransition("finish_ticket_before_close")
    return _switch(session, counter, actor, now, None, None)
