"""Load offices, services, counters and staff from a TOML (or JSON) file.

Loading is idempotent: rows are matched by office slug, service prefix,
counter number and username, and updated in place, so an office can keep
its set-up in one file and load it again after each change.

An existing account keeps its password unless the load is asked to reset passwords: the file's
password is then applied (ending that account's sessions, written to the account log). The result
says which accounts kept theirs, so a changed password in the file is never silently ignored.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ptsp.i18n.errors import describe
from ptsp.i18n.validation import invalid_input

from ..domain import hours as office_hours
from ..domain.codes import validate_prefix
from ..domain.errors import InvalidInput
from ..models import Agency, Base, Counter, Office, Service, Staff
from .account_security import log_event, set_password
from .accounts import add_staff


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceSpec(_Strict):
    prefix: str
    name_id: str
    name_en: str
    standard_minutes: float = Field(gt=0, le=480)
    active: bool = True
    daily_quota: int | None = Field(default=None, ge=1)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        try:
            return validate_prefix(value)
        except InvalidInput as exc:
            raise ValueError(describe(exc)) from None


class CounterSpec(_Strict):
    number: int = Field(ge=1, le=999)
    name: str | None = None
    services: list[str]


class StaffSpec(_Strict):
    username: str = Field(pattern=r"^[a-z0-9_.-]{3,64}$")
    name: str
    role: Literal["clerk", "supervisor", "manager", "admin"]
    password: str | None = Field(default=None, min_length=8)
    supervisor: str | None = None
    agency: str | None = None  # the code of an agency of the office: a supervisor or manager scoped to it


class AgencySpec(_Strict):
    """An agency (instansi) inside the office, `[[offices.agencies]]`, with its own services and counters."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    sort_order: int = Field(default=0, ge=0, le=100000)
    active: bool = True
    services: list[ServiceSpec] = []
    counters: list[CounterSpec] = []


class OfficeSpec(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]{2,64}$")
    name: str
    kind: Literal["city", "kecamatan", "kelurahan", "mpp"]
    parent: str | None = None
    timezone: Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] = "Asia/Jakarta"
    hours: dict[str, list[list[str]]] = {}
    closures: dict[str, list[list[str]]] = {}  # gaps of `hours` the office closes for: [from, to, reason]
    last_ticket_minutes: int = Field(default=30, ge=0, le=600)
    starvation_minutes: int = Field(default=30, ge=1, le=600)
    max_calls: int = Field(default=3, ge=1, le=10)
    on_recall_limit: Literal["requeue", "no_show"] = "requeue"
    target_wait_minutes: int = Field(default=15, ge=1, le=600)
    complaint_channel: str | None = None
    running_text: str | None = Field(default=None, max_length=500)
    services: list[ServiceSpec] = []
    counters: list[CounterSpec] = []
    staff: list[StaffSpec] = []
    agencies: list[AgencySpec] = []


class SetupFile(_Strict):
    offices: list[OfficeSpec]


def parse_setup(data: object) -> SetupFile:
    """Validate a set-up document, raising InvalidInput with every problem listed."""
    try:
        return SetupFile.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc, "setup_file_invalid") from None


_Row = TypeVar("_Row", bound=Base)


def _upsert(session: Session, model: type[_Row], defaults: dict[str, Any], **keys: object) -> _Row:
    row = session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys)
        session.add(row)
    for name, value in defaults.items():
        setattr(row, name, value)
    return row


@dataclass
class LoadResult:
    """What a load did to passwords: generated for new accounts, kept on existing ones, or reset from the file."""

    generated: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


