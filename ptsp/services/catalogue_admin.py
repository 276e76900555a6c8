"""Service and counter administration: what the kiosk offers (with its published standard) and who serves it.

Each use case checks the administrator's scope (`require_admin_agency`: an agency's manager changes only their
agency's rows), validates with the set-up file's own models (`ServiceFields`, `CounterSpec`) and fee rule
(`require_fee_basis`), writes its audit entry (before and after) and queues `services_changed` for after the
commit, so open kiosks read their catalogue again. Nothing is deleted: a service or counter with history is
deactivated, and an open counter cannot be closed for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ptsp.i18n.validation import invalid_input

from .. import facts
from ..domain.errors import CounterBusy, InvalidInput
from ..models import Agency, Counter, Office, Service, Ticket
from .actors import Actor, agency_scope
from .admin_scope import administered_offices, require_admin_agency
from .audit import record
from .counters import current_session, lock_counter
from .lookup import get_or_404, publish
from .service_standard import require_fee_basis
from .setup_schema import CounterSpec, ServiceFields

Fields = Mapping[str, Any]


def service_state(service: Service) -> dict[str, Any]:
    return {"office": service.office_id, "prefix": service.prefix, "name_id": service.name_id,
            "name_en": service.name_en, "agency": service.agency_id, "standard_minutes": service.standard_minutes,
            "daily_quota": service.daily_quota, "active": service.active, "requirements": list(service.requirements),
            "fee_rupiah": service.fee_rupiah, "fee_basis": service.fee_basis,
            "completion_days": service.completion_days, "booking_share": service.booking_share}


def counter_state(counter: Counter) -> dict[str, Any]:
    return {"office": counter.office_id, "number": counter.number, "name": counter.name,
            "agency": counter.agency_id, "active": counter.active,
            "services": sorted(s.prefix for s in counter.services)}


def may_change(actor: Actor, agency_id: int | None) -> bool:
    """Whether the page offers to change a row of `agency_id` (the use cases check it again)."""
    scope = agency_scope(actor)
    return scope is None or scope == agency_id


# --- reading ---------------------------------------------------------------------------------------------


@dataclass
class OfficeCatalogue:
    """One administered office: its agencies (the ones the actor may pick), its services and its counters."""

    office: Office
    agencies: list[Agency]
    services: list[Service] = field(default_factory=list)
    counters: list[Counter] = field(default_factory=list)

    def groups(self) -> list[tuple[Agency | None, list[Service]]]:
        """The services by agency: the office's own first, then each agency's in its order."""
        found: list[tuple[Agency | None, list[Service]]] = [(None, [s for s in self.services if s.agency_id is None])]
        found += [(a, [s for s in self.services if s.agency_id == a.id]) for a in self.office.agencies]
        return [(agency, rows) for agency, rows in found if rows]


def catalogue(session: Session, actor: Actor, office_id: int | None = None) -> list[OfficeCatalogue]:
    """The administered offices (only `office_id` when given) with their services and counters."""
    scope = agency_scope(actor)
    found = []
    for office in administered_offices(session, actor):
        if office_id is not None and office.id != office_id:
            continue
        agencies = [a for a in office.agencies if scope is None or a.id == scope]
        found.append(OfficeCatalogue(office, agencies, list(office.services), list(office.counters)))
    return found


def administered_service(session: Session, actor: Actor, service_id: int) -> Service:
    service = get_or_404(session, Service, service_id)
    require_admin_agency(session, actor, service.office_id, service.agency_id)
    return service


def administered_counter(session: Session, actor: Actor, counter_id: int) -> Counter:
    counter = get_or_404(session, Counter, counter_id)
    require_admin_agency(session, actor, counter.office_id, counter.agency_id)
    return counter


# --- shared checks ---------------------------------------------------------------------------------------


def _agency(session: Session, office_id: int, agency_id: int | None) -> Agency | None:
    if agency_id is None:
        return None
    agency = session.get(Agency, agency_id)
    if agency is None or agency.office_id != office_id:
        raise InvalidInput("agency_not_in_office", agency=agency_id)
    return agency


def _text(fields: Fields, key: str) -> str:
    return str(fields.get(key) or "").strip()


def parse_service(fields: Fields) -> ServiceFields:
    """The form's text as a service, by the set-up file's own bounds and fee rule: requirements one per line,
    an empty quota or completion time for none, an empty fee for free; a prefix written in lower case is
    raised to capitals. `booking_share` (the most of a slot bookings may take, 0 to 1) only when given."""
    data = {
        "prefix": _text(fields, "prefix").upper(), "name_id": _text(fields, "name_id"),
        "name_en": _text(fields, "name_en"), "standard_minutes": _text(fields, "standard_minutes"),
        "active": bool(fields.get("active")), "daily_quota": _text(fields, "daily_quota") or None,
        "requirements": [line.strip() for line in str(fields.get("requirements") or "").splitlines()
                         if line.strip()],
        "fee_rupiah": _text(fields, "fee_rupiah") or "0", "fee_basis": _text(fields, "fee_basis") or None,
        "completion_days": _text(fields, "completion_days") or None,
    }
    if "booking_share" in fields:  # a decimal comma too (0,5); a form without it keeps the default
        data["booking_share"] = _text(fields, "booking_share").replace(",", ".")
    try:
        spec = ServiceFields.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc) from None
    require_fee_basis(spec.fee_rupiah, spec.fee_basis)
    return spec


def _refuse_taken_prefix(session: Session, office_id: int, prefix: str, except_id: int | None = None) -> None:
    taken = session.scalar(select(Service).where(Service.office_id == office_id, Service.prefix == prefix,
                                                 Service.id != (except_id or 0)))
    if taken is not None:
        raise InvalidInput("service_prefix_taken", prefix=prefix, name=taken.name_id)


def _has_tickets(session: Session, service_id: int) -> bool:
    return session.scalar(select(Ticket.id).where(
        or_(Ticket.service_id == service_id, Ticket.issued_service_id == service_id)).limit(1)) is not None


def _refuse_foreign_counters(session: Session, service: Service, agency: Agency | None) -> None:
    """A service moved to an agency may not stay on a counter of another agency."""
    if agency is None:
        return
    for counter in session.scalars(select(Counter).where(Counter.office_id == service.office_id,
                                                         Counter.agency_id.is_not(None),
                                                         Counter.agency_id != agency.id)):
        if service in counter.services:
            raise InvalidInput("service_on_other_agency_counter", prefix=service.prefix, counter=counter.number)


def _changed(session: Session, office_id: int) -> None:
    """Tell the office's kiosks and screens, after the commit, that its catalogue changed."""
    publish(session, office_id, facts.SERVICES_CHANGED, {})


