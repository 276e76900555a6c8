"""Offices, services, counters and staff from a set-up file (TOML or JSON), and back to one.

A load works in three steps, and writes only in the last:

1. **check** the whole document: the schema (unknown keys are typos and refused), then the rules that need
   the document as a whole or the database: a key repeated within its list (an office slug, a service
   prefix or a counter number within its office, a username anywhere), a username that belongs to another
   office, a parent office or supervisor that exists nowhere, hours that do not parse. Every problem is
   collected and the load is refused as a whole (`SetupRefused`), before anything is written.
2. **plan**: compare the file with the database, row by row, matched on the same keys (office slug,
   service prefix, counter number, username): what would be added, changed (field by field, before and
   after) or left unchanged, and what the database holds that the file does not (left alone: a removal is a
   deliberate act elsewhere, docs/setup.md says why). The plan is the report a dry run prints.
3. **apply** the plan (skipped by a dry run); the report of a real run is the same plan.

A record in the file describes the whole row: a key it leaves out takes its default (see docs/setup.md),
except a password, which never changes an existing account unless the load is asked to reset passwords.

`export_setup` writes the database back in the file's shape (without passwords), so an export loaded into
an empty database gives the same set-up, and loaded into the same database changes nothing.

The rules of steps 1 and 2 are generic over the file's nested lists (`ROW_LISTS`): each list is matched,
checked for repeated keys and reported per parent row, whatever its depth.

Here: steps 1 and 3 and `load_setup`; the file's models in setup_schema.py, step 2 and the report in
setup_plan.py, the export in setup_export.py.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ptsp.i18n.errors import describe

from ..domain import hours as office_hours
from ..domain.errors import CounterBusy, DomainError, InvalidInput
from ..models import Agency, AppointmentSettings, Base, Counter, Office, Service, Staff
from .account_security import log_event, set_password
from .accounts import add_staff
from .counters import current_session
from .setup_export import Export, export_setup, to_toml
from .setup_plan import SetupReport, plan_setup
from .setup_schema import (
    GLOBAL_LISTS,
    LIST_KEY,
    ROW_LISTS,
    CounterSpec,
    OfficeSpec,
    ServiceSpec,
    SetupFile,
    SetupRefused,
    StaffSpec,
    booking_settings,
    lists_below,
    parse_setup,
    rows_in,
)

__all__ = [
    "CounterSpec", "Export", "OfficeSpec", "ServiceSpec", "SetupFile", "SetupRefused", "SetupReport", "StaffSpec",
    "check_setup", "export_setup", "load_setup", "parse_setup", "plan_setup", "to_toml",
]


# --- Step 1: check ---------------------------------------------------------------------------------------


def _repeated(rows: list[Any], key: str) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for row in rows:
        value = getattr(row, key)
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _check_repeats(spec: SetupFile) -> list[DomainError]:
    """Keys written twice: an office slug or a username in the whole file, any other key within its office."""
    found: list[DomainError] = []

    def refuse(where: str, key: str, rows: list[Any]) -> None:
        found.extend(InvalidInput("setup_repeated_key", where=where, key=key, value=value)
                     for value in _repeated(rows, key))

    for name in sorted(GLOBAL_LISTS):
        refuse(name if name in ROW_LISTS["file"] else f"offices[*].{name}", LIST_KEY[name],
               rows_in(spec, "file", name))
    for office in spec.offices:
        for name in sorted(lists_below("office") - GLOBAL_LISTS):
            refuse(f"offices[{office.slug}].{name}", LIST_KEY[name], rows_in(office, "office", name))
        for c in rows_in(office, "office", "counters"):
            repeated = sorted({p for p in c.services if c.services.count(p) > 1})
            found.extend(InvalidInput("setup_repeated_key", where=f"offices[{office.slug}].counters[{c.number}]"
                                      ".services", key="prefix", value=p) for p in repeated)
    return found


def _open_counters_closed(session: Session, office: Office, counters: list[Any]) -> list[DomainError]:
    """A counter the file closes for good (`active = false`) while a clerk has it open: refused, as on the
    counters page; the clerk closes it first."""
    found: list[DomainError] = []
    for c in counters:
        if c.active:
            continue
        stored = session.scalar(select(Counter).where(Counter.office_id == office.id, Counter.number == c.number))
        current = current_session(session, stored.id) if stored is not None and stored.active else None
        if current is not None:
            busy = CounterBusy("counter_open_cannot_close", counter=c.number, staff=current.staff.name)
            found.append(InvalidInput("setup_office_problem", office=office.slug, problem=describe(busy)))
    return found


def check_setup(session: Session, spec: SetupFile) -> list[DomainError]:
    """Every rule the document breaks, as domain errors; an empty list means it can be applied as it is."""
    found = _check_repeats(spec)
    stored = {o.slug: o for o in session.scalars(select(Office))}
    usernames = {st.username for st in rows_in(spec, "file", "staff")}
    earlier: set[str] = set()
    for o in spec.offices:
        if o.parent and o.parent not in earlier and o.parent not in stored:
            found.append(InvalidInput("unknown_parent_office", parent=o.parent))
        earlier.add(o.slug)
        try:
            week = office_hours.parse_week(o.hours)
            office_hours.parse_closures(o.closures, week)
        except InvalidInput as exc:
            found.append(InvalidInput("setup_office_problem", office=o.slug, problem=describe(exc)))
        prefixes = {s.prefix for s in rows_in(o, "office", "services")}
        for service in rows_in(o, "office", "services"):
            if set(service.route) - prefixes:
                found.append(InvalidInput("unknown_target_service", service=sorted(set(service.route) - prefixes)))
        for c in rows_in(o, "office", "counters"):
            unknown = sorted(set(c.services) - prefixes)
            if unknown:
                found.append(InvalidInput("counter_unknown_services", office=o.slug, counter=c.number,
                                          services=unknown))
        office = stored.get(o.slug)
        if office is not None:
            found.extend(_open_counters_closed(session, office, rows_in(o, "office", "counters")))
        codes = {a.code for a in o.agencies}
        for st in o.staff:
            if st.agency is not None and st.agency not in codes:
                found.append(InvalidInput("staff_unknown_agency", username=st.username, agency=st.agency))
            account = session.scalar(select(Staff).where(Staff.username == st.username))
            if account is not None and account.office is None:
                found.append(InvalidInput("username_of_no_office", username=st.username, office=o.slug))
            elif account is not None and account.office is not None and (
                    office is None or account.office_id != office.id):
                found.append(InvalidInput("username_of_another_office", username=st.username, office=o.slug,
                                          owner=account.office.slug))
            if st.supervisor and st.supervisor not in usernames and session.scalar(
                    select(Staff.id).where(Staff.username == st.supervisor)) is None:
                found.append(InvalidInput("unknown_supervisor", supervisor=st.supervisor, username=st.username))
    return found


# --- Step 3: apply (step 2, the plan, is in setup_plan.py) ----------------------------------------------

_Row = TypeVar("_Row", bound=Base)


def _upsert(session: Session, model: type[_Row], defaults: dict[str, Any], **keys: object) -> _Row:
    row = session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys)
        session.add(row)
    for name, value in defaults.items():
        setattr(row, name, value)
    return row


RESIDENTS = {"phone_tickets", "alert_position", "alert_webhook_url", "alert_webhook_secret"}  # docs/alerts.md


def _apply_office(session: Session, o: OfficeSpec, offices: dict[str, Office]) -> Office:
    """The office's own row and its booking settings (`appointment_settings`)."""
    week = office_hours.parse_week(o.hours)
    parent = None
    if o.parent:
        parent = offices.get(o.parent) or session.scalar(select(Office).where(Office.slug == o.parent))
    office = _upsert(session, Office, {
        "name": o.name, "kind": o.kind, "parent": parent, "timezone": o.timezone,
        "hours": office_hours.dump_week(week),
        "closures": office_hours.dump_closures(office_hours.parse_closures(o.closures, week)),
        "last_ticket_minutes": o.last_ticket_minutes,
        "starvation_minutes": o.starvation_minutes, "max_calls": o.max_calls,
        "on_recall_limit": o.on_recall_limit, "target_wait_minutes": o.target_wait_minutes,
        "complaint_channel": o.complaint_channel, "running_text": o.running_text,
        "park_minutes": o.park_minutes, "late_reinsert_places": o.late_reinsert_places,
        **o.model_dump(include=RESIDENTS),
    }, slug=o.slug)
    session.flush()
    _upsert(session, AppointmentSettings, booking_settings(o), office_id=office.id)
    return office


