"""Put issued tickets on paper: after the ticket commits, in bounded time, never twice by accident.

A kiosk's printer is either driven from the server (`printers.setting`, any
printers.printer_from_config string) or by the print agent on the kiosk PC
(`printers.agent_id`), which gets jobs over Socket.IO and claims each before
printing. Either way the job row is committed together with the ticket, so a
printer fault can delay a printout but never lose the ticket or its job.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_request_context, request

from printers import PrinterStatus, TicketPrintData, print_ticket, printer_from_config
from printers.backends import Printer
from ptsp.context import db_session, now
from ptsp.domain.hours import local_now, zone_label
from ptsp.facts import PRINT_JOB_QUEUED
from ptsp.models import PrintJob, Ticket
from ptsp.realtime import emit_fact, socketio
from ptsp.services import printing
from ptsp.services.views import ticket_position

PRIORITY_LABELS = {
    "id": {"elderly": "Lansia", "disabled": "Disabilitas", "pregnant": "Ibu hamil / membawa bayi"},
    "en": {"elderly": "Elderly", "disabled": "Disability", "pregnant": "Pregnant / with infant"},
}


def print_timeout() -> float:
    """Seconds a print may hold up the kiosk (PTSP_PRINT_TIMEOUT, default 3)."""
    return float(current_app.config.get("PRINT_TIMEOUT") or os.environ.get("PTSP_PRINT_TIMEOUT", 3))


def agent_room(agent_id: int) -> str:
    return f"agent:{agent_id}"


def status_url(token: str) -> str:
    """The resident's status page for a ticket token: the QR code's target."""
    base = current_app.config.get("PUBLIC_URL")
    if not base and has_request_context():
        base = request.host_url
    return f"{(base or 'http://localhost:5000').rstrip('/')}/t/{token}"


def ticket_print_data(session: Any, ticket: Ticket, url: str, language: str, at: datetime) -> TicketPrintData:
    """Resolve a ticket to the plain facts its paper shows, in the office's local time."""
    office, service = ticket.office, ticket.service
    position = ticket_position(session, ticket, at)
    lang = language if language in ("id", "en") else "id"
    return TicketPrintData(
        office_name=office.name,
        service_name=service.name_id if lang == "id" else service.name_en,
        code=ticket.code,
        issued_at=local_now(ticket.issued_at, office.timezone),
        timezone_label=zone_label(office.timezone),
        people_ahead=position["people_ahead"],
        estimated_wait_minutes=position["estimated_wait_minutes"],
        status_url=url,
        priority_label=PRIORITY_LABELS[lang].get(ticket.priority),
        complaint_channel=office.complaint_channel or "",
        language=lang,
    )


def job_payload(session: Any, job: PrintJob, at: datetime) -> dict[str, Any]:
    """What a print agent needs to print one job without a database."""
    printer = job.printer
    data = ticket_print_data(session, job.ticket, job.status_url, printer.language, at)
    ticket = {**data.__dict__, "issued_at": data.issued_at.isoformat()}
    return {"job": job.id, "printer": printer.id, "width_chars": printer.width_chars,
            "codepage": printer.codepage, "ticket": ticket, "reprint": job.reprint}


def _device(app: Flask, setting: str) -> Printer:
    cache: dict[str, Printer] = app.extensions.setdefault("ptsp.printers", {})
    if setting not in cache:
        cache[setting] = printer_from_config(setting)
    return cache[setting]


def preview_jobs(app: Flask, setting: str) -> list[bytes]:
    """Bytes a preview printer of this process has kept, oldest first."""
    printer = app.extensions.get("ptsp.printers", {}).get(setting)
    return printer.jobs() if printer is not None and hasattr(printer, "jobs") else []


def run_job(job_id: int) -> dict[str, Any]:
    """Print one job now (server printer) or hand it to its print agent; return the job's state.

    Runs outside any ticket transaction and gives the printer at most print_timeout() seconds.
    """
    app = current_app._get_current_object()
    with db_session() as session:
        job = session.get(PrintJob, job_id)
        printer = job.printer
        if printer.agent_id is not None:
            payload = job_payload(session, job, now())
            emit_fact(PRINT_JOB_QUEUED, payload, to=agent_room(printer.agent_id))
            return {**printing.job_view(job), "via": "agent"}
        if not printing.claim(session, job_id, now()):
            session.rollback()
            return {**printing.job_view(session.get(PrintJob, job_id)), "via": "server"}
        data = ticket_print_data(session, job.ticket, job.status_url, printer.language, now())
        setting, width, codepage = printer.setting, printer.width_chars, printer.codepage
        session.commit()
        try:
            device = _device(app, setting)
        except ValueError as exc:
            result_kwargs = {"ok": False, "printer_status": "unknown", "error": f"setelan printer salah: {exc}",
                             "may_have_printed": False}
        else:
            result = print_ticket(device, data, width, print_timeout(), codepage=codepage)
            result_kwargs = {"ok": result.ok, "printer_status": result.status.value, "error": result.reason,
                             "may_have_printed": result.may_have_printed}
        job = printing.finish(session, job_id, now=now(), **result_kwargs)
        session.commit()
        return {**printing.job_view(job), "via": "server"}


def retry_jobs() -> int:
    """Try every failed job that is safe to retry once more; return how many printed."""
    with db_session(readonly=True) as session:
        job_ids = printing.retryable_jobs(session)
    printed = 0
    for job_id in job_ids:
        printed += run_job(job_id)["status"] == "printed"
    return printed


def start_retry_loop(app: Flask) -> None:
    """Retry failed jobs every PTSP_PRINT_RETRY_SECONDS (default 20; 0 turns it off)."""
    interval = float(app.config.get("PRINT_RETRY_SECONDS") or os.environ.get("PTSP_PRINT_RETRY_SECONDS", 20))
    if interval <= 0:
        return

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            with app.app_context():
                try:
                    retry_jobs()
                except Exception:  # a broken round must not stop the next one
                    app.logger.exception("print retry round failed")

    socketio.start_background_task(loop)


def outcome_from_status(status: str) -> str:
    """Keep only statuses the printers package knows; anything else from an agent is unknown."""
    return status if status in {s.value for s in PrinterStatus} else PrinterStatus.UNKNOWN.value


def issue_and_print(actor: Any, *, office_id: int, service_id: int, priority: str) -> tuple[Ticket, dict, dict | None]:
    """Issue a ticket, commit it with its print job, then print within the timeout.

    Returns the ticket, its position and the print outcome (None when the caller
    has no printer). A printing bug is logged and reported as a failed print: the
    ticket is already committed and the resident still gets it on screen.
    """
    from ptsp.context import get_db
    from ptsp.services import tickets

    session = get_db()
    ticket, position = tickets.issue(session, office_id=office_id, service_id=service_id, priority=priority,
                                     actor=actor, now=now())
    printer = printing.printer_for_device(session, actor.device_id)
    url = status_url(ticket.public_token)
    job = printing.queue_job(session, ticket, printer, url, now()) if printer is not None else None
    session.commit()
    if job is None:
        return ticket, position, None
    try:
        outcome = run_job(job.id)
    except Exception as exc:  # the ticket is saved; the retry loop will try the job again
        current_app.logger.exception("printing ticket %s failed unexpectedly", ticket.code)
        outcome = {"id": job.id, "status": "failed", "last_error": f"kesalahan sistem cetak: {exc}"}
    return ticket, position, outcome
