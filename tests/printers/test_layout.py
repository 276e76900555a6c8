from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from printers.layout import TICKET_TEXT, format_date, format_time, ticket_layout
from printers.model import Cut, QrBlock, Separator, TextLine
from ptsp.i18n import gettext_in
from ptsp.services.printing import ticket_text
from tests.conftest import make_test_app
from tests.printers.conftest import STATUS_URL


def texts(layout):
    return [block.text for block in layout.blocks if isinstance(block, TextLine)]


@pytest.mark.parametrize("width", [32, 48])
def test_no_line_is_wider_than_the_paper(make_ticket, width):
    tickets = [
        make_ticket(),
        make_ticket(
            office_name="Mal Pelayanan Publik Kota Makassar – Gedung Pelayanan Terpadu Lt. 2",
            service_name="Izin Mendirikan Bangunan Gedung dan Persetujuan Bangunan Gedung",
            complaint_channel="https://pengaduan.makassarkota.example.go.id/form-pengaduan-warga",
            priority_label="Penyandang disabilitas",
            code="PRI-A-0123",
            language="en",
        ),
    ]
    for ticket in tickets:
        layout = ticket_layout(ticket, width)
        for block in layout.blocks:
            if isinstance(block, TextLine):
                assert len(block.text) * block.size <= width, block


def test_ticket_reads_in_indonesian_from_office_to_cut(make_ticket):
    layout = ticket_layout(make_ticket(priority_label="Lansia"), 48)

    assert texts(layout) == [
        "Kecamatan Tebet",
        "Perekaman KTP-el",
        "Nomor Antrean",
        "B-007",
        "Prioritas: Lansia",
        "",
        "Senin, 23 November 2026 08.15 WIB",
        "Di depan Anda: 4 orang",
        "Perkiraan tunggu: ± 12 menit",
        "",
        "Pindai untuk memantau antrean",
        "Layanan ini GRATIS.",
        "Tolak pungutan liar.",
        "Pengaduan: WA 0812-1111-2222",
        "SP4N-LAPOR! lapor.go.id",
    ]
    assert [type(block) for block in layout.blocks].count(Separator) == 2
    assert QrBlock(STATUS_URL) in layout.blocks
    assert layout.blocks[-1] == Cut()


def test_code_is_printed_large_and_bold(make_ticket):
    layout = ticket_layout(make_ticket(), 32)
    code_line = next(b for b in layout.blocks if isinstance(b, TextLine) and b.text == "B-007")
    assert code_line.size == 4
    assert code_line.bold


def test_date_and_time_split_when_they_do_not_fit_58mm(make_ticket):
    lines = texts(ticket_layout(make_ticket(), 32))
    assert "Senin, 23 November 2026" in lines
    assert "08.15 WIB" in lines


def test_an_english_printer_prints_the_english_catalogue(make_ticket, tmp_path, clock):
    app = make_test_app(f"sqlite:///{tmp_path / 'layout.db'}", clock)
    with app.app_context():
        english = ticket_text("en")
        assert ticket_text("id") == dict(TICKET_TEXT)
    lines = texts(ticket_layout(make_ticket(language="en", text=english, estimated_wait_minutes=None), 48))
    assert "Monday, 23 November 2026 08:15 WIB" in lines
    assert "Queue number" in lines
    assert "People ahead of you: 4" in lines
    assert "Estimated wait: not yet known" in lines
    assert "This service is FREE." in lines
    assert "Refuse illegal fees." in lines
    assert "Complaints: WA 0812-1111-2222" in lines
    assert "SP4N-LAPOR! lapor.go.id" in lines


def test_unknown_wait_is_said_plainly(make_ticket):
    lines = texts(ticket_layout(make_ticket(estimated_wait_minutes=None), 32))
    assert "Perkiraan tunggu: belum tersedia" in lines


def test_no_priority_line_for_a_regular_ticket(make_ticket):
    assert not any(line.startswith("Prioritas") for line in texts(ticket_layout(make_ticket(), 32)))


def test_empty_complaint_channel_still_names_lapor(make_ticket):
    lines = texts(ticket_layout(make_ticket(complaint_channel="  "), 32))
    assert not any(line.startswith("Pengaduan") for line in lines)
    assert "SP4N-LAPOR! lapor.go.id" in lines