# --- services --------------------------------------------------------------------------------------------


def create_service(session: Session, actor: Actor, *, office_id: int, agency_id: int | None, fields: Fields,
                   now: datetime) -> Service:
    require_admin_agency(session, actor, office_id, agency_id)
    get_or_404(session, Office, office_id)
    agency = _agency(session, office_id, agency_id)
    spec = parse_service(fields)
    _refuse_taken_prefix(session, office_id, spec.prefix)
    service = Service(office_id=office_id, agency=agency, **spec.model_dump())
    session.add(service)
    session.flush()
    record(session, actor=actor, now=now, office_id=office_id, entity="service", entity_id=service.id,
           action="created", after=service_state(service))
    _changed(session, office_id)
    return service


def update_service(session: Session, actor: Actor, service_id: int, *, agency_id: int | None, fields: Fields,
                   now: datetime) -> Service:
    """Change a service; its prefix only while no ticket was ever issued for it (ticket codes keep it)."""
    service = administered_service(session, actor, service_id)
    require_admin_agency(session, actor, service.office_id, agency_id)
    agency = _agency(session, service.office_id, agency_id)
    spec = parse_service({"booking_share": service.booking_share, **fields, "active": service.active})
    if spec.prefix != service.prefix:
        _refuse_taken_prefix(session, service.office_id, spec.prefix, except_id=service.id)
        if _has_tickets(session, service.id):
            raise InvalidInput("service_prefix_in_use", prefix=service.prefix)
    _refuse_foreign_counters(session, service, agency)
    before = service_state(service)
    for name, value in spec.model_dump().items():
        setattr(service, name, value)
    service.agency = agency
    session.flush()
    after = service_state(service)
    if after != before:
        record(session, actor=actor, now=now, office_id=service.office_id, entity="service", entity_id=service.id,
               action="updated", before=before, after=after)
        _changed(session, service.office_id)
    return service


