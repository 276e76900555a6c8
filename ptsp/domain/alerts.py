"""What an alert to a resident says: its event, and a text with nothing personal in it.

An alert names the ticket number, the office and, when called, the counter; never the resident, the service they
came for, a phone number or anything typed by anyone (docs/alerts.md, "What is sent"). The text is Indonesian,
like the hall's spoken call (`domain.announce`): one sentence a gateway can send as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertEvent(StrEnum):
    POSITION_REACHED = "position"  # the ticket has `people_ahead` (at most the office's setting) before it
    CALLED = "called"  # the ticket was called (or called again) to `counter`
    BOOKING_NEAR = "booking_near"  # a booked slot is near: office and slot time only (`ticket_code` is "")


@dataclass(frozen=True, slots=True)
class Alert:
    event: AlertEvent
    ticket_code: str
    office_name: str
    counter: int | None = None
    people_ahead: int | None = None
    slot_time: str | None = None  # "HH:MM", booking_near only
    key: str = ""  # the same for a repeat of the same alert: receivers drop a second one

    @property
    def title(self) -> str:
        if self.event is AlertEvent.BOOKING_NEAR:
            return f"Janji {self.slot_time} · {self.office_name}"
        return f"{self.ticket_code} · {self.office_name}"

    @property
    def text(self) -> str:
        if self.event is AlertEvent.CALLED:
            return f"Nomor antrian {self.ticket_code} dipanggil ke loket {self.counter} ({self.office_name})."
        if self.event is AlertEvent.POSITION_REACHED:
            if not self.people_ahead:
                return f"Nomor antrian {self.ticket_code}: Anda berikutnya di {self.office_name}."
            return (f"Nomor antrian {self.ticket_code}: {self.people_ahead} orang lagi sebelum Anda "
                    f"di {self.office_name}.")
        return (f"Pengingat: janji Anda di {self.office_name} pukul {self.slot_time}. Mohon datang tepat waktu "
                f"dan tunjukkan kode janji di kios.")

    def body(self) -> dict[str, object]:
        """The alert as JSON for a push message or a gateway: these keys and no others."""
        return {"event": self.event.value, "key": self.key, "ticket": self.ticket_code, "office": self.office_name,
                "counter": self.counter, "people_ahead": self.people_ahead, "slot_time": self.slot_time,
                "title": self.title, "text": self.text}
