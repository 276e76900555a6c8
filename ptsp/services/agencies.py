"""Agencies inside an office: which services a set of agencies offers (a lobby display following a hall), and
what belongs to an agency (its readers' one rule, `in_agency`, and its write-side check)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from ..domain.errors import Forbidden
from ..models import Agency, Service
from .actors import Actor, agency_scope


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


def in_agency(service_column: InstrumentedAttribute[Any], agency_id: int | None) -> ColumnElement[bool]:
    """The rule of what an agency's reader sees: rows whose service (`service_column`) is one of the agency's.

    Tickets, ratings, complaints, ledger lines and referrals all carry their service; None reads every row.
    """
    if agency_id is None:
        return true()
    return service_column.in_(select(Service.id).where(Service.agency_id == agency_id))


def require_service_in_agency(session: Session, actor: Actor, service_id: int | None) -> None:
    """Raise Forbidden when `actor` is limited to one agency and the row's service is not one of its services
    (a row of no service is the office's, for its office-wide staff): the write side of `in_agency`."""
    scope = agency_scope(actor)
    if scope is None:
        return
    service = session.get(Service, service_id) if service_id is not None else None
    if service is None or service.agency_id != scope:
        agency = session.get(Agency, service.agency_id) if service is not None and service.agency_id else None
        raise Forbidden("agency_out_of_scope", agency=agency.code if agency else "-")
