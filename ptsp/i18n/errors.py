"""The sentence for each domain error, from the gettext catalogues, in the reader's language.

Every `reason` that code raises has one message template here, written in Indonesian (the source
language) with `%(name)s` placeholders filled from the error's `params`. tests/test_i18n.py checks
that each raised reason has its template and each template's placeholders are given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import gettext

from ..domain.errors import DomainError
from . import N_
from .errors_outreach import OUTREACH_MESSAGES
from .queue_messages import QUEUE_MESSAGES
from .validation import Problem, describe_problems

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
    "unauthorized": N_("Silakan masuk dulu"),
    "forbidden": N_("Anda tidak berwenang untuk tindakan ini"),
    "cross_site_refused": N_("Permintaan ini tidak berasal dari halaman PTSP sendiri dan ditolak"),
    "invalid_input": N_("Masukan tidak valid"),
    "malformed_json": N_("Badan permintaan bukan JSON yang valid"),
    # Who may do what.
    "login_required": N_("Silakan masuk dulu"),
    "login_or_token_required": N_("Silakan masuk atau kirim token perangkat"),
    "cross_site_origin": N_("Permintaan dari situs lain (%(origin)s) ditolak"),
    "csrf_token_invalid": N_("Token keamanan halaman tidak ada atau kedaluwarsa: muat ulang halaman lalu coba lagi"),
    "authorization_not_bearer": N_("Header Authorization harus 'Bearer <token>'"),
    "unknown_device_token": N_("Token perangkat tidak dikenal atau sudah dicabut"),
    "unknown_department_token": N_("Token dinas tidak dikenal atau sudah dicabut"),
    "pairing_token_required": N_("Kirim token perangkat di header Authorization: Bearer untuk memasangkannya"),
    "device_kind_mismatch": N_("Token ini milik perangkat '%(kind)s', bukan '%(wanted)s'"),
    "wrong_credentials": N_("Nama pengguna atau kata sandi salah"),
    "office_out_of_scope": N_("Kantor %(office)s di luar wewenang Anda"),
    "agency_out_of_scope": N_("Instansi %(agency)s di luar wewenang Anda"),
    "office_wide_setting": N_(
        "Pengaturan ini berlaku untuk seluruh kantor; hanya pengawas atau manajer kantor yang dapat mengubahnya"
    ),
    "office_not_found_or_out_of_scope": N_("Kantor tidak ditemukan atau di luar wewenang Anda"),
    "no_offices_in_scope": N_("Tidak ada kantor yang Anda awasi"),
    "counter_needs_office": N_("Layar loket hanya untuk akun sebuah kantor"),
    "caller_kind_not_allowed": N_("Perangkat '%(kind)s' tidak berwenang melakukan ini"),
    "supervisors_only": N_("Hanya pengawas dan manajer yang berwenang"),
    "account_without_office": N_("Akun ini tidak terikat pada kantor"),
    "kiosk_of_other_office": N_("Kios ini hanya untuk kantornya sendiri"),
    "request_id_of_other_staff": N_("request_id ini milik petugas lain"),
    "commands_staff_only": N_("Hanya petugas yang dapat mengirim perintah"),
    "call_ack_displays_only": N_("Hanya layar display yang mengonfirmasi panggilan"),
    "print_jobs_agents_only": N_("Hanya print agent yang menerima pekerjaan cetak"),
    "rating_tablets_only": N_("Hanya tablet penilaian yang berwenang"),
    "session_ended": N_("Sesi ini sudah berakhir (keluar, kata sandi diganti, akun dinonaktifkan atau token dicabut)"),
    "wrong_current_password": N_("Kata sandi sekarang salah"),
    "not_on_own_account": N_("Tindakan ini tidak berlaku untuk akun Anda sendiri"),
    "account_role_too_high": N_("Akun dengan peran '%(role)s' di luar wewenang Anda"),
    "device_already_revoked": N_("Perangkat %(id)s sudah dicabut"),
    "account_already_active": N_("Akun %(username)s sudah aktif"),
    "account_already_inactive": N_("Akun %(username)s sudah nonaktif"),
    # Requests and parameters.
    "json_content_type_required": N_("Kirim JSON dengan Content-Type: application/json"),
    "json_object_required": N_("Badan permintaan harus objek JSON"),
    "invalid_fields": N_("Masukan tidak valid: %(problems)s"),
    "unknown_action": N_("Aksi tidak dikenal: %(action)s"),
    "unknown_command": N_("Perintah tidak dikenal: '%(command)s'"),
    "request_id_not_uuid": N_("request_id harus UUID, bukan '%(value)s'"),
    "param_not_date": N_("Parameter %(name)s harus tanggal YYYY-MM-DD"),
    "param_day_out_of_range": N_("Parameter %(name)s harus tanggal antara %(first)s dan %(last)s"),
    "param_not_positive_id": N_("Parameter %(name)s harus id positif"),
    "param_not_boolean": N_("Parameter %(name)s harus true atau false"),
    "param_out_of_range": N_("Parameter %(name)s harus bilangan %(min)s sampai %(max)s"),
    "office_param_required": N_("Sebutkan kantor: ?office=<id>"),
    "office_not_id": N_("Kantor harus berupa nomor kantor, bukan '%(value)s'"),
    "agency_not_id": N_("Instansi harus berupa nomor instansi, bukan '%(value)s'"),
    "agency_not_in_office": N_("Instansi %(agency)s bukan bagian dari kantor yang dipilih"),
    "counter_param_not_number": N_("Parameter counter harus nomor loket"),
    "date_invalid": N_("Tanggal tidak valid: '%(value)s' (pakai YYYY-MM-DD)"),
    "start_after_end": N_("Tanggal awal harus sebelum tanggal akhir"),
    "end_before_start": N_("Tanggal akhir sebelum tanggal awal"),
    "range_too_long": N_("Rentang paling lama %(max)s hari"),
    "days_out_of_range": N_("Jumlah hari harus 1-%(max)s"),
    "value_not_integer": N_("%(label)s harus bilangan bulat"),
    "value_out_of_range": N_("%(label)s harus antara %(low)s dan %(high)s"),
    "field_required": N_("Isi kolom %(field)s"),
    "field_not_number": N_("%(field)s: '%(value)s' bukan angka"),
    "field_not_finite": N_("%(field)s harus angka terhingga"),
    "staffing_servers_invalid": N_("Jumlah petugas harus bilangan bulat 0 atau lebih, bukan %(value)s"),
    "staffing_value_negative": N_("%(field)s harus angka terhingga 0 atau lebih, bukan %(value)s"),
    "staffing_value_not_positive": N_("%(field)s harus angka terhingga di atas 0, bukan %(value)s"),
    "staffing_target_level_invalid": N_(
        "Target layanan harus di atas 0 dan paling tinggi 1 (0,8 atau 80 berarti 80%%), bukan %(value)s"
    ),
    "staffing_max_occupancy_invalid": N_("Okupansi maksimum harus di atas 0 dan paling tinggi 1, bukan %(value)s"),
    "staffing_shrinkage_invalid": N_("Penyusutan (shrinkage) harus 0 atau lebih dan di bawah 1, bukan %(value)s"),
    "staffing_target_unreachable": N_(
        "Sampai %(clerks)s petugas pun, target %(level)s warga dipanggil dalam %(minutes)s menit tidak tercapai: "
        "target terlalu ketat untuk dihitung"
    ),
    "unknown_status": N_("Status tidak dikenal: '%(status)s'"),
    "unknown_status_choice": N_("Status '%(status)s' tidak dikenal; pilih %(choices)s"),
    "unknown_kind": N_("Jenis tidak dikenal: '%(kind)s' (pilih %(choices)s)"),
    "unknown_period": N_("Periode '%(period)s' tidak dikenal; pilih %(choices)s"),
    "unknown_group": N_("Kelompok '%(group)s' tidak dikenal; pilih %(choices)s"),
    "dashboard_resync_over_http": N_("Dasbor memuat ulang lewat HTTP, bukan resync"),
    # Things that do not exist.
    "ticket_not_found": N_("Tiket tidak ditemukan"),
    "staff_not_found": N_("Petugas %(id)s tidak ditemukan"),
    "staff_username_not_found": N_("Petugas '%(username)s' tidak ditemukan"),
    "device_not_found": N_("Perangkat %(id)s tidak ditemukan"),
    "unknown_ticket_token": N_("Tiket tidak ditemukan; periksa kode QR Anda"),
    "ticket_no_longer_available": N_(
        "Tiket ini tidak tersedia lagi: halaman tiket hanya disimpan %(days)s hari setelah hari layanannya"
    ),
    "purge_before_not_past": N_("--before %(before)s harus hari yang sudah lewat (sebelum %(today)s)"),
    "retention_days_too_small": N_(
        "Masa simpan minimal 1 hari: PTSP_COMPLAINT_TEXT_DAYS=%(complaint_days)s, PTSP_STATUS_DAYS=%(status_days)s"
    ),
    "ticket_closed": N_("Tiket ini sudah selesai pada hari layanan yang lalu; tidak ada lagi kabar langsung"),
    "office_not_found": N_("Kantor %(id)s tidak ditemukan"),
    "agency_not_found": N_("Instansi %(id)s tidak ditemukan"),
    "counter_not_found": N_("Loket %(id)s tidak ditemukan"),
    "complaint_not_found": N_("Pengaduan %(id)s tidak ditemukan"),
    "referral_not_found": N_("Rujukan %(id)s tidak ditemukan"),
    "notice_not_found": N_("Pemberitahuan %(id)s tidak ditemukan"),
    "violation_not_found": N_("Pelanggaran %(id)s tidak ditemukan"),
    "notice_note_required": N_("Isi catatan tindak lanjut sebelum mengakui pelanggaran"),
    "notice_already_acknowledged": N_("Pemberitahuan %(id)s sudah diakui"),
    "answer_required": N_("Isi jawaban Anda"),
    "answer_too_long": N_("Jawaban paling panjang %(max)s karakter"),
    "answer_locked": N_("Pelanggaran %(id)s sudah diakui atasan; jawaban tidak dapat diubah lagi"),
    "unknown_print_job": N_("Pekerjaan cetak %(job)s tidak dikenal untuk agent ini"),
    "unknown_service": N_("Layanan %(service)s tidak ada di kantor ini"),
    "unknown_target_service": N_("Layanan tujuan %(service)s tidak tersedia di kantor ini"),
    "unknown_counter": N_("Loket %(counter)s tidak ada di kantor ini"),
    "unknown_department": N_("Dinas %(department)s tidak tersedia untuk kantor ini"),
    # Accounts, devices and set-up.
    "unknown_role": N_("Peran tidak dikenal: '%(role)s' (pilih %(choices)s)"),
    "password_too_short": N_("Kata sandi minimal %(min)s karakter"),
    "username_taken": N_("Nama pengguna '%(username)s' sudah dipakai"),
    "username_invalid": N_("Nama pengguna '%(username)s' tidak valid: 3-64 huruf kecil, angka, titik, garis bawah "
                           "atau tanda hubung"),
    "unknown_device_kind": N_("Jenis perangkat tidak dikenal: '%(kind)s' (pilih %(choices)s)"),
    "setup_file_invalid": N_("Berkas pengaturan tidak valid: %(problems)s"),
    "unknown_parent_office": N_("Kantor induk '%(parent)s' tidak dikenal (tulis kantor induk lebih dulu)"),
    "counter_unknown_services": N_("Kantor %(office)s, loket %(counter)s: layanan tidak dikenal %(services)s"),
    "setup_refused": N_("Berkas pengaturan ditolak (%(count)s masalah); tidak ada yang diubah"),
    "setup_repeated_key": N_("%(where)s: %(key)s '%(value)s' ditulis lebih dari sekali; setiap %(key)s hanya boleh "
                             "sekali"),
    "setup_office_problem": N_("Kantor %(office)s: %(problem)s"),
    "username_of_another_office": N_("Nama pengguna '%(username)s' di kantor %(office)s sudah dipakai akun kantor "
                                     "%(owner)s: berkas tidak memindahkan akun ke kantor lain, pakai nama pengguna "
                                     "lain"),
    "username_of_no_office": N_("Nama pengguna '%(username)s' di kantor %(office)s sudah dipakai akun tanpa kantor "
                                "(admin): berkas tidak memindahkannya ke kantor, pakai nama pengguna lain"),
    "unknown_offices": N_("Kantor tidak dikenal: %(offices)s"),
    "unknown_supervisor": N_("Atasan '%(supervisor)s' dari %(username)s tidak dikenal"),
    "staff_unknown_agency": N_("Instansi '%(agency)s' dari %(username)s tidak ada di kantor ini"),
    "service_prefix_invalid": N_("Awalan layanan harus 1-2 huruf kapital, bukan '%(prefix)s'"),
    "ticket_code_invalid": N_("Kode tiket tidak valid: '%(code)s'"),
    "unknown_timezone": N_("Zona waktu tidak dikenal: '%(timezone)s'"),
    "time_invalid": N_("Jam tidak valid: '%(value)s' (pakai HH:MM)"),
    "opening_hours_not_mapping": N_("Jam buka harus berupa peta hari → daftar interval"),
    "unknown_days": N_("Hari tidak dikenal: %(days)s"),
    "closing_before_opening": N_("%(day)s: jam tutup harus setelah jam buka"),
    "opening_hours_overlap": N_("%(day)s: interval jam buka bertumpuk"),
    "closures_not_mapping": N_("Penutupan kantor harus berupa peta hari → daftar [dari, sampai, alasan]"),
    "closure_invalid": N_("%(day)s: penutupan harus berupa [dari, sampai] atau [dari, sampai, alasan]"),
    "closure_not_a_gap": N_("%(day)s: penutupan %(start)s–%(end)s harus tepat satu jeda di antara dua "
                            "interval jam buka"),
    "param_too_large": N_("Parameter %(name)s paling besar %(limit)s"),
    "tolerance_invalid": N_("Toleransi %(rule)s: isi bilangan bulat menit 0–%(limit)s, bukan '%(value)s'"),
    "setting_not_fraction": N_("%(setting)s harus di antara 0 dan 1"),
    "setting_not_rating": N_("%(setting)s harus 1-4"),
    "setting_negative": N_("%(setting)s tidak boleh negatif"),
    # Counters.
    "counter_staff_only": N_("Hanya petugas loket yang dapat melakukan ini"),
    "open_counter_staff_only": N_("Hanya petugas yang dapat membuka loket"),
    "counter_on_break": N_("Loket %(counter)s sedang istirahat"),
    "counter_opened_by_other": N_("Loket %(counter)s dibuka oleh petugas lain"),
    "counter_in_use": N_("Loket %(counter)s sedang dipakai %(staff)s"),
    "other_counter_open": N_("Tutup dulu loket Anda yang lain"),
    "break_reason_required": N_("Alasan istirahat wajib diisi"),
    "finish_ticket_before_break": N_("Selesaikan tiket yang sedang dilayani sebelum istirahat"),
    "finish_ticket_before_close": N_("Selesaikan tiket yang sedang dilayani sebelum menutup loket"),
    "finish_current_ticket": N_("Selesaikan dulu tiket %(ticket)s di loket %(counter)s"),
    # Tickets.
    "service_inactive": N_("Layanan %(service)s sedang tidak dibuka"),
    "phone_tickets_not_offered": N_("Kantor ini tidak menyediakan pengambilan nomor lewat ponsel"),
    "phone_ticket_already_held": N_("Ponsel ini sudah memegang nomor %(code)s untuk layanan ini"),
    "phone_cookie_required": N_("Buka halaman ini lagi dan izinkan cookie, lalu coba sekali lagi"),
    "phone_number_invalid": N_("Nomor ponsel tidak valid (contoh: 0812 3456 7890)"),
    "phone_alerts_not_offered": N_("Kantor ini tidak mengirim pemberitahuan lewat WhatsApp/SMS"),
    "alerts_ticket_not_waiting": N_("Pemberitahuan hanya untuk nomor yang masih menunggu atau dipanggil"),
    "alerts_too_many": N_("Paling banyak %(max)s pemberitahuan per nomor antrean"),
    "alerts_nothing_to_subscribe": N_("Pilih pemberitahuan peramban atau nomor ponsel"),
    "push_endpoint_refused": N_("Alamat layanan pemberitahuan peramban ini tidak diterima"),
    "daily_quota_reached": N_("Kuota harian %(service)s sudah habis"),
    "call_reason_required": N_("Alasan wajib diisi untuk memanggil tiket tertentu"),
    "counter_does_not_serve_ticket": N_("Loket %(counter)s tidak melayani tiket %(ticket)s"),
    "nothing_called": N_("Tidak ada tiket yang sedang dipanggil di loket %(counter)s"),
    "ticket_not_at_counter": N_("Tiket %(ticket)s tidak sedang dilayani di loket ini (%(counter)s)"),
    "recall_after_serving": N_("Tiket %(ticket)s sudah dilayani; tidak bisa dipanggil ulang"),
    "ticket_action_not_allowed": N_("Tiket %(ticket)s berstatus %(status)s; aksi ini tidak berlaku"),
    "ticket_transition_invalid": N_("Tiket berstatus '%(status)s' tidak dapat di-%(action)s"),
    "transfer_to_same_service": N_("Layanan tujuan sama dengan layanan sekarang"),
    "step_service_repeated": N_("Layanan %(service)s sudah ada dalam kunjungan ini; satu layanan hanya sekali"),
    "too_many_steps": N_("Satu kunjungan paling banyak %(max)s langkah"),
    "transfer_reason_required": N_("Alasan pengalihan wajib diisi"),
    "ticket_token_mismatch": N_("Token tiket tidak cocok"),
    "cancel_staff_only": N_("Hanya petugas yang dapat membatalkan tiket"),
    # Printing.
    "reprint_staff_only": N_("Hanya petugas yang dapat meminta cetak ulang"),
    "reprint_ticket_finished": N_("Tiket %(ticket)s sudah selesai; tidak perlu dicetak ulang"),
    "reprint_no_kiosk_printer": N_("Tiket %(ticket)s tidak diambil dari kios berprinter"),
    "device_not_kiosk": N_("Perangkat '%(device)s' bukan kios"),
    "printer_setting_or_agent": N_("Pilih salah satu: setelan printer atau print agent"),
    "device_not_office_agent": N_("'%(device)s' bukan print agent kantor ini"),
    "paper_width_invalid": N_("Lebar kertas %(width)s tidak didukung: 32 karakter (58 mm) atau 48 (80 mm)"),
    "print_job_not_printing": N_("Pekerjaan cetak %(job)s tidak sedang dicetak"),
    # Referrals to departments.
    "department_slug_invalid": N_("Kode dinas '%(slug)s' tidak valid: 2-64 huruf kecil, angka atau '-'"),
    "department_name_required": N_("Nama dinas wajib diisi"),
    "department_slug_taken": N_("Kode dinas '%(slug)s' sudah dipakai"),
    "refer_staff_only": N_("Hanya petugas yang dapat merujuk"),
    "referral_note_required": N_("Uraian kasus wajib diisi"),
    "referral_too_early": N_("Tiket %(ticket)s berstatus %(status)s; rujuk saat atau setelah dilayani"),
    "already_referred": N_("Tiket %(ticket)s sudah dirujuk ke %(department)s"),
    "response_hours_too_short": N_("Batas respons minimal %(min)s jam"),
    "referral_closed": N_("Rujukan sudah ditutup (%(status)s); tidak bisa diubah"),
    "referral_acknowledge_first": N_("Laporan pertama harus 'received' atau 'returned'"),
    "referral_status_backwards": N_("Status hanya boleh maju: %(current)s → %(new)s"),
    "quarter_invalid": N_("Kuartal tidak valid: '%(value)s' (pakai mis. 2026Q4)"),
    # Ratings and complaints.
    "rating_not_open_yet": N_("Penilaian dibuka setelah layanan selesai"),
    "already_rated": N_("Tiket ini sudah dinilai; satu penilaian per tiket"),
    "rating_out_of_range": N_("Nilai %(field)s harus 1-4"),
    "rating_required": N_("Pilih penilaian 1-4"),
    "rating_no_longer_open": N_("Tiket ini tidak lagi menunggu penilaian di loket ini"),
    "unknown_skm_elements": N_("Unsur tidak dikenal: %(elements)s"),
    "skm_elements_missing": N_("Isi kesembilan unsur SKM atau kosongkan semua (kurang: %(elements)s)"),
    "ikm_out_of_scale": N_("Nilai IKM %(value)s di luar skala 25-100"),
    "ikm_needs_nine_means": N_("IKM butuh rata-rata kesembilan unsur"),
    "complaints_supervisors_only": N_("Hanya supervisor atau manajer yang menangani pengaduan"),
    "complaint_text_required": N_("Isi pengaduan tidak boleh kosong"),
    "complaint_too_long": N_("Pengaduan paling panjang %(max)s karakter"),
    "complaint_done": N_("Pengaduan sudah selesai"),
    "complaint_status_order": N_("Dari '%(current)s' hanya bisa ke '%(expected)s'"),
    "note_too_long": N_("Catatan paling panjang %(max)s karakter"),
    "complaint_answer_required": N_("Tuliskan jawaban untuk warga sebelum menutup"),
    "complaint_office_unknown": N_("Kantor '%(office)s' tidak ditemukan"),
    "complaint_code_unknown": N_("Kode pengaduan tidak ditemukan; periksa kembali kodenya"),
    "complaint_service_unknown": N_("Layanan yang dipilih tidak ada di kantor ini"),
    "complaint_ticket_unknown": N_("Tiket dengan kode halaman status itu tidak ditemukan di kantor ini"),
    "complaint_contact_too_long": N_("Kontak paling panjang %(max)s karakter"),
    "complaint_contact_consent_required": N_(
        "Centang persetujuan agar kontak Anda boleh disimpan, atau kosongkan kontak"),
    "complaint_channel_unknown": N_("Saluran '%(channel)s' tidak dikenal; pilih salah satu: %(choices)s"),
    "complaint_received_out_of_range": N_("Waktu diterima tidak boleh di masa depan atau lebih dari 7 hari lalu"),
    "complaint_office_required": N_("Pilih kantor tempat pengaduan diterima"),
    "complaint_received_invalid": N_("Waktu diterima harus berupa tanggal dan jam"),
    "lapor_number_invalid": N_("Nomor LAPOR! paling panjang %(max)s karakter: huruf, angka, '-', '/' atau '.'"),
    # Points.
    "points_supervisors_only": N_("Hanya supervisor atau manajer yang dapat memutuskan poin"),
    "reason_too_long": N_("Alasan paling panjang %(max)s karakter"),
    "reject_reason_required": N_("Alasan wajib diisi untuk menolak poin"),
    "own_points": N_("Poin sendiri tidak dapat diputuskan sendiri"),
    "no_held_points": N_("Tiket ini tidak punya poin yang ditahan"),
    "points_already_decided": N_("Poin tiket ini sudah diputuskan"),
    # Planning.
    "shift_too_short": N_("Panjang shift harus minimal %(min)s jam"),
    "weekly_hours_invalid": N_("Jam kerja mingguan tidak valid (0 ≤ minimum ≤ maksimum)"),
    "weekly_hours_below_shift": N_("Jam kerja mingguan maksimum lebih pendek dari satu shift"),
    "hour_not_coverable": N_("%(day)s %(hour)s: tidak ada pola shift yang bisa menutup jam ini"),
    "exposure_not_positive": N_("Paparan (jam) harus positif"),
    "count_negative": N_("Jumlah tidak boleh negatif"),
    # Holidays and the office's closure days.
    "office_closed_holiday": N_("Kantor tutup hari ini: %(name)s"),
    "closures_managers_only": N_("Hanya manajer kantor atau admin yang dapat mengatur hari tutup"),
    "calendar_staff_only": N_("Hanya petugas kantor yang dapat melihat kalender kantor"),
    "closure_reason_missing": N_("Alasan tutup wajib diisi"),
    "closure_reason_too_long": N_("Alasan tutup paling panjang %(max)s karakter"),
    "closure_day_past": N_("Hari %(day)s sudah lewat"),
    "closure_day_taken": N_("Kantor sudah ditutup pada %(day)s: %(reason)s"),
    "closure_not_found": N_("Tidak ada hari tutup kantor pada %(day)s"),
    "calendar_office_wide_only": N_("Jam buka dan kalender berlaku untuk seluruh kantor: hanya manajer kantor atau "
                                    "admin yang mengubahnya, bukan manajer satu instansi"),
    "calendar_day_stays_open": N_("Kantor sudah ditetapkan tetap buka pada %(day)s; batalkan dulu"),
    "stays_open_not_cuti_bersama": N_("%(day)s bukan cuti bersama: hanya cuti bersama yang dapat dibuat tetap buka"),
    "stays_open_not_found": N_("Kantor tidak ditetapkan tetap buka pada %(day)s"),
    "closure_range_reversed": N_("Tanggal akhir %(last)s sebelum tanggal awal %(first)s"),
    "closure_range_too_long": N_("Paling banyak %(max)s hari sekaligus"),
    "calendar_year_invalid": N_("Tahun %(year)s di luar kalender"),
    # The opening-hours page ("Atur jam buka").
    "hours_day_incomplete": N_("%(day)s: isi jam buka dan jam tutup, atau centang tutup seharian"),
    "break_incomplete": N_("%(day)s: isi jam mulai dan jam selesai istirahat, atau kosongkan keduanya"),
    "break_end_before_start": N_("%(day)s: istirahat %(start)s–%(end)s harus selesai setelah mulai"),
    "break_outside_hours": N_("%(day)s: istirahat %(start)s–%(end)s harus di dalam jam buka %(open)s–%(close)s"),
    "breaks_overlap": N_("%(day)s: istirahat %(first)s dan %(second)s bertumpuk atau bersambung; gabungkan"),
    # Administration pages (docs/administration.md).
    "administrators_only": N_("Halaman administrasi hanya untuk manajer dan admin"),
    "role_not_grantable": N_("Anda tidak dapat memberikan peran '%(role)s'"),
    "staff_name_invalid": N_("Nama wajib diisi, paling panjang 200 karakter"),
    "office_required": N_("Pilih kantor untuk akun ini (hanya admin boleh tanpa kantor)"),
    "supervisor_not_allowed": N_("Atasan %(id)s tidak dapat dipilih: harus akun aktif di kantor ini atau "
                                 "kantor di atasnya"),
    "supervisor_cycle": N_("'%(username)s' tidak dapat menjadi atasan: rantai atasan akan berputar"),
    "password_change_expired": N_("Penggantian kata sandi ini tidak berlaku lagi; masuk kembali"),
    "password_change_required": N_("Kata sandi sementara harus diganti dulu di halaman masuk"),
    "password_confirm_mismatch": N_("Kedua isian kata sandi baru tidak sama"),
    "password_too_simple": N_("Kata sandi harus memuat huruf dan paling sedikit satu angka atau tanda"),
    "password_contains_username": N_("Kata sandi tidak boleh memuat nama pengguna"),
    "password_unchanged": N_("Kata sandi baru harus berbeda dari yang sekarang"),
    "device_name_invalid": N_("Nama perangkat wajib diisi, paling panjang 100 karakter"),
    "device_name_taken": N_("Nama perangkat '%(name)s' sudah dipakai perangkat %(id)s di kantor ini"),
    "device_name_ambiguous": N_("Ada %(count)s perangkat bernama '%(name)s' (id %(ids)s): ganti nama dulu agar jelas"),
    "device_name_unknown": N_("Tidak ada %(kind)s bernama '%(name)s' di kantor ini"),
    # Offices and agencies (docs/administration.md, "Kantor dan instansi").
    "office_slug_taken": N_("Kode kantor '%(slug)s' sudah dipakai"),
    "office_parent_unknown": N_("Kantor induk %(office)s tidak ada"),
    "office_parent_cycle": N_("%(parent)s ada di bawah %(office)s: kantor tidak dapat berada di bawah dirinya sendiri"),
    "office_parent_out_of_scope": N_("Kantor induk %(office)s di luar wewenang Anda: kantor tidak dapat dipindah "
                                     "ke luar wewenang Anda"),
    "agency_code_taken": N_("Kode instansi '%(code)s' sudah dipakai di kantor ini"),
    "office_wide_only": N_("Hanya manajer kantor atau admin yang dapat mengubah ini; manajer satu instansi hanya "
                           "mengubah nama instansinya sendiri"),
    "office_create_admins_only": N_("Hanya admin yang dapat membuat kantor baru"),
    "office_root_admins_only": N_("Hanya admin yang dapat menjadikan kantor tanpa induk"),
    "service_not_found": N_("Layanan %(id)s tidak ditemukan"),
    "fee_basis_required": N_("Biaya Rp %(fee)s harus disertai dasar hukumnya (peraturan yang menetapkan tarif)"),
    "service_prefix_taken": N_("Awalan '%(prefix)s' sudah dipakai layanan %(name)s di kantor ini"),
    "service_prefix_in_use": N_("Awalan '%(prefix)s' tidak dapat diganti: sudah ada tiket dengan awalan ini"),
    "service_on_other_agency_counter": N_("Layanan %(prefix)s masih dilayani loket %(counter)s milik instansi "
                                          "lain; lepaskan dulu dari loket itu"),
    "service_not_in_office": N_("Layanan %(id)s bukan layanan kantor ini"),
    "service_of_other_agency": N_("Loket instansi %(agency)s hanya melayani layanan instansinya dan layanan umum "
                                  "kantor, bukan %(prefix)s"),
    "counter_number_taken": N_("Nomor loket %(number)s sudah dipakai di kantor ini"),
    "counter_open_cannot_close": N_("Loket %(counter)s sedang dibuka oleh %(staff)s; tutup dulu loketnya di layar "
                                    "loket, lalu nonaktifkan"),
    "counter_inactive": N_("Loket %(counter)s sudah ditutup permanen oleh administrator"),
    "pairing_code_malformed": N_("Kode pemasangan terdiri dari %(length)s huruf dan angka seperti yang tampil di "
                                 "layar perangkat (mis. ACDE-FG23)"),
    "pairing_code_unknown": N_("Kode %(code)s tidak dikenal: periksa kode di layar perangkat"),
    "pairing_code_used": N_("Kode %(code)s sudah dipakai; perangkat itu akan menampilkan kode baru bila perlu"),
    "pairing_code_expired": N_("Kode %(code)s sudah kedaluwarsa; muat ulang halaman perangkat untuk kode baru"),
    "pairing_code_kind_mismatch": N_("Kode ini tampil di %(station)s, bukan %(kind)s: pilih jenis yang sesuai"),
    "printer_setting_not_from_pages": N_("Dari halaman ini hanya printer jaringan (network:HOST[:PORT]), preview "
                                         "atau print agent; '%(setting)s' dipilih operator server dengan "
                                         "ptsp printer set"),
    "printer_setting_invalid": N_("Setelan printer salah: %(reason)s"),
    "printer_language_invalid": N_("Bahasa tiket '%(language)s' tidak dikenal (pilih %(choices)s)"),
    "pairing_code_gone": N_("Tidak ada kode pemasangan yang masih berlaku untuk peramban ini; minta kode baru"),
}
for _part in (QUEUE_MESSAGES, OUTREACH_MESSAGES):  # jemput bola: docs/outreach.md
    for _reason in _part.keys() & MESSAGES.keys():  # one template per reason, wherever it is written
        raise RuntimeError(f"two messages for {_reason!r}")
    MESSAGES |= _part


def describe(error: DomainError) -> str:
    """The error as one sentence in the current request's language (Indonesian outside a request)."""
    template = MESSAGES.get(error.reason) or MESSAGES.get(error.code) or MESSAGES["domain_error"]
    params = {key: _shown(value) for key, value in error.params.items()}
    return gettext(template, **params) if params else gettext(template)


def _shown(value: object) -> object:
    """A parameter as the sentence shows it: lists joined, field problems worded (ptsp.i18n.validation)."""
    if value is None:
        return ""
    if isinstance(value, Sequence) and not isinstance(value, str):
        if value and all(isinstance(item, Problem) for item in value):
            return describe_problems(value)
        return ", ".join(str(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return value
