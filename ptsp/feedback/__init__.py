"""Resident feedback: the rating page behind a ticket's QR code, the counter-side rating tablet, and the public
complaint page."""

from . import complaints, outreach, views  # noqa: F401  (views attach themselves to bp)
from .blueprint import bp

__all__ = ["bp"]
