"""Points use cases: append the ledger lines the rules call for, supervisor decisions, recomputation.

The ledger is append-only. Every write goes through `sync_ticket`, which asks
the pure rules (`domain.points.ticket_entries`) what one ticket's event log and
rating earn and appends the lines not yet written; recomputation asks the same
rules for every ticket and compares, so a difference means the ledger was
changed by hand or the rules (or their settings) changed since.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..domain.errors import Forbidden, InvalidInput
from ..domain.points import (
    CONFIRMED,
    REJECTED,
    Entry,
    Event,
    IssueShare,
    PointsRules,
    RatingFact,
    decision_allowed,
    rating_bonus_withheld,
)
from ..domain.steps import STEP_DONE, visit_entries
from ..models import PointsLedgerEntry, Rating, Service, Ticket, TicketEvent
from .actors import Actor
from .agencies import in_agency, require_service_in_agency
from .lookup import get_or_404, office_scope, record, require_office, run_prebuilt
from .ticket_rows import insert_loaded

RULES_KEY = "points_rules"


_SETTINGS = {  # PointsRules field: (config key, type)
    "short_fraction": ("POINTS_SHORT_FRACTION", float), "good_rating": ("POINTS_GOOD_RATING", int),
    "bonus_points": ("POINTS_RATING_BONUS", float), "time_factor": ("POINTS_TIME_FACTOR", float),
    "partial_weight": ("POINTS_PARTIAL_WEIGHT", float), "staff_issue_share": ("POINTS_STAFF_ISSUE_SHARE", float),
    "staff_issue_free": ("POINTS_STAFF_ISSUE_FREE", int), "rating_min_count": ("POINTS_RATING_MIN_COUNT", int),
    "rating_alpha": ("POINTS_RATING_ALPHA", float),
}


def rules_from_config(config: dict[str, Any]) -> PointsRules:
    """Build the rules from the app's `POINTS_*` settings (defaults when absent)."""
    defaults = PointsRules()
    return PointsRules(**{name: kind(config.get(key, getattr(defaults, name)))
                          for name, (key, kind) in _SETTINGS.items()})


def rules_for(session: Session) -> PointsRules:
    """Return the rules the app put in the session's info, or the defaults."""
    return session.info.get(RULES_KEY) or PointsRules()


def _event(row: TicketEvent) -> Event:
    return Event(row.id, row.kind, row.at, row.staff_id, dict(row.data or {}))


class DayFacts:
    """The order of an office day's issues and resident ratings, which rules 8 and 11 count up to a ticket's own.

    Read from the `issued` events and the ratings rows (never from today's state), loaded once per office day,
    so the live sync and the recomputation count the same thing.
    """

    def __init__(self, session: Session, rules: PointsRules) -> None:
        self.session, self.rules = session, rules
        self._issues: dict[tuple[int, date], tuple[list[int], list[int]]] = {}
        self._ratings: dict[tuple[int, date], list[tuple[int, int | None, bool]]] = {}

    def _issue_order(self, office_id: int, day: date) -> tuple[list[int], list[int]]:
        key = (office_id, day)
        if key not in self._issues:
            rows = self.session.execute(
                select(TicketEvent.id, TicketEvent.staff_id).join(Ticket, Ticket.id == TicketEvent.ticket_id)
                .where(Ticket.office_id == office_id, Ticket.service_day == day, TicketEvent.kind == "issued")
                .order_by(TicketEvent.id)).all()
            ids, staffed, count = [], [], 0
            for event_id, staff_id in rows:
                count += staff_id is not None
                ids.append(event_id)
                staffed.append(count)
            self._issues[key] = (ids, staffed)
        return self._issues[key]

    def share(self, ticket: Ticket, events: list[Event]) -> IssueShare | None:
        """Where a staff-issued ticket stands in its office day's issuing; None for a kiosk's ticket."""
        issued = next((e for e in events if e.kind == "issued"), None)
        if issued is None or issued.staff_id is None:
            return None
        ids, staffed = self._issue_order(ticket.office_id, ticket.service_day)
        upto = bisect_right(ids, issued.id)
        return IssueShare(issued=upto, staff_rank=staffed[upto - 1] if upto else 0)

    def _rating_order(self, office_id: int, day: date) -> list[tuple[int, int | None, bool]]:
        key = (office_id, day)
        if key not in self._ratings:
            self._ratings[key] = [(rid, staff, quick >= self.rules.good_rating) for rid, staff, quick in
                                  self.session.execute(
                select(Rating.id, Rating.staff_id, Rating.quick).join(Ticket, Ticket.id == Rating.ticket_id)
                .outerjoin(TicketEvent, (TicketEvent.ticket_id == Rating.ticket_id) & (TicketEvent.kind == "issued"))
                .where(Ticket.office_id == office_id, Ticket.service_day == day, Rating.staff_session_id.is_(None),
                       # a self-issued ticket's rating is no resident's: it never joins the comparison
                       (TicketEvent.staff_id.is_(None)) | (TicketEvent.staff_id != Rating.staff_id))
                .order_by(Rating.id)).all()]
        return self._ratings[key]

    def rating(self, ticket: Ticket, row: Rating | None) -> RatingFact | None:
        """The rating as the rules see it, judged on the office day's resident ratings up to this one."""
        if row is None:
            return None
        clerk_top = clerk_rated = rest_top = rest_rated = 0
        for rating_id, staff_id, top in self._rating_order(ticket.office_id, ticket.service_day):
            if rating_id > row.id:
                break
            if staff_id == row.staff_id:
                clerk_top, clerk_rated = clerk_top + top, clerk_rated + 1
            elif staff_id is not None:
                rest_top, rest_rated = rest_top + top, rest_rated + 1
        withheld = rating_bonus_withheld(clerk_top, clerk_rated, rest_top, rest_rated, self.rules)
        return RatingFact(row.id, row.quick, row.at, row.channel, row.staff_session_id, withheld)


