"""Print jobs as rows: made with the ticket, claimed before each attempt, finished with the outcome.

A job is claimed by one conditional UPDATE (pending or failed -> printing), so two
retries racing for it cannot both print. A job that failed after bytes may already
have reached the printer is not retried by itself: only staff asking for a reprint
put that ticket on paper again. This module never talks to a printer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, func, insert, inspect, or_, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from printers.layout import TICKET_TEXT, format_time

from .. import config_cache, facts
from ..analytics.printers import health_row
from ..domain.errors import Forbidden, InvalidInput, InvalidTransition
from ..domain.hours import local_now, zone_label
from ..i18n import N_, SOURCE_LANGUAGE, available, catalogue_in, gettext_in
from ..models import Device, PrintJob, Ticket, TicketPrinter
from . import tickets
from .actors import Actor
from .lookup import get_or_404, publish, publish_to_agent, require_office, run_prebuilt
from .serializers import ticket_position
from .service_standard import complaint_channel

PAPER = {"ok": "ok", "paper_near_end": "low", "paper_out": "out"}
MAX_ATTEMPTS = 5
AGENT_GONE = "print agent terputus (print agent disconnected)"  # a printer's error while its agent is away
PRIORITY_LABELS = {"elderly": N_("Lansia"), "disabled": N_("Disabilitas"), "pregnant": N_("Ibu hamil / membawa bayi")}


def ticket_text(language: str) -> dict[str, str]:
    """The ticket's words (printers.layout.TICKET_TEXT) from the catalogue of the printer's language."""
    return catalogue_in(language, TICKET_TEXT)


def issue_with_job(
    session: Session, *, office_id: int, service_id: int, priority: str, actor: Actor,
    status_url: Callable[[str], str], now: datetime, walk_in: bool = False,
) -> tuple[Ticket, dict[str, Any], PrintJob | None]:
    """Issue a ticket and, when the kiosk has a printer, its print job, in the caller's one transaction.

    `status_url` turns the new ticket's token into its QR link. Returns the ticket, its position and
    the job (None without a printer). The caller commits; then a server printer prints the job
    (ptsp.printing_runner) and an agent's `print_job` goes out with the other facts.
    """
    ticket, position = tickets.issue(session, office_id=office_id, service_id=service_id, priority=priority,
                                     walk_in=walk_in, actor=actor, now=now)
    printer = printer_for_device(session, actor.device_id)
    if printer is None:
        return ticket, position, None
    # The caller prints a server printer's job right after it commits (printing_runner.print_issued): the job
    # is made already claimed, so claiming it costs no second transaction and no retry round can take it first.
    job = queue_job(session, ticket, printer, status_url(ticket.public_token), now, claimed=printer.agent_id is None)
    return ticket, position, job


def printer_for_device(session: Session, device_id: int | None) -> TicketPrinter | None:
    """Return the printer configured for a kiosk, if any."""
    if device_id is None:
        return None
    return config_cache.printer(session, device_id, lambda: session.scalar(
        select(TicketPrinter).where(TicketPrinter.device_id == device_id)))


_NEW_JOB = insert(cast(Table, PrintJob.__table__)).returning(PrintJob.__table__.c.id)


def queue_job(
    session: Session, ticket: Ticket, printer: TicketPrinter, status_url: str, now: datetime,
    requested_by: int | None = None, reprint: int = 0, claimed: bool = False,
) -> PrintJob:
    """Add a pending job for a ticket; the caller commits it with (or after) the ticket.

    `claimed`: the caller prints the job itself as soon as it has committed, so the job is made as `claim()`
    would leave it (printing, one attempt) in the same transaction. A process that stops in between leaves it
    `printing`, as one that stops between a claim and its print does: staff reprint it.
    """
    row = {"ticket_id": ticket.id, "office_id": ticket.office_id, "printer_id": printer.id,
           "status": "printing" if claimed else "pending", "attempts": 1 if claimed else 0, "reprint": reprint,
           "requested_by": requested_by, "status_url": status_url, "may_have_printed": False, "last_error": None,
           "created_at": now, "updated_at": now, "printed_at": None}
    # One INSERT built once instead of a unit of work for one row; the job then joins the session as if it had
    # been read back (with its printer and ticket), so the rest of the request and its print find it there.
    job = PrintJob(**row, printer=printer, ticket=ticket)
    job.id = session.execute(_NEW_JOB, row).scalar_one()
    make_transient_to_detached(job)
    session.add(job)
    if printer.agent_id is not None:
        offer_to_agent(session, job, now)
    return job


def offer_to_agent(session: Session, job: PrintJob, now: datetime) -> None:
    """Send a job to its print agent as `print_job` after the caller commits (nothing for a server printer)."""
    agent_id = job.printer.agent_id
    if agent_id is not None:
        publish_to_agent(session, agent_id, facts.PRINT_JOB_QUEUED, job_payload(session, job, now))


def ticket_print_facts(session: Session, ticket: Ticket, url: str, language: str, at: datetime,
                       position: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plain facts a ticket's paper shows (printers.TicketPrintData's fields), in the office's local time.

    `position` is the one the issue just answered (the screen and the paper then agree, and it is not counted
    twice); a reprint or a retry counts it afresh.
    """
    office, service = ticket.office, ticket.service
    position = position if position is not None else ticket_position(session, ticket, at)
    lang = language if language in available() else SOURCE_LANGUAGE
    priority = PRIORITY_LABELS.get(ticket.priority)
    return {
        "office_name": office.name, "service_name": service.name_id if lang == "id" else service.name_en,
        "code": ticket.code, "issued_at": local_now(ticket.issued_at, office.timezone),
        "timezone_label": zone_label(office.timezone), "people_ahead": position["people_ahead"],
        "estimated_wait_minutes": position["estimated_wait_minutes"], "status_url": url,
        "priority_label": gettext_in(lang, priority) if priority else None,
        "complaint_channel": complaint_channel(service), "language": lang, "text": ticket_text(lang),
        "fee_rupiah": service.fee_rupiah or 0, "fee_basis": service.fee_basis or "",
        "completion_days": service.completion_days,
        "appointment_time": format_time(local_now(ticket.appointment_at, office.timezone), zone_label(office.timezone),
                                        lang) if ticket.appointment_at is not None else None,
    }


