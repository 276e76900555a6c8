"""JSON REST API under /api/v1."""

from . import (  # noqa: F401  (routes attach themselves to bp)
    accounts,
    closures,
    devices,
    discipline,
    errors,
    feedback,
    notices,
    points,
    printing,
    referrals,
    routes,
    urgent,
)
from .blueprint import bp

__all__ = ["bp"]
