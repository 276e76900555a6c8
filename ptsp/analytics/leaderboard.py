"""Leaderboard: points per clerk from the ledger, per staffed hour from the counter sessions.

- Periods are office-local: `today`, `week` (Monday to today), `month` (1st to today).
- Points are what the ledger credits for work done on the period's service days
  (awards, released holds, bonuses); held points are shown apart, not counted.
- Staffed hours are the clerk's `open` counter sessions clipped to the period
  and to now; breaks are their own `break` sessions and so never count, and a
  counter with no session open is not staffed.
- Small numbers: a clerk with fewer than `min_transactions` completed
  transactions, or under one staffed hour, is listed apart as "not yet ranked"
  with their figures, never given a rank (see docs/points.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.errors import InvalidInput
from ..models import Counter, CounterSession, Office, PointsLedgerEntry, Staff
from .anomalies import attach_flags
from .skm import local_bounds

PERIODS = ("today", "week", "month")
MIN_HOURS = 1.0


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


def _ledger(session: Session, office: Office, p: Period) -> dict[int, dict[str, float]]:
    rows = session.execute(
        select(PointsLedgerEntry.staff_id, PointsLedgerEntry.kind, func.count(),
               func.sum(PointsLedgerEntry.points), func.sum(PointsLedgerEntry.held))
        .where(PointsLedgerEntry.office_id == office.id, PointsLedgerEntry.service_day >= p.start,
               PointsLedgerEntry.service_day <= p.end)
        .group_by(PointsLedgerEntry.staff_id, PointsLedgerEntry.kind)
    )
    figures: dict[int, dict[str, float]] = defaultdict(lambda: {"points": 0.0, "held": 0.0, "transactions": 0})
    for staff_id, kind, count, points, held in rows:
        row = figures[staff_id]
        row["points"] += float(points or 0)
        row["held"] += float(held or 0)
        if kind in ("award", "hold"):
            row["transactions"] += count
        if kind == "bonus":
            row["bonuses"] = row.get("bonuses", 0) + count
    return figures


def staffed_hours(session: Session, office: Office, p: Period, now: datetime) -> dict[int, float]:
    """Return each clerk's open counter time within the period (up to now), in hours."""
    since, until = local_bounds(office.timezone, p.start, p.end)
    until = min(until, now)
    rows = session.execute(
        select(CounterSession.staff_id, CounterSession.started_at, CounterSession.ended_at)
        .where(CounterSession.office_id == office.id, CounterSession.state == "open",
               CounterSession.started_at < until,
               (CounterSession.ended_at.is_(None)) | (CounterSession.ended_at > since))
    )
    hours: dict[int, float] = defaultdict(float)
    for staff_id, started, ended in rows:
        begin, finish = max(started, since), min(ended or now, until)
        if finish > begin:
            hours[staff_id] += (finish - begin).total_seconds() / 3600
    return hours


def _rows(session: Session, office: Office, p: Period, now: datetime) -> list[dict[str, Any]]:
    ledger = _ledger(session, office, p)
    hours = staffed_hours(session, office, p, now)
    ids = set(ledger) | set(hours)
    names = dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all()) if ids else {}
    rows = []
    for staff_id in ids:
        figures = ledger.get(staff_id, {"points": 0.0, "held": 0.0, "transactions": 0})
        staffed = hours.get(staff_id, 0.0)
        rows.append({
            "staff": staff_id, "name": names.get(staff_id, "?"), "office": office.id, "office_name": office.name,
            "points": round(figures["points"], 2), "held": round(figures["held"], 2),
            "transactions": int(figures["transactions"]), "bonuses": int(figures.get("bonuses", 0)),
            "staffed_hours": round(staffed, 2),
            "per_hour": round(figures["points"] / staffed, 2) if staffed > 0 else None,
        })
    return rows


def leaderboard(session: Session, office_ids: list[int], period_name: str, now: datetime,
                min_transactions: int = 10) -> dict[str, Any]:
    """Rank the clerks of the given offices by points per staffed hour over a local period.

    Each office's period is its own local calendar (an office in WITA starts its
    day an hour before one in WIB). Ties in points per hour go to more points.
    """
    offices = session.scalars(select(Office).where(Office.id.in_(office_ids)).order_by(Office.name)).all()
    rows: list[dict[str, Any]] = []
    periods = {}
    for office in offices:
        p = period(period_name, office_hours.service_day(now, office.timezone))
        periods[office.id] = {"start": p.start.isoformat(), "end": p.end.isoformat()}
        rows.extend(_rows(session, office, p, now))
    attach_flags(session, rows, periods)  # anomaly flags per clerk and period (issue 14, docs/points.md)
    enough = [r for r in rows if r["transactions"] >= min_transactions and r["staffed_hours"] >= MIN_HOURS]
    ranked = sorted(enough, key=lambda r: (-r["per_hour"], -r["points"], r["name"]))
    for rank, row in enumerate(ranked, 1):
        row["rank"] = rank
    unranked = sorted((r for r in rows if r not in enough), key=lambda r: (-r["points"], r["name"]))
    for row in unranked:
        row["rank"] = None
    return {"period": period_name, "offices": periods, "min_transactions": min_transactions,
            "min_hours": MIN_HOURS, "ranked": ranked, "unranked": unranked}


def standing(session: Session, staff_id: int, office_id: int, now: datetime, min_transactions: int = 10
             ) -> dict[str, Any]:
    """Return one clerk's own rank and figures today and this week in their office (nothing of others)."""
    result: dict[str, Any] = {}
    for name in ("today", "week"):
        board = leaderboard(session, [office_id], name, now, min_transactions)
        mine = next((r for r in board["ranked"] + board["unranked"] if r["staff"] == staff_id), None)
        result[name] = {
            "rank": mine["rank"] if mine else None, "ranked_of": len(board["ranked"]),
            "points": mine["points"] if mine else 0.0, "held": mine["held"] if mine else 0.0,
            "transactions": mine["transactions"] if mine else 0,
            "staffed_hours": mine["staffed_hours"] if mine else 0.0, "per_hour": mine["per_hour"] if mine else None,
            "min_transactions": min_transactions,
        }
    return result


def trend(session: Session, office_ids: list[int], days: int, now: datetime) -> dict[str, Any]:
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
                   PointsLedgerEntry.service_day <= today)
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
