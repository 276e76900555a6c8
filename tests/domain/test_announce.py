"""The spoken call text for the lobby display."""

import string

import pytest

from ptsp.domain.announce import (
    LETTER_NAMES_ID,
    InvalidTicketCode,
    announcement_text,
    spoken_code,
)


def test_the_example_of_the_issue_is_read_exactly():
    assert announcement_text("A-007", 3) == "Nomor antrian A nol nol tujuh, silakan ke loket tiga"


@pytest.mark.parametrize(
    ("code", "spoken"),
    [
        ("A-000", "A nol nol nol"),
        ("A-100", "A satu nol nol"),
        ("A-999", "A sembilan sembilan sembilan"),
        ("A-1000", "A satu nol nol nol"),
        ("B-017", "Be nol satu tujuh"),
        ("B-070", "Be nol tujuh nol"),
        ("C-250", "Ce dua lima nol"),
        ("K-008", "Ka nol nol delapan"),
        ("Q-123", "Ki satu dua tiga"),
        ("X-456", "Eks empat lima enam"),
        ("Y-789", "Ye tujuh delapan sembilan"),
        ("Z-001", "Zet nol nol satu"),
        ("AB-012", "A Be nol satu dua"),
        ("XY-9999", "Eks Ye sembilan sembilan sembilan sembilan"),
    ],
)
def test_ticket_codes_are_read_letter_by_name_and_digit_by_digit(code, spoken):
    assert spoken_code(code) == spoken


@pytest.mark.parametrize(
    ("counter", "words"),
    [
        (1, "satu"),
        (9, "sembilan"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
    ],
)
def test_counter_numbers_are_read_as_numbers(counter, words):
    assert announcement_text("A-001", counter).endswith(f"silakan ke loket {words}")


def test_recall_says_it_is_a_second_call():
    assert (
        announcement_text("A-007", 3, recall=True)
        == "Panggilan ulang, nomor antrian A nol nol tujuh, silakan ke loket tiga"
    )


def test_a_counter_name_follows_the_number():
    assert (
        announcement_text("P-004", 2, counter_name="  Pengaduan ")
        == "Nomor antrian Pe nol nol empat, silakan ke loket dua, Pengaduan"
    )


@pytest.mark.parametrize("name", ["Loket 12", "loket  12", "12", "", "   "])
def test_a_counter_name_that_only_repeats_the_number_is_not_read(name):
    assert announcement_text("A-001", 12, counter_name=name) == announcement_text("A-001", 12)


def test_every_letter_of_the_alphabet_has_its_indonesian_name():
    assert set(LETTER_NAMES_ID) == set(string.ascii_uppercase)
    assert [LETTER_NAMES_ID[letter].lower() for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"] == [
        "a", "be", "ce", "de", "e", "ef", "ge", "ha", "i", "je", "ka", "el", "em",
        "en", "o", "pe", "ki", "er", "es", "te", "u", "ve", "we", "eks", "ye", "zet",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "code",
    ["A007", "a-007", "A-07", "A-12345", "ABC-001", "-007", "A-", "A-00X", "", " A-007", None, 7],
)
def test_malformed_codes_are_refused(code):
    with pytest.raises(InvalidTicketCode) as raised:
        announcement_text(code, 1)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("counter", [0, -1, 2.0, True, "3"])
def test_counter_must_be_a_positive_whole_number(counter):
    with pytest.raises(ValueError):
        announcement_text("A-001", counter)

