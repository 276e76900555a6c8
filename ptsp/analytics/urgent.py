"""Urgent cases for review (docs/urgent.md): the requests waiting for a sign-off, every case of a period, and the
counts per clerk and per supervisor that show a path used too often. Within the reader's offices and agency."""

from __future__ import annotations

from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..domain import hours as office_hours
from ..models import Office, Service, Staff, Ticket, UrgentCase
from .filters import Reach, in_agency

LIMIT = 500


def _rows(session: Session, reach: Reach, *where: Any) -> list[dict[str, Any]]:
    asker, decider = aliased(Staff), aliased(Staff)
    stmt = (
        select(UrgentCase, Ticket, Service, Office, asker.name, decider.name)
        .join(Ticket, Ticket.id == UrgentCase.ticket_id)
        .join(Service, Service.id == Ticket.service_id)
        .join(Office, Office.id == UrgentCase.office_id)
        .join(asker, asker.id == UrgentCase.requested_by)
        .outerjoin(decider, decider.id == UrgentCase.decided_by)
        .where(UrgentCase.office_id.in_(reach.office_ids), in_agency(Ticket.service_id, reach.agency_id), *where)
        .order_by(UrgentCase.requested_at.desc(), UrgentCase.id.desc())
        .limit(LIMIT)
    )
    return [
        {"id": case.id, "office": office.name, "office_id": office.id, "timezone": office.timezone,
         "ticket": ticket.id, "code": ticket.code, "service": f"{service.prefix} · {service.name_id}",
         "ticket_status": ticket.status, "service_day": ticket.service_day, "desk_ticket": case.desk_ticket,
         "reason": case.reason, "note": case.note, "state": case.state, "requested_by": case.requested_by,
         "asker": asker_name, "requested_at": case.requested_at, "decided_by": case.decided_by,
         "decider": decider_name, "decided_at": case.decided_at, "decision_note": case.decision_note,
         "own_mark": case.decided_by == case.requested_by}
        for case, ticket, service, office, asker_name, decider_name in session.execute(stmt)
    ]


def _lapsed(row: dict[str, Any], now: datetime) -> bool:
    """A pending request whose ticket is no longer waiting today: nobody can sign it off any more."""
    today = office_hours.service_day(now, row["timezone"])
    return row["state"] == "pending" and (row["ticket_status"] != "waiting" or row["service_day"] != today)


def pending(session: Session, reach: Reach, now: datetime) -> list[dict[str, Any]]:
    """The requests a supervisor can still sign off, oldest first."""
    rows = _rows(session, reach, UrgentCase.state == "pending", Ticket.status == "waiting")
    return sorted((r for r in rows if not _lapsed(r, now)), key=lambda r: (r["requested_at"], r["id"]))


@dataclass
class Counts:
    name: str
    asked: int = 0
    approved: int = 0
    declined: int = 0
    lapsed: int = 0
    reasons: Tally[str] = field(default_factory=Tally)


def review(session: Session, reach: Reach, first: date, last: date, now: datetime) -> dict[str, Any]:
    """Every case asked on the office-local days first..last, with counts per asker and per decider."""
    rows = [r for r in _rows(session, reach) if first <= office_hours.service_day(r["requested_at"], r["timezone"])
            <= last]
    askers: dict[int, Counts] = {}
    deciders: dict[int, Counts] = {}
    for row in rows:
        row["shown_state"] = "lapsed" if _lapsed(row, now) else row["state"]
        mine = askers.setdefault(row["requested_by"], Counts(row["asker"]))
        mine.asked += 1
        mine.reasons[row["reason"]] += 1
        if row["shown_state"] == "lapsed":
            mine.lapsed += 1
        elif row["state"] in ("approved", "declined"):
            setattr(mine, row["state"], getattr(mine, row["state"]) + 1)
            theirs = deciders.setdefault(row["decided_by"], Counts(row["decider"] or "–"))
            theirs.asked += row["own_mark"]
            setattr(theirs, row["state"], getattr(theirs, row["state"]) + 1)
    by_count = sorted(askers.values(), key=lambda c: (-c.asked, c.name))
    return {"rows": rows, "askers": by_count, "deciders": sorted(deciders.values(), key=lambda c: c.name),
            "truncated": len(rows) >= LIMIT}
