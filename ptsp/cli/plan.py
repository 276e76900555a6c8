"""`ptsp staffing` and `ptsp plan`: clerks needed and shift plans."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from ptsp.i18n.errors import describe

from ._base import _app, _office, cli


@cli.group()
def staffing() -> None:
    """Staffing maths for managers (Erlang C, or Erlang A with patience)."""


@staffing.command("calc")
@click.option("--arrivals-per-hour", type=float, required=True, help="Residents arriving per hour")
@click.option("--service-minutes", type=float, required=True, help="Average minutes of work per resident")
@click.option("--target-minutes", type=float, required=True, help="Called within this many minutes...")
@click.option("--target-level", type=float, required=True, help="...for this share of residents (0.8 or 80)")
@click.option("--patience-minutes", type=float, help="Average patience before walking away (Erlang A)")
@click.option("--max-occupancy", type=float, help="Cap on clerk occupancy, e.g. 0.85")
@click.option("--shrinkage", type=float, default=0.0, show_default=True, help="Share of paid time off the counter")
@click.option("--json", "as_json", is_flag=True, help="Print JSON")
def staffing_calc(arrivals_per_hour: float, service_minutes: float, target_minutes: float, target_level: float,
                  patience_minutes: float | None, max_occupancy: float | None, shrinkage: float,
                  as_json: bool) -> None:
    """Print how many clerks meet a service-level target."""
    import json

    from ..domain.erlang import InvalidStaffingInput
    from ..domain.staffing_calculator import required_clerks, staffing_calc_report

    level = target_level / 100 if target_level > 1 else target_level
    try:
        answer = required_clerks(arrivals_per_hour, service_minutes, target_minutes, level,
                                 max_occupancy=max_occupancy, shrinkage=shrinkage, patience_minutes=patience_minutes)
    except InvalidStaffingInput as exc:
        raise click.UsageError(describe(exc)) from None
    report = staffing_calc_report(answer)
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    labels = {
        "clerks": "Petugas dijadwalkan (clerks to schedule)",
        "clerks_before_shrinkage": "Petugas di loket (clerks at counters)",
        "probability_of_waiting": "Peluang menunggu (P wait)",
        "service_level": f"Dipanggil ≤ {target_minutes:g} menit (service level)",
        "average_wait_minutes": "Rata-rata tunggu, menit (average wait)",
        "occupancy": "Okupansi petugas (occupancy)",
        "abandonment_probability": "Peluang pergi (abandonment)",
    }
    for key, value in report.items():
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        click.echo(f"{labels.get(key, key):45} {shown}")


@cli.command("plan")
@click.option("--office", "office_slug", required=True, help="Office slug")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)")
@click.option("--weeks", type=click.IntRange(1, 52), default=1, show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write CSV files here")
@click.option("--history-days", type=click.IntRange(7, 730), default=56, show_default=True,
              help="Days of history before --from to learn from")
@click.option("--target-level", type=float, default=0.8, show_default=True, help="Share called within the target")
@click.option("--target-minutes", type=float, help="Target wait (default: the office's own)")
@click.option("--min-weekly-hours", type=float, default=0.0, show_default=True, help="Required hours per clerk")
@click.option("--max-weekly-hours", type=float, default=40.0, show_default=True)
@click.option("--replications", type=click.IntRange(0, 200), default=10, show_default=True,
              help="Simulated days per weekday (0: no simulation)")
def plan(office_slug: str, start: datetime, weeks: int, out_dir: Path | None, history_days: int,
         target_level: float, target_minutes: float | None, min_weekly_hours: float, max_weekly_hours: float,
         replications: int) -> None:
    """Plan clerks and shifts for an office from its ticket history; print tables, write CSV."""
    from ..analytics.planning import build_plan
    from ..domain.errors import DomainError

    settings = _plan_settings(target_level, target_minutes, history_days, min_weekly_hours, max_weekly_hours,
                              replications)
    app = _app()
    with app.app_context():
        from ..context import db_session

        with db_session(readonly=True) as session:
            office = _office(session, office_slug)
            try:
                result = build_plan(session, office.id, start.date(), weeks, settings)
            except DomainError as exc:
                raise click.ClickException(describe(exc)) from None
    _echo_plan(result, start, weeks, out_dir)


def _plan_settings(target_level: float, target_minutes: float | None, history_days: int, min_weekly_hours: float,
                   max_weekly_hours: float, replications: int):
    from ..analytics.planning import PlanSettings
    from ..domain.errors import DomainError
    from ..domain.shifts import ShiftRules

    level = target_level / 100 if target_level > 1 else target_level
    if not 0 < level <= 1:
        raise click.UsageError("--target-level must be above 0 and at most 1 (or a percentage)")
    try:
        return PlanSettings(
            target_level=level, target_minutes=target_minutes, history_days=history_days,
            shift_rules=ShiftRules(min_weekly_hours=min_weekly_hours, max_weekly_hours=max_weekly_hours),
            simulate=replications > 0, replications=max(replications, 1),
        )
    except DomainError as exc:
        raise click.UsageError(describe(exc)) from None


def _echo_plan(result, start: datetime, weeks: int, out_dir: Path | None) -> None:
    from ..analytics import plan_report

    tables = plan_report.all_tables(result)
    h = result.history
    click.echo(f"Rencana {h.name} ({h.slug}) dari {start.date()} selama {weeks} minggu; riwayat {h.start} - {h.end}, "
               f"{len(h.open_days)} hari buka, {len(h.records)} tiket.")
    if not h.open_days:
        click.echo("Peringatan: tidak ada riwayat tiket; rencana hanya menjaga satu petugas per loket yang buka. "
                   "(Warning: no ticket history; the plan only keeps one clerk at each open pool.)")
    click.echo(f"Target: {result.target.target_level:.0%} dipanggil dalam {result.target.target_minutes:g} menit. "
               f"Kelompok layanan (pools): {', '.join('+'.join(sorted(p)) for p in result.pools)}")
    sections = [
        ("Ringkasan per hari (per weekday)", "days", None),
        ("Kebutuhan per jam: poin = menit standar (hourly need; points = standard minutes)", "hourly",
         ["weekday", "hour", "arrivals", "points", "ledger_points", "outreach_hours", "erlangs", "clerks_needed",
          "clerks_planned",
          "predicted_service_level", "simulated_service_level", "predicted_wait_minutes", "simulated_wait_minutes"]),
        ("Shift (MILP, HiGHS)", "shifts", None),
        ("Roster minggu pertama (first week's roster)", "roster", None),
        ("Uji balik: model pada kedatangan dan loket nyata vs kenyataan; kolom plan_* = kontrafaktual rencana "
         "(backtest: the model on actual arrivals and open counters vs what happened; plan_* = the plan's "
         "counterfactual, had it been staffed as planned)", "backtest", None),
        ("Galat model per jam (model error per hour of day: mean absolute error)", "backtest_error", None),
    ]
    for title, name, columns in sections:
        click.echo(f"\n== {title} ==")
        click.echo(plan_report.format_table(tables[name], columns))
    note = plan_report.patience_note(result)
    if note["estimable"]:
        click.echo(f"\nKesabaran (patience): {note['mean']} menit dari {note['walked_away']} batal + "
                   f"{note['expired']} kedaluwarsa (walk-aways); {note['no_shows']} tidak hadir tidak dipakai. "
                   "Erlang A dipakai.")
    else:
        why = ("terlalu sedikit yang pergi (too few walk-aways)" if note["reason"] == "few_walk_aways" else
               f"hasil ({note['mean']} menit) lebih lama dari tunggu terlama ({note['longest_wait']} menit)")
        click.echo(f"\nKesabaran tidak dapat diperkirakan (patience cannot be estimated): {why}; "
                   f"{note['walked_away']} batal + {note['expired']} kedaluwarsa, {note['no_shows']} tidak hadir. "
                   "Angka memakai Erlang C: warga dianggap menunggu sampai dipanggil "
                   "(Erlang C fallback: residents wait until called).")
    for week in result.weeks:
        click.echo(f"\nMinggu {week.monday}: {week.shifts.status}, {week.shifts.clerks} petugas, "
                   f"{week.shifts.clerk_hours} jam-petugas (clerk-hours)")
    click.echo("\n== Jam buka: pilihan dan biaya (opening hours: options and their cost) ==")
    click.echo(plan_report.format_table(plan_report.opening_rows(result, per_day=3)))
    click.echo(f"\nBatas tiket terakhir yang disarankan: {result.cutoff_minutes} menit sebelum tutup "
               f"(recommended last-ticket cutoff; now {h.last_ticket_minutes}).")
    if out_dir is not None:
        paths = plan_report.write_csv(tables, out_dir)
        click.echo(f"\nCSV: {', '.join(str(p) for p in paths)}")
