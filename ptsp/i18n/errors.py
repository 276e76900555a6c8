"""The sentence for each domain error, from the gettext catalogues, in the reader's language.

Every `reason` that code raises has one message template here, written in Indonesian (the source
language) with `%(name)s` placeholders filled from the error's `params`. tests/test_i18n.py checks
that each raised reason has its template and each template's placeholders are given.
"""

from __future__ import annotations

from flask_babel import gettext

from ..domain.errors import DomainError


def N_(text: str) -> str:
    """Mark `text` for extraction into the catalogues; it is translated when shown (`describe`)."""
    return text


MESSAGES: dict[str, str] = {
    # One per error class: the fallback when a raise names no reason of its own.
    "domain_error": N_("Permintaan tidak dapat diproses"),
    "invalid_transition": N_("Langkah ini tidak berlaku untuk tiket dalam status sekarang"),
    "queue_empty": N_("Tidak ada antrean yang menunggu"),
    "office_closed": N_("Kantor sedang tutup"),
    "quota_reached": N_("Kuota layanan hari ini sudah habis"),
    "counter_not_open": N_("Loket belum dibuka"),
    "counter_busy": N_("Loket masih melayani tiket lain"),
    "not_found": N_("Data tidak ditemukan"),
    "forbidden": N_("Anda tidak berwenang untuk tindakan ini"),
    "invalid_input": N_("Masukan tidak valid"),
    # Stations (kiosk/, the resident's status page).
    "kiosk_other_office": N_("Kios ini hanya untuk kantornya sendiri"),
    "ticket_unknown": N_("Tiket tidak ditemukan; periksa kode QR Anda"),
}


def describe(error: DomainError) -> str:
    """The error as one sentence in the current request's language (Indonesian outside a request)."""
    template = MESSAGES.get(error.reason) or MESSAGES.get(error.code) or MESSAGES["domain_error"]
    params = {key: "" if value is None else value for key, value in error.params.items()}
    return gettext(template, **params) if params else gettext(template)
