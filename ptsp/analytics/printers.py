"""Printer health for the manager dashboard: each kiosk printer's state and its job backlog."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import PrintJob, TicketPrinter


def _job_counts(session: Session, printer_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not printer_ids:
        return {}
    rows = session.execute(
        select(
            PrintJob.printer_id,
            func.sum(case((PrintJob.status.in_(["pending", "printing"]), 1), else_=0)),
            func.sum(case((PrintJob.status == "failed", 1), else_=0)),
        )
        .where(PrintJob.printer_id.in_(printer_ids))
        .group_by(PrintJob.printer_id)
    )
    return {pid: (int(pending or 0), int(failed or 0)) for pid, pending, failed in rows}


def health_row(printer: TicketPrinter, pending_jobs: int, failed_jobs: int) -> dict[str, Any]:
    """Describe one printer the way the dashboard and the `printer_changed` fact do."""
    return {
        "office_id": printer.office_id,
        "printer_id": printer.id,
        "name": printer.name,
        "online": bool(printer.online),
        "paper": printer.paper,
        "last_error": printer.last_error,
        "last_seen_at": printer.last_seen_at.isoformat() if printer.last_seen_at else None,
        "pending_jobs": pending_jobs,
        "failed_jobs": failed_jobs,
    }


def printer_health(session: Session, office_ids: set[int] | None) -> list[dict[str, Any]]:
    """Return every printer of `office_ids` (None: all offices) with its state and job counts."""
    query = select(TicketPrinter).order_by(TicketPrinter.office_id, TicketPrinter.name, TicketPrinter.id)
    if office_ids is not None:
        if not office_ids:
            return []
        query = query.where(TicketPrinter.office_id.in_(office_ids))
    printers = session.scalars(query).all()
    counts = _job_counts(session, [p.id for p in printers])
    return [health_row(p, *counts.get(p.id, (0, 0))) for p in printers]