TEST_CODE = "UJI"
TEST_SERVICE = N_("Cetak tiket uji")


def test_print_facts(printer: TicketPrinter, url: str, at: datetime) -> dict[str, Any]:
    """The paper of a test print (a job of no ticket): the office and its printer, code UJI, nobody waiting."""
    office = printer.office
    lang = printer.language if printer.language in available() else SOURCE_LANGUAGE
    return {
        "office_name": office.name, "service_name": f"{gettext_in(lang, TEST_SERVICE)}: {printer.name}",
        "code": TEST_CODE, "issued_at": local_now(at, office.timezone), "timezone_label": zone_label(office.timezone),
        "people_ahead": 0, "estimated_wait_minutes": 0, "status_url": url, "priority_label": None,
        "complaint_channel": office.complaint_channel or "", "language": lang, "text": ticket_text(lang),
    }


def job_print_facts(session: Session, job: PrintJob, at: datetime,
                    position: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a job's paper shows: its ticket's facts, or a test print's (`position`: see ticket_print_facts)."""
    if job.ticket is None:
        return test_print_facts(job.printer, job.status_url, job.created_at)
    return ticket_print_facts(session, job.ticket, job.status_url, job.printer.language, at, position)


def job_payload(session: Session, job: PrintJob, at: datetime) -> dict[str, Any]:
    """What a print agent needs to print one job without a database."""
    printer = job.printer
    facts = job_print_facts(session, job, at)
    ticket = {**facts, "issued_at": facts["issued_at"].isoformat()}
    return {"job": job.id, "printer": printer.id, "width_chars": printer.width_chars,
            "codepage": printer.codepage, "ticket": ticket, "reprint": job.reprint}


def claim(session: Session, job_id: int, now: datetime) -> bool:
    """Mark a job as being printed if nobody else has it and it is safe to print; True when claimed.

    A job already loaded in the session is brought up to date with the row ("fetch"): left stale,
    `finish()` would compare its outcome with the old status, see no change and write nothing,
    leaving the job `printing` for ever.
    """
    result = cast("CursorResult[Any]", session.execute(  # an UPDATE's result is a cursor result (rowcount)
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.status.in_(["pending", "failed"]),
               PrintJob.may_have_printed.is_(False), PrintJob.attempts < MAX_ATTEMPTS)
        .values(status="printing", attempts=PrintJob.attempts + 1, updated_at=now)
        .execution_options(synchronize_session="fetch")
    ))
    return result.rowcount == 1