def _apply(session: Session, spec: SetupFile, report: SetupReport, reset_passwords: bool, now: datetime) -> None:
    offices: dict[str, Office] = {}
    accounts: dict[str, Staff] = {}
    for o in spec.offices:
        office = _apply_office(session, o, offices)
        offices[o.slug] = office
        agencies = {a.code: _upsert(session, Agency, a.model_dump(exclude={"code", "services", "counters"}),
                                    office_id=office.id, code=a.code) for a in o.agencies}
        session.flush()
        # The office's own services and counters belong to no agency; an agency's to it (docs/mpp.md).
        groups = [(None, o.services, o.counters)] + [(agencies[a.code], a.services, a.counters) for a in o.agencies]
        services = {
            s.prefix: _upsert(session, Service, {**s.model_dump(exclude={"prefix", "route"}), "agency": agency},
                              office_id=office.id, prefix=s.prefix)
            for agency, specs, _ in groups for s in specs
        }
        session.flush()
        for _agency, specs, _ in groups:  # a route names services by prefix, once they all have ids
            for s in specs:
                services[s.prefix].route = [services[p].id for p in s.route]
        for agency, _, counters in groups:
            for c in counters:
                counter = _upsert(session, Counter, {"name": c.name, "agency": agency, "active": c.active},
                                  office_id=office.id, number=c.number)
                counter.services = [services[p] for p in sorted(c.services)]
        session.flush()
        for st in o.staff:
            accounts[st.username] = _apply_staff(session, st, office, report, reset_passwords, now)
            accounts[st.username].agency = agencies[st.agency] if st.agency else None
    session.flush()
    for o in spec.offices:  # after every account of the file exists, so a supervisor may come later in it
        for st in o.staff:
            boss = None
            if st.supervisor:
                boss = accounts.get(st.supervisor) or session.scalar(
                    select(Staff).where(Staff.username == st.supervisor))
            accounts[st.username].supervisor = boss
    session.flush()