@pytest.mark.parametrize(
    ("moment", "zone", "label", "date", "time"),
    [
        ((2026, 11, 27, 13, 5), "Asia/Makassar", "WITA", "Jumat, 27 November 2026", "13.05 WITA"),
        ((2027, 2, 14, 7, 0), "Asia/Jayapura", "WIT", "Minggu, 14 Februari 2027", "07.00 WIT"),
        ((2026, 8, 17, 23, 59), "Asia/Jakarta", "WIB", "Senin, 17 Agustus 2026", "23.59 WIB"),
    ],
)
def test_indonesian_date_and_time(moment, zone, label, date, time):
    aware = datetime(*moment, tzinfo=ZoneInfo(zone))
    assert format_date(aware, "id") == date
    assert format_time(aware, label, "id") == time


def test_naive_issue_time_is_refused(make_ticket):
    with pytest.raises(ValueError, match="aware"):
        make_ticket(issued_at=datetime(2026, 11, 23, 8, 15))


def test_too_narrow_paper_is_refused(make_ticket):
    with pytest.raises(ValueError, match="at least"):
        ticket_layout(make_ticket(), 20)


def _standard_part(lines):
    """The lines between "Pindai…" and the anti-pungli notice: what the ticket says about fee and time."""
    start = lines.index("Pindai untuk memantau antrean") + 1
    return lines[start:lines.index("Tolak pungutan liar.")]


def test_a_free_service_says_gratis_and_its_completion_time(make_ticket):
    lines = texts(ticket_layout(make_ticket(fee_rupiah=0, completion_days=0), 48))
    assert _standard_part(lines) == ["Layanan ini GRATIS.", "Waktu penyelesaian: selesai hari ini"]
    assert lines[-2:] == ["Pengaduan: WA 0812-1111-2222", "SP4N-LAPOR! lapor.go.id"]


def test_a_paid_service_prints_the_amount_and_its_legal_basis_never_gratis(make_ticket):
    basis = "Perda Kota Bandung No. 1 Tahun 2024 tentang Pajak Daerah dan Retribusi Daerah"
    lines = texts(ticket_layout(make_ticket(fee_rupiah=150000, fee_basis=basis, completion_days=3), 48))
    assert not any("GRATIS" in line.upper() for line in lines)
    assert _standard_part(lines) == [
        "Biaya resmi: Rp 150.000",
        "Dasar hukum: Perda Kota Bandung No. 1 Tahun 2024",
        "tentang Pajak Daerah dan Retribusi Daerah",
        "Bayar hanya sebesar ini, dengan tanda terima",
        "resmi.",
        "Waktu penyelesaian: 3 hari kerja",
    ]
    # the anti-pungli notice and the complaint channels stay on a paid ticket too
    assert "Tolak pungutan liar." in lines and "SP4N-LAPOR! lapor.go.id" in lines
    for width in (32, 48):
        for block in ticket_layout(make_ticket(fee_rupiah=150000, fee_basis=basis), width).blocks:
            if isinstance(block, TextLine):
                assert len(block.text) * block.size <= width


def test_a_service_without_a_published_time_prints_no_time_line(make_ticket):
    lines = texts(ticket_layout(make_ticket(), 32))
    assert not any(line.startswith("Waktu penyelesaian") for line in lines)


def test_a_negative_fee_is_refused(make_ticket):
    with pytest.raises(ValueError, match="fee_rupiah"):
        make_ticket(fee_rupiah=-1)



def test_the_ticket_words_kept_per_process_are_the_catalogues_and_a_copy_for_each_ticket(tmp_path, clock):
    app = make_test_app(f"sqlite:///{tmp_path / 'words.db'}", clock)
    with app.app_context():
        for language in ("en", "id", "en"):
            words = ticket_text(language)
            assert words == {key: gettext_in(language, text) for key, text in TICKET_TEXT.items()}
            words["queue_number"] = "changed by a caller"
            assert ticket_text(language)["queue_number"] == gettext_in(language, TICKET_TEXT["queue_number"])
