"""Manager pages for accountability: offices in funnel plots, referrals, ping-pong, discipline of service."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import redirect, render_template, request, url_for
from flask_babel import gettext

from ptsp.analytics import offices as office_figures
from ptsp.analytics import pingpong as pingpong_figures
from ptsp.analytics.complaints import quarterly_complaints
from ptsp.analytics.discipline import overview, settings_for, visible_violations
from ptsp.analytics.filters import reader_agency, scoped_agency
from ptsp.analytics.referrals import list_referrals, quarterly_ranking
from ptsp.context import get_db, get_read_db, now
from ptsp.domain import discipline as discipline_rules
from ptsp.domain import hours as office_hours
from ptsp.domain import referrals as referral_rules
from ptsp.domain.errors import DomainError, Forbidden, InvalidInput
from ptsp.domain.pingpong import REASONS
from ptsp.i18n.errors import describe
from ptsp.models import Counter, Service, Staff
from ptsp.services.discipline import set_tolerance
from ptsp.services.lookup import office_scope

from .access import agency_choices, current_actor, manager_page, visible_offices
from .blueprint import bp
from .points import refuses_bad_filters

DEFAULT_DAYS = 90
MAX_DAYS = 400


def _today() -> date:
    return now().astimezone(ZoneInfo("Asia/Jakarta")).date()


def _period(default_days: int = DEFAULT_DAYS) -> tuple[date, date, str | None]:
    """Read ?from=&to= (ISO days); bad or too long a period falls back to the default, with a message."""
    last, first = _today(), _today() - timedelta(days=default_days - 1)
    try:
        if request.args.get("to"):
            last = date.fromisoformat(request.args["to"])
        if request.args.get("from"):
            first = date.fromisoformat(request.args["from"])
        else:
            first = last - timedelta(days=default_days - 1)
    except (ValueError, OverflowError):  # OverflowError: a `to` too early to count the default period back from
        return _today() - timedelta(days=default_days - 1), _today(), "Tanggal tidak valid; memakai bawaan."
    if first > last or (last - first).days >= MAX_DAYS:
        return _today() - timedelta(days=default_days - 1), _today(), \
            f"Periode harus 1–{MAX_DAYS} hari; memakai bawaan."
    return first, last, None


def _digits(raw: str) -> bool:
    """A whole number int() reads: ASCII digits, at most 10 (int() raises past 4,300 digits, a 500)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 10


def _office_arg(offices: list[Any]) -> int | None:
    raw = request.args.get("office", "")
    ids = {o.id for o in offices}
    return int(raw) if _digits(raw) and int(raw) in ids else None


@bp.get("/offices")
@manager_page
def offices() -> str:
    first, last, problem = _period()
    mine = [o for o in visible_offices() if office_figures.has_hours(o)]
    pair = None
    a, b = request.args.get("a", ""), request.args.get("b", "")
    if _digits(a) and _digits(b):
        pair = (int(a), int(b))
    data = office_figures.report(get_read_db(), mine, first, last, now(), pair=pair)
    shown = pair or (tuple(data["pooling"][0]["offices"]) if data["pooling"] else None)
    return render_template("manager/offices.html", data=data, offices=mine, first=first, last=last,
                           problem=problem, pair=shown)


