"""Points rules: what one ticket's event log earns its clerk (see docs/points.md).

Pure: the same function answers both the live award (after a completion, a
supervisor's decision or a rating) and the recomputation from the event log,
so the two cannot drift apart.
"""

from __future__ import annotations

import math
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
    time_factor: float = 1.0  # credit at most this many points per minute actually spent serving
    partial_weight: float = 0.5  # share of the standard an outcome other than `selesai` is worth
    staff_issue_share: float = 0.2  # audited share of an office day's tickets that staff may issue for walk-ins
    staff_issue_free: int = 5  # staff-issued walk-in tickets an office day may have before the share applies
    rating_min_count: int = 5  # a clerk's ratings in an office day before a good one earns the bonus
    rating_alpha: float = 0.01  # one-sided binomial p-value under which a clerk's top-rating share is an outlier

    def __post_init__(self) -> None:
        for name, value in (("POINTS_SHORT_FRACTION", self.short_fraction),
                            ("POINTS_STAFF_ISSUE_SHARE", self.staff_issue_share),
                            ("POINTS_RATING_ALPHA", self.rating_alpha)):
            if not 0 <= value < 1:
                raise InvalidInput("setting_not_fraction", setting=name)
        if not 0 <= self.partial_weight <= 1:
            raise InvalidInput("setting_not_fraction", setting="POINTS_PARTIAL_WEIGHT")
        if self.good_rating not in (1, 2, 3, 4):
            raise InvalidInput("setting_not_rating", setting="POINTS_GOOD_RATING")
        for name, number in (("POINTS_RATING_BONUS", self.bonus_points), ("POINTS_TIME_FACTOR", self.time_factor),
                             ("POINTS_STAFF_ISSUE_FREE", self.staff_issue_free),
                             ("POINTS_RATING_MIN_COUNT", self.rating_min_count)):
            if number < 0:
                raise InvalidInput("setting_negative", setting=name)


@dataclass(frozen=True, slots=True)
class Event:
    """One ticket event as the rules need it."""

    id: int
    kind: str
    at: datetime
    staff_id: int | None
    data: dict[str, Any] = field(default_factory=dict)


RESIDENT_CHANNELS = ("status_page", "tablet")  # where a resident's own device rates from


@dataclass(frozen=True, slots=True)
class RatingFact:
    """A ticket's rating as the rules need it.

    `staff_session` is the staff member whose login session the rating's browser carried (None for a resident's
    phone or a paired tablet); `withheld` says whether the office day's ratings up to this one withhold the
    bonus (`rating_bonus_withheld`: too few ratings of the clerk yet, or an outlier share of top ratings).
    """

    id: int
    quick: int
    at: datetime
    channel: str = "status_page"
    staff_session: int | None = None
    withheld: bool = False


@dataclass(frozen=True, slots=True)
class IssueShare:
    """Where a ticket stands in its office day's issuing, counted from the `issued` events up to its own.

    `issued`: tickets issued that office day up to and including this one; `staff_rank`: staff-issued tickets
    among them (this one included when staff issued it).
    """

    issued: int
    staff_rank: int


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
    step: int = 0  # the step of a visit of several steps the line is for (ptsp/domain/steps.py)


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


def _issued(events: Sequence[Event]) -> Event | None:
    return next((e for e in events if e.kind == "issued"), None)


def staff_issue_within_share(share: IssueShare, rules: PointsRules) -> bool:
    """True while an office day's staff-issued tickets stay within the audited share (or the free allowance)."""
    return share.staff_rank <= max(rules.staff_issue_free, rules.staff_issue_share * share.issued)


def hold_causes(events: Sequence[Event], completed: Event, share: IssueShare | None,
                rules: PointsRules) -> list[str]:
    """Why a completed ticket's points wait for a supervisor, apart from a short service (rules 7-9)."""
    issued = _issued(events)
    if issued is None or issued.staff_id is None:
        return []
    if issued.staff_id == completed.staff_id:
        return ["self_issued"]
    if not issued.data.get("walk_in"):
        return ["staff_not_walk_in"]
    if share is not None and not staff_issue_within_share(share, rules):
        return ["staff_share"]
    return []


