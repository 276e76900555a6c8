"""The one catalogue of facts the server sends out: each fact's name, audience and numbering.

Facts are named in the past tense. A numbered fact carries the office's sequence number (`seq`)
and goes to the office room; the pages follow numbered facts without a gap (`static/live.js`
reads this list from `/live/facts.js`, built from `CATALOGUE`). The server emits only facts
declared here (`ptsp.realtime`), so a name cannot be published that the pages do not know.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Audience(StrEnum):
    OFFICE = "office"  # displays, counters, kiosks and dashboards of one office
    RESIDENTS = "residents"  # residents' status pages of one office: only that a service's line may have moved
    TICKET = "ticket"  # one resident's status page: its own ticket's state, nothing about anyone else
    AGENT = "agent"  # one print agent on a kiosk PC
    MANAGERS = "managers"  # the manager pages (dashboards) following one office: never displays or counters
    LISTENER = "listener"  # the one socket that connected


@dataclass(frozen=True)
class Fact:
    """A kind of fact: its name on the wire, who hears it and whether it carries the office `seq`."""

    name: str
    audience: frozenset[Audience]
    numbered: bool
    about: str

    def describe(self) -> dict[str, Any]:
        return {**asdict(self), "audience": sorted(self.audience)}


_OFFICE = frozenset({Audience.OFFICE})


def _numbered(name: str, about: str) -> Fact:
    return Fact(name, _OFFICE, True, about)


# The office's facts go to the office room only: they name other residents' tickets, their priority
# class and the clerks. A resident's status page hears the two facts below, derived from them by
# `ptsp.realtime` (docs/security.md, "Residents' privacy").
TICKET_ISSUED = _numbered("ticket_issued", "a ticket was issued")
TICKET_CALLED = _numbered("ticket_called", "a ticket was called (or recalled) to a counter")
TICKET_REQUEUED = _numbered("ticket_requeued", "a called ticket went back into the line")
TICKET_STARTED = _numbered("ticket_started", "service of a ticket started at a counter")
TICKET_COMPLETED = _numbered("ticket_completed", "service of a ticket was completed")
TICKET_NO_SHOW = _numbered("ticket_no_show", "a called resident did not come")
TICKET_TRANSFERRED = _numbered("ticket_transferred", "a ticket was moved to another service's line")
TICKET_CANCELLED = _numbered("ticket_cancelled", "a ticket was cancelled")
TICKET_PARKED = _numbered("ticket_parked", "a ticket being served was parked: its resident fetches a missing "
                          "document and may come back to the same counter until {ticket.parked_until}")
TICKET_RETURNED = _numbered("ticket_returned", "a parked ticket came back: it waits at the front of the line of "
                            "the counter that parked it ({ticket.return_counter})")
TICKET_REINSERTED = _numbered("ticket_reinserted", "a resident who missed their call was re-inserted a few places "
                              "ahead of the back of their service's line")
TICKETS_EXPIRED = _numbered("tickets_expired", "the open tickets of past days expired")
COUNTER_CHANGED = _numbered("counter_changed", "a counter opened, paused or closed")
PRINTER_CHANGED = _numbered("printer_changed", "a printer's health changed")
OFFICE_CHANGED = _numbered("office_changed", "the office's settings or its agencies were changed on the "
                           "administration pages: {settings} as in the snapshot's office (running text, name, "
                           "time zone...)")
SERVICES_CHANGED = _numbered("services_changed", "an administrator added, changed or closed a service or counter "
                             "of the office: {office}; kiosks and screens read the office again")
URGENT_CHANGED = _numbered("urgent_changed", "an urgent case was asked for, signed off or refused (docs/urgent.md): "
                           "{ticket, urgent: {id, state}, waiting}; never its reason or note (displays hear it)")

LINE_MOVED = Fact("line_moved", frozenset({Audience.RESIDENTS}), False,
                  "the lines of these services may have moved: {office, services}, nothing else")
TICKET_CHANGED = Fact("ticket_changed", frozenset({Audience.TICKET}), False,
                      "the resident's own ticket changed: {ticket: {id, service, status, counter_number, "
                      "call_count}}")

# Office facts that may move a waiting ticket (a `line_moved` for the services they touch; an issued
# ticket only when it jumps the line) and office facts about one ticket (a `ticket_changed` to its room).
MOVES_LINES = frozenset({TICKET_ISSUED, TICKET_CALLED, TICKET_REQUEUED, TICKET_TRANSFERRED, TICKET_CANCELLED,
                         TICKETS_EXPIRED, COUNTER_CHANGED, URGENT_CHANGED, TICKET_RETURNED, TICKET_REINSERTED})
ABOUT_ONE_TICKET = frozenset({TICKET_ISSUED, TICKET_CALLED, TICKET_REQUEUED, TICKET_STARTED, TICKET_COMPLETED,
                              TICKET_NO_SHOW, TICKET_TRANSFERRED, TICKET_CANCELLED, TICKET_PARKED,
                              TICKET_RETURNED, TICKET_REINSERTED})

SNAPSHOT_SENT = Fact("snapshot", frozenset({Audience.LISTENER}), False, "the office's state, sent on connect")
DASHBOARD_READY = Fact("dashboard_ready", frozenset({Audience.LISTENER}), False,
                       "a manager dashboard joined its offices' rooms")
PRINT_JOB_QUEUED = Fact("print_job", frozenset({Audience.AGENT}), False, "a print job waits for a print agent")
VIOLATION_DETECTED = Fact("violation_detected", frozenset({Audience.MANAGERS}), False,
                          "the periodic discipline scan recorded new violations in an office: {office, day, "
                          "violations: [ids]}; who may read each is decided when the page fetches them")

CATALOGUE: tuple[Fact, ...] = (
    TICKET_ISSUED, TICKET_CALLED, TICKET_REQUEUED, TICKET_STARTED, TICKET_COMPLETED, TICKET_NO_SHOW,
    TICKET_TRANSFERRED, TICKET_CANCELLED, TICKET_PARKED, TICKET_RETURNED, TICKET_REINSERTED, TICKETS_EXPIRED,
    COUNTER_CHANGED, PRINTER_CHANGED,
    OFFICE_CHANGED, SERVICES_CHANGED, URGENT_CHANGED, LINE_MOVED, TICKET_CHANGED, SNAPSHOT_SENT, DASHBOARD_READY,
    PRINT_JOB_QUEUED, VIOLATION_DETECTED,
)
BY_NAME: dict[str, Fact] = {fact.name: fact for fact in CATALOGUE}
NUMBERED: tuple[Fact, ...] = tuple(fact for fact in CATALOGUE if fact.numbered)


def named(name: str) -> Fact:
    """Return the catalogued fact of this name; an unknown name is a programming error."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise LookupError(f"fact {name!r} is not in ptsp.facts.CATALOGUE") from None


def for_pages() -> dict[str, Any]:
    """The catalogue as the pages read it."""
    return {"numbered": [fact.name for fact in NUMBERED], "facts": [fact.describe() for fact in CATALOGUE]}
