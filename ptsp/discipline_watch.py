"""Detecting discipline violations while they happen: every server process scans today of each open office.

Every `PTSP_DISCIPLINE_SCAN_SECONDS` (default 60; 0 turns it off) the server scans the local today of each
office that is open about now (from `ready_minutes` before its first opening to `AFTER_CLOSING` after its last
closing) and records what it finds (`services.discipline.scan`). A new violation at or above the office's
tolerance is announced as `violation_detected {office, day, violations}` to the office's managers' room,
where the manager pages listen; the ids say only that something is there, the page fetches what its reader
may see. The same transaction gives each new violation its notices to two superiors
(`services.discipline_notices.ensure_notices`); the optional webhook sends them after the commit.

Several server processes run this loop at once. On PostgreSQL each office is scanned under a transaction-level
advisory lock that the others try without waiting, so an office is scanned once a round, not once per process;
and `scan` itself inserts with ON CONFLICT DO NOTHING, so two scans that do meet make no duplicate and no error.
An office's scan reads only that day's tickets and counter sessions, and offices that are closed now are
skipped with no query of their own. The reading (`detect_day`) runs in a read-only session and gives way to the
other tasks between chunks; only the short writing of the rows (`record`) and their notices takes the writer's
turn (on SQLite, the process's writer lock and BEGIN IMMEDIATE), so tickets are not kept waiting by a scan.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from . import facts
from .background import run_every
from .context import db_session, now
from .discipline_webhook import deliver_soon
from .domain import hours as office_hours
from .domain.errors import InvalidInput
from .models import DisciplineSettings, Office
from .services.complaints import escalate_overdue
from .services.discipline import ScanResult, detect_day, record
from .services.discipline_notices import ensure_notices
from .services.outreach import escalate_overdue as escalate_outreach

AFTER_CLOSING = timedelta(minutes=15)
LOCK_SPACE = 14  # first key of the advisory locks; the second is the office id


def watching_now(hours_json: dict[str, Any], timezone: str, at: datetime, ready_minutes: int = 15) -> bool:
    """Tell whether an office's today is worth scanning at `at`: it opens today and `at` is between
    `ready_minutes` before opening and `AFTER_CLOSING` after closing."""
    try:
        week = office_hours.parse_week(hours_json or {})
    except (InvalidInput, ValueError, TypeError):  # validated when written; a broken row must not stop the round
        return False
    day = office_hours.service_day(at, timezone)
    hours = office_hours.hours_on(week, day, timezone, 0)
    if hours.opens_at is None or hours.closes_at is None:
        return False
    return hours.opens_at - timedelta(minutes=ready_minutes) <= at <= hours.closes_at + AFTER_CLOSING


def _claim(session: Session, office_id: int) -> bool:
    """On PostgreSQL, take the office's scan lock for this transaction if no other process holds it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:space, :office)"),
                               {"space": LOCK_SPACE, "office": office_id}))


def scan_open_offices(at: datetime | None = None) -> list[ScanResult]:
    """Scan today of every office open about now, one transaction per office; announce new violations."""
    from .realtime import emit_fact, managers_room

    at = at or now()
    results = []
    any_noticed = False
    with db_session() as session:
        offices = session.execute(select(Office.id, Office.hours, Office.timezone).order_by(Office.id)).all()
        ready = dict(session.execute(select(DisciplineSettings.office_id, DisciplineSettings.ready_minutes)).all())
        session.rollback()  # plain values from here; each office gets its own transaction
        for office_id, hours_json, timezone in offices:
            if not watching_now(hours_json, timezone, at, ready.get(office_id, 15)):
                continue
            day = office_hours.service_day(at, timezone)
            if not _claim(session, office_id):
                session.rollback()
                continue
            try:
                # The day is read in a read-only session: on SQLite that takes no writer lock, so the read,
                # which gives way to the other tasks between chunks, keeps no ticket waiting to be written.
                with db_session(readonly=True) as reader:
                    findings = detect_day(reader, office_id=office_id, day=day, now=at)
                result = record(session, office_id=office_id, day=day, now=at, findings=findings)
                noticed = ensure_notices(session, office_id=office_id, day=day, now=at)
                session.commit()
            except Exception:  # one office's failure (a database hiccup) must not skip the offices after it
                session.rollback()
                current_app.logger.exception("discipline scan of office %s failed", office_id)
                continue
            results.append(result)
            any_noticed = any_noticed or bool(noticed)
            if result.notify_ids:
                emit_fact(facts.VIOLATION_DETECTED,
                          {"office": office_id, "day": day.isoformat(), "violations": list(result.notify_ids)},
                          managers_room(office_id))
        any_noticed = _escalate(session, at) or any_noticed
    if any_noticed:
        deliver_soon(current_app._get_current_object())  # type: ignore[attr-defined]  # the optional webhook, after the commits
    return results


def _escalate(session: Session, at: datetime) -> bool:
    """Escalate complaints (docs/complaints.md) and jemput bola requests (docs/outreach.md) without a first
    response after 24 hours, open office or not, each in its own transaction; tell whether any was noticed."""
    noticed = False
    for escalate, what in ((escalate_overdue, "complaint"), (escalate_outreach, "outreach")):
        try:
            noticed = bool(escalate(session, now=at)) or noticed
            session.commit()
        except Exception:
            session.rollback()
            current_app.logger.exception("%s escalation failed", what)
    return noticed


def start_watching(app: Flask) -> None:
    """Scan every PTSP_DISCIPLINE_SCAN_SECONDS (default 60; 0 turns it off) for as long as the server runs."""
    interval = float(app.config.get("DISCIPLINE_SCAN_SECONDS")
                     or os.environ.get("PTSP_DISCIPLINE_SCAN_SECONDS", "60"))
    run_every(app, interval, scan_open_offices, "discipline scan")
