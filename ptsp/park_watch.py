"""The minute round that closes parked tickets past their deadline (docs/queue.md).

Every minute each office's parked tickets whose `parked_until` has passed become no-shows
(`services.parking.lapse_overdue`), one transaction per office, and their facts go out after the commit as any
other. Several server processes may run the round at once: the update is conditional on the ticket still being
parked, read under FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite serialises writers), so a ticket is closed once
and its event written once.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import select

from .background import run_every
from .context import db_session, now
from .models import Ticket
from .models.tickets import PARKED
from .services.actors import SYSTEM
from .services.parking import lapse_overdue


def lapse_round(at: datetime | None = None) -> int:
    """Close every office's overdue parked tickets; return how many."""
    at = at or now()
    closed = 0
    with db_session() as session:
        # The status written into the SQL: both databases then read only the partial index of parked tickets.
        offices = session.scalars(select(Ticket.office_id).where(
            PARKED, Ticket.parked_until < at).distinct()).all()
        session.rollback()
        for office_id in offices:
            try:
                closed += lapse_overdue(session, office_id=office_id, actor=SYSTEM, now=at)
                session.commit()
            except Exception:  # one office's failure must not skip the others
                session.rollback()
                current_app.logger.exception("parked tickets of office %s not closed", office_id)
    return closed


def start_park_round(app: Flask) -> None:
    """Run `lapse_round` every minute for as long as the server runs."""
    run_every(app, 60, lapse_round, "parked tickets round")