def set_service_active(session: Session, actor: Actor, service_id: int, active: bool, now: datetime) -> Service:
    """Deactivate (the kiosk stops offering it; its tickets and history stay) or offer it again."""
    service = administered_service(session, actor, service_id)
    if service.active == active:
        return service
    before = service_state(service)
    service.active = active
    record(session, actor=actor, now=now, office_id=service.office_id, entity="service", entity_id=service.id,
           action="activated" if active else "deactivated", before=before, after=service_state(service))
    _changed(session, service.office_id)
    return service


# --- counters --------------------------------------------------------------------------------------------


def _counter_spec(number: str, name: str) -> CounterSpec:
    try:
        return CounterSpec.model_validate({"number": number.strip(), "name": name.strip() or None, "services": []})
    except ValidationError as exc:
        raise invalid_input(exc) from None


def _served(session: Session, office_id: int, agency: Agency | None, service_ids: list[int]) -> list[Service]:
    """The services a counter may serve: of its office; a counter of an agency serves that agency's services
    and the office's own (of no agency), never another agency's."""
    services = list(session.scalars(select(Service).where(Service.id.in_(service_ids)))) if service_ids else []
    missing = set(service_ids) - {s.id for s in services}
    if missing:
        raise InvalidInput("service_not_in_office", id=sorted(missing))
    for service in services:
        if service.office_id != office_id:
            raise InvalidInput("service_not_in_office", id=service.id)
        if agency is not None and service.agency_id not in (None, agency.id):
            raise InvalidInput("service_of_other_agency", prefix=service.prefix, agency=agency.code)
    return sorted(services, key=lambda s: s.prefix)


def _refuse_taken_number(session: Session, office_id: int, number: int, except_id: int | None = None) -> None:
    taken = session.scalar(select(Counter.id).where(Counter.office_id == office_id, Counter.number == number,
                                                    Counter.id != (except_id or 0)))
    if taken is not None:
        raise InvalidInput("counter_number_taken", number=number)


def create_counter(session: Session, actor: Actor, *, office_id: int, agency_id: int | None, number: str,
                   name: str, service_ids: list[int], now: datetime) -> Counter:
    require_admin_agency(session, actor, office_id, agency_id)
    get_or_404(session, Office, office_id)
    agency = _agency(session, office_id, agency_id)
    spec = _counter_spec(number, name)
    services = _served(session, office_id, agency, service_ids)
    _refuse_taken_number(session, office_id, spec.number)
    counter = Counter(office_id=office_id, number=spec.number, name=spec.name, agency=agency, active=True)
    counter.services = services
    session.add(counter)
    session.flush()
    record(session, actor=actor, now=now, office_id=office_id, entity="counter", entity_id=counter.id,
           action="created", after=counter_state(counter))
    _changed(session, office_id)
    return counter


def update_counter(session: Session, actor: Actor, counter_id: int, *, agency_id: int | None, number: str,
                   name: str, service_ids: list[int], now: datetime) -> Counter:
    counter = administered_counter(session, actor, counter_id)
    require_admin_agency(session, actor, counter.office_id, agency_id)
    agency = _agency(session, counter.office_id, agency_id)
    spec = _counter_spec(number, name)
    services = _served(session, counter.office_id, agency, service_ids)
    _refuse_taken_number(session, counter.office_id, spec.number, except_id=counter.id)
    before = counter_state(counter)
    counter.number, counter.name, counter.agency, counter.services = spec.number, spec.name, agency, services
    session.flush()
    after = counter_state(counter)
    if after != before:
        record(session, actor=actor, now=now, office_id=counter.office_id, entity="counter", entity_id=counter.id,
               action="updated", before=before, after=after)
        _changed(session, counter.office_id)
    return counter


def set_counter_active(session: Session, actor: Actor, counter_id: int, active: bool, now: datetime) -> Counter:
    """Close a counter for good (kept with its history, offered to no clerk) or bring it back; a counter a
    clerk has open or on a break now is refused: they close it first."""
    counter = administered_counter(session, actor, counter_id)
    lock_counter(session, counter.id)  # an open at the same moment waits for this, then sees it closed
    if counter.active == active:
        return counter
    current = current_session(session, counter.id)
    if not active and current is not None:
        raise CounterBusy("counter_open_cannot_close", counter=counter.number, staff=current.staff.name)
    before = counter_state(counter)
    counter.active = active
    record(session, actor=actor, now=now, office_id=counter.office_id, entity="counter", entity_id=counter.id,
           action="activated" if active else "deactivated", before=before, after=counter_state(counter))
    _changed(session, counter.office_id)
    return counter
