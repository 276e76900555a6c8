"""Referrals, read side: lists with the response deadline, breaches, and the quarterly department ranking."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import referrals as rules
from ..models import Department, Office, Referral, ReferralEvent, Ticket
from ..services.agencies import in_agency


def referral_view(referral: Referral, now: datetime, events: list[ReferralEvent] | None = None) -> dict[str, Any]:
    """A referral as JSON-ready values, with whether its deadline was missed."""
    ticket: Ticket | None = referral.ticket
    response = referral.responded_at - referral.referred_at if referral.responded_at else None
    view = {
        "id": referral.id,
        "office": referral.office_id,
        "office_name": referral.office.name,
        "department": referral.department_id,
        "department_name": referral.department.name,
        "ticket": referral.ticket_id,
        "ticket_code": ticket.code if ticket else None,
        "service": referral.service_id,
        "note": referral.note,
        "status": referral.status,
        "referred_at": referral.referred_at.isoformat(),
        "due_at": referral.due_at.isoformat(),
        "responded_at": referral.responded_at.isoformat() if referral.responded_at else None,
        "closed_at": referral.closed_at.isoformat() if referral.closed_at else None,
        "response_hours": round(response.total_seconds() / 3600, 2) if response else None,
        "breached": rules.breached(referral.due_at, referral.responded_at, now),
        "overdue_open": referral.responded_at is None and now > referral.due_at,
    }
    if events is not None:
        view["events"] = [{"status": e.status, "at": e.at.isoformat(), "note": e.note} for e in events]
    return view


def events_of(session: Session, referral_id: int) -> list[ReferralEvent]:
    return list(session.scalars(
        select(ReferralEvent).where(ReferralEvent.referral_id == referral_id).order_by(ReferralEvent.at,
                                                                                      ReferralEvent.id)))


def list_referrals(session: Session, scope: set[int] | None, now: datetime, *, office_id: int | None = None,
                   department_id: int | None = None, status: str | None = None, breached_only: bool = False,
                   limit: int = 500, agency_id: int | None = None) -> list[dict[str, Any]]:
    """Referrals from the offices in scope (of one agency's services, when given), newest first."""
    query = (select(Referral).where(in_agency(Referral.service_id, agency_id))
             .order_by(Referral.referred_at.desc(), Referral.id.desc()))
    if scope is not None:
        query = query.where(Referral.office_id.in_(scope))
    if office_id is not None:
        query = query.where(Referral.office_id == office_id)
    if department_id is not None:
        query = query.where(Referral.department_id == department_id)
    if status is not None:
        query = query.where(Referral.status == status)
    if breached_only:
        query = query.where(
            ((Referral.responded_at.is_(None)) & (Referral.due_at < now)) | (Referral.responded_at > Referral.due_at)
        )
    return [referral_view(r, now) for r in session.scalars(query.limit(limit))]


def quarterly_ranking(session: Session, scope: set[int] | None, quarter: rules.Quarter, now: datetime,
                      agency_id: int | None = None) -> list[dict[str, Any]]:
    """Rank departments by breach rate, then median response time, over referrals made in a quarter.

    A referral belongs to the quarter of its referring office's local calendar
    (a case referred at 00:30 WITA on 1 April counts in Q2, though it is still
    31 March in UTC). Unanswered referrals count as breaches once overdue.
    """
    start, end = quarter.bounds("Asia/Jakarta")
    query = (
        select(Referral, Office.timezone)
        .join(Office, Office.id == Referral.office_id)
        .where(Referral.referred_at >= start - timedelta(days=1), Referral.referred_at < end + timedelta(days=1),
               in_agency(Referral.service_id, agency_id))
    )
    if scope is not None:
        query = query.where(Referral.office_id.in_(scope))
    cases: dict[int, list[tuple[datetime, datetime, datetime | None]]] = {}
    for referral, timezone in session.execute(query):
        if rules.Quarter.of(referral.referred_at, timezone) == quarter:
            cases.setdefault(referral.department_id, []).append(
                (referral.referred_at, referral.due_at, referral.responded_at))
    records = rules.rank([rules.summarise(d, c, now) for d, c in cases.items()])
    names = {d.id: d.name for d in session.scalars(select(Department).where(Department.id.in_(list(cases))))}
    return [
        {"rank": i, "department": r.department_id, "department_name": names.get(r.department_id, "?"),
         "referrals": r.referrals, "responded": r.responded, "breaches": r.breaches,
         "breach_rate": round(r.breach_rate, 4),
         "median_response_hours": None if r.median_response_hours is None else round(r.median_response_hours, 2),
         "mean_response_hours": None if r.mean_response_hours is None else round(r.mean_response_hours, 2)}
        for i, r in enumerate(records, start=1)
    ]
