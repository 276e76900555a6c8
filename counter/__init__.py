"""The counter station: a clerk's login and workstation screen."""

from . import views  # noqa: F401  (views attach themselves to bp)
from .blueprint import bp

__all__ = ["bp"]
