"""Parked tickets and late residents: the pure rules (docs/queue.md).

A clerk parks a ticket being served when the resident must fetch or photocopy a document ("berkas kurang"). The
resident has the office's `park_minutes` to come back; the clerk then presses "kembali" and the ticket waits at
the front of that counter's line (`calling_order`: right behind urgent cases, ahead of the priority tier). Past
the deadline it is no longer returnable: the minute round closes it as a no-show, and the resident is then a
late resident like any other.

A resident who missed their call (no-show, or requeued at the recall limit) may be re-inserted by a clerk a
few places ahead of the back of their service's line: `late_reinsert_places` (0: not offered). The new place is
a queue time between two waiting tickets' queue times, so numbering, the order keys and the starvation limit
work as for every other ticket.

Each ticket may be parked `MAX_PARKS` times and re-inserted `MAX_REINSERTS` times: a resident cannot hold the
front of a counter's line all day, and a clerk cannot keep moving a friend forward.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from .errors import InvalidTransition

MAX_PARKS = 1
MAX_REINSERTS = 1
MISSED_CALL = frozenset({"no_show", "requeued"})  # the last event of a ticket whose resident missed their call
ONE_TICK = timedelta(microseconds=1)


def park_deadline(now: datetime, park_minutes: int) -> datetime:
    """When a ticket parked now stops being returnable."""
    return now + timedelta(minutes=park_minutes)


def require_parkable(code: str, park_count: int) -> None:
    if park_count >= MAX_PARKS:
        raise InvalidTransition("park_limit_reached", ticket=code, max=MAX_PARKS)


def returnable(parked_until: datetime | None, now: datetime) -> bool:
    """A parked ticket may come back up to and including its deadline."""
    return parked_until is not None and now <= parked_until


def require_reinsertable(code: str, last_event: str | None, reinsert_count: int, places: int) -> None:
    """Refuse a re-insert the office does not offer, of a ticket that did not miss its call, or past the limit."""
    if places <= 0:
        raise InvalidTransition("reinsert_not_offered")
    if last_event not in MISSED_CALL:
        raise InvalidTransition("reinsert_not_missed", ticket=code)
    if reinsert_count >= MAX_REINSERTS:
        raise InvalidTransition("reinsert_limit_reached", ticket=code, max=MAX_REINSERTS)


def reinsert_queued_at(line: Sequence[tuple[datetime, int]], places: int, now: datetime, own_id: int) -> datetime:
    """The queue time that puts ticket `own_id` `places` places ahead of the back of `line`.

    `line` holds the order keys (queue time, ticket id), oldest first, of the tickets it is placed among (its
    service's regular walk-ins, itself left out); ties of queue time break on the id, as in the calling order.
    With fewer than `places + 1` of them it goes to their front; with none it joins now. Otherwise its time lies
    halfway between the tickets that will be just ahead of and just behind it, so exactly `places` of them are
    behind it. When those two are less than two microseconds apart (tickets issued at the same instant) it takes
    the latest time that still sorts before the one behind: then at least `places` are behind it, never fewer.
    """
    if places <= 0:
        raise ValueError("places must be positive")
    if not line:
        return now
    if len(line) <= places:
        return line[0][0] - ONE_TICK
    ahead, behind = line[-places - 1], line[-places]
    middle = ahead[0] + (behind[0] - ahead[0]) / 2
    if ahead < (middle, own_id) < behind:
        return middle
    return behind[0] if own_id < behind[1] else behind[0] - ONE_TICK
