"""Spoken call text for the lobby display, always in Indonesian (the hall hears one language).

For example: "Nomor antrian A nol nol tujuh, silakan ke loket tiga".

Wording chosen for a noisy, echoing hall:

- The ticket number is read digit by digit, exactly as printed ("A-007" is
  "A nol nol tujuh", "A-120" is "A satu dua nol"). A resident holding the slip
  compares sounds with the digits in front of them; reading "A-120" as
  "A seratus dua puluh" asks them to convert, and in an echo "tujuh belas" (17) and
  "tujuh puluh" (70) differ only in their last word. Digits also keep every call
  the same rhythm, whatever the number.
- Zero is "nol", the standard reading, not the colloquial "kosong".
- The service letter is read by its Indonesian name (C is "Ce", Q is "Ki",
  X is "Eks"), written out so that a speech engine cannot read it as an English
  letter.
- The counter is read as a number ("loket sebelas", "loket dua puluh satu"): counter
  numbers are small, printed on signs rather than slips, and spoken that way.
- A recall is the same sentence after "Panggilan ulang," so the waiting room hears
  it as a second call for someone who missed the first, not a new ticket.
- A counter name, where the office gives one ("Pengaduan"), follows the number;
  a name that only repeats the number ("Loket 3") is not read twice.

Number words come from num2words.
"""

import re

from num2words import num2words

_CODE = re.compile(r"^([A-Z]{1,2})-(\d{3,4})$")

LETTER_NAMES_ID = {
    "A": "A",
    "B": "Be",
    "C": "Ce",
    "D": "De",
    "E": "E",
    "F": "Ef",
    "G": "Ge",
    "H": "Ha",
    "I": "I",
    "J": "Je",
    "K": "Ka",
    "L": "El",
    "M": "Em",
    "N": "En",
    "O": "O",
    "P": "Pe",
    "Q": "Ki",
    "R": "Er",
    "S": "Es",
    "T": "Te",
    "U": "U",
    "V": "Ve",
    "W": "We",
    "X": "Eks",
    "Y": "Ye",
    "Z": "Zet",
}


class InvalidTicketCode(ValueError):
    """Raised when a ticket code is not one or two capital letters, a dash and 3-4 digits."""


def _split_code(code: str) -> tuple[str, str]:
    match = _CODE.match(code) if isinstance(code, str) else None
    if match is None:
        raise InvalidTicketCode(f"ticket code must look like 'A-007' or 'AB-1234', got {code!r}")
    return match.group(1), match.group(2)


def _check_counter(counter_number: int) -> None:
    valid = isinstance(counter_number, int) and not isinstance(counter_number, bool)
    if not valid or counter_number < 1:
        raise ValueError(f"counter number must be a whole number >= 1, got {counter_number!r}")


def _digits(digits: str, lang: str) -> str:
    return " ".join(num2words(int(digit), lang=lang) for digit in digits)


def _name_worth_saying(counter_name: str | None, counter_number: int) -> str | None:
    if counter_name is None:
        return None
    name = " ".join(counter_name.split())
    if name.casefold() in {"", str(counter_number), f"loket {counter_number}", f"counter {counter_number}"}:
        return None
    return name


def spoken_code(code: str) -> str:
    """Return a ticket code in Indonesian words, letter names first: "A nol nol tujuh"."""
    letters, digits = _split_code(code)
    names = " ".join(LETTER_NAMES_ID[letter] for letter in letters)
    return f"{names} {_digits(digits, 'id')}"


def announcement_text(
    code: str, counter_number: int, counter_name: str | None = None, recall: bool = False
) -> str:
    """Return the Indonesian sentence that calls ticket `code` to a counter."""
    _check_counter(counter_number)
    counter = f"loket {num2words(counter_number, lang='id')}"
    name = _name_worth_saying(counter_name, counter_number)
    if name is not None:
        counter = f"{counter}, {name}"
    opening = "Panggilan ulang, nomor antrian" if recall else "Nomor antrian"
    return f"{opening} {spoken_code(code)}, silakan ke {counter}"

