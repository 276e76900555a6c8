"""Retention of what residents leave behind (UU 27/2022; docs/security.md, "Residents' privacy").

`purge` keeps what managers count (every rating's scores, each complaint's office, service, counter, clerk,
channel, statuses and times, so SKM, complaint handling times and points stay as they were) and removes
what a resident wrote or could be traced by:

- the text and the resident's contact (if given) of closed complaints received before the cut-off (a resident
  may have written a name, a phone number or an ID number in it), and the notes of their status changes (the
  office's answer may repeat it);
- the status token of tickets whose service day is before the token cut-off: it is replaced by a random
  value nobody holds, so the QR code on a discarded paper ticket opens nothing, whatever the settings.

Open complaints keep their text until they are closed. A second run finds nothing left to change.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ..models import Complaint, ComplaintEvent, Ticket

PURGED_TOKEN_PREFIX = "purged-"
BATCH = 1000


@dataclass(frozen=True)
class PurgeReport:
    complaints: int  # closed complaints whose text was removed
    notes: int  # status notes removed from those complaints
    open_kept: int  # complaints before the cut-off still open: their text stays until closed
    tokens: int  # ticket tokens made unusable


def purge(session: Session, *, complaints_before: datetime, tokens_before: date, dry_run: bool = False) -> PurgeReport:
    """Remove complaint text before `complaints_before` and ticket tokens of days before `tokens_before`.

    The caller commits (or, for `dry_run`, nothing is changed and the report says what would be).
    """
    old = (Complaint.received_at < complaints_before)
    closed = select(Complaint.id).where(old, Complaint.status == "done",
                                        or_(Complaint.text != "", Complaint.contact.is_not(None)))
    complaint_ids = list(session.scalars(closed))
    notes = select(ComplaintEvent.id).where(ComplaintEvent.complaint_id.in_(
        select(Complaint.id).where(old, Complaint.status == "done")), ComplaintEvent.note.is_not(None))
    note_ids = list(session.scalars(notes))
    open_kept = session.scalar(select(func.count()).select_from(Complaint).where(old, Complaint.status != "done"))
    ticket_ids = list(session.scalars(select(Ticket.id).where(
        Ticket.service_day < tokens_before, ~Ticket.public_token.startswith(PURGED_TOKEN_PREFIX))))
    if not dry_run:
        for chunk in _chunks(complaint_ids):
            session.execute(update(Complaint).where(Complaint.id.in_(chunk)).values(text="", contact=None))
        for chunk in _chunks(note_ids):
            session.execute(update(ComplaintEvent).where(ComplaintEvent.id.in_(chunk)).values(note=None))
        for chunk in _chunks(ticket_ids):
            session.execute(update(Ticket), [
                {"id": ticket_id, "public_token": PURGED_TOKEN_PREFIX + secrets.token_hex(16)} for ticket_id in chunk])
    return PurgeReport(len(complaint_ids), len(note_ids), open_kept or 0, len(ticket_ids))


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]
