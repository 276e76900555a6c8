"""A visit of several steps (docs/steps.md): a service's route, a clerk's plan, finishing one step.

The rules are in `ptsp/domain/steps.py`. The ticket keeps its number, code and token for the whole visit; its
`next_steps` are the services still planned after the current one. `tickets.complete` asks `finish_step`
first: while a step is planned, completing moves the ticket to that step's line instead of closing it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from .. import facts
from ..domain.errors import InvalidTransition
from ..domain.lifecycle import Action, Status, next_status
from ..domain.steps import MAX_STEPS, PLANNED, STEP_DONE, check_plan, route_plan
from ..models import Agency, Service, Ticket, TicketEvent
from . import audit, points
from .actors import Actor
from .catalogue_admin import administered_service
from .counters import lock_counter, require_attending
from .lookup import get_or_404, publish, record, run_prebuilt, waiting_counts
from .serializers import ticket_view


def open_services(session: Session, office_id: int) -> list[int]:
    """The office's services a step may be: active, of an active agency (or none). In an MPP a step may be
    any agency's service of the office: one visit to the hall may need several agencies."""
    return list(session.scalars(
        select(Service.id).outerjoin(Agency, Agency.id == Service.agency_id)
        .where(Service.office_id == office_id, Service.active.is_(True),
               (Service.agency_id.is_(None)) | (Agency.active.is_(True)))
        .order_by(Service.id)))


def route_for(session: Session, service: Service) -> list[int]:
    """The next steps a new ticket for `service` carries: its route's open services (domain.steps.route_plan)."""
    if not service.route:
        return []
    return route_plan(service.id, service.route, open_services(session, service.office_id))


def route_choices(session: Session, service: Service) -> list[Service]:
    """The services an administrator may put in `service`'s route: the office's open ones but itself."""
    ids = set(open_services(session, service.office_id)) - {service.id}
    return list(session.scalars(select(Service).where(Service.id.in_(ids)).order_by(Service.prefix)))


def set_route(session: Session, actor: Actor, service_id: int, route: list[int], now: datetime) -> Service:
    """Set the services a visit for `service_id` goes through next (an empty list: none), checked like a clerk's
    plan; audited, and `services_changed` tells the kiosks."""
    service = administered_service(session, actor, service_id)
    chosen = check_plan([service.id], route, open_services(session, service.office_id), MAX_STEPS)
    before = list(service.route or [])
    if chosen == before:
        return service
    service.route = chosen
    audit.record(session, actor=actor, now=now, office_id=service.office_id, entity="service",
                 entity_id=service.id, action="route_changed", before={"route": before}, after={"route": chosen})
    publish(session, service.office_id, facts.SERVICES_CHANGED, {})
    return service


def visited(session: Session, ticket: Ticket) -> list[int]:
    """Every service the visit has been in, in order, the current one last: the issued service, each transfer's
    target and each finished step's next service."""
    path = [ticket.issued_service_id]
    for kind, data in session.execute(select(TicketEvent.kind, TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind.in_(["transferred", STEP_DONE]))
            .order_by(TicketEvent.id)):
        target = (data or {}).get("to_service" if kind == "transferred" else "next_service")
        if target is not None:
            path.append(int(target))
    if path[-1] != ticket.service_id:
        path.append(ticket.service_id)
    return path


def plan(session: Session, *, ticket_id: int, services: list[int], actor: Actor, now: datetime) -> Ticket:
    """Plan the steps after the current one of a ticket called or served at the actor's counter (replacing the
    steps planned before; an empty list plans none). The plan is written in the log with who made it."""
    ticket = get_or_404(session, Ticket, ticket_id)
    if ticket.counter_id is None or ticket.status not in (Status.CALLED, Status.SERVING):
        raise InvalidTransition("ticket_action_not_allowed", ticket=ticket.code, status=ticket.status)
    require_attending(session, lock_counter(session, ticket.counter_id), actor)
    chosen = check_plan(visited(session, ticket), services, open_services(session, ticket.office_id), MAX_STEPS)
    ticket.next_steps = chosen
    record(session, ticket, PLANNED, actor, now, services=chosen)
    return ticket


