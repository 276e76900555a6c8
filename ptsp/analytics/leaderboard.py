"""Leaderboard: points per hour of work per clerk, with an interval, in bands of clerks told apart.

- Periods are office-local: `today`, `week` (Monday to today), `month` (1st to
  today), or one named `day`. Asked for nothing, the board shows today when
  the scope has ledger lines today, else the last earlier day that has some
  (`choose_period`), and says why (today closed by the office calendar, or
  simply empty).
- Points are what the ledger credits for work done on the period's service days
  (awards, released holds, bonuses); held points are shown apart, not counted.
- Staffed hours are the clerk's `open` counter sessions clipped to the period
  and to now (breaks are `break` sessions and never count). The rate is points
  per **hour with work**: staffed time when a ticket of a service the counter
  serves was waiting or at that counter (`work_time.clerk_hours`).
- Each rate has a 90 % interval and clerks share a band unless told apart
  (`domain.rate_bands`). Band 1 is the best; there is no bare rank.
- Small numbers: a clerk with fewer than `min_transactions` completed
  transactions, or under one hour with work, is listed apart as "not yet
  ranked" with their figures, never given a band (see docs/points.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain import rate_bands
from ..domain.errors import InvalidInput
from ..models import Counter, Office, PointsLedgerEntry, Staff
from ..services.office_calendar import closed_day
from .anomalies import attach_flags
from .filters import in_agency
from .skm import local_bounds
from .work_time import clerk_hours

PERIODS = ("today", "week", "month")
MIN_HOURS = 1.0
DEFAULT_TICKET_POINTS = 10.0  # the upper bound of a clerk with no ticket yet, when the board has no ticket either


@dataclass(frozen=True, slots=True)
class Period:
    name: str
    start: date
    end: date


def period(name: str, today: date) -> Period:
    """Return the office-local days of a named period ending today."""
    if name == "today":
        return Period(name, today, today)
    if name == "week":
        return Period(name, today - timedelta(days=today.weekday()), today)
    if name == "month":
        return Period(name, today.replace(day=1), today)
    raise InvalidInput("unknown_period", period=name, choices=PERIODS)


@dataclass(frozen=True, slots=True)
class Choice:
    """Which period the board shows and why: `asked`, `today_has_data`, `today_closed` (with the closed day's
    name), `today_empty` or `no_data`."""

    name: str
    day: date | None
    reason: str
    closed_name: str | None = None

    def of(self, today: date) -> Period:
        if self.day is not None:
            return Period("day", self.day, self.day)
        return period(self.name, today)

    def view(self) -> dict[str, Any]:
        return {"period": self.name, "day": self.day.isoformat() if self.day else None, "reason": self.reason,
                "automatic": self.reason != "asked", **({"closed_name": self.closed_name} if self.closed_name else {})}


def choose_period(session: Session, offices: list[Office], asked: str | None, day: date | None,
                  now: datetime, agency_id: int | None = None) -> Choice:
    """The period asked for; asked for none, today if it has ledger lines, else the last earlier day with some."""
    if day is not None:
        return Choice("day", day, "asked")
    if asked:
        period(asked, now.date())  # refuses an unknown name
        return Choice(asked, None, "asked")
    todays = {o.id: office_hours.service_day(now, o.timezone) for o in offices}
    if not todays:
        return Choice("today", None, "no_data")
    latest = dict(session.execute(
        select(PointsLedgerEntry.office_id, func.max(PointsLedgerEntry.service_day))
        .where(PointsLedgerEntry.office_id.in_(todays), PointsLedgerEntry.service_day <= max(todays.values()),
               in_agency(PointsLedgerEntry.service_id, agency_id))
        .group_by(PointsLedgerEntry.office_id)).all())
    if any(last is not None and last >= todays[office] for office, last in latest.items()):
        return Choice("today", None, "today_has_data")
    earlier = [last for office, last in latest.items() if last is not None and last < todays[office]]
    if not earlier:
        return Choice("today", None, "no_data")
    # Today closed for every office shown (a national holiday, cuti bersama, their own closure): the board says
    # so and shows the last working day that has points, the same calendar the kiosk refuses tickets by.
    closed = [closed_day(session, office_id, today) for office_id, today in todays.items()]
    if all(closed):
        return Choice("day", max(earlier), "today_closed", closed[0].name if closed[0] else None)
    return Choice("day", max(earlier), "today_empty")


@dataclass
class Credit:
    points: float = 0.0
    held: float = 0.0
    transactions: int = 0
    bonuses: int = 0
    per_ticket: dict[int, float] = field(default_factory=lambda: defaultdict(float))


def _ledger(session: Session, office: Office, p: Period, agency_id: int | None) -> dict[int, Credit]:
    rows = session.execute(
        select(PointsLedgerEntry.staff_id, PointsLedgerEntry.ticket_id, PointsLedgerEntry.outreach_id,
               PointsLedgerEntry.kind, func.count(), func.sum(PointsLedgerEntry.points),
               func.sum(PointsLedgerEntry.held))
        .where(PointsLedgerEntry.office_id == office.id, PointsLedgerEntry.service_day >= p.start,
               PointsLedgerEntry.service_day <= p.end, in_agency(PointsLedgerEntry.service_id, agency_id))
        .group_by(PointsLedgerEntry.staff_id, PointsLedgerEntry.ticket_id, PointsLedgerEntry.outreach_id,
                  PointsLedgerEntry.kind)
    )
    credits: dict[int, Credit] = defaultdict(Credit)
    for staff_id, ticket_id, outreach_id, kind, count, points, held in rows:
        credit = credits[staff_id]
        credit.points += float(points or 0)
        credit.held += float(held or 0)
        # a jemput bola visit is one transaction like a ticket (its id negated to keep the two apart)
        credit.per_ticket[ticket_id if ticket_id is not None else -(outreach_id or 0)] += float(points or 0)
        if kind in ("award", "hold"):
            credit.transactions += count
        if kind == "bonus":
            credit.bonuses += count
    return credits


def _rows(session: Session, office: Office, p: Period, now: datetime, agency_id: int | None = None
          ) -> list[tuple[dict[str, Any], list[float]]]:
    """Each clerk's figures in one office and period, with the per-ticket points behind their interval.

    For one agency: the clerks credited for its services, and its own clerks (`staff.agency_id`) who worked."""
    credits = _ledger(session, office, p, agency_id)
    since, until = local_bounds(office.timezone, p.start, p.end)
    times = clerk_hours(session, office, p.start, p.end, since, min(until, now))
    if agency_id is not None:
        own = set(session.scalars(select(Staff.id).where(Staff.id.in_(times), Staff.agency_id == agency_id)))
        times = {staff_id: time for staff_id, time in times.items() if staff_id in credits or staff_id in own}
    ids = set(credits) | set(times)
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all()) if ids else {}
    out = []
    for staff_id in ids:
        credit = credits.get(staff_id, Credit())
        time = times.get(staff_id)
        staffed, work = (time.staffed_hours, time.work_hours) if time else (0.0, 0.0)
        out.append(({
            "staff": staff_id, "name": names.get(staff_id, "?"), "office": office.id, "office_name": office.name,
            "points": round(credit.points, 2), "held": round(credit.held, 2),
            "transactions": credit.transactions, "bonuses": credit.bonuses,
            "staffed_hours": round(staffed, 2), "work_hours": round(work, 2),
            "per_staffed_hour": round(credit.points / staffed, 2) if staffed > 0 else None,
        }, list(credit.per_ticket.values())))
    return out


def _add_intervals(rows: list[tuple[dict[str, Any], list[float]]]) -> None:
    """Give each row its points per hour with work and the interval (`per_hour`, `per_hour_low/high`)."""
    weights = [w for _, ws in rows for w in ws if w > 0]
    fallback = sum(weights) / len(weights) if weights else DEFAULT_TICKET_POINTS
    for row, ws in rows:
        interval = rate_bands.rate_interval(ws, row["work_hours"], fallback_weight=fallback)
        row["per_hour"] = round(interval.estimate, 2) if interval else None
        row["per_hour_low"] = round(interval.lower, 2) if interval else None
        row["per_hour_high"] = round(interval.upper, 2) if interval else None
        row["_interval"] = interval


def _band(enough: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort the rankable rows from the best estimate down and number their bands."""
    entries = [rate_bands.Entry(row["_interval"], row["points"], row["name"]) for row in enough]
    ranked = []
    for index, band in rate_bands.bands(entries):
        enough[index]["band"] = band
        ranked.append(enough[index])
    return ranked


