"""Referrals to departments (dinas): progress steps, the 1x24-hour response rule, quarters.

A clerk refers a case the counter cannot finish. The department must respond
(its first progress report) within `response_hours` (24: "1x24 jam", clock
hours, nights and weekends included, as the public promise reads), then
reports each step forward until done. A department that finds the case is
not theirs returns it; that is a response too, and counts as a bounce in the
ping-pong report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .errors import InvalidInput, InvalidTransition
from .text import N_

REFERRED = "referred"
RETURNED = "returned"
STEPS = ("received", "verification", "field_check", "in_progress", "done")
FINAL = {"done", RETURNED}
LABELS = {
    REFERRED: N_("dirujuk"),
    "received": N_("diterima"),
    "verification": N_("verifikasi"),
    "field_check": N_("cek lapangan"),
    "in_progress": N_("diproses"),
    "done": N_("selesai"),
    RETURNED: N_("dikembalikan"),
}


def due_at(referred_at: datetime, response_hours: int = 24) -> datetime:
    """Return the instant by which the department must first respond."""
    if response_hours < 1:
        raise InvalidInput("response_hours_too_short", min=1)
    return referred_at + timedelta(hours=response_hours)


def check_progress(current: str, new: str) -> None:
    """Allow a progress report only forwards; steps may be skipped, a closed referral stays closed.

    The first report must be `received` (or `returned`), so the response time is
    the time to acknowledge, not to finish.
    """
    if new not in STEPS and new != RETURNED:
        raise InvalidInput("unknown_status_choice", status=new, choices=(*STEPS, RETURNED))
    if current in FINAL:
        raise InvalidTransition("referral_closed", status=current)
    if current == REFERRED and new not in ("received", RETURNED):
        raise InvalidTransition("referral_acknowledge_first")
    if new != RETURNED and current != REFERRED and STEPS.index(new) <= STEPS.index(current):
        raise InvalidTransition("referral_status_backwards", current=current, new=new)


def breached(due: datetime, responded_at: datetime | None, now: datetime) -> bool:
    """Tell whether the response deadline was missed: answered late, or still unanswered after it."""
    return responded_at > due if responded_at is not None else now > due


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Read `2026Q4` (or `2026-Q4`)."""
        try:
            year, number = text.upper().replace("-", "").split("Q")
            quarter = cls(int(year), int(number))
        except ValueError:
            raise InvalidInput("quarter_invalid", value=text[:20]) from None
        if not 1 <= quarter.number <= 4 or not 2000 <= quarter.year <= 2100:
            raise InvalidInput("quarter_invalid", value=text[:20])
        return quarter

    @classmethod
    def of(cls, instant: datetime, timezone: str) -> Quarter:
        """The quarter an instant falls in, by the office's local calendar."""
        local = instant.astimezone(ZoneInfo(timezone))
        return cls(local.year, (local.month - 1) // 3 + 1)

    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """Return [start, end) of the quarter as aware instants at local midnight."""
        tz = ZoneInfo(timezone)
        start = datetime.combine(self.first_day(), datetime.min.time(), tz)
        end = datetime.combine(self.next().first_day(), datetime.min.time(), tz)
        return start, end

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


@dataclass(frozen=True)
class DepartmentRecord:
    """One department's referrals in a period, summarised for the ranking."""

    department_id: int
    referrals: int
    responded: int
    breaches: int
    median_response_hours: float | None
    mean_response_hours: float | None

    @property
    def breach_rate(self) -> float:
        return self.breaches / self.referrals if self.referrals else 0.0


def summarise(department_id: int, cases: list[tuple[datetime, datetime, datetime | None]], now: datetime
              ) -> DepartmentRecord:
    """Summarise (referred_at, due_at, responded_at) cases of one department."""
    hours = sorted((r - s).total_seconds() / 3600 for s, _d, r in cases if r is not None)
    median = None
    if hours:
        mid = len(hours) // 2
        median = hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2
    return DepartmentRecord(
        department_id=department_id,
        referrals=len(cases),
        responded=len(hours),
        breaches=sum(breached(d, r, now) for _s, d, r in cases),
        median_response_hours=median,
        mean_response_hours=sum(hours) / len(hours) if hours else None,
    )


def rank(records: list[DepartmentRecord]) -> list[DepartmentRecord]:
    """Best first: lowest breach rate, then shortest median response (unanswered last)."""
    return sorted(records, key=lambda r: (r.breach_rate, r.median_response_hours is None,
                                          r.median_response_hours or 0.0, -r.referrals, r.department_id))
