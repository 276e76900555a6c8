"""JSON REST API under /api/v1."""

from . import accounts, closures, devices, discipline, errors, feedback, notices, points, printing, referrals, routes  # noqa: F401  (routes attach themselves to bp)
from .blueprint import bp

__all__ = ["bp"]