def _expected(ticket: Ticket, standard: float, events: list[Event], rating: Rating | None,
              facts: DayFacts) -> list[Entry]:
    return visit_entries(events, service_id=ticket.service_id, standard_minutes=standard,
                          rating=facts.rating(ticket, rating), rules=facts.rules, share=facts.share(ticket, events))


def _row(ticket: Ticket, entry: Entry) -> dict[str, Any]:
    return {
        "office_id": ticket.office_id, "staff_id": entry.staff_id, "ticket_id": ticket.id,
        "service_id": entry.service_id, "service_day": ticket.service_day, "kind": entry.kind,
        "points": entry.points, "held": entry.held, "reason": entry.reason, "event_ids": list(entry.event_ids),
        "rating_id": entry.rating_id, "acted_by": entry.acted_by, "at": entry.at, "step": entry.step,
    }


_EVENTS_RATED_WRITTEN = (  # built once: it runs with every completion (see lookup._UPSERTS)
    select(TicketEvent,
           select(Rating.id).where(Rating.ticket_id == bindparam("ticket_id")).scalar_subquery(),
           exists().where(PointsLedgerEntry.ticket_id == bindparam("ticket_id")))
    .where(TicketEvent.ticket_id == bindparam("ticket_id"))
    .order_by(TicketEvent.id)
)


def sync_ticket(session: Session, ticket: Ticket, rules: PointsRules | None = None) -> list[PointsLedgerEntry]:
    """Append the ledger lines this ticket's events and rating call for and that are not written yet."""
    session.flush()
    rules = rules or rules_for(session)
    rows = session.execute(_EVENTS_RATED_WRITTEN, {"ticket_id": ticket.id}).all()
    events = [_event(row[0]) for row in rows]
    # The rating's id and whether any line is written yet come with every event row (one statement instead of
    # three on a completion, where neither usually is): the row and the lines are read only when there are some.
    if rows:
        rated, any_written = rows[0][1], rows[0][2]
        rating = None if rated is None else session.get(Rating, rated)
    else:  # a ticket without events (no completion): read them as they are
        rating, any_written = session.scalar(select(Rating).where(Rating.ticket_id == ticket.id)), True
    standard = session.get_one(Service, ticket.service_id).standard_minutes
    written = {(step, kind) for step, kind in session.execute(
        select(PointsLedgerEntry.step, PointsLedgerEntry.kind).where(PointsLedgerEntry.ticket_id == ticket.id))
    } if any_written else set()
    # Each line by one prebuilt INSERT, handed to the session as loaded (no unit of work: a completion's flush).
    return [insert_loaded(session, PointsLedgerEntry, _row(ticket, e))
            for e in _expected(ticket, standard, events, rating, DayFacts(session, rules))
            if (e.step, e.kind) not in written]


