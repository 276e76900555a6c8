"""Each clerk's staffed time and the part of it when there was work to do, from the event log.

A clerk's **staffed time** is their `open` counter sessions (breaks are their own
`break` sessions, so they never count). Of that, **time with work** is when at
least one ticket of a service their counter serves was waiting, or a ticket was
called or being served at that counter (`timeline.office_spans`). An empty
hall does not lower anyone's points per hour. The services a counter serves are
its present set-up (`counter_services`), as the discipline rules read them too.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from ..domain.intervals import Span, intersect, minutes, union
from ..models import Office
from .timeline import counter_stretches, office_spans, services_by_counter


@dataclass(frozen=True, slots=True)
class ClerkTime:
    staffed_hours: float
    work_hours: float


def clerk_hours(session: Session, office: Office, first_day: date, last_day: date, since: datetime,
                until: datetime) -> dict[int, ClerkTime]:
    """Return staffed hours and hours with work per clerk, for open sessions within [since, until)."""
    if until <= since:
        return {}
    stretches = [s for s in counter_stretches(session, office.id, since, until, until) if s.state == "open"]
    if not stretches:
        return {}
    waiting, busy = office_spans(session, office.id, first_day, last_day, until)
    services = services_by_counter(session, office.id)
    demand: dict[int, list[Span]] = {}
    staffed: dict[int, list[Span]] = defaultdict(list)
    worked: dict[int, list[Span]] = defaultdict(list)
    for stretch in stretches:
        span = (max(stretch.start, since), min(stretch.end, until))
        if span[1] <= span[0]:
            continue
        if stretch.counter_id not in demand:
            spans = list(busy.get(stretch.counter_id, []))
            for service in services.get(stretch.counter_id, set()):
                spans.extend(waiting.get(service, []))
            demand[stretch.counter_id] = union(spans)
        staffed[stretch.staff_id].append(span)
        worked[stretch.staff_id].extend(intersect([span], demand[stretch.counter_id]))
    return {staff: ClerkTime(minutes(union(spans)) / 60, minutes(union(worked[staff])) / 60)
            for staff, spans in staffed.items()}
