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
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, TypeVar

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ptsp.i18n.errors import describe
from ptsp.i18n.validation import Problem, problems

from ..domain import hours as office_hours
from ..domain.codes import validate_prefix
from ..domain.errors import DomainError, InvalidInput
from ..models import Base, Counter, Office, Service, Staff
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


class SetupFile(_Strict):
    offices: list[OfficeSpec]


# The lists of rows inside each kind of record, by their key in the record: the kind of row they hold and the
# field that names a row. Rows are matched with the database on that field, and a name may appear once per
# list; the lists in GLOBAL_LISTS once in the whole document (an office slug and a username are unique in the
# database). Checks, plan and report walk this table, so a new nested list only needs its entry here.
ROW_LISTS: dict[str, dict[str, tuple[str, str]]] = {
    "file": {"offices": ("office", "slug")},
    "office": {"services": ("service", "prefix"), "counters": ("counter", "number"), "staff": ("staff", "username")},
}
GLOBAL_LISTS = {"offices", "staff"}
KEY_FIELDS = {key for lists in ROW_LISTS.values() for _, key in lists.values()}
class SetupRefused(InvalidInput):
    """The file was refused as a whole; `problems` holds one domain error per problem found, nothing written."""

    def __init__(self, found: list[DomainError]) -> None:
        super().__init__("setup_refused", count=len(found))
        self.problems = found


# --- Step 1: check ---------------------------------------------------------------------------------------


def _label(item: object, index: int) -> str:
    """A list row as a location names it: its key when it has one (`services[A]`), else its 1-based position."""
    if isinstance(item, Mapping):
        for key in sorted(KEY_FIELDS):
            if isinstance(item.get(key), str | int) and not isinstance(item.get(key), bool):
                return str(item[key])
    return f"#{index + 1}"


def _where(data: object, loc: tuple[int | str, ...]) -> str:
    """pydantic's location (`offices.1.services.0.prefx`) as a person finds it.

    A row of a list is named by its key when it has one (`offices[kel-test].services[A].prefx`), else by its
    1-based position (`offices[#2]`).
    """
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            if parts:
                parts[-1] += f"[{_label(node, part)}]"
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, Mapping) else None
    return ".".join(parts)


def parse_setup(data: object) -> SetupFile:
    """Validate a set-up document's shape, refusing it with every problem listed (one per field)."""
    try:
        return SetupFile.model_validate(data)
    except ValidationError as exc:
        found: list[DomainError] = []
        for error, problem in zip(exc.errors(include_url=False), problems(exc), strict=True):
            where = Problem(_where(data, tuple(error["loc"])), problem.type, problem.context)
            found.append(InvalidInput("setup_file_invalid", problems=[where]))
        raise SetupRefused(found) from None


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
    """Keys written twice in their list: per office (prefixes, counter numbers), or in the whole file."""
    found: list[DomainError] = []
    everywhere: dict[str, tuple[str, list[Any]]] = {}

    def walk(record: BaseModel, kind: str, where: str) -> None:
        for name, (row_kind, key) in ROW_LISTS.get(kind, {}).items():
            rows = getattr(record, name)
            if name in GLOBAL_LISTS:
                everywhere.setdefault(name, (key, []))[1].extend(rows)
            else:
                found.extend(InvalidInput("setup_repeated_key", where=f"{where}.{name}", key=key, value=value)
                             for value in _repeated(rows, key))
            for row in rows:
                walk(row, row_kind, f"{where}.{name}[{getattr(row, key)}]".lstrip("."))

    walk(spec, "file", "")
    for office in spec.offices:
        for c in office.counters:
            repeated = sorted({p for p in c.services if c.services.count(p) > 1})
            found.extend(InvalidInput("setup_repeated_key", where=f"offices[{office.slug}].counters[{c.number}]"
                                      ".services", key="prefix", value=p) for p in repeated)
    for name, (key, rows) in everywhere.items():
        where = name if name in ROW_LISTS["file"] else f"offices[*].{name}"
        found.extend(InvalidInput("setup_repeated_key", where=where, key=key, value=value)
                     for value in _repeated(rows, key))
    return found