def leaderboard(session: Session, office_ids: list[int], period_name: str | None, now: datetime,
                min_transactions: int = 10, day: date | None = None, agency_id: int | None = None
                ) -> dict[str, Any]:
    """Band the clerks of the given offices by points per hour with work over a local period.

    Each office's period is its own local calendar (an office in WITA starts its
    day an hour before one in WIB). `period_name` None picks the period (see `choose_period`). `agency_id`
    narrows the board to one agency's services and clerks (analytics.filters.in_agency).
    """
    offices = list(session.scalars(select(Office).where(Office.id.in_(office_ids)).order_by(Office.name)))
    choice = choose_period(session, offices, period_name, day, now, agency_id)
    rows: list[tuple[dict[str, Any], list[float]]] = []
    periods = {}
    for office in offices:
        p = choice.of(office_hours.service_day(now, office.timezone))
        periods[office.id] = {"start": p.start.isoformat(), "end": p.end.isoformat()}
        rows.extend(_rows(session, office, p, now, agency_id))
    _add_intervals(rows)
    plain = [row for row, _ in rows]
    attach_flags(session, plain, periods)  # anomaly flags per clerk and period (docs/points.md)
    enough = [r for r in plain if r["transactions"] >= min_transactions and r["work_hours"] >= MIN_HOURS
              and r["_interval"] is not None]
    ranked = _band(enough)
    chosen = {id(r) for r in enough}
    unranked = sorted((r for r in plain if id(r) not in chosen), key=lambda r: (-r["points"], r["name"]))
    for row in unranked:
        row["band"] = None
    for row in plain:
        del row["_interval"]
    return {"period": choice.name, "day": choice.view()["day"], "chosen": choice.view(), "offices": periods,
            "min_transactions": min_transactions, "min_hours": MIN_HOURS, "level": rate_bands.LEVEL,
            "bands": max((r["band"] for r in ranked), default=0), "ranked": ranked, "unranked": unranked}


