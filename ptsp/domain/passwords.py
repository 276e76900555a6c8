"""The minimum strength of a password a person chooses (docs/administration.md, "Passwords").

At least 10 characters, with a letter and a character that is not a letter, and not containing the
username. Plain rules a clerk can follow without a meter; long passphrases ("loket tiga buka 08.00") pass.
"""

from __future__ import annotations

from .errors import InvalidInput

MIN_CHOSEN_PASSWORD = 10


def check_chosen_password(password: str, confirm: str, username: str) -> None:
    """Raise InvalidInput with the first rule `password` breaks (or when the two entries differ)."""
    if password != confirm:
        raise InvalidInput("password_confirm_mismatch")
    if len(password) < MIN_CHOSEN_PASSWORD:
        raise InvalidInput("password_too_short", min=MIN_CHOSEN_PASSWORD)
    if not any(c.isalpha() for c in password) or all(c.isalpha() for c in password):
        raise InvalidInput("password_too_simple")
    if username and username.lower() in password.lower():
        raise InvalidInput("password_contains_username")
