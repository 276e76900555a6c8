"""`N_` marks a label for the gettext catalogues without translating it: the domain keeps the
Indonesian source text (the msgid), and a page or the API translates it when it shows it."""

from __future__ import annotations


def N_(text: str) -> str:
    """Return `text` unchanged; scripts/i18n.sh extracts it (`-k N_`)."""
    return text