def decide(session: Session, *, ticket_id: int, confirm: bool, reason: str, actor: Actor,
           now: datetime) -> list[PointsLedgerEntry]:
    """Confirm (release) or reject a ticket's held points; supervisors of the office only."""
    ticket = get_or_404(session, Ticket, ticket_id)
    if not actor.at_least("supervisor"):
        raise Forbidden("points_supervisors_only")
    require_office(session, actor, ticket.office_id)
    require_service_in_agency(session, actor, ticket.service_id)
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise InvalidInput("reason_too_long", max=300)
    if not confirm and not reason:
        raise InvalidInput("reject_reason_required")
    lines = session.scalars(select(PointsLedgerEntry).where(PointsLedgerEntry.ticket_id == ticket.id)
                            .order_by(PointsLedgerEntry.step, PointsLedgerEntry.id)).all()
    # A visit of several steps may have a hold per step: the oldest undecided one is decided first.
    steps = sorted({line.step for line in lines})
    step = next((k for k in steps if {"release", "reject"}.isdisjoint(ln.kind for ln in lines if ln.step == k)
                 and any(ln.kind == "hold" for ln in lines if ln.step == k)), steps[0] if steps else 0)
    decision_allowed({line.kind for line in lines if line.step == step})
    hold = next(line for line in lines if line.kind == "hold" and line.step == step)
    if hold.staff_id == actor.staff_id:
        raise Forbidden("own_points")
    marks = {"step": step} if step else {}
    record(session, ticket, CONFIRMED if confirm else REJECTED, actor, now, reason=reason, **marks)
    return sync_ticket(session, ticket)


def ledger_view(line: PointsLedgerEntry) -> dict[str, Any]:
    return {
        "id": line.id, "office": line.office_id, "staff": line.staff_id, "ticket": line.ticket_id,
        "service": line.service_id, "day": line.service_day.isoformat(), "kind": line.kind,
        "points": line.points, "held": line.held, "reason": line.reason, "events": list(line.event_ids),
        "rating": line.rating_id, "acted_by": line.acted_by, "at": line.at.isoformat(), "step": line.step,
    }


def pending_holds(session: Session, actor: Actor, office_id: int | None = None, agency_id: int | None = None
                  ) -> list[dict[str, Any]]:
    """Return the held lines in the actor's offices (of one agency's services, when given) that no supervisor has
    decided yet, oldest first."""
    scope = office_scope(session, actor)
    decision = aliased(PointsLedgerEntry)
    decided = select(decision.id).where(decision.ticket_id == PointsLedgerEntry.ticket_id,
                                        decision.step == PointsLedgerEntry.step,
                                        decision.kind.in_(["release", "reject"]))
    stmt = (select(PointsLedgerEntry, Ticket.code)
            .join(Ticket, Ticket.id == PointsLedgerEntry.ticket_id)
            .where(PointsLedgerEntry.kind == "hold", ~decided.exists(),
                   in_agency(PointsLedgerEntry.service_id, agency_id))
            .order_by(PointsLedgerEntry.at, PointsLedgerEntry.id))
    if scope is not None:
        stmt = stmt.where(PointsLedgerEntry.office_id.in_(scope))
    if office_id is not None:
        stmt = stmt.where(PointsLedgerEntry.office_id == office_id)
    return [{**ledger_view(line), "code": code} for line, code in session.execute(stmt)]


_POINTS_ON = (
    select(func.coalesce(func.sum(PointsLedgerEntry.points), 0.0), func.coalesce(func.sum(PointsLedgerEntry.held), 0.0))
    .where(PointsLedgerEntry.staff_id == bindparam("staff_id"), PointsLedgerEntry.office_id == bindparam("office_id"),
           PointsLedgerEntry.service_day == bindparam("day"))
)


def points_on(session: Session, staff_id: int, office_id: int, day: date) -> dict[str, float]:
    """Return a clerk's credited and still-held points for one office day, from the ledger."""
    credited, held = run_prebuilt(session, _POINTS_ON, {"staff_id": staff_id, "office_id": office_id, "day": day}).one()
    return {"points": round(float(credited), 2), "held": round(float(held), 2)}


# -- recomputation ---------------------------------------------------------

_COMPARED = ("office_id", "staff_id", "service_id", "service_day", "points", "held", "reason", "event_ids",
             "rating_id", "acted_by", "at")


@dataclass
class Difference:
    ticket_id: int
    kind: str
    problem: str  # missing, unexpected, changed
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name: (ledger, recomputed)

    def describe(self) -> str:
        detail = "; ".join(f"{name}: ledger={old!r} recomputed={new!r}" for name, (old, new) in self.fields.items())
        return f"ticket {self.ticket_id} {self.kind}: {self.problem}" + (f" ({detail})" if detail else "")


@dataclass
class RecomputeReport:
    tickets: int = 0
    lines: int = 0
    points: float = 0.0
    differences: list[Difference] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differences


