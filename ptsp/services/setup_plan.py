"""What a set-up file would do to the database: each row added, changed (field by field), unchanged or left alone.

The file and the database are compared in one shape, the export's (`office_doc`), so the report, the export
and the loader agree on what each field means. The report of a dry run and of the real run are the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from ..domain import hours as office_hours
from ..models import AppointmentSettings, Counter, Office, Service, Staff
from .setup_schema import BOOKING_KEYS, ROW_LISTS, CounterSpec, OfficeSpec, SetupFile

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


def _file_row(record: BaseModel, kind: str) -> dict[str, Any]:
    """A row of the file in the shape `export_setup` writes: defaults filled, passwords left out, hours and
    a counter's services in a canonical order, its nested lists likewise."""
    lists = ROW_LISTS.get(kind, {})
    doc = record.model_dump(exclude={*lists, "password"})
    if isinstance(record, OfficeSpec):
        week = office_hours.parse_week(record.hours)
        doc["hours"] = _week_doc(office_hours.dump_week(week))
        doc["closures"] = _week_doc(office_hours.dump_closures(office_hours.parse_closures(record.closures, week)))
    if isinstance(record, CounterSpec):
        doc["services"] = sorted(set(record.services))
    for name, (row_kind, _) in lists.items():
        doc[name] = [_file_row(row, row_kind) for row in getattr(record, name)]
    return doc


def _service_doc(s: Service) -> dict[str, Any]:
    prefixes = {other.id: other.prefix for other in s.office.services}
    return {"prefix": s.prefix, "name_id": s.name_id, "name_en": s.name_en,
            "standard_minutes": float(s.standard_minutes), "active": s.active, "daily_quota": s.daily_quota,
            "requirements": list(s.requirements or []), "fee_rupiah": s.fee_rupiah, "fee_basis": s.fee_basis,
            "completion_days": s.completion_days, "booking_share": float(s.booking_share),
            "route": [prefixes[i] for i in (s.route or []) if i in prefixes]}


def _booking_doc(office: Office) -> dict[str, Any]:
    """The office's booking settings as the file's `booking_*` keys (their defaults when none are stored)."""
    session = object_session(office)
    row = session.get(AppointmentSettings, office.id) if session is not None and office.id is not None else None
    return {name: OfficeSpec.model_fields[name].default if row is None else getattr(row, name.removeprefix("booking_"))
            for name in BOOKING_KEYS}


def _counter_doc(c: Counter) -> dict[str, Any]:
    return {"number": c.number, "name": c.name, "active": c.active, "services": sorted(s.prefix for s in c.services)}


def office_doc(office: Office, staff: list[Staff]) -> dict[str, Any]:
    """A stored office in the file's shape (every key, None where unset); `staff` are its exported accounts.

    Services and counters of an agency sit under that agency (`agencies`), the others under the office, as the
    file writes them.
    """
    return {
        "slug": office.slug, "name": office.name, "kind": office.kind,
        "parent": office.parent.slug if office.parent is not None else None,
        "timezone": office.timezone, "hours": _week_doc(office.hours), "closures": _week_doc(office.closures),
        "last_ticket_minutes": office.last_ticket_minutes, "starvation_minutes": office.starvation_minutes,
        "max_calls": office.max_calls, "on_recall_limit": office.on_recall_limit,
        "target_wait_minutes": office.target_wait_minutes, "complaint_channel": office.complaint_channel,
        "running_text": office.running_text,
        "park_minutes": office.park_minutes, "late_reinsert_places": office.late_reinsert_places,
        "phone_tickets": office.phone_tickets, "alert_position": office.alert_position,
        "alert_webhook_url": office.alert_webhook_url, "alert_webhook_secret": office.alert_webhook_secret,
        **_booking_doc(office),
        "services": [_service_doc(s) for s in office.services if s.agency_id is None],
        "counters": [_counter_doc(c) for c in office.counters if c.agency_id is None],
        "staff": [
            {"username": st.username, "name": st.name, "role": st.role,
             "supervisor": st.supervisor.username if st.supervisor is not None else None,
             "agency": st.agency.code if st.agency is not None else None}
            for st in staff
        ],
        "agencies": [
            {"code": a.code, "name": a.name, "name_en": a.name_en, "sort_order": a.sort_order, "active": a.active,
             "complaint_channel": a.complaint_channel,
             "services": [_service_doc(s) for s in office.services if s.agency_id == a.id],
             "counters": [_counter_doc(c) for c in office.counters if c.agency_id == a.id]}
            for a in sorted(office.agencies, key=lambda a: (a.sort_order, a.code))
        ],
    }


def office_staff(session: Session, office: Office) -> list[Staff]:
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
        before = office_doc(office, office_staff(session, office)) if office is not None else None
        entry = _diff("office", o.slug, _file_row(o, "office"), before)
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
