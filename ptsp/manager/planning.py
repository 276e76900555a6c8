"""Planning pages: the hourly plan with shifts and simulation, the staffing calculator, opening hours."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from typing import Any, Literal, overload

from flask import render_template, request
from flask_babel import gettext

from ptsp.analytics import plan_report
from ptsp.analytics.charts import weekday_name
from ptsp.analytics.filters import scoped_agency
from ptsp.analytics.history import estimate, load_history, office_with_history
from ptsp.analytics.plan_basics import WeekdayPlan
from ptsp.analytics.planning import OfficePlan, PlanSettings, build_plan, opening_recommendation
from ptsp.context import get_read_db, now
from ptsp.domain.break_rota import DayRota, day_rota, split_gap_hours
from ptsp.domain.errors import DomainError, InvalidInput, NotFound
from ptsp.domain.hours import WEEKDAYS, service_day
from ptsp.domain.opening import OpeningRules, holidays_between, last_ticket_cutoff
from ptsp.domain.staffing_calculator import evaluate_staffing, required_clerks, staffing_calc_report
from ptsp.domain.staffing_plan import StaffingTarget, service_pools
from ptsp.domain.text import N_
from ptsp.i18n import current_language
from ptsp.i18n.errors import describe
from ptsp.models import Office

from .access import agency_choices, current_actor, manager_page, visible_offices
from .blueprint import bp

PAGE_REPLICATIONS = 5
# plan_report's estimate rows name their quantity in English for the CLI and CSV; the page shows these.
ESTIMATE_LABELS = {
    "service minutes (none recorded; standard minutes used)":
        N_("menit layanan (belum tercatat; menit standar dipakai)"),
    "service minutes mean": N_("menit layanan, rata-rata"),
    "service minutes p90": N_("menit layanan, p90"),
    "service time CV": N_("koefisien variasi waktu layanan"),
    "patience minutes (exponential, censored)": N_("menit kesabaran (eksponensial, tersensor)"),
}
WEEKDAY_KEY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b")


@bp.app_template_filter("weekday_name")
def weekday_label(key: str | None) -> str:
    """A weekday key of the plan ("mon") as the weekday's name in the page's language; "—" for none."""
    if not key:
        return "—"
    return weekday_name(WEEKDAYS.index(key)) if key in WEEKDAYS else key


@bp.app_template_filter("shown_number")
def shown_number(value: Any, pattern: str = "%s") -> str:
    """A number for a planning page: "—" for a missing, infinite or undefined value (never None, ∞ or nan)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return pattern % value


def _named_days(text: str) -> str:
    """Every weekday key in a plan label ("mon 2026-12-07") replaced by the weekday's name."""
    return WEEKDAY_KEY.sub(lambda m: weekday_label(m.group(1)), text)


def _shown(tables: dict[str, Any], holiday_names: dict[date, str]) -> dict[str, Any]:
    """The plan's tables as the page shows them: weekday names, holiday names and labels in its language."""
    shifts = []
    for row in tables["shifts"]:
        day = row["day"]
        if " libur: " in day:
            when = date.fromisoformat(day.split(" ", 1)[0])
            day = gettext("%(day)s libur: %(name)s", day=when.isoformat(),
                          name=holiday_names.get(when, day.split(" libur: ", 1)[1]))
        shifts.append({**row, "day": _named_days(day)})
    roster = [{**row, "clerk": gettext("Petugas %(number)s", number=row["clerk"].removeprefix("Petugas ")),
               "shifts": _named_days(row["shifts"])} for row in tables["roster"]]
    estimates = [{**row, "what": gettext(ESTIMATE_LABELS[row["what"]])} for row in tables["estimates"]
                 if row["what"] in ESTIMATE_LABELS]
    return {**tables, "shifts": shifts, "roster": roster, "estimates": estimates}


def _office() -> tuple[Office, list[Office], int | None]:
    """The office planned, the offices to choose from, and the agency planned (None: the whole office).

    An agency's own supervisor or manager plans their agency in its office; an office-wide one may pick an
    agency (`?agency=`, analytics.filters.scoped_agency)."""
    offices = visible_offices()
    if not offices:
        raise InvalidInput("no_offices_in_scope")
    wanted = request.values.get("office", "")
    chosen = [o for o in offices if str(o.id) == wanted or o.slug == wanted] if wanted else offices
    if not chosen:
        raise LookupError(wanted)
    reach = scoped_agency(get_read_db(), current_actor(), request.values.get("agency"), [o.id for o in chosen])
    chosen = [o for o in chosen if o.id in reach.office_ids]
    if len(chosen) == 1:
        return chosen[0], offices, reach.agency_id
    # open on an office with services and history, not on the first name (a kecamatan without services)
    since = service_day(now(), chosen[0].timezone) - timedelta(days=56)
    busiest = office_with_history(get_read_db(), [o.id for o in chosen], since)
    return next((o for o in chosen if o.id == busiest), chosen[0]), offices, None