def check_setup(session: Session, spec: SetupFile) -> list[DomainError]:
    """Every rule the document breaks, as domain errors; an empty list means it can be applied as it is."""
    found = _check_repeats(spec)
    stored = {o.slug: o for o in session.scalars(select(Office))}
    usernames = {st.username for o in spec.offices for st in o.staff}
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
        prefixes = {s.prefix for s in o.services}
        for c in o.counters:
            unknown = sorted(set(c.services) - prefixes)
            if unknown:
                found.append(InvalidInput("counter_unknown_services", office=o.slug, counter=c.number,
                                          services=unknown))
        office = stored.get(o.slug)
        for st in o.staff:
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


# --- Step 2: plan ----------------------------------------------------------------------------------------

Action = Literal["add", "change", "unchanged", "left alone"]
ADD: Final = "add"
CHANGE: Final = "change"
UNCHANGED: Final = "unchanged"
LEFT_ALONE: Final = "left alone"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass
class Entry:
    """One row of the file or of the database, and what the load does to it."""

    kind: str  # office, service, counter, staff
    key: str
    action: Action
    changes: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    children: list[Entry] = field(default_factory=list)

    def walk(self) -> Iterator[Entry]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class SetupReport:
    """What a load adds, changes and leaves alone, and the warnings it owes the reader.

    `lines()` is the same for a dry run and for the real run of the same file on the same database;
    `generated` (passwords made for new accounts without one) is filled by the real run only.
    """

    offices: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)
    reset: list[str] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for office in self.offices for entry in office.walk() if entry.action == action)

    def lines(self) -> list[str]:
        out: list[str] = []
        for office in self.offices:
            out.append(_entry_line(office, ""))
            out.extend(_children_lines(office, "  "))
        out.append(f"Summary: {self.count(ADD)} to add, {self.count(CHANGE)} to change, "
                   f"{self.count(UNCHANGED)} unchanged, {self.count(LEFT_ALONE)} not in the file (left alone).")
        out.extend(f"Warning: {warning}" for warning in self.warnings)
        return out


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "; ".join(f"{day} {_shown(spans)}" for day, spans in value.items()) or "{}"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return str(value)


def _entry_line(entry: Entry, indent: str) -> str:
    label = f"{entry.kind} {entry.key}"
    if entry.action == LEFT_ALONE:
        return f"{indent}{label}: not in the file, left alone"
    text = f"{indent}{entry.action} {label}"
    details = [f"{c.field} {_shown(c.before)} -> {_shown(c.after)}" for c in entry.changes] + entry.notes
    return f"{text}: {', '.join(details)}" if details else text


def _children_lines(parent: Entry, indent: str) -> list[str]:
    out: list[str] = []
    quiet: dict[str, dict[str, list[str]]] = {UNCHANGED: {}, LEFT_ALONE: {}}
    for child in parent.children:
        if child.action in quiet and not child.children and not child.notes:
            quiet[child.action].setdefault(child.kind, []).append(child.key)
        else:
            out.append(_entry_line(child, indent))
            out.extend(_children_lines(child, indent + "  "))
    for action, heading in ((UNCHANGED, "unchanged"), (LEFT_ALONE, "not in the file, left alone")):
        if quiet[action]:
            groups = "; ".join(f"{kind} {', '.join(keys)}" for kind, keys in quiet[action].items())
            out.append(f"{indent}{heading}: {groups}")
    return out


def _week_doc(raw: Mapping[str, Any] | None) -> dict[str, list[list[str]]]:
    """Hours or closures as the file writes them: the days that have any, in weekday order."""
    raw = raw or {}
    return {day: [list(span) for span in raw[day]] for day in office_hours.WEEKDAYS if raw.get(day)}


def _file_doc(o: OfficeSpec) -> dict[str, Any]:
    """An office of the file in the shape `export_setup` writes, defaults filled, passwords left out."""
    week = office_hours.parse_week(o.hours)
    doc = o.model_dump(exclude={"services", "counters", "staff"})
    doc["hours"] = _week_doc(office_hours.dump_week(week))
    doc["closures"] = _week_doc(office_hours.dump_closures(office_hours.parse_closures(o.closures, week)))
    doc["services"] = [s.model_dump() for s in o.services]
    doc["counters"] = [{**c.model_dump(), "services": sorted(set(c.services))} for c in o.counters]
    doc["staff"] = [st.model_dump(exclude={"password"}) for st in o.staff]
    return doc