def _apply_staff(session: Session, st: StaffSpec, office: Office, report: SetupReport, reset_passwords: bool,
                 now: datetime) -> Staff:
    account = session.scalar(select(Staff).where(Staff.username == st.username))
    if account is None:
        password = st.password or secrets.token_urlsafe(9)
        if st.password is None:
            report.generated[st.username] = password
        return add_staff(session, username=st.username, name=st.name, password=password, role=st.role,
                         office=office)
    if st.password is not None and reset_passwords:
        set_password(session, account, st.password)
        log_event(session, actor=None, kind="password_reset", now=now, target_staff=account,
                  username=account.username, source="setup file")
        report.reset.append(st.username)
    account.name, account.role = st.name, st.role
    return account


def load_setup(session: Session, data: object, *, reset_passwords: bool = False, dry_run: bool = False,
               now: datetime | None = None) -> SetupReport:
    """Check, plan and (unless `dry_run`) apply a set-up document; return the report.

    Raises `SetupRefused` with every problem found, having written nothing. The caller commits.
    """
    spec = parse_setup(data)
    found = check_setup(session, spec)
    if found:
        raise SetupRefused(found)
    report = plan_setup(session, spec, reset_passwords=reset_passwords)
    if not dry_run:
        _apply(session, spec, report, reset_passwords, now or datetime.now(UTC))
    return report
