"""Who is called next.

The rule, in order:

1. A counter only takes tickets of the services it serves.
2. Priority tickets (elderly, disabled, pregnant or with an infant) go first,
   among themselves first come, first served.
3. Anti-starvation: a regular ticket that has waited longer than the office's
   `starvation_minutes` limit is promoted to the priority tier, so a steady
   stream of priority residents can never hold a regular resident forever.
4. Otherwise first come, first served on the time the ticket joined the queue.
   A transferred ticket keeps its original issue time, so it keeps its place.
5. Ties break on the ticket id, so the order is total and repeatable.

Parked tickets (docs/queue.md): a parked ticket that came back ("kembali") waits bound to the counter that
parked it and is called there first, ahead of the priority tier: its resident already had their turn and is
in the middle of it. Other counters do not take it in their order (only by an out-of-order call).

Appointments (docs/appointments.md, "Calling order"): a ticket checked in for a booked slot is not called
before its slot starts; from then on it counts as ready at the later of its slot start and the time it
joined the queue. Within the priority tier (rules 2-3, the starvation limit counted from that ready time)
appointments and walk-ins are one line. Among regular tickets a ready appointment goes ahead of the walk-ins,
except that a counter whose last `max_run` calls were all appointments calls the oldest walk-in next: walk-ins
never wait behind more than `max_run` appointments in a row at a counter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Priority(StrEnum):
    REGULAR = "regular"
    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"


@dataclass(frozen=True, slots=True)
class QueueEntry:
    ticket_id: int
    priority: Priority
    queued_at: datetime
    appointment_at: datetime | None = None  # a checked-in appointment: its slot's start
    returned: bool = False  # a parked ticket back at the counter that parked it (docs/queue.md)

    @property
    def ready_at(self) -> datetime:
        """When it may first be called: when it joined the queue, or its slot's start if later."""
        if self.appointment_at is None:
            return self.queued_at
        return max(self.queued_at, self.appointment_at)

    def is_ready(self, now: datetime) -> bool:
        return self.appointment_at is None or self.appointment_at <= now


def sort_key(entry: QueueEntry, now: datetime, starvation_limit: timedelta,
             appointments_first: bool = True) -> tuple[Any, ...]:
    """Return the key that orders the waiting line (smaller is called first).

    `appointments_first` is False when the counter has just called `max_run` appointments in a row.
    """
    if entry.returned:  # below an urgent tier (-1, docs/urgent.md), above the priority tier (0): docs/queue.md
        return (-0.5, entry.queued_at, entry.ticket_id)
    promoted = entry.priority is not Priority.REGULAR or now - entry.ready_at >= starvation_limit
    if promoted:
        return (0, entry.ready_at, entry.ticket_id)
    booked = entry.appointment_at is not None
    return (1 if booked == appointments_first else 2, entry.ready_at, entry.ticket_id)


def issue_moves_others(priority: str, appointment: bool = False) -> bool:
    """Whether issuing a ticket of this priority can change a waiting ticket's place in line.

    A new regular walk-in ticket has the latest `queued_at` and is not promoted, so `sort_key` puts it
    behind every waiting ticket; only a priority ticket or a checked-in appointment can go ahead of someone.
    """
    return appointment or Priority(priority) is not Priority.REGULAR


def order_queue(
    entries: Iterable[QueueEntry], now: datetime, starvation_limit: timedelta,
    appointment_run: int = 0, max_run: int = 2,
) -> list[QueueEntry]:
    """Return the waiting line in calling order: the tickets that may be called now (an appointment from its
    slot's start), after a counter's `appointment_run` consecutive appointment calls."""
    first = appointment_run < max_run
    ready = (e for e in entries if e.is_ready(now))
    return sorted(ready, key=lambda e: sort_key(e, now, starvation_limit, first))


def choose_next(
    heads: Iterable[QueueEntry], now: datetime, starvation_limit: timedelta,
    appointment_run: int = 0, max_run: int = 2,
) -> QueueEntry | None:
    """Pick the ticket to call from candidate heads (the oldest priority and the oldest regular ticket of
    the walk-ins and of the ready appointments)."""
    ordered = order_queue(heads, now, starvation_limit, appointment_run, max_run)
    return ordered[0] if ordered else None