def outcome_weight(outcome: object, rules: PointsRules) -> float:
    """`selesai` (or no outcome, in events older than outcomes) is the whole transaction; any other is partial."""
    return 1.0 if outcome in (None, "", "selesai") else rules.partial_weight


def credit(standard: float, served: float, weight: float, rules: PointsRules) -> float:
    """The points a transaction is worth: its weighted standard, but never more than the minutes spent."""
    return round(max(0.0, min(standard * weight, rules.time_factor * served)), 2)


def parked_parts(events: Sequence[Event], completed: Event) -> tuple[float, tuple[int, ...]] | None:
    """For a ticket parked before its completion (docs/queue.md), the minutes of its parts of service and the
    events that bound them: each part runs from its start (or its call, without a start) to the park or the
    completion that ends it; the time parked, back in line and being called again is not service. None for a
    ticket never parked, whose service is counted as it always was."""
    before = events[:[e.id for e in events].index(completed.id) + 1]
    if not any(e.kind == "parked" for e in before):
        return None
    served, ids, part = 0.0, [], []
    for event in before:
        if event.kind not in ("parked", "completed"):
            part.append(event)
            continue
        begin = (next((e for e in reversed(part) if e.kind == "started"), None)
                 or next((e for e in reversed(part) if e.kind == "called"), None))
        if begin is not None:
            served += _minutes(begin.at, event.at)
            ids += [begin.id, event.id]
        part = []
    return served, tuple(ids)


CAUSE_TEXT = {
    "self_issued": "tiket diterbitkan sendiri / self-issued ticket",
    "staff_not_walk_in": "diterbitkan petugas tanpa tanda warga datang langsung / staff-issued, not marked walk-in",
    "staff_share": "melebihi porsi tiket terbitan petugas hari ini / over the day's share of staff-issued tickets",
    "self_planned": "langkah direncanakan sendiri / a step the clerk planned themselves",
}


def _work(completed: Event, service_id: int, standard: float, events: Sequence[Event],
          rules: PointsRules, share: IssueShare | None = None, extra: Sequence[str] = ()) -> Entry:
    """Credit the completing clerk the weighted standard capped by the time spent, or hold it for a supervisor."""
    started = _last_before(events, "started", completed) or _last_before(events, "called", completed)
    called = _last_before(events, "called", completed)
    ids = tuple(sorted({e.id for e in (called, started, completed) if e is not None}))
    served = _minutes(started.at, completed.at) if started else 0.0
    parked = parked_parts(events, completed)
    if parked is not None:  # served in parts around a park: the parts count, the time away does not
        served, part_ids = parked
        ids = tuple(sorted(set(ids) | set(part_ids)))
    staff = completed.staff_id or 0
    outcome = completed.data.get("outcome")
    weight = outcome_weight(outcome, rules)
    points = credit(standard, served, weight, rules)
    worth = f"{points:g} dari standar {standard:g}"
    if weight < 1:
        worth += f" x{weight:g} ({outcome})"
    causes = [CAUSE_TEXT[c] for c in (*hold_causes(events, completed, share, rules), *extra)]
    if standard > 0 and served < rules.short_fraction * standard * weight:
        causes.insert(0, f"dilayani {served:.1f} menit (< {rules.short_fraction:.0%}) / "
                         f"served {served:.1f} min, under {rules.short_fraction:.0%}")
    if causes and standard > 0:
        reason = f"{worth} menit, menunggu konfirmasi supervisor / held: " + "; ".join(causes)
        return Entry("hold", staff, service_id, 0.0, points, reason, ids, completed.at)
    reason = f"{worth} menit, dilayani {served:.1f} menit / {points:g} points for {served:.1f} min served"
    return Entry("award", staff, service_id, points, 0.0, reason, ids, completed.at)


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
    share: IssueShare | None = None,
    extra_causes: Sequence[str] = (),
) -> list[Entry]:
    """Return every ledger line one ticket's events (in log order) and rating call for.

    - Only a completion earns: no-show, cancel, expiry and requeue earn nothing.
    - A transferred visit is credited once, to the clerk who completes it, with
      the standard minutes of the service it was completed in; the counter that
      transferred it earns nothing for that visit.
    - The completed event's own `service_id`/`standard_minutes` (written at the
      time) win over the arguments, which are the fallback for older events.
    - The credit is the standard weighted by the outcome, capped by the minutes actually spent serving
      (`credit`; a parked ticket's parts of service added up, its time away left out: `parked_parts`); a
      service under `short_fraction` of the weighted standard, a self-issued ticket and a staff issue not
      marked walk-in or over the office day's audited share (`share`) are held, and so is a work with
      `extra_causes` (a step the clerk planned themselves).
    - A good rating adds `bonus_points` once the work is credited (award, or a
      hold released); never on a rejected or still-held ticket, and only
      when `bonus_allowed` says the rating is a resident's.
    """
    completed = next((e for e in events if e.kind == "completed"), None)
    if completed is None or completed.staff_id is None:
        return []
    service_id = int(completed.data.get("service_id", service_id))
    standard = float(completed.data.get("standard_minutes", standard_minutes))
    work = _work(completed, service_id, standard, events, rules, share, extra_causes)
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
    if rating is not None and bonus_allowed(rating, events, completed, rules):
        entries.append(Entry(
            "bonus", work.staff_id, service_id, rules.bonus_points, 0.0,
            f"penilaian warga {rating.quick}/4 / resident rating {rating.quick}/4",
            (completed.id,), max(rating.at, credited_at), rating_id=rating.id,
        ))
    return entries


