"""The kiosk station (`/kiosk/`), its printing, the resident's ticket page (`/t/<token>`) with its alerts, and a
ticket taken from a phone (`/ambil/<office>`)."""

from . import phone, status, status_alerts, views  # noqa: F401  (views attach themselves to the blueprints)
from .blueprint import bp, phone_bp, status_bp

__all__ = ["bp", "phone_bp", "status_bp"]
