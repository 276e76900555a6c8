"""Filters shared by the manager pages, charts and exports: an office in scope (or all) and local dates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps
from typing import Any

from flask import jsonify
from flask_login import current_user

from ptsp.app import now
from ptsp.domain.errors import Forbidden, InvalidInput
from ptsp.domain.hours import service_day
from ptsp.models import Office

from .access import MANAGER_ROLES, visible_offices

DEFAULT_DAYS = 30
MAX_DAYS = 366


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


def _date(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"Tanggal '{name}' harus berformat YYYY-MM-DD, bukan {raw[:20]!r} "
                           f"('{name}' must be a date YYYY-MM-DD)") from None


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read `office`, `from` and `to` (local dates, inclusive); raise InvalidInput or Forbidden on bad values.

    Without dates the range is the last 30 days up to today in the first chosen office's time zone.
    """
    offices = visible_offices()
    raw_office = (args.get("office") or "").strip()
    office_id = None
    if raw_office and raw_office != "all":
        if not raw_office.isdigit() or len(raw_office) > 10:
            raise InvalidInput(f"Kantor harus berupa nomor kantor, bukan {raw_office[:20]!r} (office must be an id)")
        office_id = int(raw_office)
        chosen = [o for o in offices if o.id == office_id]
        if not chosen:
            raise Forbidden(f"Kantor {office_id} di luar wewenang Anda (office {office_id} is not in your scope)")
        offices = chosen
    zone = offices[0].timezone if offices else "Asia/Jakarta"
    today = service_day(now(), zone)
    last = _date(args["to"], "to") if args.get("to") else today
    first = _date(args["from"], "from") if args.get("from") else last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("Tanggal awal harus sebelum tanggal akhir ('from' must not be after 'to')")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(f"Rentang paling lama {MAX_DAYS} hari (at most {MAX_DAYS} days)")
    return Filters(offices, office_id, first, last)


def manager_json(view: Callable[..., Any]) -> Callable[..., Any]:
    """Like `manager_page`, for JSON: 401 for visitors, 403 for clerks, as {error, message}."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return jsonify(error="unauthorized", message="Silakan masuk (login required)"), 401
        if current_user.role not in MANAGER_ROLES:
            return jsonify(error="forbidden", message="Halaman manajer hanya untuk pengawas dan manajer "
                                                      "(managers and supervisors only)"), 403
        return view(*args, **kwargs)

    return wrapper
