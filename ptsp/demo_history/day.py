"""One simulated open day of one office: arrivals, counter sessions, calls and their events, ratings."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.calling_order import Priority, QueueEntry, sort_key
from ..domain.codes import format_code
from ..models import Counter, Office, Staff
from .model import (
    BASE_VOLUME,
    DEFAULT_VOLUME,
    OFFICE_VOLUME,
    OUTCOMES,
    P_ABSENT,
    P_EARLY_LUNCH,
    P_LONG_BREAK,
    P_NO_SHOW,
    P_RATED,
    P_RATED_LATER,
    P_RECALL,
    P_SEND_BACK,
    P_SHORT_BREAK,
    P_SKM,
    P_TABLET,
    P_TRANSFER,
    PATIENCE_MINUTES,
    PRIORITIES,
    QUICK,
    QUICK_AFTER_LONG_WAIT,
    TRANSFER_TO,
    arrival_weight,
    minutes,
    pick,
    token,
)


@dataclass
class _Visit:
    """One ticket while the day is simulated."""

    id: int
    service: int
    issued_service: int
    priority: Priority
    issued_at: datetime
    queued_at: datetime
    available_at: datetime
    walk_away_at: datetime | None
    row: dict[str, Any]
    first_call: datetime | None = None
    transfers: int = 0


class OfficeModel:
    """Everything about one office the day simulation needs, loaded once."""

    def __init__(self, session: Session, office: Office, week: dict, kiosk_id: int | None,
                 departments: dict[str, int] | None = None, now: datetime | None = None) -> None:
        self.office = office
        self.week = week
        self.kiosk_id = kiosk_id
        self.volume = OFFICE_VOLUME.get(office.slug, 1.0)
        self.departments = departments or {}  # service prefix -> the department its cases are referred to
        self.now = now
        self.services = {s.id: s for s in office.services if s.active}
        self.by_prefix = {s.prefix: s.id for s in self.services.values()}
        clerks = list(session.scalars(
            select(Staff).where(Staff.office_id == office.id, Staff.role == "clerk", Staff.active.is_(True))
            .order_by(Staff.id)
        ))
        counters = list(session.scalars(select(Counter).where(Counter.office_id == office.id)
                                        .order_by(Counter.number)))
        self.counters = [
            (counter.id, {s.id for s in counter.services if s.id in self.services}, clerk.id)
            for counter, clerk in zip(counters, clerks, strict=False)
        ]
        self.starvation = timedelta(minutes=office.starvation_minutes)


class DaySimulation:
    """Simulate one open day of one office and append its rows."""

    def __init__(self, sim: OfficeModel, day: date, hours: office_hours.DayHours, factor: float,
                 rng: np.random.Generator, next_id: int, out: dict[str, list]) -> None:
        self.sim, self.day, self.hours, self.rng, self.out = sim, day, hours, rng, out
        self.office = sim.office
        self.factor = factor
        self.next_id = next_id
        self.pool: list[_Visit] = []

    # -- events -----------------------------------------------------------------------------------------
    def event(self, visit: _Visit, kind: str, at: datetime, counter: int | None = None, staff: int | None = None,
              device: int | None = None, **data: Any) -> dict[str, Any]:
        row = {
            "ticket_id": visit.id, "office_id": self.office.id, "kind": kind, "at": at, "counter_id": counter,
            "staff_id": staff, "device_id": device, "data": data,
        }
        self.out["events"].append(row)
        return row

    # -- arrivals ---------------------------------------------------------------------------------------
    def arrivals(self) -> None:
        start, last = self.hours.opens_at, self.hours.last_ticket_at
        if start is None or last is None:
            return
        minutes = int((last - start).total_seconds() // 60)
        if minutes <= 0:
            return
        stamps = [start + timedelta(minutes=m) for m in range(minutes)]
        weights = np.array([
            arrival_weight(office_hours.local_now(t, self.office.timezone).hour
                           + office_hours.local_now(t, self.office.timezone).minute / 60,
                           not office_hours.is_open(self.hours, t))
            for t in stamps
        ])
        weights /= weights.sum()
        drawn = []
        for service in self.sim.services.values():
            mean = BASE_VOLUME.get(service.prefix, DEFAULT_VOLUME) * self.factor * self.sim.volume
            count = int(self.rng.poisson(mean))
            if service.daily_quota is not None:
                count = min(count, service.daily_quota)
            for m in self.rng.choice(minutes, size=count, p=weights):
                at = stamps[int(m)] + timedelta(seconds=int(self.rng.integers(0, 60)))
                drawn.append((at, service.id))
        drawn.sort(key=lambda pair: (pair[0], pair[1]))
        numbers: dict[int, int] = {}
        for at, service_id in drawn:
            numbers[service_id] = numbers.get(service_id, 0) + 1
            self.issue(at, service_id, numbers[service_id])
        for service_id, last_number in numbers.items():
            self.out["numbers"].append({"office_id": self.office.id, "service_id": service_id, "day": self.day,
                                        "last_number": last_number})

    def issue(self, at: datetime, service_id: int, number: int) -> None:
        priority = pick(self.rng, PRIORITIES)
        # Each resident waits at most their own patience, then leaves and cancels on the status page.
        walk_away = at + minutes(self.rng.exponential(PATIENCE_MINUTES))
        row = {
            "id": self.next_id, "office_id": self.office.id, "service_id": service_id,
            "issued_service_id": service_id, "service_day": self.day, "number": number,
            "code": format_code(self.sim.services[service_id].prefix, number), "priority": priority.value,
            "status": "waiting", "issued_at": at, "queued_at": at, "called_at": None, "started_at": None,
            "finished_at": None, "counter_id": None, "clerk_id": None, "call_count": 0, "round_calls": 0,
            "transfer_count": 0, "outcome": None, "public_token": token(self.rng), "device_id": self.sim.kiosk_id,
        }
        self.next_id += 1
        self.out["tickets"].append(row)
        visit = _Visit(row["id"], service_id, service_id, priority, at, at, at, walk_away, row)
        self.event(visit, "issued", at, device=self.sim.kiosk_id, priority=priority.value, number=number)
        self.pool.append(visit)

    # -- counter sessions ------------------------------------------------------------------------------
    def late(self, after_break: bool) -> timedelta:
        """How long after the interval's start the counter opens (negative: before it)."""
        roll = self.rng.random()
        if not after_break:
            # Staff are to be at their post 15 minutes before opening; most are, some come a little later.
            if roll < 0.55:
                return -minutes(self.rng.uniform(15, 25))
            if roll < 0.8:
                return -minutes(self.rng.uniform(0, 15))
            if roll < 0.95:
                return minutes(self.rng.uniform(0, 12))
            return minutes(self.rng.uniform(12, 30))
        if roll < 0.8:
            return minutes(self.rng.uniform(0, 3))
        if roll < 0.95:
            return minutes(self.rng.uniform(3, 12))
        return minutes(self.rng.uniform(12, 30))

    def open_periods(self, counter_id: int, staff_id: int) -> list[tuple[datetime, datetime]]:
        """Draw the counter's open stretches and write its open/break sessions."""
        if self.rng.random() < P_ABSENT:
            return []
        intervals = self.hours.intervals
        lunch = "Sholat Jumat" if self.day.weekday() == 4 else "Istirahat siang"
        periods: list[tuple[datetime, datetime, str | None]] = []  # (start, end, reason of the break after)
        for k, (start, end) in enumerate(intervals):
            begin = start + self.late(after_break=k > 0)
            finish = end
            if k + 1 < len(intervals) and self.rng.random() < P_EARLY_LUNCH:
                finish = end - minutes(self.rng.uniform(3, 12))
            span = (finish - begin).total_seconds() / 60
            if span > 150 and self.rng.random() < P_SHORT_BREAK:
                at = begin + minutes(self.rng.uniform(60, span - 60))
                away = self.rng.uniform(50, 90) if self.rng.random() < P_LONG_BREAK else self.rng.uniform(8, 20)
                back = at + minutes(min(away, (finish - at).total_seconds() / 60 - 15))
                periods.append((begin, at, "Istirahat sebentar"))
                begin = back
            periods.append((begin, finish, lunch if k + 1 < len(intervals) else None))
        for i, (begin, finish, reason) in enumerate(periods):
            self.session_row(counter_id, staff_id, "open", None, begin, finish)
            if reason is not None and i + 1 < len(periods):
                self.session_row(counter_id, staff_id, "break", reason, finish, periods[i + 1][0])
        return [(begin, finish) for begin, finish, _ in periods]

    def session_row(self, counter_id: int, staff_id: int, state: str, reason: str | None,
                    start: datetime, end: datetime) -> None:
        self.out["sessions"].append({
            "counter_id": counter_id, "office_id": self.office.id, "staff_id": staff_id, "state": state,
            "reason": reason, "started_at": start, "ended_at": end, "ended_by": staff_id,
        })

    # -- serving ----------------------------------------------------------------------------------------
    def candidates(self, services: set[int], t: datetime) -> list[_Visit]:
        ready = []
        for visit in self.pool:
            if visit.service in services and visit.available_at <= t:
                if visit.walk_away_at is not None and visit.walk_away_at <= t:
                    continue
                ready.append(visit)
        return ready

    def next_arrival(self, services: set[int], t: datetime) -> datetime | None:
        later = [v.available_at for v in self.pool if v.service in services and v.available_at > t]
        return min(later) if later else None

    def walk_aways(self, t: datetime) -> None:
        for visit, at in [(v, v.walk_away_at) for v in self.pool if v.walk_away_at is not None and v.walk_away_at <= t]:
            self.pool.remove(visit)
            visit.row.update(status="cancelled", finished_at=at)
            self.event(visit, "cancelled", at)

    def plan(self, visit: _Visit) -> tuple[str, list[tuple[str, float, dict]]]:
        """Draw what happens once a ticket is called: the outcome and the steps (kind, minutes after call, data)."""
        roll = self.rng.random()
        walk = self.rng.uniform(0.3, 2.0)
        if roll < P_NO_SHOW:
            return "no_show", [("recalled", 2.0, {"call": 2}), ("no_show", 4.0, {})]
        steps: list[tuple[str, float, dict]] = []
        if roll < P_NO_SHOW + P_RECALL:
            steps.append(("recalled", 1.5, {"call": 2}))
            walk += 1.5
        steps.append(("started", walk, {}))
        service = self.sim.services[visit.service]
        moved = self.transfer(visit, service.prefix)
        if moved is not None:
            steps.append(("transferred", walk + self.rng.uniform(1.5, 4.0), moved))
            return "transferred", steps
        median = service.standard_minutes * 0.9
        duration = float(np.clip(self.rng.lognormal(math.log(median), 0.4), 1.0, 4 * service.standard_minutes))
        outcome = pick(self.rng, OUTCOMES)
        department = self.sim.departments.get(service.prefix)
        if outcome == "dirujuk" and department is not None:
            steps.append(("referred", walk + duration * self.rng.uniform(0.6, 0.9), {"department": department}))
        steps.append(("completed", walk + duration, {"outcome": outcome}))
        return "done", steps

    def transfer(self, visit: _Visit, prefix: str) -> dict[str, Any] | None:
        """Whether this call ends in a transfer: a first one to the service the case belongs to, and now and
        then a second one straight back (the resident is sent back and forth: ping-pong)."""
        if visit.transfers == 0:
            target = self.sim.by_prefix.get(TRANSFER_TO.get(prefix, ""))
            if target is not None and self.rng.random() < P_TRANSFER:
                return {"from_service": visit.service, "to_service": target,
                        "reason": "Berkas untuk layanan lain (wrong service chosen)"}
        elif visit.transfers == 1 and visit.service != visit.issued_service and self.rng.random() < P_SEND_BACK:
            return {"from_service": visit.service, "to_service": visit.issued_service,
                    "reason": "Bukan layanan kami, kembali ke layanan asal (sent back)"}
        return None

    def serve(self, visit: _Visit, counter_id: int, staff_id: int, t: datetime,
              outcome: str, steps: list[tuple[str, float, dict]]) -> datetime:
        row = visit.row
        self.pool.remove(visit)
        row.update(status="called", called_at=t, counter_id=counter_id, clerk_id=staff_id,
                   call_count=row["call_count"] + 1, round_calls=1)
        self.event(visit, "called", t, counter=counter_id, staff=staff_id)
        visit.first_call = visit.first_call or t
        end = t
        for kind, after, data in steps:
            at = t + minutes(after)
            end = at
            if kind == "recalled":
                row.update(call_count=row["call_count"] + 1, round_calls=row["round_calls"] + 1, called_at=at)
            elif kind == "started":
                row.update(status="serving", started_at=at)
            elif kind == "completed":
                row.update(status="done", finished_at=at, outcome=data["outcome"])
                service = self.sim.services[visit.service]
                data = {**data, "service_id": service.id, "standard_minutes": service.standard_minutes}
            elif kind == "no_show":
                row.update(status="no_show", finished_at=at)
            elif kind == "transferred":
                row.update(status="waiting", service_id=data["to_service"], counter_id=None, clerk_id=None,
                           started_at=None, round_calls=0, transfer_count=row["transfer_count"] + 1)
                visit.service, visit.available_at, visit.walk_away_at = data["to_service"], at, None
                visit.transfers += 1
                self.pool.append(visit)
            elif kind == "referred":
                data = {"referral": None, "department": data["department"]}  # the id is given when written
            logged = self.event(visit, kind, at, counter=counter_id, staff=staff_id, **data)
            if kind == "referred":
                self.out["referrals"].append({"event": logged, "ticket": row, "department": data["department"],
                                              "prefix": self.sim.services[visit.service].prefix})
            if kind == "completed" and self.rng.random() < P_RATED:
                self.rate(visit, counter_id, staff_id, at)
        return end + minutes(self.rng.uniform(0.2, 1.0))

    def rate(self, visit: _Visit, counter_id: int, staff_id: int, completed_at: datetime) -> None:
        """A resident rates the finished visit: a quick 1-4, sometimes with the nine SKM elements."""
        long_wait = visit.first_call is not None and visit.first_call - visit.issued_at > timedelta(minutes=30)
        quick = pick(self.rng, QUICK_AFTER_LONG_WAIT if long_wait else QUICK)
        tablet = self.rng.random() < P_TABLET
        delay = self.rng.uniform(0.5, 5) if tablet else self.rng.uniform(2, 240)
        if not tablet and self.rng.random() < P_RATED_LATER:
            delay = self.rng.uniform(24 * 60, 72 * 60)  # from home, while the status page still opens
        at = completed_at + minutes(delay)
        if self.sim.now is not None and at > self.sim.now:
            return  # not rated yet
        elements: dict[str, int | None] = {
            f"u{i}": int(np.clip(quick + self.rng.choice((-1, 0, 0, 0, 1)), 1, 4))
            for i in range(1, 10)
        } if self.rng.random() < P_SKM else {f"u{i}": None for i in range(1, 10)}
        if elements["u4"] is not None:
            elements["u4"] = 4  # the service is free: cost is rarely marked down
        self.out["ratings"].append({
            "ticket_id": visit.id, "office_id": self.office.id, "service_id": visit.service, "counter_id": counter_id,
            "staff_id": staff_id, "channel": "tablet" if tablet else "status_page", "device_id": None,
            "quick": quick, "at": at, **elements,
        })

    def run(self) -> None:
        self.arrivals()
        heap: list[tuple[datetime, int, int, set[int], int, list]] = []
        for counter_id, services, staff_id in self.sim.counters:
            periods = self.open_periods(counter_id, staff_id)
            if periods and services:
                heapq.heappush(heap, (periods[0][0], counter_id, staff_id, services, 0, periods))
        while heap:
            t, counter_id, staff_id, services, k, periods = heapq.heappop(heap)
            start, end = periods[k]
            t = max(t, start)
            if t >= end:
                if k + 1 < len(periods):
                    heapq.heappush(heap, (periods[k + 1][0], counter_id, staff_id, services, k + 1, periods))
                continue
            self.walk_aways(t)
            ready = self.candidates(services, t)
            if not ready:
                upcoming = self.next_arrival(services, t)
                following = min(upcoming, end) if upcoming is not None else end
                heapq.heappush(heap, (following, counter_id, staff_id, services, k, periods))
                continue
            visit = min(ready, key=lambda v: sort_key(QueueEntry(v.id, v.priority, v.queued_at), t,
                                                     self.sim.starvation))
            outcome, steps = self.plan(visit)
            if t + minutes(steps[-1][1]) >= end:
                # Nobody starts work that would run into a break or past closing.
                heapq.heappush(heap, (end, counter_id, staff_id, services, k, periods))
                continue
            free = self.serve(visit, counter_id, staff_id, t, outcome, steps)
            heapq.heappush(heap, (free, counter_id, staff_id, services, k, periods))
        self.close()

    def close(self) -> None:
        closes = self.hours.closes_at
        if closes is None:
            return
        self.walk_aways(closes)
        expired_at = closes + timedelta(hours=1)  # `ptsp expire` from cron after closing
        for visit in self.pool:
            visit.row.update(status="expired", finished_at=expired_at)
            self.event(visit, "expired", expired_at, counter=visit.row["counter_id"])
        self.pool.clear()