@bp.get("/referrals")
@manager_page
@refuses_bad_filters
def referrals() -> str:
    session = get_read_db()
    mine = visible_offices()
    scope = office_scope(session, current_actor())
    office_id = _office_arg(mine)
    status = request.args.get("status") or None
    if status not in (None, referral_rules.REFERRED, *referral_rules.STEPS, referral_rules.RETURNED):
        status = None
    try:
        quarter = referral_rules.Quarter.parse(request.args["quarter"]) if request.args.get("quarter") else \
            referral_rules.Quarter.of(now(), "Asia/Jakarta")
        problem = None
    except InvalidInput as exc:
        quarter, problem = referral_rules.Quarter.of(now(), "Asia/Jakarta"), describe(exc)
    agency_id = reader_agency(session, current_actor(), office_id, request.args.get("agency"))
    rows = list_referrals(session, scope, now(), office_id=office_id, status=status, limit=100, agency_id=agency_id)
    breaches = list_referrals(session, scope, now(), office_id=office_id, breached_only=True, limit=300,
                              agency_id=agency_id)
    ranking = quarterly_ranking(session, scope, quarter, now(), agency_id)
    complaint_rows = quarterly_complaints(session, scope, quarter, now(), agency_id)
    quarters, q = [], referral_rules.Quarter.of(now(), "Asia/Jakarta")
    for _ in range(8):
        quarters.append(q)
        q = referral_rules.Quarter(q.year - (q.number == 1), 4 if q.number == 1 else q.number - 1)
    return render_template("manager/referrals.html", rows=rows, breaches=breaches, ranking=ranking,
                           complaints=complaint_rows,
                           quarter=quarter, quarters=quarters, offices=mine, office_id=office_id, status=status,
                           labels=referral_rules.LABELS, problem=problem, zones=_zones(mine), **agency_choices())


def _zones(offices: list[Any]) -> dict[int, str]:
    return {o.id: o.timezone for o in offices}


@bp.app_template_filter("local_time")
def _local(value: str | datetime | None, timezone: str = "Asia/Jakarta", fmt: str = "%d-%m-%Y %H:%M") -> str:
    """Show an instant in an office's local time."""
    if not value:
        return "–"
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    return instant.astimezone(ZoneInfo(timezone)).strftime(fmt)


@bp.get("/pingpong")
@manager_page
@refuses_bad_filters
def pingpong() -> str:
    first, last, problem = _period(30)
    mine = [o for o in visible_offices() if office_figures.has_hours(o)]
    office_id = _office_arg(mine)
    chosen = [o for o in mine if office_id is None or o.id == office_id]
    reach = scoped_agency(get_read_db(), current_actor(), request.args.get("agency"), [o.id for o in chosen])
    chosen = [o for o in chosen if o.id in reach.office_ids]
    data = pingpong_figures.report(get_read_db(), chosen, first, last, agency_id=reach.agency_id)
    return render_template("manager/pingpong.html", data=data, offices=mine, office_id=office_id, first=first,
                           last=last, problem=problem, reasons=REASONS, **agency_choices())


PER_PAGE = 50
RANKED = 30


def _page_arg() -> int:
    raw = request.args.get("page", "")
    return int(raw) if _digits(raw) and 1 <= int(raw) <= 100_000 else 1


def _week_of(office: Any) -> list[dict[str, Any]]:
    """An office's week as the discipline rules read it: opening intervals, and each gap a declared closure or a
    staff break."""
    try:
        week = office_hours.parse_week(office.hours or {})
    except InvalidInput:
        return []
    closures = office_hours.read_closures(office.closures)
    days = []
    for weekday in office_hours.WEEKDAYS:
        intervals = week.get(weekday, [])
        if not intervals:
            continue
        declared = {(c.start, c.end): c.reason for c in closures.get(weekday, [])}
        days.append({
            "weekday": weekday,
            "intervals": [f"{a:%H:%M}–{b:%H:%M}" for a, b in intervals],
            "gaps": [{"span": f"{a:%H:%M}–{b:%H:%M}", "closed": (a, b) in declared,
                      "reason": declared.get((a, b), "")} for a, b in office_hours.day_gaps(intervals)],
        })
    return days


