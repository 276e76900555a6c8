"""Build small office histories by hand: tickets with their events, and counter sessions."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ptsp.domain.codes import format_code
from ptsp.models import Counter, CounterSession, Office, Service, Staff, Ticket, TicketEvent

MONDAY = date(2026, 11, 23)
FINAL = {"completed": "done", "no_show": "no_show", "cancelled": "cancelled", "expired": "expired"}


class History:
    """Writes rows of one office directly, with local wall-clock times ("09:30")."""

    def __init__(self, session: Session, office_slug: str = "kel-test", day: date = MONDAY) -> None:
        self.session = session
        self.office = session.scalar(select(Office).where(Office.slug == office_slug))
        self.day = day
        self.numbers: dict[int, int] = {}

    def at(self, hhmm: str, day: date | None = None) -> datetime:
        hour, minute = map(int, hhmm.split(":"))
        return datetime.combine(day or self.day, time(hour, minute), ZoneInfo(self.office.timezone))

    def service(self, prefix: str) -> Service:
        return self.session.scalar(select(Service).where(Service.office_id == self.office.id,
                                                         Service.prefix == prefix))

    def counter(self, number: int) -> Counter:
        return self.session.scalar(select(Counter).where(Counter.office_id == self.office.id,
                                                         Counter.number == number))

    def staff(self, username: str) -> Staff:
        return self.session.scalar(select(Staff).where(Staff.username == username))

    def stretch(self, counter: int, username: str, state: str, start: str, end: str | None,
                day: date | None = None) -> CounterSession:
        """A counter session: `state` open or break, from `start` to `end` (None: still running)."""
        row = CounterSession(counter_id=self.counter(counter).id, office_id=self.office.id,
                             staff_id=self.staff(username).id, state=state, started_at=self.at(start, day),
                             ended_at=self.at(end, day) if end else None)
        self.session.add(row)
        self.session.flush()
        return row

    def ticket(self, prefix: str, issued: str, *steps: tuple[Any, ...], day: date | None = None) -> Ticket:
        """A ticket issued at `issued`, then steps (kind, "HH:MM", counter number or None, data dict)."""
        day = day or self.day
        service = self.service(prefix)
        number = self.numbers[service.id] = self.numbers.get(service.id, 0) + 1
        ticket = Ticket(office_id=self.office.id, service_id=service.id, issued_service_id=service.id,
                        service_day=day, number=number, code=format_code(prefix, number), status="waiting",
                        issued_at=self.at(issued, day), queued_at=self.at(issued, day),
                        public_token=secrets.token_urlsafe(12))
        self.session.add(ticket)
        self.session.flush()
        self._event(ticket, "issued", issued, None, {}, day)
        for step in steps:
            kind, hhmm, counter, data = (*step, None, None)[:4]
            data = dict(data or {})
            if kind == "transferred" and isinstance(data.get("to_service"), str):
                data["to_service"] = self.service(data["to_service"]).id
                ticket.service_id = data["to_service"]
                ticket.transfer_count += 1
            if kind in ("called", "recalled"):
                ticket.call_count += 1
            self._event(ticket, kind, hhmm, counter, data, day)
            ticket.status = FINAL.get(kind, {"called": "called", "started": "serving"}.get(kind, "waiting"))
        self.session.flush()
        return ticket

    def _event(self, ticket: Ticket, kind: str, hhmm: str, counter: int | None, data: dict, day: date) -> None:
        self.session.add(TicketEvent(ticket_id=ticket.id, office_id=self.office.id, kind=kind,
                                     at=self.at(hhmm, day), counter_id=self.counter(counter).id if counter else None,
                                     data=data))
        self.session.flush()
