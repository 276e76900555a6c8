"""Complaint rules: the statuses in order, the 1x24-hour deadline, what counts as overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from .errors import InvalidInput, InvalidTransition
from .text import N_

STATUSES = ("received", "verifying", "handling", "done")
LABELS = {
    "received": N_("Diterima"),
    "verifying": N_("Sedang diverifikasi"),
    "handling": N_("Sedang ditangani"),
    "done": N_("Selesai"),
}
DEADLINE = timedelta(hours=24)  # the public promise: every complaint answered within 1x24 hours
MAX_TEXT = 2000
LAPOR_URL = "https://www.lapor.go.id"


def due(received_at: datetime) -> datetime:
    return received_at + DEADLINE


def check_text(text: str | None) -> str:
    """Return the trimmed complaint text or raise InvalidInput."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput("complaint_text_required")
    if len(text) > MAX_TEXT:
        raise InvalidInput("complaint_too_long", max=MAX_TEXT)
    return text


def check_move(current: str, target: str, note: str | None) -> str | None:
    """Allow only the next status in order; closing needs the answer given to the resident."""
    if target not in STATUSES:
        raise InvalidInput("unknown_status_choice", status=target, choices=STATUSES[1:])
    if current == "done":
        raise InvalidTransition("complaint_done")
    expected = STATUSES[STATUSES.index(current) + 1]
    if target != expected:
        raise InvalidTransition("complaint_status_order", current=current, expected=expected)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_TEXT:
        raise InvalidInput("note_too_long", max=MAX_TEXT)
    if target == "done" and note is None:
        raise InvalidInput("complaint_answer_required")
    return note


def overdue(status: str, due_at: datetime, closed_at: datetime | None, now: datetime) -> bool:
    """Tell whether a complaint missed its deadline: still open after it, or closed after it."""
    if status == "done" and closed_at is not None:
        return closed_at > due_at
    return now > due_at