def load_setup(session: Session, data: object, *, reset_passwords: bool = False,
               now: datetime | None = None) -> LoadResult:
    """Create or update everything in the document; say what happened to each account's password."""
    spec = parse_setup(data)
    result = LoadResult()
    offices: dict[str, Office] = {}
    for o in spec.offices:
        week = office_hours.parse_week(o.hours)
        parent = offices.get(o.parent) if o.parent else None
        if o.parent and parent is None:
            parent = session.scalar(select(Office).where(Office.slug == o.parent))
            if parent is None:
                raise InvalidInput("unknown_parent_office", parent=o.parent)
        office = _upsert(session, Office, {
            "name": o.name, "kind": o.kind, "parent": parent, "timezone": o.timezone,
            "hours": office_hours.dump_week(week),
            "closures": office_hours.dump_closures(office_hours.parse_closures(o.closures, week)),
            "last_ticket_minutes": o.last_ticket_minutes,
            "starvation_minutes": o.starvation_minutes, "max_calls": o.max_calls,
            "on_recall_limit": o.on_recall_limit, "target_wait_minutes": o.target_wait_minutes,
            "complaint_channel": o.complaint_channel, "running_text": o.running_text,
        }, slug=o.slug)
        session.flush()
        offices[o.slug] = office
        agencies = _load_agencies(session, o, office)
        groups = [(None, o.services, o.counters)] + [(agencies[a.code], a.services, a.counters) for a in o.agencies]
        services = {
            s.prefix: _upsert(session, Service, {**s.model_dump(exclude={"prefix"}), "agency": agency},
                              office_id=office.id, prefix=s.prefix)
            for agency, specs, _ in groups for s in specs
        }
        for agency, _, counters in groups:
            for c in counters:
                unknown = set(c.services) - set(services)
                if unknown:
                    raise InvalidInput("counter_unknown_services", counter=c.number, services=sorted(unknown))
                counter = _upsert(session, Counter, {"name": c.name, "agency": agency},
                                  office_id=office.id, number=c.number)
                counter.services = [services[p] for p in c.services]
        session.flush()
        by_username = {st.username: _load_staff(session, st, office, result, reset_passwords, now) for st in o.staff}
        for st in o.staff:
            if st.agency is not None and st.agency not in agencies:
                raise InvalidInput("staff_unknown_agency", username=st.username, agency=st.agency)
            by_username[st.username].agency = agencies[st.agency] if st.agency else None
        _link_supervisors(session, o.staff, by_username)
    session.flush()
    return result


def _load_agencies(session: Session, o: OfficeSpec, office: Office) -> dict[str, Agency]:
    """Create or update the office's agencies, matched by code; an office without any keeps none."""
    return {
        a.code: _upsert(session, Agency, {"name": a.name, "name_en": a.name_en, "sort_order": a.sort_order,
                                          "active": a.active}, office_id=office.id, code=a.code)
        for a in o.agencies
    }


def _load_staff(session: Session, st: StaffSpec, office: Office, result: LoadResult, reset_passwords: bool,
                now: datetime | None) -> Staff:
    existing = session.scalar(select(Staff).where(Staff.username == st.username))
    if existing is None:
        password = st.password or secrets.token_urlsafe(9)
        if st.password is None:
            result.generated[st.username] = password
        existing = add_staff(
            session, username=st.username, name=st.name, password=password, role=st.role, office=office
        )
    elif st.password is not None and reset_passwords:
        set_password(session, existing, st.password)
        log_event(session, actor=None, kind="password_reset", now=now or datetime.now(UTC), target_staff=existing,
                  username=existing.username, source="setup file")
        result.reset.append(st.username)
    elif st.password is not None:
        result.kept.append(st.username)
    existing.name, existing.role, existing.office = st.name, st.role, office
    return existing


def _link_supervisors(session: Session, staff: list[StaffSpec], by_username: dict[str, Staff]) -> None:
    """Give each staff member of an office the supervisor the document names (in this office or already stored)."""
    for st in staff:
        if st.supervisor:
            boss = by_username.get(st.supervisor) or session.scalar(
                select(Staff).where(Staff.username == st.supervisor)
            )
            if boss is None:
                raise InvalidInput("unknown_supervisor", supervisor=st.supervisor, username=st.username)
            by_username[st.username].supervisor = boss
