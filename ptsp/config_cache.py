"""Per-process copies of the rows every ticket issue reads and an administrator rarely changes: offices, services
(with their agency), an office's closed day, a service's route of next steps, devices by token, the kiosks
that have no printer, and staff accounts (the login of every request: role, active, session epoch).

How the copies stay current (docs/architecture.md, "Per-process copies of the set-up"):

- `config_version` holds one number. Any INSERT, UPDATE or DELETE that SQLAlchemy runs on a watched table
  (`WATCHED`; and an INSERT of a printer, or an UPDATE naming its `device_id`), by an ORM flush, a bulk
  `update()`/`delete()` or a Core statement, from any session or connection of any engine, first raises that
  number on the same connection, so in the same transaction: it is committed with the change or rolled back
  with it. The hook is on every engine (`before_execute`), so no admin page, CLI
  command or set-up loader can forget it. It runs before the change, so on PostgreSQL two editors queue on the
  version row before either changes a watched row (their changes cannot deadlock).
- A request reads the number once (one statement, `current`) and uses this process's copies only if they were
  taken at that number; any other number throws every copy away. Copies are read from the database after the
  number, so they are never older than it. Another process's edit is seen on the next request, as a revoked
  kiosk token is.
- A transaction that has itself changed a watched table (not yet committed) bypasses the copies altogether:
  it neither reads them nor fills them.

Copies are detached ORM rows, attached to a request's session with `session.merge(row, load=False)` (no
SELECT), or frozen values. Raw SQL on these tables (psql, a hand-written migration) is not seen: restart the
processes after one, as after any upgrade.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from flask import g, has_request_context
from sqlalchemy import Connection, Engine, event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase

from .models import Agency, Base, Device, Office, OfficeClosedDay, Service, Staff

_WATCHED_ROWS = (Office, Agency, Service, OfficeClosedDay, Device, Staff)
WATCHED = frozenset(str(model.__tablename__) for model in _WATCHED_ROWS)

_RAISE = "UPDATE config_version SET n = n + 1 WHERE id = 1"
_READ = "SELECT n FROM config_version WHERE id = 1"
_CHANGED = "ptsp_config_changed"  # in a pooled connection's info: its transaction changed a watched table
_MEMO = "ptsp_config_version"  # in flask.g (a request) or session.info (elsewhere, until the transaction ends)
_HELD = "ptsp_config_copies"  # in session.info until the transaction ends: its connection and the copies


@dataclass(frozen=True)
class DeviceSeen:
    """An unrevoked device as a request needs it: who it is (the token itself is never kept)."""

    id: int
    kind: str
    office_id: int


@dataclass
class Copies:
    """This process's copies taken at one `version` of the set-up (of one database)."""

    version: int
    offices: dict[int, Office] = field(default_factory=dict)
    services: dict[int, Service] = field(default_factory=dict)
    closed: dict[tuple[int, date, str], Any] = field(default_factory=dict)
    routes: dict[int, list[int]] = field(default_factory=dict)
    devices: dict[str, DeviceSeen] = field(default_factory=dict)
    device_rows: dict[int, Device] = field(default_factory=dict)  # paired pages' devices, by id
    printerless: set[int] = field(default_factory=set)  # kiosks with no printer
    staff: dict[int, Staff] = field(default_factory=dict)  # accounts by id (never handed out: see `staff`)


_COPIES: weakref.WeakKeyDictionary[Pool, Copies] = weakref.WeakKeyDictionary()  # per database (its pool)


def _changes_setup(statement: UpdateBase, multiparams: Any, params: Any) -> bool:
    """Whether a statement may change what the copies hold: any change to a watched table, or a kiosk given a
    printer (the copies know which kiosks have none). A printer's own state (online, paper, last error), written
    after each print, is not the set-up: an UPDATE by the ORM naming no `device_id` leaves the copies alone."""
    name = getattr(statement.table, "name", None)
    if name in WATCHED:
        return True
    if name != "printers" or statement.is_delete:
        return False  # a printer taken away: no kiosk the copies hold as printerless gains one
    if statement.is_insert or getattr(statement, "_values", None) or getattr(statement, "_ordered_values", None):
        return True
    rows = multiparams if isinstance(multiparams, list | tuple) else [multiparams]
    return any(isinstance(row, dict) and "device_id" in row for row in [*rows, params])


@event.listens_for(Engine, "before_execute")
def _raise_version(conn: Connection, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any,
                   ) -> None:
    """Before a statement changes the set-up, raise the version in its transaction (once per transaction)."""
    if not isinstance(clauseelement, UpdateBase) or not _changes_setup(clauseelement, multiparams, params):
        return
    if has_request_context():
        g.pop(_MEMO, None)
    if not conn.info.get(_CHANGED):
        conn.info[_CHANGED] = True
        conn.exec_driver_sql(_RAISE)


def _transaction_over(conn: Connection) -> None:
    conn.info.pop(_CHANGED, None)


event.listen(Engine, "commit", _transaction_over)
event.listen(Engine, "rollback", _transaction_over)
event.listen(Pool, "checkin", lambda _dbapi, record: record.info.pop(_CHANGED, None) if record else None)


@event.listens_for(Session, "after_transaction_end")
def _forget_version(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_MEMO, None)
        session.info.pop(_HELD, None)


def _changing(session: Session) -> bool:
    """Whether the session holds changes to watched rows it has not flushed yet."""
    return any(isinstance(row, _WATCHED_ROWS) for row in (*session.new, *session.dirty, *session.deleted))


