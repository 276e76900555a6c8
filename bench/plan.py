"""Benchmark: a full plan for many offices (default 300 offices x 7 days x 12 hours).

Each office gets a generated history in memory (not timed): 3 to 5 services with their own
standard minutes, counters shared in pools, 8 weeks of Poisson arrivals with a morning peak,
exponential service times, some walk-aways. Then the plan is timed, stage by stage, exactly as
`ptsp plan` runs it after reading the database: estimates with their intervals (bootstrap
included), hourly need for every weekday, the week's shift MILP and roster, Erlang predictions,
and the opening-hours options; `--replications N` adds the ciw simulation of every weekday.
Reading the event log from the database and the backtest are not part of the figure.

    .venv/bin/python -m bench.plan                 # 300 offices, 7 days x 12 hours
    .venv/bin/python -m bench.plan --workers 2     # the same on both cores
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta

import numpy as np

from ptsp.analytics.history import OfficeHistory, TicketRecord, open_days
from ptsp.analytics.planning import PlanSettings, plan_from_history
from ptsp.domain.hours import WEEKDAYS

START = date(2026, 12, 7)  # a Monday
PROFILE = [0.5, 0.9, 1.3, 1.4, 1.1, 0.6, 0.9, 1.1, 1.0, 0.8, 0.6, 0.4]  # 07:00 .. 18:00


def office_history(index: int, hours_per_day: int, history_days: int, seed: int) -> OfficeHistory:
    """A generated office: 7 days open from 07:00 for `hours_per_day` hours, Friday prayer break."""
    rng = np.random.default_rng(seed * 100_003 + index)
    first, last = 7, 7 + hours_per_day
    week = {d: [[f"{first:02d}:00", f"{last:02d}:00"]] for d in WEEKDAYS}
    week["fri"] = [[f"{first:02d}:00", "12:00"], ["13:00", f"{last:02d}:00"]]
    n_services = int(rng.integers(3, 6))
    prefixes = "ABCDE"[:n_services]
    services = {p: (f"Layanan {p}", float(rng.choice([5, 8, 10, 15, 20, 30]))) for p in prefixes}
    # Counters: the first serve pairs of services; the last service has its own desk.
    counters = {i + 1: [prefixes[i], prefixes[(i + 1) % (n_services - 1)]] for i in range(n_services - 1)}
    counters[n_services] = [prefixes[-1]]
    size = float(rng.choice([4.0, 8.0, 15.0, 30.0]))  # residents per hour at a middling hour
    history = OfficeHistory(
        office_id=index, slug=f"bench-{index}", name=f"Kantor {index}", timezone="Asia/Jakarta", hours=week,
        target_wait_minutes=15, last_ticket_minutes=30, services=services, counters=counters,
        start=START - timedelta(days=history_days), end=START,
    )
    shares = rng.dirichlet(np.ones(n_services))
    day = history.start
    while day < history.end:
        weekday = WEEKDAYS[day.weekday()]
        for h in range(first, last):
            if weekday == "fri" and h == 12:
                continue
            factor = PROFILE[(h - first) % len(PROFILE)] * (0.5 if weekday in ("sat", "sun") else 1.0)
            for p, share in zip(prefixes, shares, strict=True):
                for _ in range(rng.poisson(size * share * factor)):
                    wait = float(rng.exponential(6.0))
                    gone = rng.random() < 0.04
                    history.records.append(TicketRecord(
                        service=p, final_service=p, day=day, weekday=weekday, hour=h,
                        status="no_show" if gone else "done", wait_minutes=wait,
                        service_minutes=None if gone else float(rng.exponential(services[p][1])),
                        walked_away_minutes=wait if gone else None,
                    ))
        day += timedelta(days=1)
    history.open_days = open_days(history)
    return history


HISTORIES: list[OfficeHistory] = []  # generated before the workers fork, so they share it unpickled


def plan_office(job: tuple[int, int, int]) -> tuple[float, float, int, int, str]:
    """Plan one generated office: wall and CPU seconds, clerks, clerk-hours, MILP status."""
    index, history_days, replications = job
    settings = PlanSettings(history_days=history_days, simulate=replications > 0,
                            replications=max(replications, 1))
    began, cpu = time.perf_counter(), time.process_time()
    plan = plan_from_history(HISTORIES[index], START, 1, settings)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    week = plan.weeks[0].shifts
    return elapsed, cpu, week.clerks, week.clerk_hours, week.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=300)
    parser.add_argument("--hours", type=int, default=12, help="Open hours per day (7 days a week)")
    parser.add_argument("--history-days", type=int, default=56)
    parser.add_argument("--replications", type=int, default=0, help="ciw replications per weekday (0: none)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generating = time.perf_counter()
    HISTORIES.extend(office_history(i, args.hours, args.history_days, args.seed) for i in range(args.offices))
    generating = time.perf_counter() - generating
    tickets = sum(len(h.records) for h in HISTORIES)
    jobs = [(i, args.history_days, args.replications) for i in range(args.offices)]
    load_before = os.getloadavg()
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(abs, range(args.workers)))  # start the workers before the clock
            wall = time.perf_counter()
            results = list(pool.map(plan_office, jobs, chunksize=2))
            wall = time.perf_counter() - wall
    else:
        wall = time.perf_counter()
        results = [plan_office(job) for job in jobs]
        wall = time.perf_counter() - wall
    load_after = os.getloadavg()
    times = [r[0] for r in results]
    cpu = sum(r[1] for r in results)
    statuses = {s: sum(1 for r in results if r[4] == s) for s in {r[4] for r in results}}
    print(f"offices: {args.offices} x 7 days x {args.hours} hours, history {args.history_days} days, "
          f"simulation replications {args.replications}, workers {args.workers}")
    print(f"planning wall time, summed over offices: {sum(times):.1f} s (CPU {cpu:.1f} s); per office mean "
          f"{statistics.mean(times) * 1000:.0f} ms, p95 {np.percentile(times, 95) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms")
    print(f"PLAN ELAPSED (wall clock, all offices): {wall:.1f} s")
    print(f"(not timed: generating {tickets} tickets of history took {generating:.1f} s)")
    print(f"MILP status: {statuses}; clerks per office mean {statistics.mean(r[2] for r in results):.1f}, "
          f"clerk-hours per week mean {statistics.mean(r[3] for r in results):.0f}")
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min), cpus {os.cpu_count()}")


if __name__ == "__main__":
    main()
