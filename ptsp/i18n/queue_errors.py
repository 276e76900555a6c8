"""The sentences of the queue's newer refusals: parked tickets and late residents (docs/queue.md).

Kept beside `errors.MESSAGES`, which includes them, so that module stays within its size; a reason is still
defined once (tests/test_i18n.py checks every raised reason against `MESSAGES`).
"""

from __future__ import annotations

from . import N_

QUEUE_MESSAGES: dict[str, str] = {
    "park_needs_serving": N_("Hanya tiket yang sedang dilayani di loket Anda yang dapat ditunda (%(ticket)s)"),
    "park_limit_reached": N_("Tiket %(ticket)s sudah pernah ditunda; paling banyak %(max)s kali per tiket"),
    "ticket_not_parked": N_("Tiket %(ticket)s tidak sedang ditunda"),
    "park_deadline_passed": N_("Batas kembali tiket %(ticket)s sudah lewat (pukul %(until)s)"),
    "reinsert_not_offered": N_("Kantor ini tidak menyisipkan kembali warga yang terlewat panggilannya"),
    "reinsert_not_missed": N_("Tiket %(ticket)s tidak sedang terlewat panggilannya"),
    "reinsert_limit_reached": N_("Tiket %(ticket)s sudah pernah disisipkan kembali; paling banyak %(max)s kali"),
    "reinsert_not_today": N_("Tiket %(ticket)s bukan tiket hari ini"),
}
