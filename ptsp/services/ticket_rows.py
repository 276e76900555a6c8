"""Writing hot rows (a new ticket, a ticket's transition, a points line) by prebuilt statements instead of the
ORM's unit of work (issue 18, measured in docs/benchmarks.md "Issue path" and "Served ticket")."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, insert, inspect, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..domain.errors import NotFound
from ..models import Base, Office, Service, Ticket
from .lookup import run_prebuilt

_TICKET_COLUMNS = [(prop.key, prop.columns[0]) for prop in inspect(Ticket).column_attrs if prop.key != "id"]
_COLUMN_OF = {key: column for key, column in _TICKET_COLUMNS}
_UPDATES: dict[tuple[str, ...], Any] = {}  # one UPDATE per set of columns a transition writes, built once
_INSERTS: dict[type[Base], tuple[Any, list[tuple[str, Any]]]] = {}  # per model: INSERT … RETURNING id, columns
_SELECTS: dict[type[Base], tuple[Any, list[str]]] = {}  # per model: SELECT of every column by id, attribute keys

_Row = TypeVar("_Row", bound=Base)


def insert_loaded(session: Session, model: type[_Row], values: dict[str, Any],
                  related: dict[str, Any] | None = None) -> _Row:
    """Insert a new row by one prebuilt INSERT … RETURNING id and hand it to the session as a loaded, unchanged
    object: what `session.add` and a flush would do, without the unit of work (measured in docs/benchmarks.md).
    Every column is written, its model default where `values` leaves it out, so the row and the object agree;
    `related`: relationship values the object is told (their columns must be in `values`)."""
    known = _INSERTS.get(model)
    if known is None:
        mapper = inspect(model)
        known = _INSERTS[model] = (insert(model).returning(mapper.primary_key[0]),
                                   [(prop.key, prop.columns[0]) for prop in mapper.column_attrs if prop.key != "id"])
    statement, columns = known
    row = {key: values[key] if key in values else _default(column) for key, column in columns}
    obj: _Row = model.__mapper__.class_manager.new_instance()
    for key, value in row.items():
        set_committed_value(obj, key, value)
    set_committed_value(obj, "id", run_prebuilt(session, statement, row).scalar_one())
    for key, value in (related or {}).items():
        set_committed_value(obj, key, value)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def load_loaded(session: Session, model: type[_Row], ident: int) -> _Row | None:
    """`session.get(model, ident)` for the hot paths: the session's own object when it holds it (unexpired), else
    the row by one prebuilt SELECT, handed to the session as a loaded, unchanged object (as `insert_loaded` does)
    without the ORM's query and loading layers (measured in docs/benchmarks.md, "The counter screen's own path").
    Relationships load lazily on first use, as after `session.get`."""
    held = session.identity_map.get(identity_key(model, ident))
    if held is not None:
        if not inspect(held).expired_attributes:
            return held
        return session.get(model, ident)  # expired (after a rollback): the ORM refreshes it
    known = _SELECTS.get(model)
    if known is None:
        mapper = inspect(model)
        props = list(mapper.column_attrs)
        known = _SELECTS[model] = (select(*(prop.columns[0] for prop in props)).where(
            mapper.primary_key[0] == bindparam("row_id")), [prop.key for prop in props])
    statement, keys = known
    row = run_prebuilt(session, statement, {"row_id": ident}).first()
    if row is None:
        return None
    obj: _Row = model.__mapper__.class_manager.new_instance()
    # As the ORM's loader fills a new instance: the loaded values straight into its dict, no history.
    obj.__dict__.update(zip(keys, row, strict=True))
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


def ticket_or_404(session: Session, ticket_id: int) -> Ticket:
    """The ticket by id (`load_loaded`), or NotFound (`ticket_not_found`)."""
    ticket = load_loaded(session, Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket_not_found", id=ticket_id)
    return ticket


def insert_ticket(session: Session, office: Office, service: Service, values: dict[str, Any]) -> Ticket:
    """Insert a new ticket as a loaded row (`insert_loaded`), with its office and service."""
    values |= {"office_id": office.id, "service_id": service.id, "issued_service_id": service.id}
    return insert_loaded(session, Ticket, values, {"office": office, "service": service, "counter": None})


def _default(column: Any) -> Any:
    default = column.default
    if default is None:
        if column.server_default is not None:  # the database's default would be skipped by writing NULL
            raise ValueError(f"{column.table.name}.{column.key} needs a value")
        return None
    if not default.is_scalar:  # a callable default (next_steps): the caller passes the value itself
        raise ValueError(f"{column.table.name}.{column.key} needs a value")
    return default.arg


def update_ticket(session: Session, ticket: Ticket, values: dict[str, Any]) -> None:
    """Write these columns of a loaded ticket by one prebuilt UPDATE and tell the object the written values as
    loaded: what setting the attributes and a flush would do, without the unit of work (a third of a served
    ticket's ORM time, docs/benchmarks.md). Relationship values (`counter`) are told to the object only; their
    column (`counter_id`) must be among the values. Changes already pending on the ticket are flushed first."""
    columns = tuple(sorted(key for key in values if key in _COLUMN_OF))
    statement = _UPDATES.get(columns)
    if statement is None:
        table = cast(Table, Ticket.__table__)
        statement = _UPDATES[columns] = update(table).where(table.c.id == bindparam("ticket_row")).values(
            {_COLUMN_OF[key].name: bindparam(key) for key in columns})
    run_prebuilt(session, statement, {"ticket_row": ticket.id, **{key: values[key] for key in columns}})
    for key, value in values.items():
        set_committed_value(ticket, key, value)
