"""Resident feedback: the rating page behind a ticket's QR code, and the counter-side rating tablet."""

from . import views  # noqa: F401  (views attach themselves to bp)
from .blueprint import bp

__all__ = ["bp"]
