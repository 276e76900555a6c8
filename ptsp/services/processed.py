"""Idempotent counter commands: a request id run once answers every repeat with the same result."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..domain.errors import Forbidden, InvalidInput
from ..models import ProcessedCommand

KEEP = timedelta(days=2)


def parse_request_id(value: object) -> str:
    """Return a canonical request id, or raise InvalidInput when it is not a UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise InvalidInput("request_id_not_uuid", value=str(value)[:40]) from None


Answer = tuple[int, dict[str, Any] | None]


def previous_result(session: Session, request_id: str, staff_id: int | None) -> Answer | None:
    """Return the stored (status, body) of a request already run by this staff member, or None."""
    row = session.get(ProcessedCommand, request_id)
    if row is None:
        return None
    if row.staff_id != staff_id:
        raise Forbidden("request_id_of_other_staff")
    return row.status, row.result or None


def remember(
    session: Session, request_id: str, staff_id: int, action: str, status: int, body: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Store a command's answer in the command's own transaction, and forget old ones."""
    session.execute(delete(ProcessedCommand).where(ProcessedCommand.at < now - KEEP))
    session.add(ProcessedCommand(request_id=request_id, staff_id=staff_id, action=action, status=status,
                                 result=body or {}, at=now))
    session.flush()
