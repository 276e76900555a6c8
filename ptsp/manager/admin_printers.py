"""Administration page for the kiosks' printers: what is known of each, binding one to a kiosk, a test print."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ptsp.context import get_db, get_read_db, now
from ptsp.domain.errors import DomainError
from ptsp.domain.hours import TIMEZONES, local_now
from ptsp.i18n.errors import describe
from ptsp.models import Office
from ptsp.printing_runner import run_job
from ptsp.services import printer_admin

from .access import admin_page, current_actor
from .blueprint import bp

Page = str | tuple[str, int]


def _local(at: datetime | None, office: Office) -> str | None:
    """A stored UTC time in the office's own zone (WIB/WITA/WIT), or None when nothing is known."""
    if at is None:
        return None
    return f"{local_now(at, office.timezone):%Y-%m-%d %H:%M:%S} {TIMEZONES.get(office.timezone, '')}".strip()


def _printers_page(*, error: str | None = None, status: int = 200, outcome: dict[str, Any] | None = None) -> Page:
    session, actor = get_read_db(), current_actor()
    page = render_template("manager/admin/printers.html", rows=printer_admin.kiosk_printers(session, actor),
                           agents=printer_admin.office_agents(session, actor), local=_local, error=error,
                           outcome=outcome, papers=list(printer_admin.PAPER_WIDTHS),
                           languages=printer_admin.LANGUAGES)
    return (page, status) if status != 200 else page


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@bp.get("/admin/printers")
@admin_page
def admin_printers() -> Page:
    return _printers_page()


@bp.post("/admin/printers/kiosk/<int(max=2147483647):kiosk_id>")
@admin_page
def admin_printer_bind(kiosk_id: int) -> Page | BaseResponse:
    form, session = request.form, get_db()
    try:
        printer_admin.bind_printer(session, current_actor(), kiosk_id=kiosk_id, setting=form.get("setting") or None,
                                   agent_id=_int(form.get("agent")), paper=form.get("paper", ""),
                                   language=form.get("language", ""), name=form.get("name"), now=now())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _printers_page(error=describe(exc), status=exc.status)
    return redirect(url_for("manager.admin_printers", saved=1))


@bp.post("/admin/printers/<int(max=2147483647):printer_id>/test")
@admin_page
def admin_printer_test(printer_id: int) -> Page:
    """Queue a test print and, for a printer the server drives, print it now (within PTSP_PRINT_TIMEOUT)."""
    session = get_db()
    try:
        job = printer_admin.queue_test_print(session, current_actor(), printer_id, request.host_url, now())
        job_id, name = job.id, job.printer.name
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _printers_page(error=describe(exc), status=exc.status)
    try:
        result = run_job(session, job_id)
    except Exception as exc:  # the job is committed; report it as failed, as a ticket's print would be
        session.rollback()
        current_app.logger.exception("test print %s failed unexpectedly", job_id)
        result = {"id": job_id, "status": "failed", "last_error": f"kesalahan sistem cetak: {exc}", "via": "server"}
    return _printers_page(outcome={**result, "name": name})
