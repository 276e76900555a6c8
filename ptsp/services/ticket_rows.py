"""Writing a new ticket row by one prebuilt INSERT instead of the ORM's unit of work (issue 18, measured in
docs/benchmarks.md "Issue path")."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, inspect, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Office, Service, Ticket
from .lookup import run_prebuilt

_TICKET_COLUMNS = [(prop.key, prop.columns[0]) for prop in inspect(Ticket).column_attrs if prop.key != "id"]
_COLUMN_OF = {key: column for key, column in _TICKET_COLUMNS}
_INSERT_TICKET = insert(Ticket).returning(Ticket.id)  # built once (see lookup._UPSERTS)
_UPDATES: dict[tuple[str, ...], Any] = {}  # one UPDATE per set of columns a transition writes, built once


def insert_ticket(session: Session, office: Office, service: Service, values: dict[str, Any]) -> Ticket:
    """Insert a new ticket by one prebuilt INSERT and hand it to the session as a loaded, unchanged row: what
    `session.add` and a flush would do, without the unit of work (measured in docs/benchmarks.md). Every column
    is written, its model default where `values` leaves it out, so the row and the object agree."""
    values |= {"office_id": office.id, "service_id": service.id, "issued_service_id": service.id}
    row = {key: values[key] if key in values else _default(column) for key, column in _TICKET_COLUMNS}
    ticket: Ticket = Ticket.__mapper__.class_manager.new_instance()
    for key, value in row.items():
        set_committed_value(ticket, key, value)
    set_committed_value(ticket, "id", run_prebuilt(session, _INSERT_TICKET, row).scalar_one())
    for key, value in (("office", office), ("service", service), ("counter", None)):
        set_committed_value(ticket, key, value)
    make_transient_to_detached(ticket)
    session.add(ticket)
    return ticket


def _default(column: Any) -> Any:
    default = column.default
    if default is None:
        return None
    if not default.is_scalar:  # a callable default (next_steps): `issue` passes the value itself
        raise ValueError(f"tickets.{column.key} needs a value")
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
