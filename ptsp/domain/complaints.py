"""Complaint rules: the statuses in order, the 1x24-hour deadline, what counts as overdue."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from .errors import InvalidInput, InvalidTransition
from .text import N_

STATUSES = ("received", "verifying", "field_check", "handling", "done")
LABELS = {
    "received": N_("Diterima"),
    "verifying": N_("Sedang diverifikasi"),
    "field_check": N_("Cek lapangan"),
    "handling": N_("Sedang ditangani"),
    "done": N_("Selesai"),
}
DEADLINE = timedelta(hours=24)  # the public promise: every complaint answered within 1x24 hours
MAX_TEXT = 2000
LAPOR_URL = "https://www.lapor.go.id"
OPTIONAL = ("field_check",)  # a stage an office may skip (not every complaint needs a visit)
# How a complaint arrived: the rating forms (status_page, tablet), the public complaint page (web), or the desk.
DESK_CHANNELS = ("phone", "whatsapp", "letter", "in_person")
CHANNEL_LABELS = {
    "status_page": N_("Halaman status"), "tablet": N_("Tablet loket"), "web": N_("Halaman pengaduan"),
    "phone": N_("Telepon"), "whatsapp": N_("WhatsApp"), "letter": N_("Surat"), "in_person": N_("Datang langsung"),
}
MAX_CONTACT = 120
MAX_LAPOR = 40
# Tracking codes: 10 characters without the look-alikes 0/O, 1/I/L; about 49 bits, looked up under a rate limit.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str | None) -> str | None:
    """Return a typed tracking code in stored form (upper case, no dashes or spaces), or None if it cannot be one."""
    code = (value or "").upper().replace("-", "").replace(" ", "")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


def shown_code(code: str) -> str:
    """The code as printed for a resident: two groups of five."""
    return f"{code[:5]}-{code[5:]}"


def check_contact(contact: str | None, consent: bool) -> str | None:
    """Return the optional contact, which needs the resident's consent; or raise InvalidInput."""
    contact = (contact or "").strip()
    if not contact:
        return None
    if len(contact) > MAX_CONTACT:
        raise InvalidInput("complaint_contact_too_long", max=MAX_CONTACT)
    if not consent:
        raise InvalidInput("complaint_contact_consent_required")
    return contact


def check_lapor_number(value: str | None) -> str | None:
    """Return the SP4N-LAPOR! tracking number as given (empty clears it), or raise InvalidInput."""
    number = (value or "").strip()
    if len(number) > MAX_LAPOR or any(not (ch.isalnum() or ch in "-/.") for ch in number):
        raise InvalidInput("lapor_number_invalid", max=MAX_LAPOR)
    return number or None


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
    skipping = expected in OPTIONAL and target == STATUSES[STATUSES.index(current) + 2]
    if target != expected and not skipping:
        raise InvalidTransition("complaint_status_order", current=current, expected=expected)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_TEXT:
        raise InvalidInput("note_too_long", max=MAX_TEXT)
    if target == "done" and note is None:
        raise InvalidInput("complaint_answer_required")
    return note


def overdue(first_response_at: datetime | None, due_at: datetime, now: datetime) -> bool:
    """Tell whether a complaint missed its 1x24-hour first response (docs/complaints.md).

    It is answered in time when it moved past "received" at or before `due_at` (exactly 24 hours after receipt);
    it is overdue when it moved later, or has not moved and `now` is past `due_at`."""
    if first_response_at is not None:
        return first_response_at > due_at
    return now > due_at


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile of the values, linearly interpolated between order statistics (numpy's default); None if
    there are none."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def first_response_summary(cases: list[tuple[datetime, datetime, datetime | None]], now: datetime) -> dict[str, Any]:
    """The figures of a quarterly report for a set of complaints (received_at, due_at, first_response_at).

    A breach is a complaint whose first response missed its due time, or that has none and is past it (`overdue`);
    the response times are of the answered complaints only, in hours."""
    hours = [(first - received).total_seconds() / 3600 for received, _, first in cases if first is not None]
    median, p90 = quantile(hours, 0.5), quantile(hours, 0.9)
    return {"complaints": len(cases), "answered": len(hours),
            "breaches": sum(overdue(first, due_at, now) for _, due_at, first in cases),
            "median_response_hours": None if median is None else round(median, 2),
            "p90_response_hours": None if p90 is None else round(p90, 2)}
