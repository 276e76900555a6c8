"""Per-process copies of the rows every ticket issue reads and an administrator rarely changes: offices, services
(with their agency), an office's closed day, a service's route of next steps, devices by token, each kiosk's
printer set-up (or that it has none), and staff accounts (the login of every request: role, active, session epoch).

How the copies stay current (docs/architecture.md, "Per-process copies of the set-up"):

- `config_version` holds one number. Any INSERT, UPDATE or DELETE that SQLAlchemy runs on a watched table
  (`WATCHED`; and a printer added or taken away, or an UPDATE naming a column of its set-up), by an ORM flush, a bulk
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
SELECT), or frozen values. Raw SQL on these tables (psql, a script's sqlite3, a hand-written migration) raises
the number too, by the database's triggers (migration 0026): a token revoked by SQL is refused on its next
request. After restoring an older backup, restart the processes.
"""

from __future__ import annotations

import copy
import marshal
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from flask import g, has_request_context
from sqlalchemy import JSON, Connection, Engine, event, inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import Pool
from sqlalchemy.sql.dml import UpdateBase

from .models import Agency, Base, Device, Office, OfficeClosedDay, Service, Staff, TicketPrinter

_WATCHED_ROWS = (Office, Agency, Service, OfficeClosedDay, Device, Staff)
WATCHED = frozenset(str(model.__tablename__) for model in _WATCHED_ROWS)

_RAISE = "UPDATE config_version SET n = n + 1 WHERE id = 1"
_READ = "SELECT n FROM config_version WHERE id = 1"
_CHANGED = "ptsp_config_changed"  # in a pooled connection's info: its transaction raised the version (at which
# savepoint depth, plus one: a savepoint rolled back undoes a raise made inside it)
_MEMO = "ptsp_config_version"  # in flask.g (a request) or session.info (elsewhere, until the transaction ends)
_HELD = "ptsp_config_copies"  # in session.info until the transaction ends: its connection and the copies
_SAVEPOINTS = "ptsp_config_savepoints"  # in a pooled connection's info: the names of its open savepoints
_ROWS = "ptsp_config_rows"  # in session.info until the transaction ends: the copies merged into the session
MIGRATING = "ptsp_migrating"  # in a connection's info while `ptsp.migrate` runs Alembic on it


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
    printers: dict[int, TicketPrinter | None] = field(default_factory=dict)  # by kiosk: its printer's set-up, or None
    staff: dict[int, Staff] = field(default_factory=dict)  # accounts by id (never handed out: see `staff`)
    stamped: dict[Any, tuple[Any, Any]] = field(default_factory=dict)  # `remembered_at`: key -> (stamp, value)


_COPIES: weakref.WeakKeyDictionary[Pool, Copies] = weakref.WeakKeyDictionary()  # per database (its pool)


# A printer's set-up, kept with the copies; the rest of its row (online, paper, last error, last seen) is its
# state, written after prints, and read from the database whenever it is asked for.
PRINTER_SETUP = ("id", "office_id", "device_id", "agent_id", "name", "setting", "width_chars", "codepage", "language")


def _changes_setup(statement: UpdateBase, multiparams: Any, params: Any) -> bool:
    """Whether a statement may change what the copies hold: any change to a watched table, or to a printer's set-up
    (added, taken away, or an UPDATE naming a `PRINTER_SETUP` column). A printer's own state, written after each
    print by the ORM, is not the set-up: an UPDATE naming only state columns leaves the copies alone."""
    name = getattr(statement.table, "name", None)
    if name in WATCHED:
        return True
    if name != "printers":
        return False
    if statement.is_insert or statement.is_delete or getattr(statement, "_values", None) \
            or getattr(statement, "_ordered_values", None):
        return True
    rows = multiparams if isinstance(multiparams, list | tuple) else [multiparams]
    return any(isinstance(row, dict) and any(key in row for key in PRINTER_SETUP[1:]) for row in [*rows, params])


@event.listens_for(Engine, "before_execute")
def _raise_version(conn: Connection, clauseelement: Any, multiparams: Any, params: Any, execution_options: Any,
                   ) -> None:
    """Before a statement changes the set-up, raise the version in its transaction (once per transaction)."""
    if not isinstance(clauseelement, UpdateBase) or not _changes_setup(clauseelement, multiparams, params):
        return
    if has_request_context():
        g.pop(_MEMO, None)
    if conn.info.get(_CHANGED):
        return
    if conn.info.get(MIGRATING) and not inspect(conn).has_table("config_version"):
        return  # a data migration older than 0025 (no process runs during it, nor holds copies)
    conn.info[_CHANGED] = len(conn.info.get(_SAVEPOINTS, ())) + 1
    conn.exec_driver_sql(_RAISE)


def _transaction_over(conn: Connection) -> None:
    conn.info.pop(_CHANGED, None)
    conn.info.pop(_SAVEPOINTS, None)


def _savepoint(conn: Connection, name: str | None) -> None:
    conn.info.setdefault(_SAVEPOINTS, []).append(name)


