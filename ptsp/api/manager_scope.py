"""What the manager-facing reads share: the supervisor check, the office-scope parameters, today's day."""

from __future__ import annotations

from datetime import date

from ..context import get_read_db, now
from ..domain import hours as office_hours
from ..domain.errors import Forbidden
from ..models import Office
from ..services.actors import Actor
from .access import require_actor


def query_param(name: str, description: str, enum: list[str] | None = None) -> dict:
    schema: dict = {"type": "string"}
    if enum:
        schema["enum"] = enum
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


OFFICE_PARAM = query_param("office", "Office id (default: every office in your scope)")
AGENCY_PARAM = query_param("agency", "Agency id within the offices read (default: every agency; an agency's own "
                                     "supervisor or manager always reads their agency, and another one is 403)")
DATE_PARAMS = [query_param("from", "First office-local day, YYYY-MM-DD"),
               query_param("to", "Last office-local day, YYYY-MM-DD")]


def require_manager() -> Actor:
    """Return a logged-in supervisor, manager or admin; clerks and devices are refused."""
    actor = require_actor("staff")
    if not actor.at_least("supervisor"):
        raise Forbidden("supervisors_only")
    return actor


def office_today(office_ids: list[int]) -> date:
    """Return today in the first office's time zone (WIB when none)."""
    session = get_read_db()
    office = session.get(Office, office_ids[0]) if office_ids else None
    return office_hours.service_day(now(), office.timezone if office else "Asia/Jakarta")
