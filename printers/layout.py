"""The printed ticket as a pure function from ticket facts to a layout."""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType

from babel import Locale, UnknownLocaleError, numbers
from babel import dates as babel_dates

from printers.model import Align, Block, Cut, Layout, QrBlock, Separator, TextLine

MIN_WIDTH_CHARS = 24
LARGEST_CODE_SIZE = 4
LAPOR = "SP4N-LAPOR! lapor.go.id"


def N_(text: str) -> str:
    """Mark `text` for the catalogues (scripts/i18n.sh); the server translates it (ptsp.services.printing)."""
    return text


# The ticket's own words, as msgids: Indonesian, the source language. The server sends each ticket
# these templates translated into the printer's language (`TicketPrintData.text`), so this package
# and the print agent need no catalogue of their own.
TICKET_TEXT = MappingProxyType({
    "queue_number": N_("Nomor Antrean"),
    "people_ahead": N_("Di depan Anda: %(n)s orang"),
    "wait": N_("Perkiraan tunggu: ± %(n)s menit"),
    "wait_unknown": N_("Perkiraan tunggu: belum tersedia"),
    "wait_now": N_("Perkiraan tunggu: segera"),
    "priority": N_("Prioritas: %(label)s"),
    "appointment": N_("JANJI pukul %(time)s"),
    "scan": N_("Pindai untuk memantau antrean"),
    "free": N_("Layanan ini GRATIS."),
    "fee": N_("Biaya resmi: Rp %(amount)s"),
    "fee_basis": N_("Dasar hukum: %(basis)s"),
    "fee_only": N_("Bayar hanya sebesar ini, dengan tanda terima resmi."),
    "completion_same_day": N_("Waktu penyelesaian: selesai hari ini"),
    "completion_days": N_("Waktu penyelesaian: %(n)s hari kerja"),
    "refuse": N_("Tolak pungutan liar."),
    "complain": N_("Pengaduan: %(channel)s"),
})


@dataclass(frozen=True)
class TicketPrintData:
    """What a ticket says, already resolved to plain values in the office's time."""

    office_name: str
    service_name: str
    code: str
    issued_at: datetime
    timezone_label: str
    people_ahead: int
    estimated_wait_minutes: int | None
    status_url: str
    priority_label: str | None
    complaint_channel: str
    language: str = "id"  # dates and times are written the way this locale writes them
    # The service standard: the official fee in rupiah (0 = free) and the regulation that sets it, and the
    # standard completion time in working days (None = not published).
    fee_rupiah: int = 0
    fee_basis: str = ""
    completion_days: int | None = None
    appointment_time: str | None = None  # a checked-in booking: its slot, e.g. "10.30 WIB"
    text: Mapping[str, str] = field(default_factory=lambda: dict(TICKET_TEXT))  # TICKET_TEXT, translated

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be an aware datetime in office-local time")
        try:
            Locale.parse(self.language)
        except (ValueError, TypeError, UnknownLocaleError):
            raise ValueError(f"language must be a locale code such as 'id' or 'en', got {self.language!r}") from None
        if set(TICKET_TEXT) - set(self.text):
            raise ValueError(f"ticket text misses {sorted(set(TICKET_TEXT) - set(self.text))}")
        if self.people_ahead < 0:
            raise ValueError("people_ahead cannot be negative")
        if self.estimated_wait_minutes is not None and self.estimated_wait_minutes < 0:
            raise ValueError("estimated_wait_minutes cannot be negative")
        if not self.code.strip():
            raise ValueError("a ticket needs a code")
        if self.fee_rupiah < 0:
            raise ValueError("fee_rupiah cannot be negative")
        if self.completion_days is not None and self.completion_days < 0:
            raise ValueError("completion_days cannot be negative")


def format_date(moment: datetime, language: str) -> str:
    """Write a date the way the language does, e.g. "Senin, 23 November 2026" (Babel's CLDR data)."""
    return _date_text(moment.date(), language)  # Babel writes a datetime's own date, as it reads, unconverted


def format_time(moment: datetime, timezone_label: str, language: str) -> str:
    """Write a clock time with its zone, e.g. "08.15 WIB" (Indonesian uses a dot, CLDR knows)."""
    return _time_text(moment.replace(second=0, microsecond=0), timezone_label, language)


# Babel took about 85 µs a ticket for these two (docs/benchmarks.md); every ticket of a minute prints the same.
@functools.lru_cache(maxsize=64)
def _date_text(day: date, language: str) -> str:
    return babel_dates.format_date(day, "EEEE, d MMMM y", locale=language)


@functools.lru_cache(maxsize=256)
def _time_text(minute: datetime, timezone_label: str, language: str) -> str:
    return f"{babel_dates.format_skeleton('Hm', minute, locale=language)} {timezone_label}".rstrip()


