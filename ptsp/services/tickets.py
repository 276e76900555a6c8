"""Ticket use cases. Each takes a session and `now`, changes rows, logs events and
queues facts; the caller commits (facts go out only after the commit)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import config_cache, facts
from ..domain import hours as office_hours
from ..domain.announce import announcement_text
from ..domain.calling_order import Priority, choose_next
from ..domain.codes import format_code
from ..domain.errors import (
    CounterBusy,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    OfficeClosed,
    QueueEmpty,
    QuotaReached,
)
from ..domain.lifecycle import OPEN_STATUSES, Action, Status, next_status, recall_outcome
from ..models import Counter, Office, Service, Ticket, TicketNumber, counter_services
from ..models.tickets import AT_A_COUNTER
from . import office_calendar, points, steps
from .actors import Actor
from .counters import lock_counter, require_attending
from .lookup import (
    get_or_404,
    publish,
    record,
    record_at_once,
    require_office,
    upsert_increment,
    waiting_after_completion,
    waiting_counts,
)
from .next_in_line import appointment_run, appointments_max_run, call_heads
from .serializers import ticket_position, ticket_view
from .ticket_rows import insert_ticket, ticket_or_404, update_ticket


@dataclass(frozen=True)
class Booked:
    """The booking a ticket is issued for at check-in, and its slot's start."""

    appointment_id: int
    starts_at: datetime


def _fact(
    session: Session, ticket: Ticket, event: facts.Fact, waiting: dict[int, int] | None = None, **extra: Any
) -> None:
    data = {"ticket": ticket_view(ticket), "waiting": waiting, **extra}
    # Without counts given, the numbering statement reads them (one statement, not two).
    publish(session, ticket.office_id, event, data, waiting_on=ticket.service_day if waiting is None else None)


def _announcement(ticket: Ticket, counter: Counter, recall: bool) -> str:
    return announcement_text(ticket.code, counter.number, counter.name, recall=recall)


def _applied(ticket: Ticket, action: Action) -> dict[str, Any]:
    """The columns an action changes: the status and, for a ticket no longer waiting or parked (cancelled,
    expired, called...), its binding to the counter that parked it (docs/queue.md)."""
    values: dict[str, Any] = {"status": next_status(ticket.status, action).value}
    if values["status"] not in (Status.WAITING, Status.PARKED) and ticket.return_counter_id is not None:
        values["return_counter_id"] = None
    return values


def _apply(ticket: Ticket, action: Action) -> None:
    for key, value in _applied(ticket, action).items():
        setattr(ticket, key, value)


def issue(
    session: Session,
    *,
    office_id: int,
    service_id: int,
    priority: str = "regular",
    walk_in: bool = False,
    actor: Actor,
    now: datetime,
    source: str | None = None,
    booking: Booked | None = None,
    exempt: bool = False,
) -> tuple[Ticket, dict[str, Any]]:
    """Issue the next numbered ticket; staff say if it is for a walk-in (`walk_in`, docs/points.md rules 7-9).

    A checked-in `booking` (docs/appointments.md) takes a number like any ticket, but its place was promised
    when it was booked: neither the daily quota nor the last-ticket time refuses it (a closed day still does).
    So for an urgent desk ticket a supervisor signs off (`exempt`, only from ptsp/services/urgent.py).
    """
    office = config_cache.office(session, office_id)
    if office is None:
        raise NotFound("office_not_found", id=office_id)
    require_office(session, actor, office.id)
    service, day = _open_service(session, office, service_id, now, booked=booking is not None or exempt)
    number = upsert_increment(
        session, TicketNumber, {"office_id": office.id, "service_id": service.id, "day": day}, "last_number"
    )
    if booking is None and not exempt and service.daily_quota is not None and number > service.daily_quota:
        raise QuotaReached("daily_quota_reached", service=service.name_id)
    ticket = insert_ticket(session, office, service, dict(
        service_day=day, number=number, code=format_code(service.prefix, number),
        priority=Priority(priority).value, status=Status.WAITING.value, issued_at=now, queued_at=now,
        public_token=secrets.token_urlsafe(18), device_id=actor.device_id, issued_by=actor.staff_id,
        walk_in=bool(walk_in and actor.staff_id is not None), source=source,
        appointment_id=booking.appointment_id if booking else None,
        appointment_at=booking.starts_at if booking else None,
        next_steps=list(config_cache.remembered(session, "routes", service.id,
                                                lambda: steps.route_for(session, service))),
    ))
    record_at_once(session, ticket, "issued", actor, now, priority=ticket.priority, number=number,
                   **_marks(ticket, actor, booking))
    # One count serves both the fact and the position: a just-issued regular ticket is last in its
    # line. The position is worked out before the fact, whose sequence number locks the office's
    # sequence row on PostgreSQL until commit: that lock is held as briefly as possible.
    waiting = waiting_counts(session, office.id, day)
    last = ticket.priority == Priority.REGULAR.value and booking is None
    ahead = waiting.get(service.id, 1) - 1 if last else None
    position = ticket_position(session, ticket, now, ahead=ahead)
    _fact(session, ticket, facts.TICKET_ISSUED, waiting=waiting)
    return ticket, position


