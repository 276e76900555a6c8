"""The message templates of the jemput bola reasons (docs/outreach.md), kept apart from `errors.MESSAGES` for its
size; `errors` merges them (one template per reason, as there)."""

from __future__ import annotations

from . import N_

OUTREACH_MESSAGES: dict[str, str] = {
    "outreach_service_required": N_("Pilih layanan yang dibutuhkan"),
    "outreach_field_required": N_("Kolom %(field)s wajib diisi"),
    "outreach_field_too_long": N_("Kolom %(field)s paling panjang %(max)s karakter"),
    "outreach_consent_required": N_("Centang persetujuan penyimpanan data agar permintaan dapat diproses"),
    "outreach_supervisors_only": N_("Hanya supervisor atau manajer yang mengatur jemput bola"),
    "outreach_code_unknown": N_("Kode permintaan tidak ditemukan; periksa kembali kodenya"),
    "outreach_not_found": N_("Permintaan jemput bola %(id)s tidak ditemukan"),
    "outreach_reason_required": N_("Tuliskan alasan pembatalan"),
    "outreach_move_not_allowed": N_("Permintaan berstatus '%(current)s' tidak dapat dipindah ke '%(target)s'"),
    "outreach_time_out_of_range": N_("Waktu kunjungan harus antara sekarang dan %(days)s hari ke depan"),
    "outreach_time_invalid": N_("Waktu kunjungan harus berupa tanggal dan jam"),
    "outreach_visit_not_yet": N_("Kunjungan belum dapat dilaporkan sebelum waktunya"),
    "outreach_report_too_late": N_("Kunjungan harus dilaporkan paling lambat %(days)s hari setelah waktunya"),
    "outreach_travel_invalid": N_("Waktu perjalanan harus angka menit dari 0 sampai %(max)s"),
    "outreach_travel_above_report": N_("Waktu perjalanan tidak boleh melebihi laporan petugas (%(reported)s menit)"),
    "outreach_officer_unknown": N_("Pilih petugas aktif kantor ini (dan instansi layanannya)"),
    "outreach_self_assign": N_("Kunjungan tidak dapat ditugaskan kepada diri sendiri"),
    "outreach_officer_at_counter": N_(
        "Petugas menyelesaikan tiket di loket pada waktu kunjungan; laporan kunjungan ditolak"),
}