def _values(row: PointsLedgerEntry | dict[str, Any]) -> dict[str, Any]:
    values = {name: row[name] for name in _COMPARED} if isinstance(row, dict) else \
        {name: getattr(row, name) for name in _COMPARED}
    values["event_ids"] = sorted(values["event_ids"] or [])
    values["points"], values["held"] = round(values["points"], 6), round(values["held"], 6)
    return values


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _load(session: Session, chunk: list[int]) -> tuple[dict[int, Ticket], dict[int, list[Event]], dict[int, Rating]]:
    """A chunk of tickets with their events (in order) and ratings, in three queries."""
    tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(chunk)))}
    events: dict[int, list[Event]] = defaultdict(list)
    for row in session.scalars(select(TicketEvent).where(TicketEvent.ticket_id.in_(chunk)).order_by(TicketEvent.id)):
        events[row.ticket_id].append(_event(row))
    ratings = {r.ticket_id: r for r in session.scalars(select(Rating).where(Rating.ticket_id.in_(chunk)))}
    return tickets, events, ratings


def recompute(session: Session, office_id: int | None = None, rules: PointsRules | None = None) -> RecomputeReport:
    """Recompute every ticket's points from ticket_events and ratings; compare with the ledger."""
    rules = rules or rules_for(session)
    touched = select(TicketEvent.ticket_id).where(TicketEvent.kind.in_(["completed", STEP_DONE]))
    ledgered = select(PointsLedgerEntry.ticket_id).where(PointsLedgerEntry.ticket_id.is_not(None))  # not visits
    if office_id is not None:
        touched = touched.where(TicketEvent.office_id == office_id)
        ledgered = ledgered.where(PointsLedgerEntry.office_id == office_id)
    ticket_ids = sorted(set(session.scalars(touched)) | {i for i in session.scalars(ledgered) if i is not None})
    standards = dict(session.execute(select(Service.id, Service.standard_minutes)).all())
    report = RecomputeReport(tickets=len(ticket_ids))
    facts = DayFacts(session, rules)
    for chunk in _chunks(ticket_ids):
        tickets, events, ratings = _load(session, chunk)
        ledger: dict[int, dict[tuple[int, str], dict[str, Any]]] = defaultdict(dict)
        for entry in session.scalars(select(PointsLedgerEntry).where(PointsLedgerEntry.ticket_id.in_(chunk))):
            ledger[entry.ticket_id or 0][(entry.step, entry.kind)] = _values(entry)  # never 0: a ticket's line
        for ticket_id in chunk:
            ticket = tickets[ticket_id]
            expected = {(e.step, e.kind): _values(_row(ticket, e)) for e in _expected(
                ticket, standards[ticket.service_id], events[ticket_id], ratings.get(ticket_id), facts)}
            report.lines += len(expected)
            report.points += sum(v["points"] for v in expected.values())
            written = ledger[ticket_id]
            for key in sorted(set(expected) | set(written)):
                kind = key[1] if not key[0] else f"{key[1]}@{key[0]}"  # a later step's line: "award@1"
                if key not in written:
                    report.differences.append(Difference(ticket_id, kind, "missing"))
                elif key not in expected:
                    report.differences.append(Difference(ticket_id, kind, "unexpected"))
                else:
                    changed = {name: (written[key][name], expected[key][name]) for name in _COMPARED
                               if written[key][name] != expected[key][name]}
                    if changed:
                        report.differences.append(Difference(ticket_id, kind, "changed", changed))
    report.points = round(report.points, 2)
    return report


def append_missing(session: Session, office_id: int | None = None, rules: PointsRules | None = None) -> int:
    """Append the lines recomputation finds missing (e.g. history imported as bare events); return how many.

    Never changes or removes a line: a changed or unexpected line stays for a person to look at.
    """
    rules = rules or rules_for(session)
    report = recompute(session, office_id, rules)
    standards = dict(session.execute(select(Service.id, Service.standard_minutes)).all())
    added = 0
    facts = DayFacts(session, rules)
    # What sync_ticket does per ticket, a chunk of tickets at a time (a 90-day history has thousands).
    for chunk in _chunks(sorted({d.ticket_id for d in report.differences if d.problem == "missing"})):
        tickets, events, ratings = _load(session, chunk)
        written: dict[int, set[tuple[int, str]]] = defaultdict(set)
        for ticket_id, step, kind in session.execute(
                select(PointsLedgerEntry.ticket_id, PointsLedgerEntry.step, PointsLedgerEntry.kind)
                .where(PointsLedgerEntry.ticket_id.in_(chunk))):
            written[ticket_id or 0].add((step, kind))  # never 0: a ticket's line (in chunk)
        for ticket_id in chunk:
            ticket = tickets[ticket_id]
            due = _expected(ticket, standards[ticket.service_id], events[ticket_id], ratings.get(ticket_id), facts)
            rows = [PointsLedgerEntry(**_row(ticket, e)) for e in due if (e.step, e.kind) not in written[ticket_id]]
            session.add_all(rows)
            added += len(rows)
        session.flush()
    return added