def _next_monday(office) -> date:
    today = service_day(now(), office.timezone)
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _date(text: str | None, default: date) -> date:
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("date_invalid", value=text[:20]) from None


def _int(text: str | None, default: int, low: int, high: int, label: str) -> int:
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput("value_not_integer", label=label) from None
    if not low <= value <= high:
        raise InvalidInput("value_out_of_range", label=label, low=low, high=high)
    return value


def _problem(message: str, status: int) -> tuple[str, int]:
    return render_template("manager/plan_problem.html", message=message), status


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@bp.get("/plan")
@manager_page
def plan_page() -> str | tuple[str, int]:
    try:
        office, offices, agency_id = _office()
        start = _date(request.args.get("from"), _next_monday(office))
        weeks = _int(request.args.get("weeks"), 1, 1, 8, gettext("Minggu"))
        history_days = _int(request.args.get("history"), 56, 7, 365, gettext("Riwayat"))
    except DomainError as exc:
        return _problem(describe(exc), exc.status)
    except LookupError:
        return _problem(describe(NotFound("office_not_found_or_out_of_scope")), 404)
    settings = PlanSettings(history_days=history_days, replications=PAGE_REPLICATIONS)
    result = build_plan(get_read_db(), office.id, start, weeks, settings, agency_id)
    holiday_names = holidays_between(start, start + timedelta(weeks=weeks), current_language(),
                                     office_days=result.history.closed_days)
    tables = _shown(plan_report.all_tables(result), holiday_names)
    weekday = request.args.get("day") if request.args.get("day") in result.weekdays else next(
        iter(result.weekdays), None)
    hourly = [r for r in tables["hourly"] if r["weekday"] == weekday]
    errors = [r for r in tables["backtest_error"] if r["hour"] != "all"]
    chart = {
        "hours": [r["hour"] for r in hourly],
        "points": [r["points"] for r in hourly],
        "needed": [r["clerks_needed"] for r in hourly],
        "planned": [r["clerks_planned"] for r in hourly],
        "days": [weekday_label(r["weekday"]) for r in tables["days"]],
        "predicted": [_json_safe(r["predicted_service_level"]) for r in tables["days"]],
        "simulated": [_json_safe(r["simulated_service_level"]) for r in tables["days"]],
        "backtest_labels": [r["hour"] for r in errors],
        "backtest_actual": [_json_safe(r["actual_wait_minutes"]) for r in errors],
        "backtest_model": [_json_safe(r["model_wait_minutes"]) for r in errors],
        "backtest_plan": [_json_safe(r["plan_counterfactual_wait_minutes"]) for r in errors],
    }
    return render_template(
        "manager/plan.html", office=office, offices=offices, start=start, weeks=weeks, history_days=history_days,
        plan=result, tables=tables, weekday=weekday, hourly=hourly, chart=chart, holiday_names=holiday_names,
        service_rows=tables["estimates"], errors=errors,
        error_all=next((r for r in tables["backtest_error"] if r["hour"] == "all"), None),
        patience=plan_report.patience_note(result), rota=_rota(result, weekday), **agency_choices(),
    )


def _rota(result: OfficePlan, weekday: str | None) -> DayRota | None:
    """The selected weekday's rota in the plan's first week (None: no such day or no roster)."""
    if weekday is None or not result.weeks or weekday not in result.weekdays:
        return None
    week = result.weeks[0]
    day = next((d for d in week.open_days if WEEKDAYS[d.weekday()] == weekday), None)
    if day is None:
        return None
    label = f"{weekday} {day.isoformat()}"
    shifts = [(clerk, p) for clerk, items in week.shifts.roster.items() for when, p in items if when == label]
    plan = result.weekdays[weekday]
    wanted = frozenset(d.service for d in plan.demands if sum(d.arrivals) > 0)
    closed, staff = split_gap_hours(result.history.hours, result.history.closures, weekday, plan.breaks)
    return day_rota(plan.hours, closed, shifts, result.history.counters, wanted,
                    {hour: _residents_in_break(plan, hour) for hour in staff})


def _residents_in_break(plan: WeekdayPlan, hour: int) -> frozenset[str]:
    """Services with residents in a staff-break hour: expected then, or since the last open hour before it."""
    index = plan.hours.index(hour)
    first = index
    while first > 0 and plan.hours[first - 1] in plan.breaks:
        first -= 1
    first = max(first - 1, 0)
    return frozenset(d.service for d in plan.demands if sum(d.arrivals[first:index + 1]) > 0)


