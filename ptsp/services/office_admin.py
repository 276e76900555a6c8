"""Office and agency administration: an office's settings and place in the tree, and its agencies (instansi).

Who may do what is decided in `admin_scope.py` and applied here: an admin creates offices and edits any; a
manager edits the offices of their scope and keeps them there (no parent outside it, no cycle); an agency's
manager (`staff.agency_id`) changes only their own agency's names. Every change is audited in the same
transaction (`audit.record`), and an office's stations hear `office_changed` after commit, so a lobby display
shows a new running text and a kiosk drops a deactivated agency's tiles without a reload.

A deactivated agency keeps its rows: its services leave the kiosk and refuse new tickets, while the tickets
already issued stay in line and are still called at the counters, so nobody holding a number is turned away.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import facts
from ..domain.errors import Forbidden, InvalidInput
from ..domain.lifecycle import Status
from ..i18n.validation import invalid_input
from ..models import Agency, AppointmentSettings, Office, Service, Ticket
from .actors import Actor, agency_scope
from .admin_scope import (
    administered_offices,
    require_admin_agency,
    require_admin_office,
    require_every_office,
    require_office_wide,
)
from .audit import record
from .lookup import get_or_404, publish
from .serializers import office_view
from .setup_schema import BOOKING_KEYS, BOOKING_PREFIX, OfficeSpec

KINDS = ("city", "kecamatan", "kelurahan", "mpp")
RECALL_LIMITS = ("requeue", "no_show")
OFFICE_FIELDS = ("slug", "name", "kind", "parent_id", "timezone", "last_ticket_minutes", "starvation_minutes",
                 "max_calls", "on_recall_limit", "target_wait_minutes", "complaint_channel", "running_text",
                 "park_minutes", "late_reinsert_places")
QUEUE_FIELDS = ("park_minutes", "late_reinsert_places")  # docs/queue.md; a form that leaves them out keeps them
AGENCY_FIELDS = ("code", "name", "name_en", "complaint_channel", "sort_order", "active")
AGENCY_NAMES = ("name", "name_en", "complaint_channel")  # what an agency's own manager may change

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Optional200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None


class _Form(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OfficeSettings(_Form):
    """The settings of an office one may edit; the bounds are the set-up file's (`setup_schema.OfficeSpec`)."""

    name: Text
    kind: Literal["city", "kecamatan", "kelurahan", "mpp"]
    parent_id: int | None = None
    timezone: Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] = "Asia/Jakarta"
    last_ticket_minutes: int = Field(default=30, ge=0, le=600)
    starvation_minutes: int = Field(default=30, ge=1, le=600)
    max_calls: int = Field(default=3, ge=1, le=10)
    on_recall_limit: Literal["requeue", "no_show"] = "requeue"
    target_wait_minutes: int = Field(default=15, ge=1, le=600)
    complaint_channel: Optional200 = None
    running_text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    park_minutes: int = Field(default=30, ge=5, le=240)  # docs/queue.md
    late_reinsert_places: int = Field(default=0, ge=0, le=50)


RESIDENT_FIELDS = ("phone_tickets", "alert_position", "alert_webhook_url")
SECRET = "alert_webhook_secret"  # write-only: the pages and the audit say only whether it is set


def _spec_fields(name: str, keys: tuple[str, ...] | list[str]) -> type[BaseModel]:
    """A form model of some of the set-up file's office keys, with the set-up file's own types and bounds."""
    fields: dict[str, Any] = {key: (OfficeSpec.model_fields[key].annotation, OfficeSpec.model_fields[key])
                              for key in keys}
    return create_model(name, __base__=_Form, **fields)


SLOT_MINUTES = typing.get_args(OfficeSpec.model_fields["booking_slot_minutes"].annotation)  # the choices offered
ResidentSettings = _spec_fields("ResidentSettings", (*RESIDENT_FIELDS, SECRET))
BookingSettings = _spec_fields("BookingSettings", BOOKING_KEYS)


class NewOffice(OfficeSettings):
    slug: str = Field(pattern=r"^[a-z0-9-]{2,64}$")