def finish_step(session: Session, ticket: Ticket, outcome: str, actor: Actor, now: datetime) -> Ticket | None:
    """Finish the current step of a serving ticket that has a next step: log `step_completed` (the step's
    points, like a completion), and queue the ticket for the next step's service with its queued time kept,
    as the same ticket. None when no open step is left (the caller completes the visit)."""
    allowed = set(open_services(session, ticket.office_id))
    remaining = [s for s in (ticket.next_steps or []) if s in allowed]  # a service closed since is skipped
    if not remaining:
        return None
    target = session.get_one(Service, remaining[0])
    done = session.scalar(select(func.count()).select_from(TicketEvent).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.kind == STEP_DONE)) or 0
    ticket.status = next_status(ticket.status, Action.NEXT_STEP).value
    record(session, ticket, STEP_DONE, actor, now, outcome=outcome, service_id=ticket.service_id,
           standard_minutes=ticket.service.standard_minutes, next_service=target.id, step=done)
    ticket.service_id, ticket.service, ticket.next_steps = target.id, target, remaining[1:]
    ticket.counter_id = ticket.counter = ticket.clerk_id = None
    ticket.started_at, ticket.round_calls = None, 0  # queued_at is kept: the next line is joined in its place
    points.sync_ticket(session, ticket)
    publish(session, ticket.office_id, facts.TICKET_TRANSFERRED, {
        "ticket": ticket_view(ticket), "waiting": waiting_counts(session, ticket.office_id, ticket.service_day),
        "planned_step": True})
    return ticket


# The clerk's finished steps are looked for per ticket of the day (EXISTS on the ticket's own events): an IN over
# all of the clerk's step events would read the whole events table, every day of it (0027). Built once: each
# counter screen asks for its figures after the clerk's own facts, and building this statement (its alias) cost
# more CPU than running it.
_DONE = aliased(TicketEvent)
_STEPS_SERVED = (
    select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.at, TicketEvent.staff_id)
    .join(Ticket, Ticket.id == TicketEvent.ticket_id)
    .where(Ticket.office_id == bindparam("office_id"), Ticket.service_day == bindparam("day"),
           TicketEvent.kind.in_(["started", STEP_DONE]),
           select(_DONE.id).where(_DONE.ticket_id == Ticket.id, _DONE.kind == STEP_DONE,
                                  _DONE.staff_id == bindparam("staff_id")).exists())
    .order_by(TicketEvent.id)
)


def steps_served(session: Session, staff_id: int, office_id: int, day: date) -> list[float]:
    """The minutes of each step (not the last of its visit) a clerk finished on an office day, from its start:
    the counter screen counts them as served, as the last step's clerk counts the finished ticket."""
    rows = run_prebuilt(session, _STEPS_SERVED, {"office_id": office_id, "day": day, "staff_id": staff_id}).all()
    started: dict[int, datetime] = {}
    minutes = []
    for ticket_id, kind, at, staff in rows:
        if kind == "started":
            started[ticket_id] = at
        elif staff == staff_id and ticket_id in started:
            minutes.append((at - started.pop(ticket_id)).total_seconds() / 60)
    return minutes


def steps_view(session: Session, ticket: Ticket) -> list[dict[str, Any]]:
    """A visit's steps for the resident's page: each finished step, the current one and the planned ones, as
    {service: {id, en}, state: done|current|next}; empty for a visit of one step."""
    done = [int(data["service_id"]) for data in session.scalars(select(TicketEvent.data).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.kind == STEP_DONE).order_by(TicketEvent.id))
        if data and data.get("service_id") is not None]
    planned = list(ticket.next_steps or []) if ticket.status in (Status.WAITING, Status.CALLED,
                                                                 Status.SERVING) else []
    if not done and not planned:
        return []
    names = {s.id: {"id": s.name_id, "en": s.name_en}
             for s in session.scalars(select(Service).where(Service.id.in_({*done, *planned, ticket.service_id})))}
    current = "done" if ticket.status == Status.DONE else "current"
    return ([{"service": names.get(s), "state": "done"} for s in done]
            + [{"service": names.get(ticket.service_id), "state": current}]
            + [{"service": names.get(s), "state": "next"} for s in planned])
