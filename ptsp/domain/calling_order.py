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


def sort_key(entry: QueueEntry, now: datetime, starvation_limit: timedelta) -> tuple[Any, ...]:
    """Return the key that orders the waiting line (smaller is called first)."""
    promoted = entry.priority is not Priority.REGULAR or now - entry.queued_at >= starvation_limit
    return (0 if promoted else 1, entry.queued_at, entry.ticket_id)


def issue_moves_others(priority: str) -> bool:
    """Whether issuing a ticket of this priority can change a waiting ticket's place in line.

    A new regular ticket has the latest `queued_at` and is not promoted, so `sort_key` puts it behind
    every waiting ticket; only a priority ticket can go ahead of someone.
    """
    return Priority(priority) is not Priority.REGULAR


def order_queue(
    entries: Iterable[QueueEntry], now: datetime, starvation_limit: timedelta
) -> list[QueueEntry]:
    """Return the waiting line in calling order."""
    return sorted(entries, key=lambda e: sort_key(e, now, starvation_limit))


def choose_next(
    heads: Iterable[QueueEntry], now: datetime, starvation_limit: timedelta
) -> QueueEntry | None:
    """Pick the ticket to call from candidate heads (oldest priority and oldest regular)."""
    ordered = order_queue(heads, now, starvation_limit)
    return ordered[0] if ordered else None
