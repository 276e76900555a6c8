"""Turn an office plan into flat tables (rows of plain values) for the CLI, CSV files and pages."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

from .backtest import backtest_errors
from .planning import OfficePlan

Row = dict[str, Any]


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(value, digits)


def hourly_rows(plan: OfficePlan) -> list[Row]:
    """Each weekday hour: demand in residents, points and Erlangs; clerks needed, planned; waits."""
    rows = []
    counters = len(plan.history.counters)
    for weekday, day in plan.weekdays.items():
        simulated = {h.hour: h for h in day.simulated.hours} if day.simulated else {}
        for need in day.need:
            predicted = day.predicted.get(need.hour)
            sim = simulated.get(need.hour)
            planned = day.cover.get(need.hour, need.clerks)
            rows.append({
                "weekday": weekday,
                "hour": f"{need.hour:02d}:00",
                "open": need.open,
                "arrivals": _r(need.arrivals),
                "points": _r(need.points, 1),
                "ledger_points": _r(plan.ledger_points.get((weekday, need.hour), 0.0), 1),
                "outreach_hours": _r(plan.outreach_hours.get((weekday, need.hour), 0.0), 2),
                "erlangs": _r(need.load),
                "clerks_needed": need.clerks,
                "clerks_planned": planned,
                "counters_short": max(0, planned - counters),
                "predicted_service_level": _r(predicted[0], 3) if predicted else None,
                "predicted_wait_minutes": _r(predicted[1]) if predicted else None,
                "simulated_service_level": _r(sim.service_level, 3) if sim and need.open else None,
                "simulated_wait_minutes": _r(sim.average_wait_minutes) if sim and need.open else None,
            })
    return rows


def day_summary_rows(plan: OfficePlan) -> list[Row]:
    """Per weekday: residents, points, clerk-hours, predicted and simulated service level and wait."""
    rows = []
    for weekday, day in plan.weekdays.items():
        served = sum(n.arrivals for n in day.need if n.open)
        level = sum(day.predicted[n.hour][0] * n.arrivals for n in day.need if n.hour in day.predicted)
        wait = sum(day.predicted[n.hour][1] * n.arrivals for n in day.need if n.hour in day.predicted)
        rows.append({
            "weekday": weekday,
            "arrivals": _r(served, 1),
            "points": _r(sum(n.points for n in day.need), 0),
            "clerk_hours_needed": sum(n.clerks for n in day.need),
            "clerk_hours_planned": sum(day.cover.values()),
            "predicted_service_level": _r(level / served, 3) if served else None,
            "predicted_wait_minutes": _r(wait / served) if served else None,
            "simulated_service_level": _r(day.simulated.service_level, 3) if day.simulated else None,
            "simulated_wait_minutes": _r(day.simulated.average_wait_minutes) if day.simulated else None,
            "replications": day.simulated.replications if day.simulated else 0,
        })
    return rows


def shift_rows(plan: OfficePlan) -> list[Row]:
    rows = []
    for week in plan.weeks:
        for day in week.shifts.days:
            for pattern, count in sorted(day.shifts, key=lambda item: (item[0].start, item[0].hours)):
                rows.append({"week": week.monday.isoformat(), "day": day.label, "shift": pattern.describe(),
                             "paid_hours": pattern.hours, "clerks": count})
        for closed_day, name in week.closed.items():
            rows.append({"week": week.monday.isoformat(), "day": f"{closed_day.isoformat()} libur: {name}",
                         "shift": "-", "paid_hours": 0, "clerks": 0})
    return rows


def roster_rows(plan: OfficePlan) -> list[Row]:
    rows: list[Row] = []
    if not plan.weeks:
        return rows
    week = plan.weeks[0]
    for clerk, shifts in week.shifts.roster.items():
        rows.append({"clerk": f"Petugas {clerk}", "weekly_hours": sum(p.hours for _, p in shifts),
                     "shifts": "; ".join(f"{label}: {p.describe()}" for label, p in shifts)})
    return rows


def estimate_rows(plan: OfficePlan) -> list[Row]:
    e = plan.estimates
    rows = []
    for (service, weekday, hour), rate in sorted(e.arrivals.items()):
        rows.append({"what": "arrivals per hour", "service": service, "weekday": weekday, "hour": f"{hour:02d}:00",
                     "n": rate.count, "days": rate.days, "estimate": _r(rate.rate, 3), "low": _r(rate.low, 3),
                     "high": _r(rate.high, 3)})
    for service, st in sorted(e.service_time.items()):
        if st is None:
            rows.append({"what": "service minutes (none recorded; standard minutes used)", "service": service,
                         "n": 0, "estimate": plan.history.services[service][1]})
            continue
        for what, value, low, high in (("service minutes mean", st.mean, st.mean_low, st.mean_high),
                                       ("service minutes p90", st.p90, st.p90_low, st.p90_high),
                                       ("service time CV", st.cv, st.cv_low, st.cv_high)):
            rows.append({"what": what, "service": service, "n": st.n, "estimate": _r(value, 3), "low": _r(low, 3),
                         "high": _r(high, 3)})
    p = e.patience
    rows.append({"what": "patience minutes (exponential, censored)", "service": "*", "n": p.walk_aways + p.stayed,
                 "walked_away": p.walked_away, "expired": p.expired, "no_shows": p.no_shows,
                 "estimable": p.estimable, "reason": p.reason,
                 "estimate": _r(p.mean, 1) if p.estimable else None, "low": _r(p.low, 1),
                 "high": _r(p.high, 1) if p.estimable else None})
    return rows


def patience_note(plan: OfficePlan) -> Row:
    """What the patience estimate rests on, and how the Erlang A figures fall back without it."""
    p = plan.estimates.patience
    return {"estimable": p.estimable, "reason": p.reason, "walked_away": p.walked_away, "expired": p.expired,
            "no_shows": p.no_shows, "stayed": p.stayed, "mean": _r(p.mean, 1), "low": _r(p.low, 1),
            "high": _r(p.high, 1), "longest_wait": _r(p.longest_wait, 1),
            "model": "erlang_a" if p.estimable else "erlang_c"}


def backtest_rows(plan: OfficePlan) -> list[Row]:
    """Each past hour: actual, the model on actual arrivals and counters, and the plan's counterfactual."""
    return [{
        "day": b.day.isoformat(), "hour": f"{b.hour:02d}:00", "actual_arrivals": b.actual_arrivals,
        "called": b.called, "counters_open": _r(b.actual_clerks, 1),
        "actual_wait_minutes": _r(b.actual_wait), "model_wait_minutes": _r(b.model_wait),
        "actual_service_level": _r(b.actual_level, 3), "model_service_level": _r(b.model_level, 3),
        "plan_forecast_arrivals": _r(b.forecast_arrivals), "plan_clerks": b.planned_clerks,
        "plan_counterfactual_wait_minutes": _r(b.plan_wait),
        "plan_counterfactual_service_level": _r(b.plan_level, 3),
    } for b in plan.backtest]