def _marks(ticket: Ticket, actor: Actor, booking: Booked | None = None) -> dict[str, Any]:
    """What the `issued` event says of who took the ticket: staff's walk-in mark (docs/points.md rules 7-9), and
    `source` for a resident's own channel other than a kiosk ("phone", ptsp/services/phone_tickets.py)."""
    marks: dict[str, Any] = {"walk_in": ticket.walk_in} if actor.staff_id is not None else {}
    if booking is not None:
        marks["appointment"] = booking.appointment_id
    return marks | ({"source": ticket.source} if ticket.source else {})


def _open_service(session: Session, office: Office, service_id: int, now: datetime,
                  booked: bool = False) -> tuple[Service, date]:
    """Return the office's service a ticket is asked for and today's service day, if it takes tickets now
    (not on a closed day of the office's calendar, and within its hours unless `booked`)."""
    service = config_cache.service(session, service_id)
    if service is None or service.office_id != office.id:
        raise InvalidInput("unknown_service", service=service_id)
    if not service.active or (service.agency is not None and not service.agency.active):
        raise OfficeClosed("service_inactive", service=service.name_id)  # an inactive agency's services too
    day = office_hours.service_day(now, office.timezone)
    closed = config_cache.remembered(session, "closed", (office.id, day, "id"),
                                     lambda: office_calendar.closed_day(session, office.id, day))
    if closed is not None:  # a national holiday, cuti bersama or the office's own closure day
        raise OfficeClosed("office_closed_holiday", name=closed.name, kind=closed.kind, day=day.isoformat())
    week = office_hours.parse_week(office.hours)
    hours = office_hours.hours_on(week, day, office.timezone, office.last_ticket_minutes)
    if not booked and not office_hours.can_issue(hours, now):
        raise OfficeClosed("office_closed")
    return service, day


def _active_ticket(session: Session, counter_id: int) -> Ticket | None:
    return session.scalars(
        select(Ticket).where(Ticket.counter_id == counter_id, AT_A_COUNTER)
    ).first()


def _call(session: Session, ticket: Ticket, counter: Counter, actor: Actor, now: datetime,
          before: dict[int, int] | None = None, **data: Any) -> Ticket:
    """Call a waiting ticket; `before`, when the caller knows them, are the office day's waiting counts right
    before this call (the ticket counted among them), so the fact's counts need no second read."""
    waiting = None
    if before is not None:
        waiting = dict(before)
        waiting[ticket.service_id] -= 1
        if not waiting[ticket.service_id]:
            del waiting[ticket.service_id]  # as the grouped count leaves out a service nobody waits for
    # A returned parked ticket is bound to its counter only until called (`_applied` unbinds it).
    update_ticket(session, ticket, _applied(ticket, Action.CALL) | {
        "counter_id": counter.id, "counter": counter, "clerk_id": actor.staff_id, "called_at": now,
        "call_count": ticket.call_count + 1, "round_calls": 1})
    record_at_once(session, ticket, "called", actor, now, **data)  # its counter: ticket.counter_id, just set
    _fact(session, ticket, facts.TICKET_CALLED, waiting=waiting, recall=False,
          announcement=_announcement(ticket, counter, False))
    return ticket


def _prepare_call(session: Session, counter_id: int, actor: Actor, busy_later: bool = False) -> Counter:
    """Lock the counter and check its clerk; and that it has no current ticket, unless the caller reads that
    with the heads (`busy_later`, call-next on SQLite) and calls `_refuse_busy` itself."""
    counter = lock_counter(session, counter_id)
    require_attending(session, counter, actor, state="open")
    if not busy_later:
        busy = _active_ticket(session, counter.id)
        _refuse_busy(counter, busy)
    return counter


def _refuse_busy(counter: Counter, busy: Ticket | None) -> None:
    if busy is not None:
        raise CounterBusy("finish_current_ticket", ticket=busy.code, counter=counter.number)


