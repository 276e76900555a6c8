"""The lobby display station: current calls, waiting counts, chime and spoken announcements."""

from . import views  # noqa: F401  (views attach themselves to bp)
from .blueprint import bp

__all__ = ["bp"]