def backtest_error_rows(plan: OfficePlan) -> list[Row]:
    """The model's mean absolute error per hour of day, then over all hours ("all")."""
    return [{
        "office": plan.history.slug, "hour": "all" if e.hour is None else f"{e.hour:02d}:00", "hours": e.hours,
        "mae_wait_minutes": _r(e.mean_wait_mae), "mae_service_level": _r(e.service_level_mae, 3),
        "bias_wait_minutes": _r(e.mean_wait_bias), "actual_wait_minutes": _r(e.actual_wait),
        "model_wait_minutes": _r(e.model_wait), "plan_counterfactual_wait_minutes": _r(e.plan_wait),
    } for e in backtest_errors(plan.backtest)]


def opening_rows(plan: OfficePlan, per_day: int | None = None) -> list[Row]:
    rows = []
    for weekday, options in plan.opening_options.items():
        shown = options if per_day is None else list(options[:per_day]) + [
            o for o in options[per_day:] if o.recommended]
        for o in shown:
            rows.append({"weekday": weekday, "hours": o.label, "open_hours": o.open_hours,
                         "clerk_hours": o.clerk_hours, "residents_served": _r(o.served, 1),
                         "residents_lost": _r(o.lost, 1), "mean_wait_minutes": _r(o.average_wait_minutes),
                         "service_level": _r(o.service_level, 3), "cost": _r(o.cost, 1),
                         "recommended": o.recommended})
    return rows


def all_tables(plan: OfficePlan) -> dict[str, list[Row]]:
    return {
        "hourly": hourly_rows(plan),
        "days": day_summary_rows(plan),
        "shifts": shift_rows(plan),
        "roster": roster_rows(plan),
        "estimates": estimate_rows(plan),
        "backtest": backtest_rows(plan),
        "backtest_error": backtest_error_rows(plan),
        "opening_hours": opening_rows(plan),
    }


def write_csv(tables: dict[str, list[Row]], directory: Path) -> list[Path]:
    """Write one CSV per table; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in tables.items():
        path = directory / f"{name}.csv"
        fields: list[str] = []
        for row in rows:
            fields += [k for k in row if k not in fields]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields or ["empty"])
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


def format_table(rows: list[Row], columns: list[str] | None = None) -> str:
    """A plain text table, columns padded to their widest cell."""
    if not rows:
        return "(kosong / empty)"
    columns = columns or list(rows[0])
    cells = [[("" if row.get(c) is None else str(row.get(c))) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)
