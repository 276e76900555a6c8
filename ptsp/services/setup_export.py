"""The current set-up written back as a set-up file (TOML, without passwords), for `ptsp setup export`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput
from ..models import Office, Staff
from .setup_plan import office_doc, office_staff
from .setup_schema import ROW_LISTS


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
        staff = office_staff(session, office)
        result.skipped.extend(f"{st.username} (deactivated)" for st in staff if not st.active)
        doc = office_doc(office, [st for st in staff if st.active])
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
