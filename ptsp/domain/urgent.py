"""Urgent cases (docs/urgent.md): a resident who cannot wait their turn, and the rules of the sign-off.

A clerk asks for urgency on a waiting ticket (or a new desk ticket) with a reason from `REASONS` and a note; it
takes effect, the ticket then being called before every other one its counters serve, only once a supervisor of
the ticket's office and agency signs it off. A supervisor's own mark is its sign-off. Nobody signs off their own
request; a decided request is never decided again (a replayed sign-off is refused).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from .errors import Forbidden, InvalidInput, InvalidTransition
from .hours import DayHours
from .text import N_

REASONS = {
    "burial": N_("Akta kematian untuk pemakaman hari ini"),
    "medical": N_("Keperluan medis atau rumah sakit mendesak"),
    "distress": N_("Warga dalam keadaan darurat atau tertekan"),
    "disaster": N_("Korban bencana atau kebakaran"),
    "travel": N_("Keberangkatan hari ini (haji, kerja, berobat)"),
    "other": N_("Lainnya (jelaskan di catatan)"),
}
NOTE_MAX = 300
SIGN_OFF_ROLES = ("supervisor", "manager", "admin")


class State(StrEnum):
    PENDING = "pending"  # asked by a clerk, waiting for a supervisor
    APPROVED = "approved"  # signed off: the ticket is urgent
    DECLINED = "declined"  # refused by a supervisor, with a reason


def check_request(reason: str, note: str | None) -> str:
    """Return the request's note, stripped; refuse an unknown reason, or "other" without a note."""
    if reason not in REASONS:
        raise InvalidInput("urgent_reason_unknown", reason=reason[:24])
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput("urgent_note_too_long", max=NOTE_MAX)
    if reason == "other" and not text:
        raise InvalidInput("urgent_note_required")
    return text


def may_sign_off(role: str | None) -> bool:
    return role in SIGN_OFF_ROLES


def check_decision(state: str, requested_by: int | None, decider: int | None, approve: bool, note: str) -> None:
    """A pending request may be decided once, by someone other than whoever asked; a refusal says why."""
    if state != State.PENDING:
        raise InvalidTransition("urgent_already_decided", state=state)
    if requested_by is not None and requested_by == decider:
        raise Forbidden("urgent_own_request")
    if not approve and not note.strip():
        raise InvalidInput("urgent_decline_reason_required")


def desk_ticket_hours(hours: DayHours, now: datetime) -> bool:
    """Whether a signed-off urgent desk ticket may be issued now: from opening until closing on a day the office
    opens (after the last-ticket time too, but never on a closed day nor after closing, when nobody serves)."""
    return hours.opens_at is not None and hours.closes_at is not None and hours.opens_at <= now < hours.closes_at
