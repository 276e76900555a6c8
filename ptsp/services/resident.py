"""A resident's own view of their ticket, and the resident feed derived from the office's facts.

A status page is opened by whoever holds the paper ticket (its QR token). It learns its own ticket's state,
place in line, estimated wait and the counter that calls it; never another resident's ticket, priority class
or a clerk's name or id (docs/security.md, "Residents' privacy").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import config_cache, facts
from ..domain import hours as office_hours
from ..domain.calling_order import issue_moves_others
from ..domain.errors import Gone, NotFound
from ..domain.lifecycle import TokenReach, token_reach
from ..models import Ticket
from .serializers import ticket_position
from .steps import steps_view

# Tokens are secrets.token_urlsafe: anything else (too long, a NUL byte) names no ticket.
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def ticket_for_token(session: Session, token: str) -> Ticket | None:
    if not token or len(token) > 64 or not set(token) <= TOKEN_CHARS:
        return None
    return session.scalar(select(Ticket).where(Ticket.public_token == token))


def reach(ticket: Ticket, now: datetime, keep_days: int) -> TokenReach:
    """What this ticket's token still opens now (`domain.lifecycle.token_reach`)."""
    today = office_hours.service_day(now, ticket.office.timezone)
    return token_reach(ticket.status, ticket.service_day, today, keep_days)


def open_ticket(session: Session, token: str, now: datetime, keep_days: int) -> Ticket:
    """The ticket behind a token whose page may still be shown; NotFound, or Gone after `keep_days`."""
    ticket = ticket_for_token(session, token)
    if ticket is None:
        raise NotFound("unknown_ticket_token")
    # The office and service from the per-process copies (held by the session for the transaction): the
    # ticket's own `office` and `service` are found there, not read again on every refresh of every phone.
    config_cache.office(session, ticket.office_id)
    config_cache.service(session, ticket.service_id)
    if reach(ticket, now, keep_days) is TokenReach.GONE:
        raise Gone("ticket_no_longer_available", days=keep_days)
    return ticket


def own_view(session: Session, ticket: Ticket, token: str, now: datetime) -> dict[str, Any]:
    """What the resident's page shows: their ticket, place in line, wait and the counter that called it."""
    office, service = ticket.office, ticket.service
    return {
        "id": ticket.id,
        "office": office.id,
        "office_name": office.name,
        "code": ticket.code,
        "status": ticket.status,
        "call_count": ticket.call_count,
        "service": ticket.service_id,
        "service_name": {"id": service.name_id, "en": service.name_en},
        "counter_number": ticket.counter.number if ticket.counter_id and ticket.counter else None,
        "issued_at": office_hours.local_now(ticket.issued_at, office.timezone).strftime("%H:%M"),
        "rating_url": f"/t/{token}/nilai",
        "steps": steps_view(session, ticket),  # a visit of several steps: done, current, next (docs/steps.md)
        **ticket_position(session, ticket, now),
        **parked_view(ticket),
    }


def parked_view(ticket: Ticket) -> dict[str, Any]:
    """A parked ticket's deadline as the office's wall clock ("come back to counter 2 before 10:45"), and
    whether a waiting ticket is a parked one back in line at its counter (docs/queue.md)."""
    until = ticket.parked_until if ticket.status == "parked" else None
    returned = ticket.status == "waiting" and ticket.return_counter_id is not None
    return {"parked_until": office_hours.local_now(until, ticket.office.timezone).strftime("%H:%M") if until else None,
            "returned": returned}


OWN_FIELDS = ("id", "service", "status", "counter_number", "call_count")


def resident_facts(fact: facts.Fact, payload: dict[str, Any]) -> list[tuple[facts.Fact, dict[str, Any], int | None]]:
    """The resident feed's facts for one office fact: (fact, payload, ticket id of its room or None).

    `line_moved` names only the services whose line may have moved; `ticket_changed` goes to one ticket's
    own room and carries only that ticket's state. Nothing else of the office fact is passed on.
    """
    derived: list[tuple[facts.Fact, dict[str, Any], int | None]] = []
    ticket = payload.get("ticket") if isinstance(payload.get("ticket"), dict) else None
    if fact in facts.MOVES_LINES and (fact is not facts.TICKET_ISSUED or
                                      (ticket is not None and
                                       issue_moves_others(ticket["priority"], bool(ticket.get("appointment"))))):
        derived.append((facts.LINE_MOVED, {"office": payload["office"], "services": _services(payload)}, None))
    if fact in facts.ABOUT_ONE_TICKET and ticket is not None:
        derived.append((facts.TICKET_CHANGED, {"ticket": {key: ticket.get(key) for key in OWN_FIELDS}},
                        ticket["id"]))
    return derived


def _services(payload: dict[str, Any]) -> list[int]:
    """The services a fact's line change touches; every service of the office for an expiry."""
    ticket = payload.get("ticket")
    if isinstance(ticket, dict):
        return sorted({ticket["service"], ticket["issued_service"]})
    if isinstance(payload.get("services"), list):  # a counter: the services it serves
        return sorted(payload["services"])
    return sorted(int(service) for service in payload.get("waiting", {}))
