"""Points rules: what one ticket's event log earns its clerk (see docs/points.md).

Pure: the same function answers both the live award (after a completion, a
supervisor's decision or a rating) and the recomputation from the event log,
so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import InvalidInput, InvalidTransition

KINDS = ("award", "hold", "release", "reject", "bonus")
CONFIRMED, REJECTED = "points_confirmed", "points_rejected"


@dataclass(frozen=True, slots=True)
class PointsRules:
    """The adjustable parts of the rules (config `POINTS_*`)."""

    short_fraction: float = 0.25  # served in under this share of the standard: held for a supervisor
    good_rating: int = 4  # a quick rating at or above this is "good" (4 = sangat baik)
    bonus_points: float = 1.0  # added once for a good rating

    def __post_init__(self) -> None:
        if not 0 <= self.short_fraction < 1:
            raise InvalidInput("setting_not_fraction", setting="POINTS_SHORT_FRACTION")
        if self.good_rating not in (1, 2, 3, 4):
            raise InvalidInput("setting_not_rating", setting="POINTS_GOOD_RATING")
        if self.bonus_points < 0:
            raise InvalidInput("setting_negative", setting="POINTS_RATING_BONUS")


@dataclass(frozen=True, slots=True)
class Event:
    """One ticket event as the rules need it."""

    id: int
    kind: str
    at: datetime
    staff_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RatingFact:
    id: int
    quick: int
    at: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger line the rules call for (office, ticket and day come from the ticket)."""

    kind: str
    staff_id: int
    service_id: int
    points: float
    held: float
    reason: str
    event_ids: tuple[int, ...]
    at: datetime
    rating_id: int | None = None
    acted_by: int | None = None


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def _last_before(events: Sequence[Event], kind: str, before: Event) -> Event | None:
    found = None
    for event in events:
        if event.id == before.id:
            break
        if event.kind == kind:
            found = event
    return found


def _work(completed: Event, service_id: int, standard: float, events: Sequence[Event],
          rules: PointsRules) -> Entry:
    """Award the completing clerk the standard minutes, or hold them when the service was far too short."""
    started = _last_before(events, "started", completed) or _last_before(events, "called", completed)
    called = _last_before(events, "called", completed)
    ids = tuple(sorted({e.id for e in (called, started, completed) if e is not None}))
    served = _minutes(started.at, completed.at) if started else 0.0
    staff = completed.staff_id or 0
    if standard > 0 and served < rules.short_fraction * standard:
        reason = (f"dilayani {served:.1f} menit dari standar {standard:g} (< {rules.short_fraction:.0%}), "
                  f"menunggu konfirmasi supervisor / served {served:.1f} of {standard:g} standard minutes, held")
        return Entry("hold", staff, service_id, 0.0, standard, reason, ids, completed.at)
    reason = f"standar {standard:g} menit / {standard:g} standard minutes"
    return Entry("award", staff, service_id, standard, 0.0, reason, ids, completed.at)


def _decision(hold: Entry, completed: Event, events: Sequence[Event]) -> Entry | None:
    """Release or reject a hold on the first supervisor decision after the completion."""
    after = events[[e.id for e in events].index(completed.id) + 1:]
    decision = next((e for e in after if e.kind in (CONFIRMED, REJECTED)), None)
    if decision is None:
        return None
    note = str(decision.data.get("reason") or "").strip()
    ids = (completed.id, decision.id)
    if decision.kind == CONFIRMED:
        reason = "dikonfirmasi supervisor / confirmed by a supervisor" + (f": {note}" if note else "")
        return Entry("release", hold.staff_id, hold.service_id, hold.held, -hold.held, reason, ids,
                     decision.at, acted_by=decision.staff_id)
    reason = "ditolak supervisor / rejected by a supervisor" + (f": {note}" if note else "")
    return Entry("reject", hold.staff_id, hold.service_id, 0.0, -hold.held, reason, ids,
                 decision.at, acted_by=decision.staff_id)


def ticket_entries(
    events: Sequence[Event],
    *,
    service_id: int,
    standard_minutes: float,
    rating: RatingFact | None,
    rules: PointsRules,
) -> list[Entry]:
    """Return every ledger line one ticket's events (in log order) and rating call for.

    - Only a completion earns: no-show, cancel, expiry and requeue earn nothing.
    - A transferred visit is credited once, to the clerk who completes it, with
      the standard minutes of the service it was completed in; the counter that
      transferred it earns nothing for that visit.
    - The completed event's own `service_id`/`standard_minutes` (written at the
      time) win over the arguments, which are the fallback for older events.
    - A good rating adds `bonus_points` once the work is credited (award, or a
      hold released); never on a rejected or still-held ticket.
    """
    completed = next((e for e in events if e.kind == "completed"), None)
    if completed is None or completed.staff_id is None:
        return []
    service_id = int(completed.data.get("service_id", service_id))
    standard = float(completed.data.get("standard_minutes", standard_minutes))
    work = _work(completed, service_id, standard, events, rules)
    entries = [work]
    credited_at = work.at
    if work.kind == "hold":
        decision = _decision(work, completed, events)
        if decision is None:
            return entries
        entries.append(decision)
        if decision.kind == "reject":
            return entries
        credited_at = decision.at
    if rating is not None and rating.quick >= rules.good_rating and rules.bonus_points > 0:
        entries.append(Entry(
            "bonus", work.staff_id, service_id, rules.bonus_points, 0.0,
            f"penilaian warga {rating.quick}/4 / resident rating {rating.quick}/4",
            (completed.id,), max(rating.at, credited_at), rating_id=rating.id,
        ))
    return entries


def decision_allowed(existing_kinds: set[str]) -> None:
    """Raise unless a ticket's ledger has a hold that no supervisor has decided yet."""
    if "hold" not in existing_kinds:
        raise InvalidTransition("no_held_points")
    if existing_kinds & {"release", "reject"}:
        raise InvalidTransition("points_already_decided")
