"""Jemput bola rules (docs/outreach.md): the stages of a visit request, what a request must say, the bounds of a
visit's time and travel, and the points a confirmed visit earns its officer.

The 1x24-hour first response, the tracking codes and their form are the complaints' own (`domain.complaints`):
one public promise, one code alphabet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from . import complaints
from .errors import InvalidInput, InvalidTransition
from .points import Entry, Event
from .text import N_

STATUSES = ("received", "confirmed", "scheduled", "visited", "done", "cancelled")
LABELS = {
    "received": N_("Diterima"),
    "confirmed": N_("Dikonfirmasi"),
    "scheduled": N_("Dijadwalkan"),
    "visited": N_("Sudah dikunjungi"),
    "done": N_("Selesai"),
    "cancelled": N_("Dibatalkan"),
}
# Which stage may follow which. `scheduled` -> `scheduled` is a new officer or time before the visit.
MOVES = {
    "received": ("confirmed", "scheduled", "cancelled"),
    "confirmed": ("scheduled", "cancelled"),
    "scheduled": ("scheduled", "visited", "cancelled"),
    "visited": ("done", "cancelled"),
    "done": (),
    "cancelled": (),
}
CLOSED = ("done", "cancelled")
CHANNELS = ("web", *complaints.DESK_CHANNELS)
CHANNEL_LABELS = {**complaints.CHANNEL_LABELS, "web": N_("Halaman jemput bola")}
MAX_NAME = 120
MAX_CONTACT = 120
MAX_PLACE = 300
MAX_REASON = 1000
MAX_NOTE = 1000
MAX_TRAVEL_MINUTES = 180  # the whole round trip of one visit; more is a data-entry error or an inflated claim
SCHEDULE_AHEAD = timedelta(days=30)
REPORT_WITHIN = timedelta(days=7)  # a visit is reported within a week of its time, or not at all
due = complaints.due
overdue = complaints.overdue


def check_request(name: str | None, contact: str | None, place: str | None, reason: str | None
                  ) -> tuple[str, str, str, str]:
    """Return the trimmed name, contact, place and reason of a request, each required and bounded."""
    values = []
    # the field as the form names it (a placeholder value, not a sentence)
    for field, value, limit in (("nama", name, MAX_NAME), ("kontak", contact, MAX_CONTACT),
                                ("tempat", place, MAX_PLACE), ("alasan", reason, MAX_REASON)):
        text = (value or "").strip()
        if not text:
            raise InvalidInput("outreach_field_required", field=field)
        if len(text) > limit:
            raise InvalidInput("outreach_field_too_long", field=field, max=limit)
        values.append(text)
    return values[0], values[1], values[2], values[3]


def check_note(note: str | None, required: bool = False) -> str | None:
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        raise InvalidInput("note_too_long", max=MAX_NOTE)
    if required and text is None:
        raise InvalidInput("outreach_reason_required")
    return text


def check_move(current: str, target: str) -> None:
    """Allow only a move the stages permit (MOVES)."""
    if target not in STATUSES:
        raise InvalidInput("unknown_status_choice", status=target[:20], choices=STATUSES[1:])
    if target not in MOVES[current]:
        raise InvalidTransition("outreach_move_not_allowed", current=current, target=target)


def check_schedule(at: datetime, now: datetime) -> datetime:
    """A visit is planned from now up to 30 days ahead."""
    if at < now - timedelta(minutes=1) or at > now + SCHEDULE_AHEAD:
        raise InvalidInput("outreach_time_out_of_range", days=SCHEDULE_AHEAD.days)
    return at


def check_report(scheduled_at: datetime, now: datetime) -> None:
    """A visit is reported after its time has come, and within a week of it."""
    if now < scheduled_at:
        raise InvalidTransition("outreach_visit_not_yet")
    if now > scheduled_at + REPORT_WITHIN:
        raise InvalidTransition("outreach_report_too_late", days=REPORT_WITHIN.days)


def check_travel(raw: object) -> float:
    """Travel minutes of the round trip: a number from 0 to MAX_TRAVEL_MINUTES, kept to a tenth."""
    try:
        minutes = float(str(raw).strip().replace(",", "."))
    except ValueError:
        raise InvalidInput("outreach_travel_invalid", max=MAX_TRAVEL_MINUTES) from None
    if not 0 <= minutes <= MAX_TRAVEL_MINUTES:  # also refuses nan and inf
        raise InvalidInput("outreach_travel_invalid", max=MAX_TRAVEL_MINUTES)
    return round(minutes, 1)


def visit_window(scheduled_at: datetime, standard_minutes: float) -> tuple[datetime, datetime]:
    """The time the officer was at the resident's: from the visit's time for its service's standard minutes."""
    return scheduled_at, scheduled_at + timedelta(minutes=standard_minutes)


def visit_entries(events: Sequence[Event], *, service_id: int, standard_minutes: float) -> list[Entry]:
    """The ledger line a request's events call for: one `award` to the officer the supervisor confirmed, of the
    service's standard minutes plus the confirmed travel minutes, at the confirmation; nothing before it.

    Pure, for the live credit and the recomputation alike (services.outreach_points)."""
    done = next((e for e in events if e.kind == "done"), None)
    if done is None:
        return []
    officer, travel = int(done.data["officer"]), float(done.data["travel_minutes"])
    visited = [e.id for e in events if e.kind == "visited"]
    return [Entry(kind="award", staff_id=officer, service_id=service_id,
                  points=round(standard_minutes + travel, 2), held=0.0,
                  reason=f"jemput bola: {standard_minutes:g} min standard + {travel:g} min travel",
                  event_ids=(*visited[-1:], done.id), at=done.at, acted_by=done.staff_id)]
