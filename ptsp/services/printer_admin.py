"""Printer administration: each kiosk's printer and what is known of it, binding a printer to a kiosk, a test print.

Binding is what `ptsp printer set` does (`printing.set_printer`), with the administration scope and an audit
entry. From the pages only a network printer (`network:HOST[:PORT]`), the preview printer or the kiosk PC's print
agent may be bound: `file:`, `usb:`, `serial:` and `cups:` name things on the server itself (a path it writes, a
device it opens), which only the server's operator may choose, with `ptsp printer set`.

A test print is a print job of no ticket (code UJI), queued and printed through the same path as a ticket's:
a server printer by `ptsp.printing_runner.run_job` after commit, an agent's printer as a `print_job` to that agent.
A failed one is not tried again by itself; one waiting for a disconnected agent reaches it when it connects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from printers import printer_from_config

from ..domain.errors import InvalidInput
from ..models import Device, PrintJob, TicketPrinter
from . import printing
from .actors import Actor
from .admin_scope import admin_scope, require_admin_office
from .audit import record
from .lookup import get_or_404

WEB_SETTINGS = ("network", "preview")
PAPER_WIDTHS = {"58": 32, "80": 48}
LANGUAGES = ("id", "en")


def printer_state(printer: TicketPrinter) -> dict[str, Any]:
    """What the audit log keeps of a printer binding."""
    return {"kiosk": printer.device_id, "name": printer.name, "setting": printer.setting,
            "agent": printer.agent.name if printer.agent is not None else None,
            "paper_mm": 58 if printer.width_chars == 32 else 80, "language": printer.language}


@dataclass(frozen=True)
class KioskPrinter:
    """One kiosk of an administered office and what the server knows of its printer (None: no printer)."""

    kiosk: Device
    printer: TicketPrinter | None
    last_job: PrintJob | None
    failed_jobs: int
    pending_jobs: int
    agent_connected: bool | None  # None: not an agent's printer, or never heard from


def _check(session: Session, actor: Actor | None, office_id: int) -> None:
    """The `ptsp` command (actor None) acts on every office; a manager or admin within their scope."""
    if actor is not None:
        require_admin_office(session, actor, office_id)


def kiosk_printers(session: Session, actor: Actor) -> list[KioskPrinter]:
    """Every unrevoked kiosk of the offices `actor` administers, with its printer's state, by office and name."""
    scope = admin_scope(session, actor)
    query = select(Device).where(Device.kind == "kiosk", Device.revoked_at.is_(None)).order_by(
        Device.office_id, Device.name)
    if scope is not None:
        query = query.where(Device.office_id.in_(scope))
    kiosks = list(session.scalars(query))
    printers = {p.device_id: p for p in session.scalars(
        select(TicketPrinter).where(TicketPrinter.device_id.in_([k.id for k in kiosks])))}
    rows = []
    for kiosk in kiosks:
        printer = printers.get(kiosk.id)
        if printer is None:
            rows.append(KioskPrinter(kiosk, None, None, 0, 0, None))
            continue
        counts = dict(session.execute(select(PrintJob.status, func.count()).where(
            PrintJob.printer_id == printer.id).group_by(PrintJob.status)).all())
        last = session.scalar(select(PrintJob).where(PrintJob.printer_id == printer.id)
                              .order_by(PrintJob.id.desc()).limit(1))
        connected = None
        if printer.agent_id is not None and printer.last_seen_at is not None:
            connected = printer.online and printer.last_error != printing.AGENT_GONE
        rows.append(KioskPrinter(kiosk, printer, last, counts.get("failed", 0),
                                 counts.get("pending", 0) + counts.get("printing", 0), connected))
    return rows


def office_agents(session: Session, actor: Actor) -> list[Device]:
    """The unrevoked print agents of the administered offices (offered for binding)."""
    scope = admin_scope(session, actor)
    query = select(Device).where(Device.kind == "agent", Device.revoked_at.is_(None)).order_by(Device.name)
    if scope is not None:
        query = query.where(Device.office_id.in_(scope))
    return list(session.scalars(query))


def check_web_setting(setting: str) -> str:
    """A server printer's setting as the pages accept it: network:HOST[:PORT] or preview, well formed."""
    setting = setting.strip()
    if setting.partition(":")[0] not in WEB_SETTINGS:
        raise InvalidInput("printer_setting_not_from_pages", setting=setting[:60])
    try:
        printer_from_config(setting)
    except ValueError as exc:
        raise InvalidInput("printer_setting_invalid", reason=str(exc)) from None
    return setting


def bind_printer(session: Session, actor: Actor | None, *, kiosk_id: int, setting: str | None, agent_id: int | None,
                 paper: str, language: str, name: str | None, now: datetime) -> TicketPrinter:
    """Say how a kiosk prints (a printer the server drives, or its PC's print agent); audited.

    A manager or admin may bind only what `check_web_setting` accepts, or an agent; the `ptsp` command (actor
    None) any setting `printers.printer_from_config` accepts (it checks that itself). Without a name the printer
    keeps its name (a new one takes the kiosk's).
    """
    kiosk = get_or_404(session, Device, kiosk_id)
    _check(session, actor, kiosk.office_id)
    if kiosk.revoked_at is not None:
        raise InvalidInput("device_not_kiosk", device=kiosk.name)
    if paper not in PAPER_WIDTHS:
        raise InvalidInput("paper_width_invalid", width=paper)
    if language not in LANGUAGES:
        raise InvalidInput("printer_language_invalid", language=language, choices=LANGUAGES)
    if actor is not None and setting:
        setting = check_web_setting(setting)
    agent = get_or_404(session, Device, agent_id) if agent_id is not None else None
    if agent is not None and agent.revoked_at is not None:
        raise InvalidInput("device_not_office_agent", device=agent.name)
    existing = printing.printer_for_device(session, kiosk.id)
    before = printer_state(existing) if existing is not None else None
    name = (name or "").strip() or (existing.name if existing is not None else kiosk.name)
    printer = printing.set_printer(session, kiosk=kiosk, name=name, setting=setting,
                                   agent=agent, width_chars=PAPER_WIDTHS[paper], language=language)
    session.refresh(printer, ["agent"])
    after = printer_state(printer)
    if after != before:
        record(session, actor=actor, now=now, office_id=kiosk.office_id, entity="printer", entity_id=printer.id,
               action="bound" if before is None else "updated", before=before, after=after)
    return printer


def queue_test_print(session: Session, actor: Actor | None, printer_id: int, status_url: str,
                     now: datetime) -> PrintJob:
    """Queue a test print (code UJI) on a printer; the caller commits, then prints a server printer's job."""
    printer = get_or_404(session, TicketPrinter, printer_id)
    _check(session, actor, printer.office_id)
    job = PrintJob(ticket_id=None, office_id=printer.office_id, printer_id=printer.id, status="pending", attempts=0,
                   reprint=0, requested_by=actor.staff_id if actor else None, status_url=status_url,
                   may_have_printed=False, created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    printing.offer_to_agent(session, job, now)
    record(session, actor=actor, now=now, office_id=printer.office_id, entity="printer", entity_id=printer.id,
           action="test_print", after={"job": job.id, "name": printer.name,
                                       "via": "agent" if printer.agent_id is not None else "server"})
    return job
