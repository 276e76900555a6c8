"""The public booking pages of an office: `/book/<office-slug>` (docs/appointments.md)."""

from . import views  # noqa: F401  (attaches the routes)
from .blueprint import bp

__all__ = ["bp"]