def _discipline_page(problem: str | None = None, tolerance_input: dict[str, str] | None = None,
                     status: int = 200) -> tuple[str, int]:
    first, last, period_problem = _period(30)
    session = get_read_db()
    actor = current_actor()
    mine = visible_offices()
    office_id = _office_arg(mine)
    kind = request.args.get("kind") if request.args.get("kind") in discipline_rules.KINDS else None
    filters: dict[str, Any] = {"office_id": office_id, "kind": kind, "first_day": first, "last_day": last,
                               "agency_id": reader_agency(session, actor, office_id, request.args.get("agency"))}
    seen = overview(session, actor, **filters)
    pages = max(1, -(-seen.total // PER_PAGE))
    page = min(_page_arg(), pages)
    rows = visible_violations(session, actor, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, **filters)
    ranking = seen.ranking[:RANKED]
    staff_ids = {v.staff_id for v in rows if v.staff_id} | {r["staff"] for r in ranking if r["staff"]}
    names = {s.id: s.name for s in session.query(Staff).filter(Staff.id.in_(staff_ids))} if staff_ids else {}
    counters = {c.id: c.number for c in session.query(Counter)}
    services = {s.id: s.prefix for s in session.query(Service)}
    office_names = {o.id: o.name for o in mine}
    chosen = next((o for o in mine if o.id == office_id), None)
    settings = settings_for(session, chosen.id) if chosen is not None else None
    if tolerance_input is None and settings is not None:
        tolerance_input = {k: str(v) for k, v in settings.tolerance.items()}
    week_offices = [chosen] if chosen is not None else [o for o in mine if o.hours][:3]
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "manager/discipline.html", rows=rows, summary={"per_kind": seen.per_kind, "per_day": seen.per_day},
        ranking=ranking, ranked_more=max(0, len(seen.ranking) - RANKED), total=seen.total, page=page,
        pages=pages, per_page=PER_PAGE, query=query, names=names, counters=counters, services=services,
        office_names=office_names, offices=mine, office_id=office_id, kind=kind, kinds=discipline_rules.KINDS,
        labels=discipline_rules.LABELS, labels_shown=_translated(discipline_rules.LABELS), first=first, last=last,
        problem=problem or period_problem, zones=_zones(mine), chosen=chosen, tolerance=tolerance_input or {},
        max_tolerance=discipline_rules.MAX_TOLERANCE_MINUTES, saved=request.args.get("saved") == "1",
        tolerance_problem=problem if request.method == "POST" else None,
        weeks=[(o, _week_of(o)) for o in week_offices], **agency_choices(),
    ), status


@bp.get("/discipline")
@manager_page
@refuses_bad_filters
def discipline() -> tuple[str, int]:
    return _discipline_page()


@bp.post("/discipline/tolerance")
@manager_page
def discipline_tolerance() -> Any:
    """Set the chosen office's tolerance per rule (a form with its CSRF token); bad input changes nothing."""
    raw = {k: request.form.get(k, "") for k in discipline_rules.KINDS}
    office = request.form.get("office", "")
    mine = {o.id for o in visible_offices()}
    if not _digits(office) or int(office) not in mine:
        return _discipline_page(gettext("Pilih kantor Anda untuk mengatur toleransi."), raw, 400)
    try:
        set_tolerance(get_db(), current_actor(), office_id=int(office), raw=raw, now=now())
    except DomainError as exc:
        get_db().rollback()
        return _discipline_page(describe(exc), raw, 403 if isinstance(exc, Forbidden) else 400)
    get_db().commit()
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k in ("kind", "from", "to")}
    return redirect(url_for("manager.discipline", office=office, saved=1, **kept))


@bp.get("/dinas")
def department_desk() -> str:
    """The department's own page: its token travels in the URL fragment (#token=…), never to the server's logs.

    No staff login: the page calls the REST API with the department's bearer token.
    """
    return render_template("manager/department.html", labels_shown=_translated(referral_rules.LABELS),
                           steps=referral_rules.STEPS)


def _translated(labels: dict[str, str]) -> dict[str, str]:
    """A label table (msgids by key) in the request's language, for a page's script."""
    return {key: gettext(label) for key, label in labels.items()}