class AgencyNames(_Form):
    """What an agency's own manager may change: its names and where its residents complain."""

    name: Text
    name_en: Optional200 = None
    complaint_channel: Optional200 = None  # empty: the office's channel is shown


class AgencyFields(AgencyNames):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    sort_order: int = Field(default=0, ge=0, le=100000)


_Model = TypeVar("_Model", bound=BaseModel)


def _parse(model: type[_Model], form: Mapping[str, str]) -> _Model:
    """The form's fields as `model`: a blank optional field is None, a blank required one stays blank (and is
    refused as too short or not a number); pydantic reads the numbers."""
    optional = {name for name, field in model.model_fields.items() if field.default is None}
    data = {key: None if key in optional and not value.strip() else value for key, value in form.items()}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc) from None


def _checked(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """Values already shaped (None for blank) checked by `model`, or InvalidInput naming the field."""
    try:
        return model.model_validate(data).model_dump()
    except ValidationError as exc:
        raise invalid_input(exc) from None


def office_state(office: Office) -> dict[str, Any]:
    return {**{field: getattr(office, field) for field in (*OFFICE_FIELDS, *RESIDENT_FIELDS)},
            SECRET: "set" if office.alert_webhook_secret else "not set"}


def booking_state(session: Session, office_id: int) -> dict[str, Any]:
    """The office's booking settings under the set-up file's names (its defaults while it has no row)."""
    row = session.get(AppointmentSettings, office_id)
    if row is None:
        return {key: OfficeSpec.model_fields[key].default for key in BOOKING_KEYS}
    return {key: getattr(row, key.removeprefix(BOOKING_PREFIX)) for key in BOOKING_KEYS}


def agency_state(agency: Agency) -> dict[str, Any]:
    return {"office": agency.office_id, **{field: getattr(agency, field) for field in AGENCY_FIELDS}}


# Offices.

def office_list(session: Session, actor: Actor) -> list[Office]:
    return administered_offices(session, actor)


def managed_office(session: Session, actor: Actor, office_id: int) -> Office:
    office = get_or_404(session, Office, office_id)
    require_admin_office(session, actor, office.id)
    return office


def _below(session: Session, office_id: int) -> set[int]:
    """The office and every office below it."""
    found, frontier = {office_id}, {office_id}
    while frontier:
        frontier = set(session.scalars(select(Office.id).where(Office.parent_id.in_(frontier)))) - found
        found |= frontier
    return found


def parent_choices(session: Session, actor: Actor, office: Office | None) -> list[Office]:
    """The offices `office` may be placed under: in the actor's scope, never itself nor one below it. A
    manager's own office keeps the parent it has (outside their scope) among the choices."""
    excluded = _below(session, office.id) if office is not None else set()
    choices = [o for o in administered_offices(session, actor) if o.id not in excluded]
    if office is not None and office.parent is not None and office.parent not in choices:
        choices.append(office.parent)
    return choices


def _check_parent(session: Session, actor: Actor, office: Office | None, parent_id: int | None) -> None:
    """Refuse an unknown parent, a cycle, and a new parent outside the actor's scope (or none, for a manager:
    only an admin makes an office a root)."""
    if office is not None and parent_id == office.parent_id:
        return
    if parent_id is None:
        require_every_office(session, actor, "office_root_admins_only")
        return
    parent = session.get(Office, parent_id)
    if parent is None:
        raise InvalidInput("office_parent_unknown", office=parent_id)
    if office is not None and parent.id in _below(session, office.id):
        raise InvalidInput("office_parent_cycle", office=office.name, parent=parent.name)
    try:
        require_admin_office(session, actor, parent.id)
    except Forbidden:
        raise Forbidden("office_parent_out_of_scope", office=parent.name) from None


def _publish_office(session: Session, office: Office, now: datetime) -> None:
    """Tell the office's stations after commit: the display takes the new settings, the kiosk refreshes."""
    session.flush()
    publish(session, office.id, facts.OFFICE_CHANGED, {"settings": office_view(office, now)})


def create_office(session: Session, actor: Actor, form: Mapping[str, str], now: datetime) -> Office:
    """Only an admin creates an office (a manager's scope follows the tree an admin draws)."""
    require_every_office(session, actor, "office_create_admins_only")
    fields = _parse(NewOffice, form)
    if session.scalar(select(Office.id).where(Office.slug == fields.slug)) is not None:
        raise InvalidInput("office_slug_taken", slug=fields.slug)
    _check_parent(session, actor, None, fields.parent_id)
    office = Office(**fields.model_dump(), hours={}, closures={})
    session.add(office)
    session.flush()
    record(session, actor=actor, now=now, office_id=office.id, entity="office", entity_id=office.id,
           action="created", after=office_state(office))
    return office


def update_office(session: Session, actor: Actor, office_id: int, form: Mapping[str, str], now: datetime) -> Office:
    """Change an office's settings; an agency's manager reads them but changes only their agency."""
    office = managed_office(session, actor, office_id)
    require_office_wide(session, actor, office.id)
    kept = {key: str(getattr(office, key)) for key in QUEUE_FIELDS if key not in form}  # a form without them
    fields = _parse(OfficeSettings, {**form, **kept})
    _check_parent(session, actor, office, fields.parent_id)
    residents = _resident_changes(office, form)
    booking = _booking_changes(session, office.id, form)
    before = office_state(office)
    for key, value in {**fields.model_dump(), **residents}.items():
        setattr(office, key, value)
    after = office_state(office)
    if after != before:
        record(session, actor=actor, now=now, office_id=office.id, entity="office", entity_id=office.id,
               action="updated", before=before, after=after)
        _publish_office(session, office, now)
    if booking is not None:
        _save_booking(session, actor, office.id, booking, now)
    return office


def _resident_changes(office: Office, form: Mapping[str, str]) -> dict[str, Any]:
    """The residents' settings a form changes (none for a form without them: the page marks its own with
    `residents_form`). A blank gateway address turns the gateway off; a blank secret keeps the stored one,
    `alert_webhook_secret_clear` removes it."""
    if "residents_form" not in form:
        return {}
    data: dict[str, Any] = {key: getattr(office, key) for key in (*RESIDENT_FIELDS, SECRET)}
    data["phone_tickets"] = form.get("phone_tickets") in ("1", "on", "yes")
    if "alert_position" in form:
        data["alert_position"] = form["alert_position"].strip()
    if "alert_webhook_url" in form:
        data["alert_webhook_url"] = form["alert_webhook_url"].strip() or None
    secret = (form.get(SECRET) or "").strip()
    if secret:
        data[SECRET] = secret
    elif form.get(SECRET + "_clear"):
        data[SECRET] = None
    return _checked(ResidentSettings, data)


def _booking_changes(session: Session, office_id: int, form: Mapping[str, str]) -> dict[str, Any] | None:
    """The booking settings the form gives (None when it gives none), checked by the set-up file's bounds; a
    key the form leaves out keeps its value."""
    if not any(key in form for key in BOOKING_KEYS):
        return None
    data: dict[str, Any] = booking_state(session, office_id)
    for key in BOOKING_KEYS:
        if key in form:
            raw = form[key].strip()
            data[key] = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else raw  # Literal[10, 15…]
    return _checked(BookingSettings, data)


def _save_booking(session: Session, actor: Actor, office_id: int, values: dict[str, Any], now: datetime) -> None:
    """Write the office's `appointment_settings` row (made on the first change) and audit the change."""
    before = booking_state(session, office_id)
    if values == before:
        return
    row = session.get(AppointmentSettings, office_id)
    if row is None:
        row = AppointmentSettings(office_id=office_id)
        session.add(row)
    for key, value in values.items():
        setattr(row, key.removeprefix(BOOKING_PREFIX), value)
    session.flush()
    record(session, actor=actor, now=now, office_id=office_id, entity="booking_settings", entity_id=office_id,
           action="updated", before=before, after=booking_state(session, office_id))


# Agencies.

def agency_list(session: Session, actor: Actor, office_id: int) -> list[Agency]:
    """Every agency of an administered office, active or not, in the kiosk's order."""
    managed_office(session, actor, office_id)
    return list(session.scalars(select(Agency).where(Agency.office_id == office_id)
                                .order_by(Agency.sort_order, Agency.name)))


def managed_agency(session: Session, actor: Actor, agency_id: int) -> Agency:
    agency = get_or_404(session, Agency, agency_id)
    require_admin_office(session, actor, agency.office_id)
    return agency


def _refuse_duplicate_code(session: Session, office_id: int, code: str, except_id: int | None = None) -> None:
    """Codes are unique in the office, ignoring case (a hall display's `?agencies=` ignores it too)."""
    query = select(Agency.id).where(Agency.office_id == office_id, func.upper(Agency.code) == code.upper())
    if except_id is not None:
        query = query.where(Agency.id != except_id)
    if session.scalar(query) is not None:
        raise InvalidInput("agency_code_taken", code=code)


def create_agency(session: Session, actor: Actor, office_id: int, form: Mapping[str, str],
                  now: datetime) -> Agency:
    office = managed_office(session, actor, office_id)
    require_office_wide(session, actor, office.id)
    fields = _parse(AgencyFields, form)
    _refuse_duplicate_code(session, office.id, fields.code)
    agency = Agency(office_id=office.id, active=True, **fields.model_dump())
    session.add(agency)
    session.flush()
    record(session, actor=actor, now=now, office_id=office.id, entity="agency", entity_id=agency.id,
           action="created", after=agency_state(agency))
    _publish_office(session, office, now)
    return agency


def update_agency(session: Session, actor: Actor, agency_id: int, form: Mapping[str, str],
                  now: datetime) -> Agency:
    """Change an agency's code, names, complaint channel and order; an agency's own manager may change only its
    names and channel. A form without the channel field leaves the channel as it is."""
    agency = managed_agency(session, actor, agency_id)
    require_admin_agency(session, actor, agency.office_id, agency.id)
    before = agency_state(agency)
    if agency_scope(actor) is None:
        fields = _parse(AgencyFields, form)
        _refuse_duplicate_code(session, agency.office_id, fields.code, except_id=agency.id)
        changes = fields.model_dump()
    else:
        changes = _parse(AgencyNames, form).model_dump()
        if any(key in form and form[key].strip() != str(before[key]) for key in ("code", "sort_order")):
            require_office_wide(session, actor, agency.office_id)  # refuses: their code and order are the office's
    if "complaint_channel" not in form:
        changes.pop("complaint_channel")
    for key, value in changes.items():
        setattr(agency, key, value)
    after = agency_state(agency)
    if after != before:
        record(session, actor=actor, now=now, office_id=agency.office_id, entity="agency", entity_id=agency.id,
               action="updated", before=before, after=after)
        _publish_office(session, agency.office, now)
    return agency


def set_agency_active(session: Session, actor: Actor, agency_id: int, active: bool, now: datetime) -> Agency:
    """(De)activate an agency, never delete it: its services and counters keep their history."""
    agency = managed_agency(session, actor, agency_id)
    require_office_wide(session, actor, agency.office_id)
    if agency.active == active:
        return agency
    before = agency_state(agency)
    agency.active = active
    record(session, actor=actor, now=now, office_id=agency.office_id, entity="agency", entity_id=agency.id,
           action="activated" if active else "deactivated", before=before, after=agency_state(agency))
    _publish_office(session, agency.office, now)
    return agency


def still_waiting(session: Session, agency: Agency) -> int:
    """Tickets of the agency's services still in line or at a counter: served after a deactivation."""
    open_states = (Status.WAITING.value, Status.CALLED.value, Status.SERVING.value)
    return session.scalar(select(func.count(Ticket.id)).join(Service, Service.id == Ticket.service_id)
                          .where(Service.agency_id == agency.id, Ticket.status.in_(open_states))) or 0