def _office_doc(office: Office, staff: list[Staff]) -> dict[str, Any]:
    """A stored office in the file's shape (every key, None where unset); `staff` are its exported accounts."""
    return {
        "slug": office.slug, "name": office.name, "kind": office.kind,
        "parent": office.parent.slug if office.parent is not None else None,
        "timezone": office.timezone, "hours": _week_doc(office.hours), "closures": _week_doc(office.closures),
        "last_ticket_minutes": office.last_ticket_minutes, "starvation_minutes": office.starvation_minutes,
        "max_calls": office.max_calls, "on_recall_limit": office.on_recall_limit,
        "target_wait_minutes": office.target_wait_minutes, "complaint_channel": office.complaint_channel,
        "running_text": office.running_text,
        "services": [
            {"prefix": s.prefix, "name_id": s.name_id, "name_en": s.name_en,
             "standard_minutes": float(s.standard_minutes), "active": s.active, "daily_quota": s.daily_quota}
            for s in office.services
        ],
        "counters": [
            {"number": c.number, "name": c.name, "services": sorted(s.prefix for s in c.services)}
            for c in office.counters
        ],
        "staff": [
            {"username": st.username, "name": st.name, "role": st.role,
             "supervisor": st.supervisor.username if st.supervisor is not None else None}
            for st in staff
        ],
    }


def _office_staff(session: Session, office: Office) -> list[Staff]:
    return list(session.scalars(select(Staff).where(Staff.office_id == office.id).order_by(Staff.id)))


def _diff(kind: str, key: str, after: Mapping[str, Any] | None, before: Mapping[str, Any] | None) -> Entry:
    """The entry of one row: added (no `before`), left alone (no `after`), changed or unchanged; and its lists."""
    if after is None:
        return Entry(kind, key, LEFT_ALONE)
    lists = ROW_LISTS.get(kind, {})
    changes = [] if before is None else [
        FieldChange(name, before.get(name), after.get(name))
        for name in after if name not in lists and before.get(name) != after.get(name)
    ]
    entry = Entry(kind, key, ADD if before is None else CHANGE if changes else UNCHANGED, changes)
    for name, (row_kind, key_field) in lists.items():
        stored = {row[key_field]: row for row in (before or {}).get(name, [])}
        for row in after.get(name, []):
            entry.children.append(_diff(row_kind, str(row[key_field]), row, stored.pop(row[key_field], None)))
        entry.children.extend(_diff(row_kind, str(k), None, row) for k, row in stored.items())
    return entry


def plan_setup(session: Session, spec: SetupFile, *, reset_passwords: bool = False) -> SetupReport:
    """Compare a checked document with the database: the report of a dry run, and of the real run."""
    report = SetupReport()
    stored_offices = list(session.scalars(select(Office).order_by(Office.id)))
    by_slug = {o.slug: o for o in stored_offices}
    for o in spec.offices:
        office = by_slug.pop(o.slug, None)
        before = _office_doc(office, _office_staff(session, office)) if office is not None else None
        entry = _diff("office", o.slug, _file_doc(o), before)
        _password_notes(session, o, entry, report, reset_passwords)
        report.offices.append(entry)
    report.offices.extend(Entry("office", slug, LEFT_ALONE) for slug in by_slug)
    return report


def _password_notes(session: Session, o: OfficeSpec, entry: Entry, report: SetupReport,
                    reset_passwords: bool) -> None:
    """Say what happens to each account's password: it never changes without the reader being told."""
    rows = {child.key: child for child in entry.children if child.kind == "staff"}
    for st in o.staff:
        row = rows[st.username]
        account = session.scalar(select(Staff).where(Staff.username == st.username))
        if row.action == ADD:
            row.notes.append("password from the file" if st.password else "password generated (printed once)")
            continue
        if account is not None and not account.active:
            report.warnings.append(f"{st.username} is deactivated; loading the file does not activate the "
                                   f"account (ptsp user activate {st.username})")
        if st.password is None:
            continue
        if reset_passwords:
            row.notes.append("password reset from the file (its sessions end)")
            if row.action == UNCHANGED:
                row.action = CHANGE
        else:
            report.warnings.append(f"kept the existing password of {st.username}: the file's password was NOT "
                                   "applied (load with --reset-passwords to apply it)")


