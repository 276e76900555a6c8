"""Anomaly flags beside the leaderboard: what a supervisor should look at in one clerk's period.

Each flag compares one clerk's share of something with the rest of the same office over the same period, by a
one-sided binomial test (`domain.points.binomial_tail`) against the rest's share, Laplace-smoothed
((count + 1) / (total + 2)). A flag is raised only when

- the clerk has at least `MIN_COUNT` cases and the rest of the office too (small numbers raise nothing),
- the clerk's share is at least `MIN_GAP` above the rest's (a real difference, not only a certain one), and
- the test's p-value is under `ALPHA`.

Measures (docs/points.md, "Anomaly flags"): short services (served in under half the weighted standard), tickets
the clerk issued themself, tickets issued by staff rather than a kiosk, top ratings, and no-shows. Read from the
ticket rows (written once at issue: `issued_by`, `walk_in`), the `no_show` events and the ratings rows; the flags
never change points, they tell a supervisor where to look.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.points import PointsRules, binomial_tail
from ..i18n import N_
from ..models import Rating, Service, Ticket, TicketEvent

MIN_COUNT = 10  # cases the clerk, and the rest of the office, need before a share is compared
ALPHA = 0.01  # one-sided p-value under which a share is unusual
MIN_GAP = 0.15  # the clerk's share must also be this much above the rest's
SHORT_SHARE = 0.5  # a "short service": served in under this share of the (outcome-weighted) standard
PARTIAL_WEIGHT = PointsRules().partial_weight  # rule 10's outcome weight, for the standard of a short service

TEXTS = {
    "short_services": N_("%(share)s layanan selesai dalam kurang dari separuh waktu standar (petugas lain di "
                         "kantor ini: %(office)s). Periksa apakah pelayanannya benar-benar dilakukan."),
    "self_issued": N_("%(share)s tiket yang diselesaikan diterbitkan sendiri oleh petugas ini "
                      "(petugas lain: %(office)s). Tiket seperti ini hanya berpoin setelah dikonfirmasi supervisor."),
    "staff_issued": N_("%(share)s tiket yang diselesaikan diterbitkan oleh petugas, bukan dari kios "
                       "(petugas lain: %(office)s). Periksa apakah warganya memang datang langsung."),
    "top_ratings": N_("%(share)s penilaian bernilai tertinggi (petugas lain: %(office)s). "
                      "Periksa siapa yang memberi nilai, misalnya dari ponsel petugas sendiri."),
    "no_shows": N_("%(share)s panggilan berakhir tidak hadir (petugas lain: %(office)s). "
                   "Periksa apakah warga dipanggil dengan jelas dan diberi waktu datang."),
}


@dataclass
class Tally:
    """Per clerk: how many cases of a measure, and how many of them were the unusual kind."""

    hits: dict[int, int]
    cases: dict[int, int]


def _tally(pairs: Iterable[tuple[int | None, bool]]) -> Tally:
    hits: dict[int, int] = defaultdict(int)
    cases: dict[int, int] = defaultdict(int)
    for staff_id, hit in pairs:
        if staff_id is not None:
            cases[staff_id] += 1
            hits[staff_id] += bool(hit)
    return Tally(hits, cases)


def unusual(hits: int, cases: int, rest_hits: int, rest_cases: int) -> bool:
    """Is `hits` of `cases` an unusually high share against the rest's `rest_hits` of `rest_cases`?"""
    if cases < MIN_COUNT or rest_cases < MIN_COUNT:
        return False
    expected = (rest_hits + 1) / (rest_cases + 2)
    if hits / cases < rest_hits / rest_cases + MIN_GAP:
        return False
    return binomial_tail(hits, cases, expected) < ALPHA


def _served_minutes(ticket: Ticket) -> float | None:
    if ticket.started_at is None or ticket.finished_at is None:
        return None
    return (ticket.finished_at - ticket.started_at).total_seconds() / 60


def _tallies(session: Session, office_id: int, start: date, end: date) -> dict[str, Tally]:
    done = session.execute(
        select(Ticket, Service.standard_minutes).join(Service, Service.id == Ticket.service_id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= start, Ticket.service_day <= end,
               Ticket.status == "done")).all()
    # A ticket served in parts (parked, docs/queue.md) or in steps (docs/steps.md) keeps only its last part's
    # start: its service length is not one span, so it is left out of the short-service measure.
    in_parts = set(session.scalars(
        select(TicketEvent.ticket_id).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= start, Ticket.service_day <= end,
               TicketEvent.kind.in_(["parked", "step_completed"]))))
    short = []
    for ticket, standard in done:
        served = None if ticket.id in in_parts else _served_minutes(ticket)
        weight = 1.0 if ticket.outcome in (None, "", "selesai") else PARTIAL_WEIGHT
        if served is not None and standard > 0:
            short.append((ticket.clerk_id, served < SHORT_SHARE * standard * weight))
    no_show_by = session.scalars(
        select(TicketEvent.staff_id).join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= start, Ticket.service_day <= end,
               TicketEvent.kind == "no_show")).all()
    ratings = session.execute(
        select(Rating.staff_id, Rating.quick).join(Ticket, Ticket.id == Rating.ticket_id)
        .where(Ticket.office_id == office_id, Ticket.service_day >= start, Ticket.service_day <= end,
               Rating.staff_session_id.is_(None),  # the residents' ratings, as rule 11 counts them
               (Ticket.issued_by.is_(None)) | (Ticket.issued_by != Rating.staff_id))).all()
    return {
        "short_services": _tally(short),
        "self_issued": _tally((t.clerk_id, t.issued_by is not None and t.issued_by == t.clerk_id) for t, _ in done),
        "staff_issued": _tally((t.clerk_id, t.issued_by is not None) for t, _ in done),
        "top_ratings": _tally((staff, quick >= 4) for staff, quick in ratings),
        "no_shows": _tally([(t.clerk_id, False) for t, _ in done] + [(staff, True) for staff in no_show_by]),
    }


def _percent(hits: int, cases: int) -> str:
    return f"{round(100 * hits / cases)}\u00a0%" if cases else "–"  # no break between number and sign


def clerk_flags(tallies: dict[str, Tally], staff_id: int) -> list[dict[str, str]]:
    """The flags of one clerk: `{code, text}` with the sentence in the reader's language."""
    flags = []
    for code, tally in tallies.items():
        hits, cases = tally.hits.get(staff_id, 0), tally.cases.get(staff_id, 0)
        rest_hits = sum(tally.hits.values()) - hits
        rest_cases = sum(tally.cases.values()) - cases
        if unusual(hits, cases, rest_hits, rest_cases):
            flags.append({"code": code, "text": gettext(TEXTS[code], share=_percent(hits, cases),
                                                        office=_percent(rest_hits, rest_cases))})
    return flags


def attach_flags(session: Session, rows: list[dict[str, Any]], periods: dict[int, dict[str, str]]) -> None:
    """Add `flags: [{code, text}]` to each leaderboard row (keys `staff`, `office`), per office and its period."""
    cache: dict[int, dict[str, Tally]] = {}
    for row in rows:
        office_id = row["office"]
        if office_id not in cache:
            span = periods[office_id]
            cache[office_id] = _tallies(session, office_id, date.fromisoformat(span["start"]),
                                        date.fromisoformat(span["end"]))
        row["flags"] = clerk_flags(cache[office_id], row["staff"])


def flags_for(session: Session, office_id: int, start: date, end: date, staff_id: int) -> list[dict[str, str]]:
    """One clerk's flags over office-local days (for a test or a report outside the leaderboard)."""
    return clerk_flags(_tallies(session, office_id, start, end), staff_id)

