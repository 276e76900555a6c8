"""IKM (Indeks Kepuasan Masyarakat) per office, service, counter and clerk, from the ratings."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidInput
from ..domain.skm import FIELDS, index_from_answers
from ..models import Counter, Office, Rating, Service, Staff
from .filters import in_agency

GROUPS = ("office", "service", "counter", "clerk")
_KEY = {"office": Rating.office_id, "service": Rating.service_id, "counter": Rating.counter_id,
        "clerk": Rating.staff_id}


def local_bounds(tz: str, start: date, end: date) -> tuple[datetime, datetime]:
    """Return the UTC instants of local midnight at `start` and after `end`."""
    zone = ZoneInfo(tz)
    return (datetime.combine(start, time.min, zone),
            datetime.combine(date.fromordinal(end.toordinal() + 1), time.min, zone))


def _labels(session: Session, group: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    if group == "office":
        return dict(session.execute(select(Office.id, Office.name).where(Office.id.in_(ids))).all())
    if group == "service":
        rows = session.execute(select(Service.id, Service.prefix, Service.name_id).where(Service.id.in_(ids)))
        return {i: f"{prefix} · {name}" for i, prefix, name in rows}
    if group == "counter":
        rows = session.execute(select(Counter.id, Counter.number, Office.name).join(Office)
                               .where(Counter.id.in_(ids)))
        return {i: f"Loket {number} · {office}" for i, number, office in rows}
    return dict(session.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def ikm(session: Session, office_ids: list[int], start: date, end: date, group: str = "office",
        agency_id: int | None = None) -> list[dict[str, Any]]:
    """Return the IKM of each group within the offices between two office-local days (inclusive).

    Only complete questionnaires (all nine elements) enter the index; the quick
    1-4 rating is reported beside it as its own mean and count.
    """
    if group not in GROUPS:
        raise InvalidInput("unknown_group", group=group, choices=GROUPS)
    if end < start:
        raise InvalidInput("end_before_start")
    answers: dict[int | None, list[list[int]]] = defaultdict(list)
    quick: dict[int | None, list[int]] = defaultdict(list)
    for office in session.scalars(select(Office).where(Office.id.in_(office_ids))):
        since, until = local_bounds(office.timezone, start, end)
        rows = session.execute(
            select(_KEY[group], Rating.quick, *[getattr(Rating, f) for f in FIELDS])
            .where(Rating.office_id == office.id, Rating.at >= since, Rating.at < until,
                   in_agency(Rating.service_id, agency_id))
        )
        for key, quick_value, *elements in rows:
            quick[key].append(quick_value)
            if None not in elements:
                answers[key].append(elements)
    labels = _labels(session, group, {k for k in quick if k is not None})
    result = []
    for key in sorted(quick, key=lambda k: labels.get(k, "") if k is not None else "~"):
        index = index_from_answers(answers[key])
        result.append({
            "key": key, "label": labels.get(key, "—") if key is not None else "—",
            "ratings": len(quick[key]), "quick_mean": round(sum(quick[key]) / len(quick[key]), 2),
            "respondents": index.respondents if index else 0,
            "element_means": list(index.element_means) if index else None,
            "unit": index.unit if index else None, "ikm": index.converted if index else None,
            "grade": index.grade if index else None, "grade_label": index.label if index else None,
        })
    return result