def ticket_layout(data: TicketPrintData, width_chars: int) -> Layout:
    """Lay out a ticket for paper that holds ``width_chars`` normal characters a line."""
    if width_chars < MIN_WIDTH_CHARS:
        raise ValueError(f"paper must hold at least {MIN_WIDTH_CHARS} characters a line")
    words = data.text
    blocks: list[Block] = []

    blocks += _wrapped(data.office_name, width_chars, bold=True)
    blocks += _wrapped(data.service_name, width_chars)
    blocks.append(Separator())

    blocks += _wrapped(words["queue_number"], width_chars)
    code_size = max(1, min(LARGEST_CODE_SIZE, width_chars // len(data.code)))
    blocks += _wrapped(data.code, width_chars, bold=True, size=code_size)
    if data.priority_label:
        priority = words["priority"] % {"label": data.priority_label}
        blocks += _wrapped(priority, width_chars, bold=True)
    if data.appointment_time:
        blocks += _wrapped(words["appointment"] % {"time": data.appointment_time}, width_chars, bold=True)
    blocks.append(TextLine(""))

    blocks += _date_lines(data, width_chars)
    blocks += _wrapped(words["people_ahead"] % {"n": data.people_ahead}, width_chars)
    if data.estimated_wait_minutes is None:
        wait = words["wait_unknown"]
    elif data.estimated_wait_minutes == 0:
        wait = words["wait_now"]  # "± 0 menit" reads like a misprint
    else:
        wait = words["wait"] % {"n": data.estimated_wait_minutes}
    blocks += _wrapped(wait, width_chars)
    blocks.append(TextLine(""))

    blocks.append(QrBlock(data.status_url))
    blocks += _wrapped(words["scan"], width_chars)
    blocks.append(Separator())

    blocks += _standard_lines(data, width_chars)
    blocks += _wrapped(words["refuse"], width_chars, bold=True)
    if data.complaint_channel.strip():
        complain = words["complain"] % {"channel": data.complaint_channel.strip()}
        blocks += _wrapped(complain, width_chars)
    blocks += _wrapped(LAPOR, width_chars)
    blocks.append(Cut())

    return Layout(width_chars=width_chars, language=data.language, blocks=tuple(blocks))


def _standard_lines(data: TicketPrintData, width_chars: int) -> list[TextLine]:
    """The service standard: "GRATIS" only where the official fee is zero, else the amount and its legal basis;
    then the standard completion time when the office publishes one."""
    words = data.text
    if data.fee_rupiah == 0:
        lines = [*_wrapped(words["free"], width_chars, bold=True)]
    else:
        amount = format_rupiah(data.fee_rupiah, data.language)
        lines = [*_wrapped(words["fee"] % {"amount": amount}, width_chars, bold=True)]
        if data.fee_basis.strip():
            lines += _wrapped(words["fee_basis"] % {"basis": data.fee_basis.strip()}, width_chars)
        lines += _wrapped(words["fee_only"], width_chars)
    if data.completion_days == 0:
        lines += _wrapped(words["completion_same_day"], width_chars)
    elif data.completion_days is not None:
        lines += _wrapped(words["completion_days"] % {"n": data.completion_days}, width_chars)
    return lines


def format_rupiah(amount: int, language: str) -> str:
    """Write an amount of rupiah with the language's grouping: "50.000" in Indonesian, "50,000" in English."""
    return numbers.format_decimal(amount, locale=language)


def _date_lines(data: TicketPrintData, width_chars: int) -> list[TextLine]:
    date = format_date(data.issued_at, data.language)
    time = format_time(data.issued_at, data.timezone_label, data.language)
    together = f"{date} {time}"
    if len(together) <= width_chars:
        return [TextLine(together, Align.CENTER)]
    return [*_wrapped(date, width_chars), *_wrapped(time, width_chars)]


def _wrapped(
    text: str, width_chars: int, *, bold: bool = False, size: int = 1
) -> tuple[TextLine, ...]:
    return _wrap(text, width_chars, bold, size)


@functools.lru_cache(maxsize=1024)
def _wrap(text: str, width_chars: int, bold: bool, size: int) -> tuple[TextLine, ...]:
    """Most of a ticket's lines are the same on every ticket of an office: wrapped once per process."""
    # Words longer than a line (a long URL, a phone number without spaces) are
    # broken rather than left to overflow, which the printer would wrap on its own.
    lines = textwrap.wrap(
        " ".join(text.split()), width_chars // size, break_on_hyphens=False
    )
    return tuple(TextLine(line, Align.CENTER, bold, size) for line in lines or [""])
