"""Points of jemput bola visits (docs/points.md, "Jemput bola"): the ledger line a confirmed visit calls for,
written once, and its recomputation from the visit's events, so `ptsp points recompute` checks visits as it checks
tickets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import hours as office_hours
from ..domain.outreach import visit_entries
from ..domain.points import Entry, Event
from ..models import Office, OutreachEvent, OutreachRequest, PointsLedgerEntry, Service

_COMPARED = ("office_id", "staff_id", "service_id", "service_day", "points", "held", "reason", "event_ids",
             "acted_by", "at")


def _events(session: Session, request_ids: list[int]) -> dict[int, list[Event]]:
    found: dict[int, list[Event]] = defaultdict(list)
    for row in session.scalars(select(OutreachEvent).where(OutreachEvent.request_id.in_(request_ids))
                               .order_by(OutreachEvent.id)):
        found[row.request_id].append(Event(row.id, row.status, row.at, row.staff_id, dict(row.data or {})))
    return found


def _row(request: OutreachRequest, entry: Entry, timezone: str) -> PointsLedgerEntry:
    return PointsLedgerEntry(
        office_id=request.office_id, staff_id=entry.staff_id, ticket_id=None, outreach_id=request.id,
        service_id=entry.service_id, service_day=office_hours.service_day(entry.at, timezone), kind=entry.kind,
        points=entry.points, held=entry.held, reason=entry.reason, event_ids=list(entry.event_ids),
        rating_id=None, acted_by=entry.acted_by, at=entry.at)


def _expected(session: Session, request: OutreachRequest, events: list[Event], standard: float,
              timezone: str) -> list[PointsLedgerEntry]:
    return [_row(request, e, timezone) for e in visit_entries(events, service_id=request.service_id,
                                                               standard_minutes=standard)]


def sync_request(session: Session, request: OutreachRequest) -> list[PointsLedgerEntry]:
    """Append the ledger line this request's events call for and that is not written yet (once: the ledger's
    unique (outreach_id, kind) holds even against two confirmations racing)."""
    session.flush()
    standard = session.get_one(Service, request.service_id).standard_minutes
    timezone = session.get_one(Office, request.office_id).timezone
    written = set(session.scalars(select(PointsLedgerEntry.kind).where(PointsLedgerEntry.outreach_id == request.id)))
    added = [row for row in _expected(session, request, _events(session, [request.id])[request.id], standard, timezone)
             if row.kind not in written]
    session.add_all(added)
    session.flush()
    return added


@dataclass
class VisitDifference:
    outreach_id: int
    kind: str
    problem: str  # missing, unexpected, changed
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def describe(self) -> str:
        detail = "; ".join(f"{name}: ledger={old!r} recomputed={new!r}" for name, (old, new) in self.fields.items())
        return f"jemput bola {self.outreach_id} {self.kind}: {self.problem}" + (f" ({detail})" if detail else "")


@dataclass
class VisitReport:
    visits: int = 0
    lines: int = 0
    points: float = 0.0
    differences: list[VisitDifference] = field(default_factory=list)


def _values(row: PointsLedgerEntry) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in _COMPARED}
    values["event_ids"] = sorted(values["event_ids"] or [])
    values["points"], values["held"] = round(values["points"], 6), round(values["held"], 6)
    return values


def recompute_visits(session: Session, office_id: int | None = None) -> VisitReport:
    """Recompute every visit's points from its events and compare with the ledger's visit lines."""
    done = select(OutreachEvent.request_id).where(OutreachEvent.status == "done")
    ledgered = select(PointsLedgerEntry.outreach_id).where(PointsLedgerEntry.outreach_id.is_not(None))
    if office_id is not None:
        done = done.where(OutreachEvent.office_id == office_id)
        ledgered = ledgered.where(PointsLedgerEntry.office_id == office_id)
    ids = sorted(set(session.scalars(done)) | {i for i in session.scalars(ledgered) if i is not None})
    report = VisitReport(visits=len(ids))
    if not ids:
        return report
    standards = dict(session.execute(select(Service.id, Service.standard_minutes)).all())
    zones = dict(session.execute(select(Office.id, Office.timezone)).all())
    requests = {r.id: r for r in session.scalars(select(OutreachRequest).where(OutreachRequest.id.in_(ids)))}
    events = _events(session, ids)
    written: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for line in session.scalars(select(PointsLedgerEntry).where(PointsLedgerEntry.outreach_id.in_(ids))):
        written[line.outreach_id or 0][line.kind] = _values(line)
    for request_id in ids:
        request = requests[request_id]
        expected = {row.kind: _values(row) for row in _expected(
            session, request, events[request_id], standards[request.service_id], zones[request.office_id])}
        report.lines += len(expected)
        report.points += sum(v["points"] for v in expected.values())
        for kind in sorted(set(expected) | set(written[request_id])):
            if kind not in written[request_id]:
                report.differences.append(VisitDifference(request_id, kind, "missing"))
            elif kind not in expected:
                report.differences.append(VisitDifference(request_id, kind, "unexpected"))
            else:
                changed = {name: (written[request_id][kind][name], expected[kind][name]) for name in _COMPARED
                           if written[request_id][kind][name] != expected[kind][name]}
                if changed:
                    report.differences.append(VisitDifference(request_id, kind, "changed", changed))
    report.points = round(report.points, 2)
    return report
