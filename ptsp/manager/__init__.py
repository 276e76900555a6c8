"""Manager pages: live view, leaderboard, feedback and planning for the offices a manager is responsible for.

Each page module attaches its routes to `bp`. Every page requires a supervisor, manager or admin; a clerk
gets a readable refusal page, and a visitor who has not logged in is sent to the login form.
"""

from . import (  # noqa: F401  (page modules attach themselves to bp)
    accountability,
    admin,
    admin_catalogue,
    admin_devices,
    admin_hours,
    admin_offices,
    admin_printers,
    dashboard,
    export,
    feedback,
    notices,
    outreach,
    password,
    planning,
    points,
    poster,
    urgent,
    views,
)
from .blueprint import bp

__all__ = ["bp"]