def bonus_allowed(rating: RatingFact, events: Sequence[Event], completed: Event, rules: PointsRules) -> bool:
    """A good rating earns the bonus only from a resident's device, never on a self-issued ticket or an outlier."""
    issued = _issued(events)
    self_issued = issued is not None and issued.staff_id is not None and issued.staff_id == completed.staff_id
    return (rating.quick >= rules.good_rating and rules.bonus_points > 0 and rating.channel in RESIDENT_CHANNELS
            and rating.staff_session is None and not self_issued and not rating.withheld)


def binomial_tail(successes: int, trials: int, p: float) -> float:
    """P(X >= successes) for X ~ Binomial(trials, p), exactly (math.comb; trials are a day's ratings)."""
    if successes <= 0:
        return 1.0
    return min(1.0, sum(math.comb(trials, i) * p ** i * (1 - p) ** (trials - i)
                        for i in range(successes, trials + 1)))


def rating_bonus_withheld(clerk_top: int, clerk_rated: int, rest_top: int, rest_rated: int,
                          rules: PointsRules) -> bool:
    """Is a good rating's bonus withheld by the office day's ratings counted up to and including it?

    Withheld until the clerk has `rating_min_count` ratings that day (a handful of ratings says nothing, and a
    clerk who rates their own tickets would otherwise be paid for the first few), and whenever the clerk's count
    of top ratings is an outlier: a one-sided binomial test of `clerk_top` of `clerk_rated` against the rest of
    the office's share, Laplace-smoothed ((top + 1) / (rated + 2), so 0.5 when the rest has no ratings yet),
    with p under `rating_alpha`.
    """
    if clerk_rated < rules.rating_min_count:
        return True
    expected = (rest_top + 1) / (rest_rated + 2)
    return binomial_tail(clerk_top, clerk_rated, expected) < rules.rating_alpha


def decision_allowed(existing_kinds: set[str]) -> None:
    """Raise unless a ticket's ledger has a hold that no supervisor has decided yet."""
    if "hold" not in existing_kinds:
        raise InvalidTransition("no_held_points")
    if existing_kinds & {"release", "reject"}:
        raise InvalidTransition("points_already_decided")
