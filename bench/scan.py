"""`python -m bench.scan`: how long the minute's discipline scan of one large day holds the server's loop.

Builds the demo office on a fresh SQLite file with a day of `--tickets` tickets (a share `--served` of them
called and completed at its counters, the rest still waiting, as in the standard run's office by its
1,000-socket phase), then times, in this process, the two ways of reading the day's waiting and busy spans
(`timeline.ticket_stories` + `waiting_and_busy`, ORM events; `timeline.office_spans`, plain columns read in
chunks) and the whole `services.discipline.scan`. The longest stretch between two of `office_spans`'s pauses
(`gc_tuning.give_way`, a switch under gevent) is what a socket message can wait behind it.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from ptsp.analytics import timeline
from ptsp.app import create_app
from ptsp.demo import prepare_demo
from ptsp.domain.codes import format_code
from ptsp.domain.hours import service_day
from ptsp.models import Counter, Office, Ticket, TicketEvent
from ptsp.services.discipline import scan


def build_day(session: Any, tickets: int, served: float, now: datetime) -> tuple[int, Any]:
    office = session.scalar(select(Office).where(Office.slug == "kel-pegangsaan"))
    day = service_day(now, office.timezone)
    services = [s.id for s in office.services]
    counters = list(session.scalars(select(Counter.id).where(Counter.office_id == office.id)))
    start = now - timedelta(hours=4)
    step = timedelta(hours=4) / tickets
    numbers: dict[int, int] = {}
    rows, events = [], []
    done = int(tickets * served)
    for i in range(tickets):
        service = services[i % len(services)]
        number = numbers[service] = numbers.get(service, 0) + 1
        issued = start + step * i
        rows.append({"id": i + 1, "office_id": office.id, "service_id": service, "issued_service_id": service,
                     "service_day": day, "number": number, "code": format_code(f"X{service}", number),
                     "status": "done" if i < done else "waiting", "issued_at": issued, "queued_at": issued,
                     "public_token": secrets.token_urlsafe(12)})
        events.append({"ticket_id": i + 1, "office_id": office.id, "kind": "issued", "at": issued, "data": {}})
        if i < done:
            counter = counters[i % len(counters)]
            for kind, minutes in (("called", 2), ("started", 3), ("completed", 9)):
                events.append({"ticket_id": i + 1, "office_id": office.id, "kind": kind, "counter_id": counter,
                               "at": issued + timedelta(minutes=minutes), "data": {}})
    session.execute(insert(Ticket), rows)
    session.execute(insert(TicketEvent), events)
    session.commit()
    return office.id, day


def timed(runs: int, work: Callable[[], Any]) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scan", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5600)
    parser.add_argument("--served", type=float, default=0.1, help="share of the tickets called and completed")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"PTSP_ENV": "development", "DATABASE_URL": f"sqlite:///{Path(tmp) / 'scan.db'}",
                          "DISCIPLINE_SCAN_SECONDS": 0})
        with app.app_context():
            prepare_demo(app)
            session = app.extensions["ptsp.sessions"]()
            office, day = build_day(session, args.tickets, args.served, now)
            events = len(list(session.scalars(select(TicketEvent.id))))
            print(f"{args.tickets} tickets, {events} events, {args.served:.0%} served")

            def stories() -> Any:
                result = timeline.waiting_and_busy(timeline.ticket_stories(session, office, day, day), now)
                session.rollback()
                return result

            def columns() -> Any:
                result = timeline.office_spans(session, office, day, day, now)
                session.rollback()
                return result

            def whole() -> None:
                scan(session, office_id=office, day=day, now=now)
                session.rollback()

            assert stories() == columns()
            for label, work in (("stories (ORM events)", stories), ("office_spans (columns)", columns),
                                ("whole scan", whole)):
                figures = timed(args.runs, work)
                print(f"{label}: median {statistics.median(figures):.1f} ms, "
                      f"runs {', '.join(f'{f:.1f}' for f in figures)}")
            marks: list[float] = []
            real_give_way = timeline.give_way
            timeline.give_way = lambda: marks.append(time.perf_counter())
            try:
                started = time.perf_counter()
                columns()
                ended = time.perf_counter()
            finally:
                timeline.give_way = real_give_way
            points = [started, *marks, ended]
            longest = max(b - a for a, b in zip(points, points[1:], strict=False)) * 1000
            print(f"office_spans paused {len(marks)} times; longest stretch between pauses {longest:.1f} ms")
            session.close()


if __name__ == "__main__":
    main()
