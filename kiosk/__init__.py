"""The kiosk station (`/kiosk/`), its printing, and the resident's ticket page (`/t/<token>`)."""

from . import check_in, status, views  # noqa: F401  (views attach themselves to the blueprints)
from .blueprint import bp, status_bp

__all__ = ["bp", "status_bp"]