CALC_FIELDS = ("arrivals_per_hour", "service_minutes", "target_minutes", "target_level", "patience_minutes",
               "max_occupancy", "shrinkage")


@overload
def _calc_number(form: dict[str, str], name: str, required: Literal[True]) -> float: ...


@overload
def _calc_number(form: dict[str, str], name: str, required: Literal[False]) -> float | None: ...


def _calc_number(form: dict[str, str], name: str, required: bool) -> float | None:
    text = form.get(name, "").strip().replace(",", ".")
    if not text:
        if required:
            raise InvalidInput("field_required", field=name)
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput("field_not_number", field=name, value=text[:20]) from None
    if not math.isfinite(value):
        raise InvalidInput("field_not_finite", field=name)
    return value


@bp.route("/calculator", methods=["GET", "POST"])
@manager_page
def calculator() -> str | tuple[str, int]:
    form = {name: request.values.get(name, "") for name in CALC_FIELDS}
    if not any(form.values()):
        form = {"arrivals_per_hour": "30", "service_minutes": "10", "target_minutes": "15", "target_level": "80",
                "patience_minutes": "", "max_occupancy": "", "shrinkage": "0"}
    try:
        arrivals = _calc_number(form, "arrivals_per_hour", True)
        minutes = _calc_number(form, "service_minutes", True)
        target = _calc_number(form, "target_minutes", True)
        level = _calc_number(form, "target_level", True)
        patience = _calc_number(form, "patience_minutes", False)
        cap = _calc_number(form, "max_occupancy", False)
        shrinkage = _calc_number(form, "shrinkage", False) or 0.0
        level = level / 100 if level > 1 else level
        cap = cap / 100 if cap is not None and cap > 1 else cap
        shrinkage = shrinkage / 100 if shrinkage >= 1 else shrinkage
        answer = required_clerks(arrivals, minutes, target, level, max_occupancy=cap, shrinkage=shrinkage,
                                 patience_minutes=patience)
    except InvalidInput as exc:
        return render_template("manager/calculator.html", form=form, report=None, error=describe(exc)), 422
    curve = []
    base = answer.raw_clerks
    for clerks in range(max(1, base - 3), base + 4):
        shown = evaluate_staffing(clerks, arrivals, minutes, target, patience)
        curve.append({"clerks": clerks, "level": _json_safe(shown.service_level),
                      "wait": _json_safe(shown.average_wait_minutes)})
    return render_template("manager/calculator.html", form=form, report=staffing_calc_report(answer), error=None,
                           curve=curve, target=target)


@bp.get("/hours")
@manager_page
def hours_page() -> str | tuple[str, int]:
    try:
        office, offices, agency_id = _office()
        history_days = _int(request.args.get("history"), 56, 7, 365, gettext("Riwayat"))
        min_weekly = _int(request.args.get("min_weekly"), 30, 0, 80, gettext("Jam minimum per minggu"))
        moves = _int(request.args.get("moves"), 70, 0, 100, gettext("Persen pindah jam"))
    except DomainError as exc:
        return _problem(describe(exc), exc.status)
    except LookupError:
        return _problem(describe(NotFound("office_not_found_or_out_of_scope")), 404)
    today = service_day(now(), office.timezone)
    history = load_history(get_read_db(), office.id, today - timedelta(days=history_days), today, agency_id)
    estimates = estimate(history, resamples=100)
    pools = service_pools(history.counters, history.services)
    target = StaffingTarget(target_minutes=history.target_wait_minutes)
    rules = OpeningRules(min_weekly_hours=min_weekly, moves=moves / 100)
    options, choice = opening_recommendation(history, estimates, pools, target, rules)
    p90 = max((e.p90 for e in estimates.service_time.values() if e is not None),
              default=max((m for _, m in history.services.values()), default=10.0))
    charts = {day: [{"x": o.clerk_hours, "y": round(o.lost, 2), "label": o.label, "recommended": o.recommended}
                    for o in opts] for day, opts in options.items()}
    current = {day: [f"{a}-{b}" for a, b in spans] for day, spans in (history.hours or {}).items()}
    return render_template(
        "manager/hours.html", office=office, offices=offices, options=options, choice=choice,
        weekdays=[d for d in WEEKDAYS if d in options], charts=charts, current=current,
        history=history, min_weekly=min_weekly, moves=moves, history_days=history_days,
        total_hours=sum(o.open_hours for o in choice.values()),
        cutoff=last_ticket_cutoff(target.target_minutes, p90),
        holidays=holidays_between(today, today + timedelta(weeks=8), current_language(),
                                  office_days=history.closed_days), **agency_choices(),
    )
