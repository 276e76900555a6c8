import pytest
from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_PAPER

from printers.status import PrinterStatus, interpret_status, is_status_byte

ONLINE = 0b0001_0010
OFFLINE = 0b0001_1010
PAPER_OK = 0b0001_0010
NEAR_END = 0b0001_1110  # bits 2-3
PAPER_OUT = 0b0111_0010  # bits 5-6


def test_answer_bytes_agree_with_python_escpos_masks():
    assert (PAPER_OK, NEAR_END, PAPER_OUT) == (RT_MASK_PAPER, RT_MASK_LOWPAPER, RT_MASK_NOPAPER)


@pytest.mark.parametrize(
    ("printer_byte", "paper_byte", "expected"),
    [
        (ONLINE, PAPER_OK, PrinterStatus.OK),
        (ONLINE, NEAR_END, PrinterStatus.PAPER_NEAR_END),
        (ONLINE, 0b0001_0110, PrinterStatus.PAPER_NEAR_END),  # only bit 2
        (ONLINE, NEAR_END | PAPER_OUT, PrinterStatus.PAPER_OUT),
        (OFFLINE, PAPER_OUT, PrinterStatus.PAPER_OUT),
        (ONLINE, 0b0011_0010, PrinterStatus.PAPER_OUT),  # only bit 5
        (OFFLINE, PAPER_OK, PrinterStatus.OFFLINE),
        (0x00, PAPER_OK, PrinterStatus.UNKNOWN),
        (ONLINE, 0xFF, PrinterStatus.UNKNOWN),
    ],
)
def test_dle_eot_answers_are_read_per_epson_bits(printer_byte, paper_byte, expected):
    assert interpret_status(printer_byte, paper_byte) is expected


def test_only_bytes_with_the_fixed_bits_are_status_answers():
    assert is_status_byte(0x12)
    assert not is_status_byte(0x13)  # bit 0 must be clear
    assert not is_status_byte(0x92)  # bit 7 must be clear
    assert not is_status_byte(0x02)  # bit 4 must be set