def call_next(
    session: Session, *, counter_id: int, actor: Actor, now: datetime, after: Ticket | None = None
) -> Ticket:
    """Call the next waiting ticket this counter serves, or raise QueueEmpty.

    `after`: the ticket this transaction has just completed at the counter (`complete_and_call_next`); the
    waiting counts its fact carries are reused for the call's fact (see `lookup.waiting_after_completion`)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    counter = _prepare_call(session, counter_id, actor, busy_later=sqlite)
    office = config_cache.office(session, counter.office_id) or counter.office
    day = office_hours.service_day(now, office.timezone)
    heads, busy = call_heads(session, counter, day, now)
    _refuse_busy(counter, None if busy is None else session.get_one(Ticket, busy))
    run, max_run = 0, 2  # the counter's run of appointments matters only when an appointment is a head
    if any(head.appointment_at is not None for head in heads):
        max_run = appointments_max_run(session, office.id)
        run = appointment_run(session, counter.id, office_hours.day_start(day, office.timezone), max_run)
    entry = choose_next(heads, now, timedelta(minutes=office.starvation_minutes), run, max_run)
    if entry is None:
        raise QueueEmpty()
    ticket = ticket_or_404(session, entry.ticket_id)  # read as a head by this transaction, under its lock
    before = waiting_after_completion(session, after, ticket) if after is not None else None
    return _call(session, ticket, counter, actor, now, before=before)


def call_ticket(
    session: Session, *, counter_id: int, ticket_id: int, reason: str, actor: Actor, now: datetime
) -> Ticket:
    """Call a specific waiting ticket out of order; the reason is kept in the log."""
    if not reason or not reason.strip():
        raise InvalidInput("call_reason_required")
    counter = _prepare_call(session, counter_id, actor)
    ticket = get_or_404(session, Ticket, ticket_id)
    served = session.scalar(
        select(counter_services.c.service_id).where(
            counter_services.c.counter_id == counter.id, counter_services.c.service_id == ticket.service_id
        )
    )
    if ticket.office_id != counter.office_id or served is None:
        raise InvalidInput("counter_does_not_serve_ticket", counter=counter.number, ticket=ticket.code)
    return _call(session, ticket, counter, actor, now, reason=reason.strip(), out_of_order=True)


def _counter_ticket(session: Session, counter_id: int, actor: Actor) -> tuple[Counter, Ticket]:
    counter = lock_counter(session, counter_id)
    require_attending(session, counter, actor)
    ticket = _active_ticket(session, counter.id)
    if ticket is None:
        raise InvalidTransition("nothing_called", counter=counter.number)
    return counter, ticket


def recall(session: Session, *, counter_id: int, actor: Actor, now: datetime) -> Ticket:
    """Call the counter's current ticket again; at the office's limit apply its policy."""
    counter, ticket = _counter_ticket(session, counter_id, actor)
    if ticket.status != Status.CALLED:
        raise InvalidTransition("recall_after_serving", ticket=ticket.code)
    office = counter.office
    outcome = recall_outcome(ticket.round_calls, office.max_calls, office.on_recall_limit)
    if outcome is Action.RECALL:
        ticket.call_count += 1
        ticket.round_calls += 1
        ticket.called_at = now
        record(session, ticket, "recalled", actor, now, call=ticket.round_calls)
        _fact(session, ticket, facts.TICKET_CALLED, recall=True, announcement=_announcement(ticket, counter, True))
    elif outcome is Action.REQUEUE:
        _apply(ticket, Action.REQUEUE)
        record(session, ticket, "requeued", actor, now, calls=ticket.round_calls)
        ticket.counter_id = ticket.counter = ticket.clerk_id = None
        ticket.queued_at, ticket.round_calls = now, 0
        _fact(session, ticket, facts.TICKET_REQUEUED)
    else:
        _finish(session, ticket, Action.NO_SHOW, "no_show", actor, now, reason="recall limit")
    return ticket


def _ticket_at_own_counter(session: Session, ticket_id: int, actor: Actor) -> Ticket:
    ticket = ticket_or_404(session, ticket_id)
    if ticket.counter_id is None or ticket.status not in (Status.CALLED, Status.SERVING):
        raise InvalidTransition("ticket_action_not_allowed", ticket=ticket.code, status=ticket.status)
    require_attending(session, lock_counter(session, ticket.counter_id), actor)
    return ticket


def start(session: Session, *, ticket_id: int, actor: Actor, now: datetime) -> Ticket:
    """Begin serving a called ticket."""
    ticket = _ticket_at_own_counter(session, ticket_id, actor)
    update_ticket(session, ticket, _applied(ticket, Action.START) | {"started_at": now})
    record_at_once(session, ticket, "started", actor, now)
    _fact(session, ticket, facts.TICKET_STARTED)
    return ticket


def _finish(
    session: Session, ticket: Ticket, action: Action, kind: str, actor: Actor, now: datetime,
    also: dict[str, Any] | None = None, **data: Any
) -> Ticket:
    """End a ticket by `action`; `also`: other columns to write with it (a completion's outcome)."""
    update_ticket(session, ticket, _applied(ticket, action) | {"finished_at": now} | (also or {}))
    record_at_once(session, ticket, kind, actor, now, **data)
    _fact(session, ticket, facts.named(f"ticket_{kind}"))
    return ticket


def complete(session: Session, *, ticket_id: int, outcome: str, actor: Actor, now: datetime) -> Ticket:
    """Finish serving a ticket with an outcome (e.g. `selesai`, `berkas_kurang`)."""
    ticket = _ticket_at_own_counter(session, ticket_id, actor)
    if ticket.next_steps and ticket.status == Status.SERVING and steps.finish_step(
            session, ticket, outcome, actor, now):
        return ticket  # a visit of several steps goes on to its next step (docs/steps.md)
    service = config_cache.service(session, ticket.service_id) or ticket.service  # before the outcome is set:
    standard = service.standard_minutes  # a load of the service would flush it in an UPDATE of its own
    _finish(session, ticket, Action.COMPLETE, "completed", actor, now, also={"outcome": outcome}, outcome=outcome,
            service_id=ticket.service_id, standard_minutes=standard)
    points.sync_ticket(session, ticket)
    return ticket


def no_show(session: Session, *, ticket_id: int, actor: Actor, now: datetime) -> Ticket:
    """Close a called ticket whose resident did not come."""
    ticket = _ticket_at_own_counter(session, ticket_id, actor)
    return _finish(session, ticket, Action.NO_SHOW, "no_show", actor, now)


def transfer(
    session: Session, *, ticket_id: int, to_service_id: int, reason: str, actor: Actor, now: datetime
) -> Ticket:
    """Move a called or serving ticket to another service's queue, keeping its place."""
    ticket = _ticket_at_own_counter(session, ticket_id, actor)
    target = session.get(Service, to_service_id)
    if target is None or target.office_id != ticket.office_id or not target.active:
        raise InvalidInput("unknown_target_service", service=to_service_id)
    if target.id == ticket.service_id:
        raise InvalidInput("transfer_to_same_service")
    if not reason or not reason.strip():
        raise InvalidInput("transfer_reason_required")
    from_counter, from_service = ticket.counter_id, ticket.service_id
    _apply(ticket, Action.TRANSFER)
    ticket.service_id, ticket.service = target.id, target
    ticket.counter_id = ticket.counter = ticket.clerk_id = None
    ticket.started_at, ticket.round_calls = None, 0
    ticket.transfer_count += 1
    ticket.next_steps = [s for s in ticket.next_steps or [] if s != target.id]  # a planned step, taken early
    record(
        session, ticket, "transferred", actor, now, counter_id=from_counter,
        from_service=from_service, to_service=target.id, reason=reason.strip(),
    )
    _fact(session, ticket, facts.TICKET_TRANSFERRED)
    return ticket


def cancel(session: Session, *, ticket_id: int, actor: Actor, now: datetime, token: str | None = None) -> Ticket:
    """Cancel a waiting ticket: by office staff, or by the resident holding its token."""
    ticket = get_or_404(session, Ticket, ticket_id)
    if actor.kind == "resident":
        # As bytes: compare_digest refuses str with non-ASCII characters, and a resident may send any text.
        if not token or not secrets.compare_digest(token.encode(), ticket.public_token.encode()):
            raise Forbidden("ticket_token_mismatch")
    else:
        require_office(session, actor, ticket.office_id)
        if actor.kind != "staff":
            raise Forbidden("cancel_staff_only")
    return _finish(session, ticket, Action.CANCEL, "cancelled", actor, now)


def expire(session: Session, *, office_id: int, actor: Actor, now: datetime) -> int:
    """Expire every ticket still open after the office's closing time; return how many."""
    office = get_or_404(session, Office, office_id)
    today = office_hours.service_day(now, office.timezone)
    hours = office_hours.hours_on(office_hours.parse_week(office.hours), today, office.timezone, 0)
    closed_today = hours.closes_at is None or now >= hours.closes_at
    last_day = today if closed_today else today - timedelta(days=1)
    stale = session.scalars(
        select(Ticket)
        .where(
            Ticket.office_id == office.id,
            Ticket.status.in_([s.value for s in OPEN_STATUSES]),
            Ticket.service_day <= last_day,
        )
        .order_by(Ticket.id)
    ).all()
    for ticket in stale:
        _apply(ticket, Action.EXPIRE)
        ticket.finished_at = now
        record(session, ticket, "expired", actor, now)
    if stale:
        publish(session, office.id, facts.TICKETS_EXPIRED, {
            "tickets": [t.id for t in stale], "waiting": waiting_counts(session, office.id, today),
        })
    return len(stale)