_JOBS = cast(Table, PrintJob.__table__)
_OUTCOME = {ok: update(_JOBS).where(_JOBS.c.id == bindparam("job")).values(
    {column: bindparam(column) for column in ("status", "last_error", "may_have_printed", "updated_at",
                                             *(("printed_at",) if ok else ()))}) for ok in (True, False)}


def finish(
    session: Session, job_id: int, *, ok: bool, printer_status: str, error: str | None,
    may_have_printed: bool, now: datetime, reached: bool | None = None,
) -> PrintJob:
    """Record the outcome of one attempt on the job and its printer's live state.

    `printer_status` is a printers.PrinterStatus value; `reached` says whether the
    printer answered at all (defaults to `ok`, or to any status but offline/unknown).
    """
    job = session.get_one(PrintJob, job_id)
    outcome: dict[str, Any] = {"status": "printed" if ok else "failed",
                               "last_error": None if ok else (error or "print failed")[:1000],
                               "may_have_printed": False if ok else may_have_printed, "updated_at": now}
    if ok:
        outcome["printed_at"] = now
    # One UPDATE built once, not a unit of work for one row (a third of the kiosk's print); the loaded job is
    # told the same values as written, so it reads what the row holds.
    session.execute(_OUTCOME[ok], {"job": job_id, **outcome})
    for key, value in outcome.items():
        set_committed_value(job, key, value)
    if reached is None:
        reached = ok or printer_status in ("ok", "paper_near_end", "paper_out")
    note_printer_state(session, job.printer, online=reached and printer_status != "offline",
                       paper=PAPER.get(printer_status, "unknown"),
                       error=job.last_error, now=now)
    return job


_STATE = ("online", "paper", "last_error", "last_seen_at")
_PRINTERS = cast(Table, TicketPrinter.__table__)
_READ_STATE = select(*(_PRINTERS.c[key] for key in _STATE)).where(_PRINTERS.c.id == bindparam("printer"))


def load_printer_state(session: Session, printer: TicketPrinter) -> None:
    """Read the state of a printer the copies gave with its set-up only (config_cache.printer), in one SELECT built
    once rather than the ORM's load of expired attributes; nothing for a printer whose state is loaded."""
    if "online" not in inspect(printer).unloaded:
        return
    row = run_prebuilt(session, _READ_STATE, {"printer": printer.id}).one()
    for key, value in zip(_STATE, row, strict=True):
        set_committed_value(printer, key, value)


def note_printer_state(
    session: Session, printer: TicketPrinter, *, online: bool, paper: str, error: str | None, now: datetime
) -> None:
    """Store a printer's state; when it changed, publish `printer_changed` to its office."""
    load_printer_state(session, printer)
    before = (printer.online, printer.paper, printer.last_error)
    if online and paper == "unknown":
        paper = printer.paper  # a printer that cannot report paper keeps what we knew
    # Seen to the minute, as the pages show it: a printer that prints well is not written for every ticket.
    seen = now if online and not _same_minute(printer.last_seen_at, now) else printer.last_seen_at
    if (online, paper, error, seen) != (*before, printer.last_seen_at):
        printer.online, printer.paper, printer.last_error, printer.last_seen_at = online, paper, error, seen
    session.flush()
    if before != (printer.online, printer.paper, printer.last_error):
        publish(session, printer.office_id, facts.PRINTER_CHANGED, printer_health_view(session, printer))


def _same_minute(seen: datetime | None, now: datetime) -> bool:
    return seen is not None and seen.replace(second=0, microsecond=0) == now.replace(second=0, microsecond=0)


