"""The dashboard, charts and export filters: an office among those in scope (or all) and local dates.

Office numbers and dates are checked by ptsp.analytics.filters, the one parser every reader shares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from flask_login import current_user

from ptsp.analytics.filters import date_range, office_number
from ptsp.context import now
from ptsp.domain.errors import Forbidden, Unauthorized
from ptsp.domain.hours import service_day
from ptsp.models import Office

from .access import MANAGER_ROLES, visible_offices


@dataclass(frozen=True)
class Filters:
    offices: list[Office]  # the chosen office, or every office in scope
    office_id: int | None  # None: all offices in scope
    first: date
    last: date

    def query(self) -> dict[str, str]:
        """The filters as query-string values (for links to the exports and JSON)."""
        values = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.office_id is not None:
            values["office"] = str(self.office_id)
        return values


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read `office`, `from` and `to` (local dates, inclusive); raise InvalidInput or Forbidden on bad values.

    Without dates the range is the last 30 days up to today in the first chosen office's time zone.
    """
    offices = visible_offices()
    raw_office = (args.get("office") or "").strip()
    office_id = None
    if raw_office and raw_office != "all":
        office_id = office_number(raw_office)
        chosen = [o for o in offices if o.id == office_id]
        if not chosen:
            raise Forbidden("office_out_of_scope", office=office_id)
        offices = chosen
    zone = offices[0].timezone if offices else "Asia/Jakarta"
    first, last = date_range(args.get("from"), args.get("to"), service_day(now(), zone))
    return Filters(offices, office_id, first, last)


def manager_json(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like `manager_page`, for JSON: 401 for visitors, 403 for clerks, as {error, message}."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            raise Unauthorized("login_required")
        if current_user.role not in MANAGER_ROLES:
            raise Forbidden("supervisors_only")
        return view(*args, **kwargs)

    return wrapper