# --- Step 3: apply ---------------------------------------------------------------------------------------

_Row = TypeVar("_Row", bound=Base)


def _upsert(session: Session, model: type[_Row], defaults: dict[str, Any], **keys: object) -> _Row:
    row = session.scalar(select(model).filter_by(**keys))
    if row is None:
        row = model(**keys)
        session.add(row)
    for name, value in defaults.items():
        setattr(row, name, value)
    return row


def _apply(session: Session, spec: SetupFile, report: SetupReport, reset_passwords: bool, now: datetime) -> None:
    offices: dict[str, Office] = {}
    accounts: dict[str, Staff] = {}
    for o in spec.offices:
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
        }, slug=o.slug)
        session.flush()
        offices[o.slug] = office
        services = {
            s.prefix: _upsert(session, Service, s.model_dump(exclude={"prefix"}), office_id=office.id, prefix=s.prefix)
            for s in o.services
        }
        for c in o.counters:
            counter = _upsert(session, Counter, {"name": c.name}, office_id=office.id, number=c.number)
            counter.services = [services[p] for p in sorted(c.services)]
        session.flush()
        for st in o.staff:
            accounts[st.username] = _apply_staff(session, st, office, report, reset_passwords, now)
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


# --- Export ----------------------------------------------------------------------------------------------


@dataclass
class Export:
    """The set-up as a document in the file's shape, and the accounts it could not hold."""

    document: dict[str, Any]
    skipped: list[str] = field(default_factory=list)


def _parents_first(offices: list[Office]) -> list[Office]:
    """Offices by id, except that a parent always comes before its children (the loader needs it)."""
    chosen = {o.id for o in offices}
    placed: set[int] = set()
    ordered: list[Office] = []
    pending = sorted(offices, key=lambda o: o.id)
    while pending:
        ready = next((o for o in pending if o.parent_id is None or o.parent_id not in chosen
                      or o.parent_id in placed), pending[0])  # pending[0]: a cycle, which the loader cannot store
        ordered.append(ready)
        placed.add(ready.id)
        pending.remove(ready)
    return ordered


def _compact(doc: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Leave out the keys a file would not write: unset values, empty hours and closures."""
    lists = ROW_LISTS.get(kind, {})
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if value is None or (key in ("hours", "closures", *lists) and not value):
            continue
        out[key] = [_compact(row, lists[key][0]) for row in value] if key in lists else value
    return out


def export_setup(session: Session, slugs: list[str] | None = None) -> Export:
    """The set-up of the named offices (all when None) in the file's shape, without passwords.

    Deactivated accounts and accounts without an office are left out and named in `skipped`: a file
    can only create active accounts of an office.
    """
    query = select(Office).order_by(Office.id)
    offices = list(session.scalars(query))
    if slugs:
        known = {o.slug for o in offices}
        missing = [slug for slug in slugs if slug not in known]
        if missing:
            raise InvalidInput("unknown_offices", offices=missing)
        offices = [o for o in offices if o.slug in slugs]
    result = Export({"offices": []})
    for office in _parents_first(offices):
        staff = _office_staff(session, office)
        result.skipped.extend(f"{st.username} (deactivated)" for st in staff if not st.active)
        doc = _office_doc(office, [st for st in staff if st.active])
        result.document["offices"].append(_compact(doc, "office"))
    if not slugs:
        result.skipped.extend(f"{username} (no office)" for username in session.scalars(
            select(Staff.username).where(Staff.office_id.is_(None)).order_by(Staff.id)))
    return result


def _toml_item(value: Any) -> Any:
    """A table for a mapping, an array of tables for a list of mappings, else the value (inline)."""
    if isinstance(value, Mapping):
        table = tomlkit.table()
        for key, item in value.items():
            table.add(key, _toml_item(item))
        return table
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        rows = tomlkit.aot()
        for item in value:
            rows.append(_toml_item(item))
        return rows
    return value


def to_toml(document: Mapping[str, Any], header: Sequence[str] = ()) -> str:
    """The document as a set-up file: each office a `[[offices]]` table, its rows `[[offices.services]]` ..."""
    out = tomlkit.document()
    for line in header:
        out.add(tomlkit.comment(line))
    for key, value in document.items():
        out.add(key, _toml_item(value))
    return tomlkit.dumps(out)
