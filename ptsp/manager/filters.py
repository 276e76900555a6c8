"""The dashboard, charts and export filters: an office among those in scope (or all), an agency, local dates.

Office and agency numbers and dates are checked by ptsp.analytics.filters, the one parser every reader shares;
an agency-limited reader always reads their agency (`scoped_agency`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from flask_login import current_user

from ptsp.analytics.filters import date_range, office_number, scoped_agency
from ptsp.context import get_read_db, now
from ptsp.domain.errors import Forbidden, Unauthorized
from ptsp.domain.hours import service_day
from ptsp.models import Office

from .access import MANAGER_ROLES, current_actor, visible_offices


@dataclass(frozen=True)
class Filters:
    offices: list[Office]  # the chosen office, or every office in scope
    office_id: int | None  # None: all offices in scope
    first: date
    last: date
    agency_id: int | None = None  # None: every agency of the offices

    def query(self) -> dict[str, str]:
        """The filters as query-string values (for links to the exports and JSON)."""
        values = {"from": self.first.isoformat(), "to": self.last.isoformat()}
        if self.office_id is not None:
            values["office"] = str(self.office_id)
        if self.agency_id is not None:
            values["agency"] = str(self.agency_id)
        return values


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read `office`, `agency`, `from` and `to` (local dates, inclusive); raise InvalidInput or Forbidden on bad
    values.

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
    reach = scoped_agency(get_read_db(), current_actor(), args.get("agency"), [o.id for o in offices])
    if reach.agency_id is not None:
        offices = [o for o in offices if o.id in reach.office_ids]
    zone = offices[0].timezone if offices else "Asia/Jakarta"
    first, last = date_range(args.get("from"), args.get("to"), service_day(now(), zone))
    return Filters(offices, office_id, first, last, reach.agency_id)


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