def printer_health_view(session: Session, printer: TicketPrinter) -> dict[str, Any]:
    load_printer_state(session, printer)
    counts = dict(session.execute(
        select(PrintJob.status, func.count()).where(PrintJob.printer_id == printer.id).group_by(PrintJob.status)
    ).all())
    return health_row(printer, counts.get("pending", 0) + counts.get("printing", 0), counts.get("failed", 0))


def recent_jobs(session: Session, printer_id: int, limit: int = 6) -> list[PrintJob]:
    """Return a printer's latest jobs, newest first."""
    return list(session.scalars(
        select(PrintJob).where(PrintJob.printer_id == printer_id).order_by(PrintJob.id.desc()).limit(limit)
    ))


def agent_printers(session: Session, agent_id: int) -> list[TicketPrinter]:
    """Return the printers a print agent drives."""
    return list(session.scalars(select(TicketPrinter).where(TicketPrinter.agent_id == agent_id)))


def retryable_jobs(session: Session, printer_ids: list[int] | None = None) -> list[int]:
    """Return failed jobs that are safe to try again (nothing may have printed), oldest first.

    A failed test print (no ticket) is not tried again: it showed how the printer was, and owes no resident a
    paper. One still pending (waiting for its print agent to connect) is offered like any job.
    """
    query = select(PrintJob.id).where(
        PrintJob.status.in_(["pending", "failed"]), PrintJob.may_have_printed.is_(False),
        PrintJob.attempts < MAX_ATTEMPTS, or_(PrintJob.ticket_id.is_not(None), PrintJob.status == "pending"),
    ).order_by(PrintJob.id)
    if printer_ids is not None:
        query = query.where(PrintJob.printer_id.in_(printer_ids))
    return list(session.scalars(query))


def request_reprint(session: Session, *, ticket_id: int, actor: Actor, status_url: str, now: datetime) -> PrintJob:
    """Make a new job for a ticket on its kiosk's printer; a supervisor or the office's clerk may ask."""
    if actor.kind != "staff":
        raise Forbidden("reprint_staff_only")
    ticket = get_or_404(session, Ticket, ticket_id)
    require_office(session, actor, ticket.office_id)
    if ticket.status in ("done", "no_show", "cancelled", "expired"):
        raise InvalidTransition("reprint_ticket_finished", ticket=ticket.code)
    printer = printer_for_device(session, ticket.device_id)
    if printer is None:
        raise InvalidInput("reprint_no_kiosk_printer", ticket=ticket.code)
    last = session.scalar(select(func.max(PrintJob.reprint)).where(PrintJob.ticket_id == ticket.id))
    return queue_job(session, ticket, printer, status_url, now, requested_by=actor.staff_id,
                     reprint=0 if last is None else last + 1)


def job_view(job: PrintJob) -> dict[str, Any]:
    return {"id": job.id, "ticket": job.ticket_id, "printer": job.printer_id, "status": job.status,
            "attempts": job.attempts, "last_error": job.last_error, "may_have_printed": job.may_have_printed,
            "reprint": job.reprint, "requested_by": job.requested_by,
            "printed_at": job.printed_at.isoformat() if job.printed_at else None}


def set_printer(
    session: Session, *, kiosk: Device, name: str, setting: str | None, agent: Device | None,
    width_chars: int, language: str = "id",
) -> TicketPrinter:
    """Create or change the printer of a kiosk (server-driven `setting`, or a print `agent`)."""
    if kiosk.kind != "kiosk":
        raise InvalidInput("device_not_kiosk", device=kiosk.name)
    if (setting is None) == (agent is None):
        raise InvalidInput("printer_setting_or_agent")
    if agent is not None and (agent.kind != "agent" or agent.office_id != kiosk.office_id):
        raise InvalidInput("device_not_office_agent", device=agent.name)
    if width_chars not in (32, 48):
        raise InvalidInput("paper_width_invalid", width=width_chars)
    printer = printer_for_device(session, kiosk.id) or TicketPrinter(
        office_id=kiosk.office_id, device_id=kiosk.id, online=False, paper="unknown", codepage="CP1252")
    printer.name, printer.setting, printer.width_chars, printer.language = name, setting, width_chars, language
    printer.agent_id = agent.id if agent else None
    session.add(printer)
    session.flush()
    return printer
