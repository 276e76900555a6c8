"""Helpers shared by the use cases: the event log, fact sequence numbers, scoping."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import bindparam, func, insert, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..domain.errors import Forbidden, NotFound
from ..facts import TICKET_COMPLETED, Fact
from ..models import Base, Office, OfficeSequence, Ticket, TicketEvent, TicketNumber
from ..models.tickets import WAITING
from .actors import Actor


def upsert_increment(session: Session, model: type[Base], keys: dict[str, Any], column: str) -> int:
    """Atomically add one to `column` of the row at `keys` (creating it at 1); return the value.

    One `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement, so concurrent
    callers are serialised by the row itself and never see the same value.
    """
    stmt = _upsert_statement(session.get_bind().dialect.name, model, tuple(keys), column)
    return cast(int, run_prebuilt(session, stmt, keys).scalar_one())


def run_prebuilt(session: Session, statement: Any, params: dict[str, Any]) -> Any:
    """Run a statement built once on the session's connection, after the flush `session.execute` would do; its
    CursorResult.

    The same SQL in the same transaction, without the ORM's execution layer around it (its options, events and
    bulk-insert path cost more CPU than the statement on the hot paths, docs/benchmarks.md)."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


# Built once per (dialect, table, keys, column) with bound parameters: building and hashing the statement
# again for every ticket and fact cost more CPU than running it (docs/benchmarks.md).
_UPSERTS: dict[tuple[str, type[Base], tuple[str, ...], str], Any] = {}


def _upsert_statement(dialect: str, model: type[Base], keys: tuple[str, ...], column: str) -> Any:
    known = _UPSERTS.get((dialect, model, keys, column))
    if known is None:
        dialect_insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
        target = getattr(model, column)
        known = _UPSERTS[(dialect, model, keys, column)] = (
            dialect_insert(model)
            .values(**{key: bindparam(key) for key in keys}, **{column: 1})
            .on_conflict_do_update(index_elements=list(keys), set_={column: target + 1})
            .returning(target)
        )
    return known


_Row = TypeVar("_Row", bound=Base)

# The reason `get_or_404` raises for each model it loads (each has a message in ptsp.i18n.errors).
MISSING = {"Ticket": "ticket_not_found", "Office": "office_not_found", "Counter": "counter_not_found",
           "Complaint": "complaint_not_found", "Device": "device_not_found", "Staff": "staff_not_found",
           "Agency": "agency_not_found", "Service": "service_not_found"}


def get_or_404(session: Session, model: type[_Row], ident: int) -> _Row:
    """Load a row by primary key or raise NotFound naming what is missing (`ticket_not_found`, ...)."""
    row = session.get(model, ident)
    if row is None:
        raise NotFound(MISSING.get(model.__name__, "not_found"), id=ident)
    return row


def record(
    session: Session,
    ticket: Ticket,
    kind: str,
    actor: Actor,
    now: datetime,
    counter_id: int | None = None,
    **data: Any,
) -> TicketEvent:
    """Append one event to the ticket's log."""
    event = TicketEvent(
        ticket_id=ticket.id,
        office_id=ticket.office_id,
        kind=kind,
        at=now,
        counter_id=counter_id if counter_id is not None else ticket.counter_id,
        staff_id=actor.staff_id,
        device_id=actor.device_id,
        data=data,
    )
    session.add(event)
    return event


_EVENT = insert(TicketEvent)  # built once (see _UPSERTS)


def record_at_once(session: Session, ticket: Ticket, kind: str, actor: Actor, now: datetime, **data: Any) -> None:
    """`record` as one prebuilt INSERT run now on the session's connection, past the ORM's unit of work: for a
    ticket already flushed whose event nothing reads back in this transaction (a new ticket's `issued`)."""
    session.connection().execute(_EVENT, {
        "ticket_id": ticket.id, "office_id": ticket.office_id, "kind": kind, "at": now,
        "counter_id": ticket.counter_id, "staff_id": actor.staff_id, "device_id": actor.device_id, "data": data,
    })


_NEXT_SEQ: dict[tuple[str, bool], Any] = {}  # per dialect, with or without the waiting counts; built once


def _next_seq_statement(dialect: str, counted: bool) -> Any:
    known = _NEXT_SEQ.get((dialect, counted))
    if known is None:
        known = _upsert_statement(dialect, OfficeSequence, ("office_id",), "seq").returning(
            OfficeSequence.subscriptions)
        if counted:  # `waiting_counts` as one JSON object, in the same statement (ix_tickets_waiting answers it)
            lines = _WAITING_COUNTS.subquery()
            aggregate = func.json_group_object if dialect == "sqlite" else func.json_object_agg
            known = known.returning(select(aggregate(*lines.c)).scalar_subquery())
        _NEXT_SEQ[(dialect, counted)] = known
    return known


def _counts(value: Any) -> dict[int, int]:
    """The JSON object of waiting counts (text on SQLite, parsed on PostgreSQL, NULL there for none) as a dict."""
    parsed = json.loads(value) if isinstance(value, str) else (value or {})
    return {int(service): int(count) for service, count in parsed.items()}


def publish(session: Session, office_id: int, fact: Fact, data: dict[str, Any], waiting_on: date | None = None) -> int:
    """Queue a numbered fact for after commit, numbered with the office's next sequence number.

    The same upsert returns the office's number of alert subscriptions (kept by the database, migration 0028),
    and a ticket the fact names that this session has loaded tells whether it holds a phone's key: the queued
    fact carries both (`alerts`, `phone`, never sent to a socket), so the alert task needs no read to know
    whether the fact can concern it (services.alerts.needs_work). `waiting_on`: the office day whose waiting
    counts per service the fact carries as `waiting` (`waiting_counts`), returned by the same statement.
    """
    if not fact.numbered:
        raise ValueError(f"{fact.name} is not numbered by the office sequence")
    statement = _next_seq_statement(session.get_bind().dialect.name, waiting_on is not None)
    row = run_prebuilt(session, statement, {"office_id": office_id, "day": waiting_on}).one()
    seq, subscriptions = row[0], row[1]
    if waiting_on is not None:
        data["waiting"] = _counts(row[2])
    item: dict[str, Any] = {"event": fact.name, "office": office_id, "seq": seq, "data": data,
                            "alerts": subscriptions > 0}
    named = data.get("ticket")
    if isinstance(named, dict) and isinstance(named.get("id"), int):
        loaded = session.identity_map.get(identity_key(Ticket, named["id"]))
        if loaded is not None and "phone_device" not in inspect(loaded).unloaded:
            item["phone"] = loaded.phone_device is not None
    session.info.setdefault("facts", []).append(item)
    return cast(int, seq)


def publish_to_agent(session: Session, agent_id: int, fact: Fact, data: dict[str, Any]) -> None:
    """Queue a fact for one print agent for after commit; not an office fact, so it takes no sequence number."""
    session.info.setdefault("facts", []).append({"event": fact.name, "agent": agent_id, "data": data})


def current_seq(session: Session, office_id: int) -> int:
    """Return the office's last published sequence number (0 before any)."""
    seq = session.scalar(select(OfficeSequence.seq).where(OfficeSequence.office_id == office_id))
    return seq or 0


def office_scope(session: Session, actor: Actor) -> set[int] | None:
    """Return the offices an actor may see: their own and every office below it.

    None means every office (administrators and the system).
    """
    if actor.kind == "system" or (actor.kind == "staff" and actor.role == "admin"):
        return None
    if actor.office_id is None:
        return set()
    if actor.kind != "staff" or actor.role == "clerk":
        return {actor.office_id}
    scope, frontier = {actor.office_id}, {actor.office_id}
    while frontier:
        children = set(session.scalars(select(Office.id).where(Office.parent_id.in_(frontier))))
        frontier = children - scope
        scope |= frontier
    return scope


def require_office(session: Session, actor: Actor, office_id: int) -> None:
    """Raise Forbidden unless the actor may act in `office_id`."""
    scope = office_scope(session, actor)
    if scope is not None and office_id not in scope:
        raise Forbidden("office_out_of_scope", office=office_id)


# Built once: it runs with every fact (see _UPSERTS). The status is written into the SQL, not bound, so that both
# databases can answer from the partial index of waiting tickets (ix_tickets_waiting) without reading the rows.
_WAITING_COUNTS = (
    select(Ticket.service_id, func.count())
    .where(Ticket.office_id == bindparam("office_id"), Ticket.service_day == bindparam("day"),
           WAITING)
    .group_by(Ticket.service_id)
)


def waiting_counts(session: Session, office_id: int, day: date) -> dict[int, int]:
    """Count today's waiting tickets per service of an office."""
    rows = run_prebuilt(session, _WAITING_COUNTS, {"office_id": office_id, "day": day})
    return {service_id: count for service_id, count in rows}


def issued_counts(session: Session, office_id: int, day: date) -> dict[int, int]:
    """Count the tickets issued on a service day per service of an office."""
    rows = session.execute(
        select(TicketNumber.service_id, TicketNumber.last_number)
        .where(TicketNumber.office_id == office_id, TicketNumber.day == day)
    )
    return {service_id: count for service_id, count in rows}


def waiting_after_completion(session: Session, done: Ticket, called: Ticket) -> dict[int, int] | None:
    """The office day's waiting counts the completion of `done` published in this transaction, when its fact is
    the last one queued and of the day of the waiting ticket about to be `called`.

    Nothing can change them since: no other use case runs between in this transaction, and every other
    transaction that changes tickets publishes a fact of this office, so it waits for the office's sequence row
    this transaction holds (PostgreSQL) or for the write lock (SQLite)."""
    queued = session.info.get("facts") or []
    last = queued[-1] if queued else None
    if (last is None or last["event"] != TICKET_COMPLETED.name or last["office"] != done.office_id
            or last["data"]["ticket"]["id"] != done.id or done.service_day != called.service_day
            or called.office_id != done.office_id or called.status != "waiting"):
        return None
    waiting = cast(dict[int, int], last["data"]["waiting"])
    return waiting if waiting.get(called.service_id, 0) > 0 else None