def _savepoint_over(kept: bool) -> Callable[..., None]:
    """A savepoint released (`kept`: its changes join the enclosing level) or rolled back (its raise, if it
    made the transaction's one, is undone with it: the next change must raise the number again)."""

    def listener(conn: Connection, name: str, _context: Any = None) -> None:
        names: list[str | None] = conn.info.get(_SAVEPOINTS, [])
        level = names.index(name) if name in names else max(len(names) - 1, 0)  # named late: the innermost
        del names[level:]
        raised_at = conn.info.get(_CHANGED)
        if raised_at and raised_at > level + 1:  # raised inside the savepoint that ends
            if kept:
                conn.info[_CHANGED] = level + 1
            else:
                conn.info.pop(_CHANGED)

    return listener


event.listen(Engine, "commit", _transaction_over)
event.listen(Engine, "rollback", _transaction_over)
event.listen(Engine, "savepoint", _savepoint)
event.listen(Engine, "release_savepoint", _savepoint_over(kept=True))
event.listen(Engine, "rollback_savepoint", _savepoint_over(kept=False))
event.listen(Pool, "checkin", lambda _dbapi, record: [record.info.pop(key, None) for key in (_CHANGED, _SAVEPOINTS)]
             if record else None)


@event.listens_for(Session, "after_transaction_end")
def _forget_version(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_MEMO, None)
        session.info.pop(_HELD, None)
        session.info.pop(_ROWS, None)


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
    mutable = _json_keys(mapper.class_)  # the only values a holder could change in place; the others are immutable
    for prop in mapper.column_attrs:
        value = getattr(row, prop.key)
        set_committed_value(twin, prop.key, _fresh(value) if prop.key in mutable else value)
    for key, value in related.items():
        set_committed_value(twin, key, value)
    make_transient_to_detached(twin)
    return cast(_Row, twin)


_JSON_KEYS: dict[type, tuple[str, ...]] = {}


def _json_keys(model: type[Base]) -> tuple[str, ...]:
    """The model's JSON columns: values a request could change in place (office hours, a service's route)."""
    keys = _JSON_KEYS.get(model)
    if keys is None:
        keys = _JSON_KEYS[model] = tuple(prop.key for prop in inspect(model).column_attrs
                                         if isinstance(prop.columns[0].type, JSON))
    return keys


def _fresh(value: Any) -> Any:
    """A deep copy of a JSON value (dicts, lists, strings, numbers), in C: marshal copies these types exactly."""
    if value is None or isinstance(value, str | int | float):
        return value
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:  # a type marshal does not take (none from a JSON column)
        return copy.deepcopy(value)


def _attached(session: Session, model: type[_Row], ident: int, keep: dict[int, _Row], twin: Callable[[_Row], _Row],
              ) -> _Row | None:
    """The row by id in `session`: the session's own if it holds it (maybe changed, not flushed), else the copy
    merged without a SELECT, else read (and copied, unless the session held it from before the version)."""
    held = session.identity_map.get(identity_key(model, ident))
    if held is not None:
        return held
    known = keep.get(ident)
    if known is not None:
        merged = session.merge(known, load=False)
        for key in _json_keys(model):  # merge hands over the copy's own dict or list: give the session its own
            set_committed_value(merged, key, _fresh(getattr(known, key)))
        # The session holds its rows weakly: a merged row that the caller drops would leave it at once, and a
        # later lazy load of it (a ticket's `office`) would read it again. Hold it until the transaction ends.
        session.info.setdefault(_ROWS, []).append(merged)
        return merged
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
        if row is None or copies is None:  # no copies to keep: still a detached row, never the session's own
            return None if row is None else _detached(row)  # (the login's session may be the command's)
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


def remembered_at(session: Session, key: Any, stamp: Any, load: Callable[[], _Value]) -> _Value:
    """A value that also depends on rows outside the set-up, kept under `key` while `stamp` (which the caller
    reads from the database, in this transaction, before `load` runs) stays the same: one value per key, the
    latest stamp's, so the copies grow with the keys and not with time. Values are shared: never change one."""
    copies = current(session)
    if copies is None:
        return load()
    kept = copies.stamped.get(key)
    if kept is not None and kept[0] == stamp:
        return cast(_Value, kept[1])
    value = load()
    copies.stamped[key] = (stamp, value)
    return value


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


def _printer_twin(row: TicketPrinter) -> TicketPrinter:
    """A detached copy of a printer's set-up columns; its state columns are left unloaded (expired), so a session
    it is merged into reads them from the database when they are used, and never from the copy."""
    twin = TicketPrinter.__mapper__.class_manager.new_instance()
    for key in PRINTER_SETUP:
        set_committed_value(twin, key, getattr(row, key))
    make_transient_to_detached(twin)
    return cast(TicketPrinter, twin)


def printer(session: Session, device_id: int, load: Callable[[], TicketPrinter | None]) -> TicketPrinter | None:
    """The kiosk's printer (`load` reads it), or None, attached to `session`: from the copies when current, with
    only its set-up known; its live state (online, paper, ...) is read when first used."""
    copies = current(session)
    if copies is None:
        return load()
    if device_id not in copies.printers:
        row = load()
        if current(session) is copies:  # not if reading flushed this transaction's own change to the set-up
            copies.printers[device_id] = None if row is None else _printer_twin(row)
        return row
    known = copies.printers[device_id]
    if known is None:
        return None
    held = session.identity_map.get(identity_key(TicketPrinter, known.id))
    return held if held is not None else session.merge(known, load=False)
