"""Put committed print jobs on paper: the network I/O after the ticket's transaction, in bounded time.

A server-driven printer (`printers.setting`, any printers.printer_from_config string) is printed
here: the job is claimed and committed first, so two runs can never both print it, then printed
within print_timeout() seconds, then its outcome is committed. A print agent's jobs reach it as
`print_job` facts after commit (ptsp.services.printing.offer_to_agent); here they are only offered
again by the retry loop. Nothing here decides what a ticket is: that is ptsp.services.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, TypedDict

from flask import Flask, current_app
from sqlalchemy.orm import Session

from printers import PrinterStatus, TicketPrintData, print_ticket, printer_from_config
from printers.backends import Printer

from .background import run_every
from .context import db_session, now
from .models import PrintJob, Ticket
from .services import printing


class PrintOutcome(TypedDict):
    """How one attempt went, as `printing.finish` records it."""

    ok: bool
    printer_status: str
    error: str | None
    may_have_printed: bool


def print_timeout() -> float:
    """Seconds a print may hold up the kiosk (PTSP_PRINT_TIMEOUT, default 3)."""
    return float(current_app.config.get("PRINT_TIMEOUT") or os.environ.get("PTSP_PRINT_TIMEOUT", "3"))


def ticket_print_data(session: Session, job: PrintJob, at: datetime,
                      position: dict[str, Any] | None = None) -> TicketPrintData:
    """A job's ticket (or test print) as the printers package lays it out."""
    return TicketPrintData(**printing.job_print_facts(session, job, at, position))


def _device(app: Flask, setting: str) -> Printer:
    cache: dict[str, Printer] = app.extensions.setdefault("ptsp.printers", {})
    if setting not in cache:
        cache[setting] = printer_from_config(setting)
    return cache[setting]


def preview_jobs(app: Flask, setting: str) -> list[bytes]:
    """Bytes a preview printer of this process has kept, oldest first."""
    printer = app.extensions.get("ptsp.printers", {}).get(setting)
    return printer.jobs() if printer is not None and hasattr(printer, "jobs") else []


def run_job(session: Session, job_id: int, position: dict[str, Any] | None = None,
            claimed: bool = False) -> dict[str, Any]:
    """Print one committed server job now (an agent's job is only reported); return the job's state.

    `position`: the ticket's place as its issue answered it, printed as such (None: counted now). `claimed`: the
    job was committed already claimed by this caller (printing.queue_job(claimed=True)), so it is not claimed again.
    """
    job = session.get_one(PrintJob, job_id)
    printer = job.printer
    if printer.agent_id is not None:
        return {**printing.job_view(job), "via": "agent"}
    if not claimed and not printing.claim(session, job_id, now()):
        session.rollback()
        return {**printing.job_view(session.get_one(PrintJob, job_id)), "via": "server"}
    data = ticket_print_data(session, job, now(), position)
    # A printer left with neither a setting nor an agent fails its job like a wrong setting would.
    setting, width, codepage = printer.setting or "", printer.width_chars, printer.codepage
    session.commit()
    result_kwargs: PrintOutcome
    try:
        device = _device(current_app, setting)
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


def print_issued(session: Session, ticket: Ticket, job: PrintJob | None,
                 position: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Print a just-committed ticket's job; None without a printer.

    A printing bug is logged and reported as a failed print: the ticket is already committed, the
    resident still gets it on screen, and the retry loop tries the job again.
    """
    if job is None:
        return None
    job_id, claimed = job.id, job.status == "printing"  # made claimed by this request's own transaction
    try:
        return run_job(session, job_id, position, claimed)
    except Exception as exc:
        session.rollback()
        current_app.logger.exception("printing ticket %s failed unexpectedly", ticket.code)
        return {"id": job_id, "status": "failed", "last_error": f"kesalahan sistem cetak: {exc}"}


def retry_jobs() -> int:
    """Try every failed job that is safe to retry once more (offer agents theirs again); return how many printed."""
    printed = 0
    with db_session() as session:
        for job_id in printing.retryable_jobs(session):
            job = session.get_one(PrintJob, job_id)
            if job.printer.agent_id is not None:
                printing.offer_to_agent(session, job, now())
                session.commit()
                continue
            printed += run_job(session, job_id)["status"] == "printed"
        session.commit()
    return printed


def start_retry_loop(app: Flask) -> None:
    """Retry failed jobs every PTSP_PRINT_RETRY_SECONDS (default 20; 0 turns it off)."""
    interval = float(app.config.get("PRINT_RETRY_SECONDS") or os.environ.get("PTSP_PRINT_RETRY_SECONDS", "20"))
    run_every(app, interval, retry_jobs, "print retry round")


def outcome_from_status(status: str) -> str:
    """Keep only statuses the printers package knows; anything else from an agent is unknown."""
    return status if status in {s.value for s in PrinterStatus} else PrinterStatus.UNKNOWN.value
