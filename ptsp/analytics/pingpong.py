"""Ping-pong report: tickets sent back and forth, per office and service (rules in domain.pingpong)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..domain import referrals as referral_rules
from ..domain.pingpong import MAX_HANDOFFS, REASONS, Journey, Leg, collapse, reasons
from ..domain.steps import STEP_DONE
from ..models import Counter, Department, Office, Referral, Service, Ticket
from ..services.agencies import in_agency
from .timeline import TicketStory, ticket_stories


@dataclass
class Case:
    office_id: int
    ticket_id: int
    code: str
    day: date
    service_id: int
    journey: Journey
    reasons: list[str]


def journey_of(story: TicketStory, referrals: list[tuple[int, str]]) -> Journey:
    """Read a ticket's journey from its events and its referrals (department, status) in order; a planned step
    (`step_completed`) starts a new leg instead of adding a handoff."""
    legs = [Leg([story.issued_service_id])]
    for event in story.events:
        data = event.data or {}
        if event.kind == "transferred" and data.get("to_service") is not None:
            legs[-1].services.append(int(data["to_service"]))
        elif event.kind == STEP_DONE and data.get("next_service") is not None:
            legs.append(Leg([int(data["next_service"])]))
        elif event.kind == "called" and event.counter_id is not None:
            legs[-1].counters.append(event.counter_id)
    return Journey(services=legs[0].services, counters=legs[0].counters, departments=[d for d, _s in referrals],
                   returned_referrals=sum(1 for _d, s in referrals if s == referral_rules.RETURNED),
                   next_legs=legs[1:])


def cases(session: Session, office_id: int, first_day: date, last_day: date, max_handoffs: int = MAX_HANDOFFS,
          agency_id: int | None = None) -> tuple[int, dict[int, int], list[Case]]:
    """Return (tickets, tickets per issued service, ping-pong cases) of an office over service days; with
    `agency_id`, of the tickets issued for one of that agency's services.

    Only tickets that moved at all (transferred, called more than once, or referred) can be ping-pong,
    so only their events are read.
    """
    in_period = (Ticket.office_id == office_id, Ticket.service_day >= first_day, Ticket.service_day <= last_day,
                 in_agency(Ticket.issued_service_id, agency_id))
    per_service: dict[int, int] = dict(session.execute(
        select(Ticket.issued_service_id, func.count()).where(*in_period).group_by(Ticket.issued_service_id)).all())
    referred = select(Referral.ticket_id).where(Referral.office_id == office_id, Referral.ticket_id.is_not(None))
    moved = and_(or_(Ticket.transfer_count > 0, Ticket.call_count > 1, Ticket.id.in_(referred)),
                 in_agency(Ticket.issued_service_id, agency_id))
    stories = ticket_stories(session, office_id, first_day, last_day, only=moved)
    by_ticket: dict[int, list[tuple[int, str]]] = {}
    rows = session.execute(
        select(Ticket.id, Referral.department_id, Referral.status)
        .join(Ticket, Ticket.id == Referral.ticket_id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= first_day, Ticket.service_day <= last_day)
        .order_by(Referral.referred_at, Referral.id)
    )
    for ticket_id, department_id, status in rows:
        by_ticket.setdefault(ticket_id, []).append((department_id, status))
    found = []
    for story in stories:
        journey = journey_of(story, by_ticket.get(story.id, []))
        why = reasons(journey, max_handoffs)
        if why:
            found.append(Case(office_id, story.id, story.code, story.service_day, story.issued_service_id,
                              journey, why))
    return sum(per_service.values()), per_service, found


def report(session: Session, offices: list[Office], first_day: date, last_day: date,
           max_handoffs: int = MAX_HANDOFFS, agency_id: int | None = None) -> dict[str, Any]:
    """Ping-pong per office and issued service, with every case and its path spelled out."""
    prefixes = {s.id: s.prefix for s in session.scalars(select(Service))}
    numbers = {c.id: c.number for c in session.scalars(select(Counter))}
    departments = {d.id: d.name for d in session.scalars(select(Department))}
    rows: list[dict[str, Any]] = []
    listed: list[dict[str, Any]] = []
    for office in offices:
        total, per_service, found = cases(session, office.id, first_day, last_day, max_handoffs, agency_id)
        for service_id, tickets in sorted(per_service.items(), key=lambda kv: prefixes.get(kv[0], "")):
            mine = [c for c in found if c.service_id == service_id]
            rows.append({
                "office": office.id, "office_name": office.name, "service": service_id,
                "service_prefix": prefixes.get(service_id, "?"), "tickets": tickets, "pingpong": len(mine),
                "rate": round(len(mine) / tickets, 4) if tickets else 0.0,
                **{r: sum(1 for c in mine if r in c.reasons) for r in REASONS},
            })
        for c in found:
            listed.append({
                "office": office.id, "office_name": office.name, "ticket": c.ticket_id, "code": c.code,
                "day": c.day.isoformat(), "service_prefix": prefixes.get(c.service_id, "?"), "reasons": c.reasons,
                # planned steps are joined by ⇒, transfers by →
                "services": " ⇒ ".join(" → ".join(prefixes.get(s, "?") for s in leg.services)
                                       for leg in c.journey.legs),
                "counters": " ⇒ ".join(" → ".join(str(numbers.get(x, "?")) for x in collapse(leg.counters))
                                       for leg in c.journey.legs),
                "departments": " → ".join(departments.get(d, "?") for d in c.journey.departments),
                "handoffs": c.journey.handoffs,
            })
    rows.sort(key=lambda r: (-r["rate"], r["office_name"], r["service_prefix"]))
    return {"rows": rows, "cases": listed, "max_handoffs": max_handoffs}
