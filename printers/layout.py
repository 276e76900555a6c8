"""The printed ticket as a pure function from ticket facts to a layout."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from printers.model import Align, Block, Cut, Layout, QrBlock, Separator, TextLine

Language = Literal["id", "en"]

MIN_WIDTH_CHARS = 24
LARGEST_CODE_SIZE = 4
LAPOR = "SP4N-LAPOR! lapor.go.id"


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
    language: Language = "id"

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be an aware datetime in office-local time")
        if self.language not in _WORDING:
            raise ValueError(f"language must be 'id' or 'en', got {self.language!r}")
        if self.people_ahead < 0:
            raise ValueError("people_ahead cannot be negative")
        if self.estimated_wait_minutes is not None and self.estimated_wait_minutes < 0:
            raise ValueError("estimated_wait_minutes cannot be negative")
        if not self.code.strip():
            raise ValueError("a ticket needs a code")


@dataclass(frozen=True)
class _Wording:
    days: tuple[str, ...]
    months: tuple[str, ...]
    time_separator: str
    queue_number: str
    people_ahead: str
    wait: str
    wait_unknown: str
    wait_now: str
    priority: str
    scan: str
    free: str
    refuse: str
    complain: str


_WORDING: dict[str, _Wording] = {
    "id": _Wording(
        days=("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
        months=(
            "Januari", "Februari", "Maret", "April", "Mei", "Juni",
            "Juli", "Agustus", "September", "Oktober", "November", "Desember",
        ),
        time_separator=".",
        queue_number="Nomor Antrean",
        people_ahead="Di depan Anda: {n} orang",
        wait="Perkiraan tunggu: ± {n} menit",
        wait_unknown="Perkiraan tunggu: belum tersedia",
        wait_now="Perkiraan tunggu: segera",
        priority="Prioritas: {label}",
        scan="Pindai untuk memantau antrean",
        free="Layanan ini GRATIS.",
        refuse="Tolak pungutan liar.",
        complain="Pengaduan: {channel}",
    ),
    "en": _Wording(
        days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=(
            "January", "February", "March", "April", "May", "June",
            "July", "August", "September", "October", "November", "December",
        ),
        time_separator=":",
        queue_number="Queue number",
        people_ahead="People ahead of you: {n}",
        wait="Estimated wait: about {n} min",
        wait_unknown="Estimated wait: not yet known",
        wait_now="Estimated wait: right away",
        priority="Priority: {label}",
        scan="Scan to follow your place in the queue",
        free="This service is FREE.",
        refuse="Refuse illegal fees.",
        complain="Complaints: {channel}",
    ),
}


def format_date(moment: datetime, language: Language) -> str:
    """Write a date the way the language does, e.g. "Senin, 23 November 2026"."""
    words = _WORDING[language]
    day = words.days[moment.weekday()]
    return f"{day}, {moment.day} {words.months[moment.month - 1]} {moment.year}"


def format_time(moment: datetime, timezone_label: str, language: Language) -> str:
    """Write a clock time with its zone, e.g. "08.15 WIB" (Indonesian uses a dot)."""
    sep = _WORDING[language].time_separator
    return f"{moment.hour:02d}{sep}{moment.minute:02d} {timezone_label}".rstrip()


def ticket_layout(data: TicketPrintData, width_chars: int) -> Layout:
    """Lay out a ticket for paper that holds ``width_chars`` normal characters a line."""
    if width_chars < MIN_WIDTH_CHARS:
        raise ValueError(f"paper must hold at least {MIN_WIDTH_CHARS} characters a line")
    words = _WORDING[data.language]
    blocks: list[Block] = []

    blocks += _wrapped(data.office_name, width_chars, bold=True)
    blocks += _wrapped(data.service_name, width_chars)
    blocks.append(Separator())

    blocks += _wrapped(words.queue_number, width_chars)
    code_size = max(1, min(LARGEST_CODE_SIZE, width_chars // len(data.code)))
    blocks += _wrapped(data.code, width_chars, bold=True, size=code_size)
    if data.priority_label:
        priority = words.priority.format(label=data.priority_label)
        blocks += _wrapped(priority, width_chars, bold=True)
    blocks.append(TextLine(""))

    blocks += _date_lines(data, width_chars)
    blocks += _wrapped(words.people_ahead.format(n=data.people_ahead), width_chars)
    if data.estimated_wait_minutes is None:
        wait = words.wait_unknown
    elif data.estimated_wait_minutes == 0:
        wait = words.wait_now  # "± 0 menit" reads like a misprint
    else:
        wait = words.wait.format(n=data.estimated_wait_minutes)
    blocks += _wrapped(wait, width_chars)
    blocks.append(TextLine(""))

    blocks.append(QrBlock(data.status_url))
    blocks += _wrapped(words.scan, width_chars)
    blocks.append(Separator())

    blocks += _wrapped(words.free, width_chars, bold=True)
    blocks += _wrapped(words.refuse, width_chars, bold=True)
    if data.complaint_channel.strip():
        complain = words.complain.format(channel=data.complaint_channel.strip())
        blocks += _wrapped(complain, width_chars)
    blocks += _wrapped(LAPOR, width_chars)
    blocks.append(Cut())

    return Layout(width_chars=width_chars, language=data.language, blocks=tuple(blocks))


def _date_lines(data: TicketPrintData, width_chars: int) -> list[TextLine]:
    date = format_date(data.issued_at, data.language)
    time = format_time(data.issued_at, data.timezone_label, data.language)
    together = f"{date} {time}"
    if len(together) <= width_chars:
        return [TextLine(together, Align.CENTER)]
    return [*_wrapped(date, width_chars), *_wrapped(time, width_chars)]


def _wrapped(
    text: str, width_chars: int, *, bold: bool = False, size: int = 1
) -> list[TextLine]:
    # Words longer than a line (a long URL, a phone number without spaces) are
    # broken rather than left to overflow, which the printer would wrap on its own.
    lines = textwrap.wrap(
        " ".join(text.split()), width_chars // size, break_on_hyphens=False
    )
    return [TextLine(line, Align.CENTER, bold, size) for line in lines or [""]]
