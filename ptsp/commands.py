"""Counter commands, shared by the REST routes and the counter's socket.

Both adapters validate the same pydantic model and call the same use case,
then commit here, at the edge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from . import schemas
from .context import get_db, now
from .domain.errors import DomainError, Forbidden, InvalidInput, QueueEmpty
from .i18n.validation import invalid_input
from .models import Ticket
from .services import counters, parking, processed, steps, tickets
from .services.actors import Actor
from .services.counters import current_session
from .services.serializers import counter_view, ticket_view
from .services.ticket_rows import load_loaded

Handler = Callable[[Any, Any, Actor, Any], Any]  # the body: an instance of the paired model


def complete_and_call_next(session: Any, body: schemas.CompleteAndCallNext, actor: Actor, at: Any) -> dict[str, Any]:
    """Complete the counter's ticket and call the next one in one transaction: the counter screen's one press
    instead of two commands (and two requests). The facts are those of `complete` then `call_next`, in that
    order; with nobody waiting the completion still stands and `ticket` is None. A ticket with a planned next
    step goes on to it, as by `complete` (docs/steps.md): it is then at no counter, so the counter is checked
    against where it was (this read is the only one: `complete` finds the same row in the session)."""
    ticket = load_loaded(session, Ticket, body.ticket)  # the counter it is at, read before: a finished step leaves it
    at_counter = None if ticket is None else ticket.counter_id
    done = tickets.complete(session, ticket_id=body.ticket, outcome=body.outcome, actor=actor, now=at)
    if at_counter != body.counter:
        raise InvalidInput("ticket_not_at_counter", ticket=done.code, counter=body.counter)
    try:
        called = tickets.call_next(session, counter_id=body.counter, actor=actor, now=at, after=done)
    except QueueEmpty:
        called = None
    return {"completed": ticket_view(done), "ticket": None if called is None else ticket_view(called)}


COMMANDS: dict[str, tuple[type[BaseModel], Handler]] = {
    "open": (schemas.CounterRef, lambda s, b, a, t: counters.open_counter(s, counter_id=b.counter, actor=a, now=t)),
    "break": (schemas.BreakCounter, lambda s, b, a, t: counters.break_counter(
        s, counter_id=b.counter, reason=b.reason, actor=a, now=t)),
    "close": (schemas.CounterRef, lambda s, b, a, t: counters.close_counter(s, counter_id=b.counter, actor=a, now=t)),
    "call_next": (schemas.CounterRef, lambda s, b, a, t: tickets.call_next(s, counter_id=b.counter, actor=a, now=t)),
    "call_ticket": (schemas.CallTicket, lambda s, b, a, t: tickets.call_ticket(
        s, counter_id=b.counter, ticket_id=b.ticket, reason=b.reason, actor=a, now=t)),
    "recall": (schemas.CounterRef, lambda s, b, a, t: tickets.recall(s, counter_id=b.counter, actor=a, now=t)),
    "start": (schemas.TicketRef, lambda s, b, a, t: tickets.start(s, ticket_id=b.ticket, actor=a, now=t)),
    "complete": (schemas.CompleteTicket, lambda s, b, a, t: tickets.complete(
        s, ticket_id=b.ticket, outcome=b.outcome, actor=a, now=t)),
    "no_show": (schemas.TicketRef, lambda s, b, a, t: tickets.no_show(s, ticket_id=b.ticket, actor=a, now=t)),
    "transfer": (schemas.TransferTicket, lambda s, b, a, t: tickets.transfer(
        s, ticket_id=b.ticket, to_service_id=b.service, reason=b.reason, actor=a, now=t)),
    "cancel": (schemas.TicketRef, lambda s, b, a, t: tickets.cancel(s, ticket_id=b.ticket, actor=a, now=t)),
    # Parked tickets and late residents (docs/queue.md).
    "park": (schemas.TicketRef, lambda s, b, a, t: parking.park(s, ticket_id=b.ticket, actor=a, now=t)),
    "return_parked": (schemas.TicketRef, lambda s, b, a, t: parking.return_parked(
        s, ticket_id=b.ticket, actor=a, now=t)),
    "reinsert": (schemas.ReinsertTicket, lambda s, b, a, t: parking.reinsert(
        s, counter_id=b.counter, ticket_id=b.ticket, actor=a, now=t)),
    "plan_steps": (schemas.PlanSteps, lambda s, b, a, t: steps.plan(
        s, ticket_id=b.ticket, services=list(b.services), actor=a, now=t)),
    "complete_and_call_next": (schemas.CompleteAndCallNext, complete_and_call_next),
}


def run_command(action: str, payload: dict[str, Any], actor: Actor) -> tuple[int, dict[str, Any] | None]:
    """Validate and run one command, commit it, and return (HTTP status, body).

    With a `request_id` (a UUID the client makes per click), a repeat returns
    the first answer instead of running again: the id is stored in the
    command's own transaction, so it is stored exactly when the command is.
    """
    if actor.staff_id is None:
        raise Forbidden()
    if action not in COMMANDS:
        raise InvalidInput("unknown_command", command=action)
    payload = dict(payload)
    request_id = payload.pop("request_id", None)
    request_id = None if request_id is None else processed.parse_request_id(request_id)
    model, handler = COMMANDS[action]
    try:
        body = model.model_validate(payload)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    session = get_db()
    try:
        if request_id is not None:
            earlier = processed.previous_result(session, request_id, actor.staff_id)
            if earlier is not None:
                session.rollback()
                return earlier
        result = handler(session, body, actor, now())
        view = _view(session, result)
        if request_id is not None:
            processed.remember(session, request_id, actor.staff_id, action, 200, view, now())
        session.commit()
    except QueueEmpty:
        session.rollback()
        return 204, None
    except IntegrityError:
        # Two copies of one request ran at once (PostgreSQL): the other one won; answer with its result.
        session.rollback()
        if request_id is None:
            raise
        earlier = processed.previous_result(session, request_id, actor.staff_id)
        session.rollback()
        if earlier is None:
            raise
        return earlier
    except DomainError:
        session.rollback()
        raise
    return 200, view


def _view(session: Any, result: Any) -> dict[str, Any]:
    if isinstance(result, dict):  # a command that answers with its own view (complete_and_call_next)
        return result
    if isinstance(result, Ticket):
        return {"ticket": ticket_view(result)}
    return {"counter": counter_view(result, current_session(session, result.id))}
