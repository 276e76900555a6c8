"""Ticket codes such as `A-007`."""

import re

from .errors import InvalidInput

_PREFIX = re.compile(r"^[A-Z]{1,2}$")
_CODE = re.compile(r"^([A-Z]{1,2})-(\d{3,4})$")


def validate_prefix(prefix: str) -> str:
    """Return the prefix if it is one or two capital letters, else raise InvalidInput."""
    if not _PREFIX.match(prefix or ""):
        raise InvalidInput("service_prefix_invalid", prefix=prefix)
    return prefix


def format_code(prefix: str, number: int) -> str:
    """Format a ticket code: at least three digits, `A-007`, `A-1000`."""
    return f"{prefix}-{number:03d}"


def parse_code(code: str) -> tuple[str, int]:
    """Split `A-007` into ("A", 7)."""
    match = _CODE.match(code)
    if not match:
        raise InvalidInput("ticket_code_invalid", code=code)
    return match.group(1), int(match.group(2))
