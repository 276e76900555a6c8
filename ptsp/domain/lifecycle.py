"""The ticket state machine.

```
waiting ──call──▶ called ──start──▶ serving ──complete──▶ done
   ▲  │             │ │                │
   │  │             │ └─no_show──▶ no_show     serving ─next_step─▶ waiting (next planned service)
   │  │             ├─requeue (recall limit)──▶ waiting
   │  │             └─transfer──▶ waiting (other service, same place in line)
   │  └─cancel──▶ cancelled            serving ─transfer─▶ waiting
   └───────── anything open at closing ─expire─▶ expired

Parked tickets and late residents (docs/queue.md):
serving ─park─▶ parked ─return─▶ waiting (bound to the counter that parked it, at the front of its line)
parked ─no_show (deadline passed)─▶ no_show
no_show ─reinsert─▶ waiting (a missed call, N places ahead of the back);  waiting ─reinsert─▶ waiting (requeued)
```
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from .errors import InvalidTransition


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    PARKED = "parked"


class Action(StrEnum):
    CALL = "call"
    RECALL = "recall"
    REQUEUE = "requeue"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CANCEL = "cancel"
    EXPIRE = "expire"
    PARK = "park"
    RETURN = "return"
    REINSERT = "reinsert"
    NEXT_STEP = "next_step"  # a visit of several steps: this step done, on to the next one's line


OPEN_STATUSES = frozenset({Status.WAITING, Status.CALLED, Status.SERVING, Status.PARKED})
FINAL_STATUSES = frozenset(Status) - OPEN_STATUSES

_TRANSITIONS: dict[tuple[Status, Action], Status] = {
    (Status.WAITING, Action.CALL): Status.CALLED,
    (Status.WAITING, Action.CANCEL): Status.CANCELLED,
    (Status.CALLED, Action.RECALL): Status.CALLED,
    (Status.CALLED, Action.REQUEUE): Status.WAITING,
    (Status.CALLED, Action.START): Status.SERVING,
    (Status.CALLED, Action.NO_SHOW): Status.NO_SHOW,
    (Status.CALLED, Action.TRANSFER): Status.WAITING,
    (Status.SERVING, Action.COMPLETE): Status.DONE,
    (Status.SERVING, Action.TRANSFER): Status.WAITING,
    (Status.SERVING, Action.PARK): Status.PARKED,
    (Status.PARKED, Action.RETURN): Status.WAITING,
    (Status.PARKED, Action.NO_SHOW): Status.NO_SHOW,
    (Status.NO_SHOW, Action.REINSERT): Status.WAITING,
    (Status.WAITING, Action.REINSERT): Status.WAITING,
    (Status.SERVING, Action.NEXT_STEP): Status.WAITING,
}
for _open in OPEN_STATUSES:
    _TRANSITIONS[(_open, Action.EXPIRE)] = Status.EXPIRED

_LABEL_ID = {
    Status.WAITING: "menunggu",
    Status.CALLED: "dipanggil",
    Status.SERVING: "sedang dilayani",
    Status.DONE: "selesai",
    Status.NO_SHOW: "tidak hadir",
    Status.CANCELLED: "dibatalkan",
    Status.EXPIRED: "kedaluwarsa",
    Status.PARKED: "ditunda (berkas kurang)",
}


def next_status(current: Status | str, action: Action | str) -> Status:
    """Return the status after `action`, or raise InvalidTransition."""
    current, action = Status(current), Action(action)
    try:
        return _TRANSITIONS[(current, action)]
    except KeyError:
        raise InvalidTransition("ticket_transition_invalid", status=current.value, action=action.value) from None


def allowed_actions(current: Status | str) -> list[Action]:
    """List the actions a ticket in `current` accepts."""
    current = Status(current)
    return [action for (status, action) in _TRANSITIONS if status is current]


def recall_outcome(call_count: int, max_calls: int, on_limit: str) -> Action:
    """Decide what a recall does once the ticket has been called `call_count` times.

    Below the limit a recall calls the resident again. At the limit the office's
    policy applies: `requeue` puts the ticket back in the waiting line, `no_show`
    closes it.
    """
    if call_count < max_calls:
        return Action.RECALL
    return Action.REQUEUE if on_limit == "requeue" else Action.NO_SHOW


class TokenReach(StrEnum):
    """What a ticket's public token (the QR code on the paper) still opens."""

    LIVE = "live"  # the status page and its live socket
    CLOSED = "closed"  # the page with the final state and the rating form; no live socket
    GONE = "gone"  # nothing: "ticket no longer available"


def token_reach(status: str, service_day: date, today: date, keep_days: int) -> TokenReach:
    """Decide what a token opens from its ticket alone (no stored expiry).

    A ticket that reached a final state on a past service day has nothing left to follow live; its page
    stays readable for `keep_days` days after its service day, then the token opens nothing.
    """
    if (today - service_day).days > keep_days:
        return TokenReach.GONE
    if status in FINAL_STATUSES and service_day < today:
        return TokenReach.CLOSED
    return TokenReach.LIVE
