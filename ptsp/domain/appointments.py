"""Appointments as plain rules: booking codes, a day's slots, each slot's capacity from the plan, the
check-in window and the limits against brokers (docs/appointments.md)."""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from .hours import DayHours

# No 0/O, 1/I/L, 5/S or 8/B: read aloud or typed from a phone, each letter is one thing.
CODE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
CODE_LENGTH = 8  # 27^8 ≈ 2.8e11 codes: with rate limits, too many to guess one of a day's few hundred
_CODE_IN_TEXT = re.compile(r"(?:^|/|=)([A-Za-z0-9]{4})-?([A-Za-z0-9]{4})/?$")


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    CONVERTED_WALK_IN = "converted_walk_in"


LIVE_STATUSES = (BookingStatus.BOOKED.value, BookingStatus.CHECKED_IN.value,
                 BookingStatus.CONVERTED_WALK_IN.value)  # they hold a place in their slot


def new_code() -> str:
    """A fresh booking code, `XXXX-XXXX`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def read_code(text: str) -> str | None:
    """The booking code in what was typed or scanned: the code itself (any case, with or without its dash)
    or the booking's URL that its QR code holds. None when there is no well-formed code."""
    found = _CODE_IN_TEXT.search(text.strip())
    if found is None:
        return None
    raw = (found.group(1) + found.group(2)).upper()
    if any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def day_slots(hours: DayHours, slot_minutes: int) -> list[datetime]:
    """The slot starts of one day: every `slot_minutes` from the start of each opening interval, a slot fitting
    whole inside its interval (none in a break or a closure) and starting before the last-ticket cut-off."""
    step = timedelta(minutes=slot_minutes)
    slots = []
    for start, end in hours.intervals:
        at = start
        while at + step <= end and hours.last_ticket_at is not None and at < hours.last_ticket_at:
            slots.append(at)
            at += step
    return slots


@dataclass(frozen=True)
class HourPlan:
    """One clock hour of a service: the clerks the plan gives it and the walk-ins the forecast expects."""

    clerks: float
    walk_ins: float


def bookable_per_hour(hour: HourPlan, standard_minutes: float, share: float) -> float:
    """Bookings an hour can take: its capacity (clerks × 60 / standard minutes) less the expected walk-ins,
    never more than the booked share of the capacity, never below zero."""
    capacity = hour.clerks * 60.0 / standard_minutes
    return max(0.0, min(capacity - hour.walk_ins, share * capacity))


def slot_capacities(slots: Sequence[datetime], slot_minutes: int, plan: Mapping[int, HourPlan],
                    standard_minutes: float, share: float) -> list[int]:
    """Whole bookings per slot. Each slot takes its hours' bookable rate for its minutes; the running total is
    rounded down, so the fractions of several slots add up to whole bookings instead of being lost."""
    capacities, total, given = [], 0.0, 0
    for start in slots:
        minutes = 0.0
        at, end = start, start + timedelta(minutes=slot_minutes)
        while at < end:
            hour_end = at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            piece = min(end, hour_end)
            found = plan.get(at.hour)
            if found is not None:
                minutes += bookable_per_hour(found, standard_minutes, share) * (piece - at).total_seconds() / 3600
            at = piece
        total += minutes
        whole = math.floor(total + 1e-9)
        capacities.append(whole - given)
        given = whole
    return capacities


class CheckIn(StrEnum):
    TOO_EARLY = "too_early"  # before the window: come back later
    EARLY = "early"  # in the window, before the slot: the ticket waits for the slot
    ON_TIME = "on_time"  # from the slot's start to the window's end
    LATE = "late"  # after the window, the same day: a walk-in ticket


def check_in_timing(starts_at: datetime, now: datetime, early_minutes: int, late_minutes: int) -> CheckIn:
    """Where `now` falls around a slot starting at `starts_at`. The window is closed at both ends:
    exactly `early_minutes` before and exactly `late_minutes` after the start are inside."""
    if now < starts_at - timedelta(minutes=early_minutes):
        return CheckIn.TOO_EARLY
    if now < starts_at:
        return CheckIn.EARLY
    if now <= starts_at + timedelta(minutes=late_minutes):
        return CheckIn.ON_TIME
    return CheckIn.LATE


def blocked_until(no_shows: Sequence[datetime], now: datetime, limit: int, block_days: int) -> datetime | None:
    """When a phone or device with these no-shows (their slot starts) may book again, or None if it may now:
    `limit` no-shows within the last `block_days` days block it until `block_days` after the latest."""
    recent = sorted(t for t in no_shows if t > now - timedelta(days=block_days))
    if limit <= 0 or len(recent) < limit:
        return None
    return recent[-1] + timedelta(days=block_days)
