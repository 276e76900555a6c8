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
    RESIDENTS = "residents"  # residents' status pages of one office (facts that may move a waiting ticket)
    TICKET = "ticket"  # one resident's status page, for facts about their own ticket
    AGENT = "agent"  # one print agent on a kiosk PC
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


_LINE = frozenset({Audience.OFFICE, Audience.RESIDENTS, Audience.TICKET})
_OWN = frozenset({Audience.OFFICE, Audience.TICKET})


def _numbered(name: str, audience: frozenset[Audience], about: str) -> Fact:
    return Fact(name, audience, True, about)


TICKET_ISSUED = _numbered("ticket_issued", _LINE, "a ticket was issued; residents hear it when it jumps the line")
TICKET_CALLED = _numbered("ticket_called", _LINE, "a ticket was called (or recalled) to a counter")
TICKET_REQUEUED = _numbered("ticket_requeued", _LINE, "a called ticket went back into the line")
TICKET_STARTED = _numbered("ticket_started", _OWN, "service of a ticket started at a counter")
TICKET_COMPLETED = _numbered("ticket_completed", _OWN, "service of a ticket was completed")
TICKET_NO_SHOW = _numbered("ticket_no_show", _OWN, "a called resident did not come")
TICKET_TRANSFERRED = _numbered("ticket_transferred", _LINE, "a ticket was moved to another service's line")
TICKET_CANCELLED = _numbered("ticket_cancelled", _LINE, "a ticket was cancelled")
TICKETS_EXPIRED = _numbered("tickets_expired", frozenset({Audience.OFFICE, Audience.RESIDENTS}),
                            "the open tickets of past days expired")
COUNTER_CHANGED = _numbered("counter_changed", frozenset({Audience.OFFICE, Audience.RESIDENTS}),
                            "a counter opened, paused or closed")
PRINTER_CHANGED = _numbered("printer_changed", frozenset({Audience.OFFICE}), "a printer's health changed")

SNAPSHOT_SENT = Fact("snapshot", frozenset({Audience.LISTENER}), False, "the office's state, sent on connect")
DASHBOARD_READY = Fact("dashboard_ready", frozenset({Audience.LISTENER}), False,
                       "a manager dashboard joined its offices' rooms")
PRINT_JOB_QUEUED = Fact("print_job", frozenset({Audience.AGENT}), False, "a print job waits for a print agent")

CATALOGUE: tuple[Fact, ...] = (
    TICKET_ISSUED, TICKET_CALLED, TICKET_REQUEUED, TICKET_STARTED, TICKET_COMPLETED, TICKET_NO_SHOW,
    TICKET_TRANSFERRED, TICKET_CANCELLED, TICKETS_EXPIRED, COUNTER_CHANGED, PRINTER_CHANGED,
    SNAPSHOT_SENT, DASHBOARD_READY, PRINT_JOB_QUEUED,
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
