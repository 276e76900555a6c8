"""Agencies inside an office: which services a set of agencies offers (a lobby display following a hall)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Agency, Service


def hall_service_ids(session: Session, office_id: int, codes: list[str]) -> list[int] | None:
    """Return the ids of the services of these agencies of the office, or None when a code is unknown there.

    Codes compare without regard to case (`dukcapil` is `DUKCAPIL`); inactive services still count, so a
    ticket of a service switched off today is still shown when it is called."""
    wanted = {code.upper() for code in codes}
    agencies = session.scalars(select(Agency).where(Agency.office_id == office_id)).all()
    found = {a.id for a in agencies if a.code.upper() in wanted}
    if len(found) != len(wanted) or not wanted:
        return None
    return list(session.scalars(select(Service.id).where(Service.agency_id.in_(found)).order_by(Service.id)))
