"""Idempotent counter commands: a request id run once answers every repeat with the same result."""

from __future__ import annotations

import uuid
import weakref
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from ..domain.errors import Forbidden, InvalidInput
from ..models import ProcessedCommand
from .lookup import run_prebuilt

KEEP = timedelta(days=2)
PURGE_EVERY = timedelta(minutes=1)

# Built once: every command the counter screen sends carries a request id, so these run with each one (a served
# ticket is two commands), where the ORM's get, unit of work and a DELETE built each time cost more than the
# statements (docs/benchmarks.md, "The counter screen's own path").
_EARLIER = select(ProcessedCommand.staff_id, ProcessedCommand.status, ProcessedCommand.result).where(
    ProcessedCommand.request_id == bindparam("request_id"))
_STORE = insert(ProcessedCommand)
_PURGE = delete(ProcessedCommand).where(ProcessedCommand.at < bindparam("before"))
_PURGED: weakref.WeakKeyDictionary[Pool, datetime] = weakref.WeakKeyDictionary()  # per database: the last purge


def parse_request_id(value: object) -> str:
    """Return a canonical request id, or raise InvalidInput when it is not a UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise InvalidInput("request_id_not_uuid", value=str(value)[:40]) from None


Answer = tuple[int, dict[str, Any] | None]


def previous_result(session: Session, request_id: str, staff_id: int | None) -> Answer | None:
    """Return the stored (status, body) of a request already run by this staff member, or None."""
    row = run_prebuilt(session, _EARLIER, {"request_id": request_id}).first()
    if row is None:
        return None
    if row.staff_id != staff_id:
        raise Forbidden("request_id_of_other_staff")
    return row.status, row.result or None


def remember(
    session: Session, request_id: str, staff_id: int, action: str, status: int, body: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Store a command's answer in the command's own transaction, and forget those older than `KEEP`: at most once
    a minute per process and database (the purge is the same for every command of that minute)."""
    pool = session.connection().engine.pool
    last = _PURGED.get(pool)
    if last is None or not last <= now < last + PURGE_EVERY:  # a clock set back purges too
        run_prebuilt(session, _PURGE, {"before": now - KEEP})
        _PURGED[pool] = now
    run_prebuilt(session, _STORE, {"request_id": request_id, "staff_id": staff_id, "action": action,
                                   "status": status, "result": body or {}, "at": now})
