"""The sentences of the queue's newer rules (appointments, urgent cases, parked tickets and late residents),
merged into `ptsp.i18n.errors.MESSAGES`, which refuses a reason written twice.
Same form: reason -> Indonesian template with `%(name)s` placeholders."""

from __future__ import annotations

from . import N_

QUEUE_MESSAGES: dict[str, str] = {
    # Appointments (docs/appointments.md).
    "booking_office_unknown": N_("Kantor '%(office)s' tidak ditemukan"),
    "service_not_bookable": N_("Layanan %(service)s tidak dapat dipesan"),
    "phone_invalid": N_("Nomor HP tidak valid: tulis nomor seluler seperti 0812xxxxxxx"),
    "phone_consent_required": N_("Centang persetujuan untuk memakai nomor HP, atau kosongkan nomornya"),
    "booking_device_missing": N_("Cookie halaman pemesanan tidak ada: muat ulang halaman lalu coba lagi"),
    "booking_day_out_of_range": N_("Pilih hari antara hari ini dan %(days)s hari ke depan"),
    "slot_unknown": N_("Tidak ada jam janji %(time)s pada %(day)s"),
    "booking_day_invalid": N_("Pilih hari janji"),
    "slot_time_invalid": N_("Pilih jam janji"),
    "slot_full": N_("Jam %(time)s sudah penuh: pilih jam lain"),
    "booking_blocked_no_show": N_("Pemesanan ditutup sampai %(until)s karena janji sebelumnya tidak didatangi"),
    "booking_limit_per_day": N_("Paling banyak %(max)s janji per hari dari satu nomor HP atau perangkat"),
    "booking_not_found": N_("Kode janji tidak ditemukan di kantor ini"),
    "booking_not_changeable": N_("Janji ini tidak dapat diubah lagi"),
    "booking_reschedule_limit": N_("Janji paling banyak dijadwalkan ulang %(max)s kali"),
    "booking_cancelled": N_("Janji ini sudah dibatalkan"),
    "booking_missed": N_("Waktu janji ini sudah lewat dan tercatat tidak datang"),
    "booking_already_used": N_("Kode janji ini sudah dipakai untuk mengambil nomor antrean"),
    "booking_other_day": N_("Janji ini untuk tanggal %(day)s, bukan hari ini"),
    "check_in_too_early": N_("Terlalu awal: lapor kedatangan bisa mulai pukul %(at)s"),
    # Urgent cases (docs/urgent.md).
    "urgent_reason_unknown": N_("Alasan darurat tidak dikenal: %(reason)s"),
    "urgent_note_too_long": N_("Catatan darurat paling panjang %(max)s karakter"),
    "urgent_note_required": N_("Jelaskan keadaan daruratnya di catatan"),
    "urgent_staff_only": N_("Hanya petugas kantor yang dapat meminta layanan darurat"),
    "urgent_ticket_not_waiting": N_("Tiket %(ticket)s tidak sedang menunggu hari ini (%(status)s)"),
    "urgent_already_asked": N_("Tiket %(ticket)s sudah diminta sebagai kasus darurat"),
    "urgent_already_decided": N_("Permintaan darurat ini sudah diputuskan (%(state)s)"),
    "urgent_own_request": N_("Permintaan darurat Anda sendiri harus disetujui atasan lain"),
    "urgent_decline_reason_required": N_("Isi alasan penolakan"),
    "urgent_sign_off_supervisors_only": N_("Hanya supervisor atau manajer yang dapat menyetujui kasus darurat"),
    "urgent_case_not_found": N_("Kasus darurat %(id)s tidak ditemukan"),
    "urgent_ticket_or_service": N_("Pilih satu: tiket yang menunggu atau layanan untuk tiket baru"),
    # Parked tickets and late residents (docs/queue.md).
    "park_needs_serving": N_("Hanya tiket yang sedang dilayani di loket Anda yang dapat ditunda (%(ticket)s)"),
    "park_limit_reached": N_("Tiket %(ticket)s sudah pernah ditunda; paling banyak %(max)s kali per tiket"),
    "ticket_not_parked": N_("Tiket %(ticket)s tidak sedang ditunda"),
    "park_deadline_passed": N_("Batas kembali tiket %(ticket)s sudah lewat (pukul %(until)s)"),
    "reinsert_not_offered": N_("Kantor ini tidak menyisipkan kembali warga yang terlewat panggilannya"),
    "reinsert_not_missed": N_("Tiket %(ticket)s tidak sedang terlewat panggilannya"),
    "reinsert_limit_reached": N_("Tiket %(ticket)s sudah pernah disisipkan kembali; paling banyak %(max)s kali"),
    "reinsert_not_today": N_("Tiket %(ticket)s bukan tiket hari ini"),
}
