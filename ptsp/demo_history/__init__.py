"""A realistic past for the demo offices: tickets, their events, counter sessions and numbering rows.

The model (documented in docs/dashboard.md):

- open days follow the office's weekly hours; national holidays and cuti bersama (the office calendar,
  `ptsp/domain/office_calendar.py`) are closed;
- each service gets a Poisson number of residents a day around its base volume, scaled by the weekday
  (Monday busiest, Friday quietest) and raised the day after a holiday;
- residents arrive along a morning-peaked curve over the ticket window, rarely during a break;
- each counter is staffed by its clerk in open stretches: sometimes a few minutes late at opening or after
  the break, now and then on a short break, a lunch or Friday prayer break (a `break` session) between
  the office's intervals; no ticket is called or served inside a break;
- a counter calls by the same queue rule as the real one (priority tier, anti-starvation, first come);
- service times are lognormal around the service's standard minutes; some residents do not answer
  (recall, then no-show), some are transferred to another service and a few of those sent straight back
  (ping-pong); each resident has an exponential patience and walks away (cancels on the status page) when
  not called within it; whatever is left at closing expires;
- cases with outcome `dirujuk` are referred to the departments above the office while served; the
  departments' answers and the supervisors' handling of complaints filed with poor ratings follow
  (`casework.py`);
- about a third of completed tickets are rated (quick 1-4, worse after a long wait; some with the nine SKM
  elements), on the status page or the counter tablet. Points are not written: `ptsp points recompute`
  builds the ledger from these events.

Rows are the same ones the use cases write (`ptsp.services.tickets` / `counters` / `referrals` / `feedback`),
inserted in bulk.
Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain import office_calendar
from ..models import (
    Complaint,
    ComplaintEvent,
    CounterSession,
    Office,
    Rating,
    Referral,
    ReferralEvent,
    Ticket,
    TicketEvent,
    TicketNumber,
)
from ..services.accounts import make_device_token
from .casework import Casework, ensure_departments, ratings_with_ids
from .day import DaySimulation, OfficeModel
from .model import AFTER_HOLIDAY_FACTOR, WEEKDAY_FACTOR


@dataclass
class HistoryStats:
    days_open: int = 0
    days_closed_holiday: list[date] = field(default_factory=list)
    days_skipped: int = 0
    tickets: int = 0
    events: int = 0
    sessions: int = 0
    ratings: int = 0
    referrals: int = 0
    complaints: int = 0
    points_lines: int = 0  # ledger lines written for the history's completed tickets and ratings
    violations: int | None = None  # discipline violations found (None: not scanned)


def _holidays(first: date, last: date) -> set[date]:
    """The days the kiosk would have refused: national holidays and cuti bersama (`domain/office_calendar.py`)."""
    return set(office_calendar.national_days(first, last + timedelta(days=1)))


def _kiosk(session: Session, office: Office, now: datetime) -> int:
    """A retired lobby kiosk that issued the historical tickets (its token is never shown)."""
    device, _token_text = make_device_token(session, office=office, kind="kiosk", name="kios lobi (riwayat)",
                                            now=now - timedelta(days=365))
    device.revoked_at = now
    session.flush()
    return device.id


def generate_history(session: Session, office: Office, week: dict, *, days: int, today: date, seed: int,
                     now: datetime) -> HistoryStats:
    """Write `days` calendar days of history before `today` for one office; days already holding tickets are kept."""
    stats = HistoryStats()
    if not office.services or days <= 0:
        return stats
    first = today - timedelta(days=days)
    taken = set(session.scalars(select(Ticket.service_day).where(
        Ticket.office_id == office.id, Ticket.service_day >= first, Ticket.service_day < today).distinct()))
    closed = _holidays(first, today)
    plan: list[tuple[date, office_hours.DayHours, float]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        hours = office_hours.hours_on(week, day, office.timezone, office.last_ticket_minutes)
        if not hours.intervals:
            continue
        if day in closed:
            stats.days_closed_holiday.append(day)
        elif day in taken:
            stats.days_skipped += 1
        else:
            previous = day - timedelta(days=1)
            plan.append((day, hours, WEEKDAY_FACTOR[day.weekday()] * (AFTER_HOLIDAY_FACTOR if previous in closed
                                                                       else 1.0)))
    if not plan:
        return stats
    rng = np.random.default_rng([seed, office.id])
    sim = OfficeModel(session, office, week, _kiosk(session, office, now), ensure_departments(session, office, now),
                      now)
    next_id = (session.scalar(select(func.max(Ticket.id))) or 0) + 1
    out: dict[str, list] = {key: [] for key in ("tickets", "events", "sessions", "numbers", "ratings", "referrals",
                                                "referral_rows", "referral_events", "complaints",
                                                "complaint_events")}
    for day, hours, factor in plan:
        simulated = DaySimulation(sim, day, hours, factor, rng, next_id, out)
        simulated.run()
        next_id = simulated.next_id
    stats.days_open = len(plan)
    ratings_with_ids(session, out["ratings"])
    casework = Casework(session, office, np.random.default_rng([seed, office.id, 1]), now, out)
    casework.referrals()
    casework.complaints(out["ratings"])
    _write(session, out)
    stats.tickets, stats.events, stats.sessions = len(out["tickets"]), len(out["events"]), len(out["sessions"])
    stats.ratings, stats.referrals = len(out["ratings"]), len(out["referral_rows"])
    stats.complaints = len(out["complaints"])
    return stats


def _write(session: Session, out: dict[str, list]) -> None:
    """Insert the rows in bulk (executemany), tickets first so events can refer to them."""
    for model, key in ((Ticket, "tickets"), (TicketNumber, "numbers"), (TicketEvent, "events"),
                       (CounterSession, "sessions"), (Rating, "ratings"), (Referral, "referral_rows"),
                       (ReferralEvent, "referral_events"), (Complaint, "complaints"),
                       (ComplaintEvent, "complaint_events")):
        rows = out[key]
        for chunk in range(0, len(rows), 5000):
            session.execute(insert(model), rows[chunk:chunk + 5000])
    if session.get_bind().dialect.name == "postgresql":
        # These ids were given explicitly; move each sequence past them so the next real row fits.
        for table, key in (("tickets", "tickets"), ("ratings", "ratings"), ("referrals", "referral_rows"),
                           ("complaints", "complaints")):
            if out[key]:
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
