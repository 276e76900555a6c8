from escpos.constants import GS, QR_ECLEVEL_M
from escpos.printer import Dummy

from printers.escpos_render import _render_block, fold_text, render_escpos
from printers.layout import ticket_layout
from printers.model import Layout, TextLine
from tests.printers.conftest import STATUS_URL
from tests.printers.escpos_parse import parse_escpos

COMPLAINT = "WA 0812-1111-2222 (Senin–Jum’at) café"


def expected_58mm_ticket() -> bytes:
    """Spell out, command by command, what a 58 mm ticket must send."""
    printer = Dummy()
    printer.hw("INIT")
    printer.charcode("CP1252")

    def line(text, *, bold=False, size=1, align="center"):
        printer.set(align=align, bold=bold, custom_size=True, width=size, height=size)
        printer.textln(text)

    def rule():
        printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
        printer.textln("-" * 32)

    line("Kecamatan Tebet", bold=True)
    line("Perekaman KTP-el")
    rule()
    line("Nomor Antrean")
    line("B-007", bold=True, size=4)
    line("Prioritas: Ibu hamil", bold=True)
    line("", align="left")
    line("Senin, 23 November 2026")
    line("08.15 WIB")
    line("Di depan Anda: 4 orang")
    line("Perkiraan tunggu: ± 12 menit")
    line("", align="left")
    printer.set(align="center")
    printer.qr(STATUS_URL, ec=QR_ECLEVEL_M, size=6, native=True)
    line("Pindai untuk memantau antrean")
    rule()
    line("Layanan ini GRATIS.", bold=True)
    line("Tolak pungutan liar.", bold=True)
    line("Pengaduan: WA 0812-1111-2222")
    line("(Senin–Jum’at) café")
    line("SP4N-LAPOR! lapor.go.id")
    printer.cut()
    return printer.output


def test_58mm_ticket_bytes_match_python_escpos_command_by_command(make_ticket):
    ticket = make_ticket(priority_label="Ibu hamil", complaint_channel=COMPLAINT)
    assert render_escpos(ticket_layout(ticket, 32)) == expected_58mm_ticket()


def test_ticket_starts_with_reset_and_windows_1252_code_page(make_ticket):
    data = render_escpos(ticket_layout(make_ticket(), 48))
    assert data.startswith(b"\x1b@" + b"\x1bt\x10")


def test_qr_is_the_native_gs_k_command_not_a_raster_image(make_ticket):
    data = render_escpos(ticket_layout(make_ticket(), 48))
    url = STATUS_URL.encode("ascii")
    store = GS + b"(k" + (len(url) + 3).to_bytes(2, "little") + b"1P0" + url
    print_symbol = GS + b"(k\x03\x001Q0"
    assert store + print_symbol in data
    assert GS + b"(k\x03\x001C\x08" in data  # 80 mm paper: 8-dot modules
    assert GS + b"v0" not in data  # no raster bit image
    assert parse_escpos(data).qr_payloads == [STATUS_URL]


def test_typographic_punctuation_and_accents_reach_the_printer_in_cp1252(make_ticket):
    data = render_escpos(ticket_layout(make_ticket(complaint_channel=COMPLAINT), 48))
    assert "(Senin–Jum’at) café".encode("cp1252") in data
    assert "Pengaduan: " + COMPLAINT in parse_escpos(data).texts


def test_cp437_printer_gets_the_nearest_characters_instead_of_garbage(make_ticket):
    ticket = make_ticket(office_name="Kantor Desa Ngārai – “Bersih”", complaint_channel=COMPLAINT)
    data = render_escpos(ticket_layout(ticket, 48), codepage="CP437")
    printout = parse_escpos(data)
    assert printout.codepages == ["cp437"]
    assert 'Kantor Desa Ngarai - "Bersih"' in printout.texts
    assert "Pengaduan: WA 0812-1111-2222 (Senin-Jum'at) café" in printout.texts


def test_characters_no_code_page_holds_become_question_marks():
    layout = Layout(32, "id", (TextLine("Loket 3 😀 北"),))
    assert parse_escpos(render_escpos(layout)).texts == ["Loket 3 ? ?"]


def test_control_characters_in_text_cannot_inject_printer_commands():
    layout = Layout(32, "id", (TextLine("Kantor\x1bi\x1dV\x00A"),))
    data = render_escpos(layout)
    assert b"\x1bi" not in data
    assert parse_escpos(data).texts == ["Kantor i V A"]


def test_fold_text_keeps_what_the_code_page_can_print():
    assert fold_text("Jum’at – ok", lambda char: ord(char) < 128) == "Jum'at - ok"
    assert fold_text("é", lambda char: True) == "é"


def test_decoded_ticket_keeps_size_and_emphasis(make_ticket):
    printout = parse_escpos(render_escpos(ticket_layout(make_ticket(), 32)))
    code = next(line for line in printout.lines if line.text == "B-007")
    assert (code.size, code.bold, code.align) == (4, True, "center")
    assert printout.cuts == 1
    assert all(len(line.text) * line.size <= 32 for line in printout.lines)


def fresh_render(layout: Layout, codepage: str) -> bytes:
    """The ticket through one new python-escpos printer, block after block, as it was rendered before blocks
    were kept per process."""
    printer = Dummy()
    name = printer.magic.encoder.get_encoding_name(codepage)
    printer.hw("INIT")
    printer.charcode(name)
    for block in layout.blocks:
        _render_block(printer, block, layout.width_chars, lambda char: printer.magic.encoder.can_encode(name, char))
    return printer.output


def test_blocks_kept_per_process_give_each_code_page_and_width_its_own_bytes(make_ticket):
    ticket = make_ticket(office_name="Kantor Desa Ngārai – “Bersih”", complaint_channel=COMPLAINT)
    for width, codepage in [(48, "CP1252"), (48, "CP437"), (32, "CP437"), (48, "CP1252"), (32, "CP1252")]:
        layout = ticket_layout(ticket, width)
        assert render_escpos(layout, codepage=codepage) == fresh_render(layout, codepage), (width, codepage)