def office_standings(session: Session, office_id: int, now: datetime, min_transactions: int = 10
                     ) -> dict[str, Any]:
    """Return every clerk's own standing in one office, today and this week, by staff id (`standing` picks one).

    `default` is what a clerk with no figures in the office sees.
    """
    boards = {name: leaderboard(session, [office_id], name, now, min_transactions) for name in ("today", "week")}
    staff_ids = {row["staff"] for board in boards.values() for row in board["ranked"] + board["unranked"]}
    return {"by_staff": {staff_id: _own(boards, staff_id, min_transactions) for staff_id in staff_ids},
            "default": _own(boards, None, min_transactions)}


def _own(boards: dict[str, dict[str, Any]], staff_id: int | None, min_transactions: int) -> dict[str, Any]:
    """One clerk's band, interval and figures from the boards, and nothing of anyone else but the number of bands."""
    result: dict[str, Any] = {}
    for name, board in boards.items():
        mine = next((r for r in board["ranked"] + board["unranked"] if r["staff"] == staff_id), None)
        own = {key: (mine or {}).get(key) for key in ("band", "per_hour", "per_hour_low", "per_hour_high")}
        result[name] = {
            **own, "bands": board["bands"],
            "points": mine["points"] if mine else 0.0, "held": mine["held"] if mine else 0.0,
            "transactions": mine["transactions"] if mine else 0,
            "staffed_hours": mine["staffed_hours"] if mine else 0.0,
            "work_hours": mine["work_hours"] if mine else 0.0,
            "min_transactions": min_transactions, "min_hours": MIN_HOURS,
        }
    return result


def pick_standing(standings: dict[str, Any], staff_id: int) -> dict[str, Any]:
    """One clerk's own part of `office_standings`."""
    mine: dict[str, Any] = standings["by_staff"].get(staff_id, standings["default"])
    return mine


def standing(session: Session, staff_id: int, office_id: int, now: datetime, min_transactions: int = 10
             ) -> dict[str, Any]:
    """Return one clerk's own band and figures today and this week in their office (nothing of others)."""
    return pick_standing(office_standings(session, office_id, now, min_transactions), staff_id)


def trend(session: Session, office_ids: list[int], days: int, now: datetime, agency_id: int | None = None
          ) -> dict[str, Any]:
    """Return credited points per office-local day for the last `days` days, one series per office with counters."""
    if not 1 <= days <= 366:
        raise InvalidInput("days_out_of_range", max=366)
    with_counters = select(Counter.office_id)
    offices = session.scalars(select(Office).where(Office.id.in_(office_ids), Office.id.in_(with_counters))
                              .order_by(Office.name)).all()
    series = []
    labels: list[str] = []
    for office in offices:
        today = office_hours.service_day(now, office.timezone)
        start = today - timedelta(days=days - 1)
        per_day = dict(session.execute(
            select(PointsLedgerEntry.service_day, func.sum(PointsLedgerEntry.points))
            .where(PointsLedgerEntry.office_id == office.id, PointsLedgerEntry.service_day >= start,
                   PointsLedgerEntry.service_day <= today, in_agency(PointsLedgerEntry.service_id, agency_id))
            .group_by(PointsLedgerEntry.service_day)
        ).all())
        days_list = [start + timedelta(days=i) for i in range(days)]
        labels = labels or [d.isoformat() for d in days_list]
        series.append({"office": office.id, "name": office.name,
                       "points": [round(float(per_day.get(d, 0) or 0), 2) for d in days_list]})
    return {"days": labels, "series": series}


def staff_names(session: Session) -> dict[int, str]:
    """Return every staff member's name by id."""
    return {staff_id: name for staff_id, name in session.execute(select(Staff.id, Staff.name))}