def current(session: Session) -> Copies | None:
    """The process's copies current for this request (or transaction), or None when they may not be used."""
    held = session.info.get(_HELD)
    if held is not None:  # asked before in this transaction: no second connection() or version read
        conn, copies = held
        return None if conn.info.get(_CHANGED) or _changing(session) else cast(Copies, copies)
    conn = session.connection()
    if conn.info.get(_CHANGED) or _changing(session):
        return None
    memo = g if has_request_context() else None
    version = memo.get(_MEMO) if memo is not None else session.info.get(_MEMO)
    if version is None:
        version = conn.exec_driver_sql(_READ).scalar()
        if version is None:  # no version row: nothing can tell a copy is current
            return None
        if memo is not None:
            setattr(memo, _MEMO, version)
        else:
            session.info[_MEMO] = version
    pool = conn.engine.pool
    copies = _COPIES.get(pool)
    if copies is None or copies.version != version:
        copies = _COPIES[pool] = Copies(version)
    session.info[_HELD] = (conn, copies)
    return copies


_Row = TypeVar("_Row", bound=Base)


def _detached(row: _Row, **related: Any) -> _Row:
    """A copy of `row`'s columns that belongs to no session, with `related` many-to-one copies set."""
    mapper = inspect(row).mapper
    twin = mapper.class_manager.new_instance()
    for prop in mapper.column_attrs:
        set_committed_value(twin, prop.key, copy.deepcopy(getattr(row, prop.key)))
    for key, value in related.items():
        set_committed_value(twin, key, value)
    make_transient_to_detached(twin)
    return cast(_Row, twin)


def _attached(session: Session, model: type[_Row], ident: int, keep: dict[int, _Row], twin: Callable[[_Row], _Row],
              ) -> _Row | None:
    """The row by id in `session`: the session's own if it holds it (maybe changed, not flushed), else the copy
    merged without a SELECT, else read (and copied, unless the session held it from before the version)."""
    held = session.identity_map.get(identity_key(model, ident))
    if held is not None:
        return held
    known = keep.get(ident)
    if known is not None:
        return session.merge(known, load=False)
    row = session.get(model, ident)
    if row is not None:
        keep[ident] = twin(row)
    return row


def office(session: Session, office_id: int) -> Office | None:
    """The office by id, attached to `session` (from the copies when current)."""
    copies = current(session)
    if copies is None:
        return session.get(Office, office_id)
    return _attached(session, Office, office_id, copies.offices, _detached)


def device_row(session: Session, device_id: int) -> Device | None:
    """The device by id (revoked or not: the caller checks), attached to `session` (from the copies when current):
    a paired page's cookie names its device by id."""
    copies = current(session)
    if copies is None:
        return session.get(Device, device_id)
    return _attached(session, Device, device_id, copies.device_rows, _detached)


def _service_twin(row: Service) -> Service:
    agency: Agency | None = row.agency
    return _detached(row, agency=None if agency is None else _detached(agency))


def service(session: Session, service_id: int) -> Service | None:
    """The service by id with its agency loaded, attached to `session` (from the copies when current)."""
    copies = current(session)
    if copies is None:
        return session.get(Service, service_id)
    return _attached(session, Service, service_id, copies.services, _service_twin)


def staff(session: Session, staff_id: int) -> Staff | None:
    """The account by id as a detached row of its own (from the copies when current): the login check of every
    request. Any change of an account (logout everywhere, deactivation, role, password) raises the version in
    its own transaction, so the very next request of any process reads the account again. Each call gets a new
    detached row, so a caller that changes or attaches it never touches the shared copy."""
    copies = current(session)
    known = copies.staff.get(staff_id) if copies is not None else None
    if known is None:
        row = session.get(Staff, staff_id)
        if row is None or copies is None:
            return row
        known = copies.staff[staff_id] = _detached(row)
    return _detached(known)


_Value = TypeVar("_Value")


def remembered(session: Session, kind: str, key: Any, load: Callable[[], _Value]) -> _Value:
    """A value worked out from watched rows only (`load`), kept with the copies under (`kind`, `key`): `closed`
    for an office's closed day, `routes` for a service's next steps. Values are shared: never change one."""
    copies = current(session)
    if copies is None:
        return load()
    kept: dict[Any, _Value] = getattr(copies, kind)
    if key not in kept:
        kept[key] = load()
    return kept[key]


def device(session: Session, token_hash: str, load: Callable[[], Any]) -> DeviceSeen | None:
    """The unrevoked device holding the token of `token_hash` (`load` reads it: a Device or None). Unknown and
    revoked tokens are read again each time, so a stream of bad tokens fills no memory."""
    copies = current(session)
    known = copies.devices.get(token_hash) if copies is not None else None
    if known is not None:
        return known
    row = load()
    if row is None or row.revoked_at is not None:
        return None
    seen = DeviceSeen(row.id, row.kind, row.office_id)
    if copies is not None:
        copies.devices[token_hash] = seen
    return seen


def printer(session: Session, device_id: int, load: Callable[[], _Value | None]) -> _Value | None:
    """The kiosk's printer (`load` reads it, with its live state), or None, remembered only as "none": a kiosk
    without a printer skips the read until one is set for it."""
    copies = current(session)
    if copies is not None and device_id in copies.printerless:
        return None
    row = load()
    if row is None and copies is not None:
        copies.printerless.add(device_id)
    return row
