"""Retention of what a jemput bola request holds about a resident (UU 27/2022; docs/outreach.md, "Privacy").

The name, contact, place and reason, and the notes of its stages, are kept while the request needs them: until
`PTSP_OUTREACH_DAYS` (default 14) after it was done or cancelled, then emptied by `ptsp retention purge`. The
request's office, service, channel, stages and times, officer and travel minutes stay: they are what the points
ledger, the planning pages and the first-response counts rest on. An open request keeps its data. A second run
changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..domain.outreach import CLOSED
from ..models import OutreachEvent, OutreachRequest

PURGED = "-"  # what a purged name, contact or place reads (the columns are not nullable)


def purge_outreach(session: Session, *, closed_before: datetime, now: datetime, dry_run: bool = False) -> int:
    """Empty the personal data of requests closed before `closed_before`; return how many. The caller commits."""
    ids = list(session.scalars(select(OutreachRequest.id).where(
        OutreachRequest.status.in_(CLOSED), OutreachRequest.closed_at < closed_before,
        OutreachRequest.purged_at.is_(None))))
    if not dry_run and ids:
        session.execute(update(OutreachRequest).where(OutreachRequest.id.in_(ids)).values(
            name=PURGED, contact=PURGED, place=PURGED, reason="", purged_at=now)
            .execution_options(synchronize_session=False))
        session.execute(update(OutreachEvent).where(OutreachEvent.request_id.in_(ids)).values(note=None)
                        .execution_options(synchronize_session=False))
    return len(ids)
