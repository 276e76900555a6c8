"""Alerts to residents: subscribing a ticket, working out which alerts a committed fact makes due, and forgetting
a ticket's subscriptions when it ends. No I/O here: `ptsp.alert_runner` sends what these functions return.

Alert points (docs/alerts.md): a waiting ticket with at most the office's `alert_position` people ahead ("3 orang
lagi"), once per ticket; a call to a counter, once per call (a recall is a new call). Each is claimed in
`alerts_sent` before it is sent, so a fact seen twice, a resent fact or a reconnecting page never sends it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import facts
from ..domain.alerts import Alert, AlertEvent
from ..domain.errors import InvalidInput, InvalidTransition
from ..domain.lifecycle import OPEN_STATUSES, Status
from ..models import AlertSent, AlertSubscription, Office, OfficeSequence, Ticket
from .resident import resident_facts
from .serializers import people_ahead

MAX_SUBSCRIPTIONS = 4  # per ticket: a few browsers and one phone number are plenty
SUBSCRIBABLE = (Status.WAITING.value, Status.CALLED.value)
OPEN = tuple(status.value for status in OPEN_STATUSES)
_PHONE = re.compile(r"^\+62[0-9]{8,13}$")


def normalise_phone(raw: str) -> str:
    """An Indonesian mobile number as +62…: `08…`, `62…` and `+62…` with spaces or dashes are accepted."""
    digits = re.sub(r"[\s().-]", "", raw or "")
    if digits.startswith("08"):
        digits = "+62" + digits[1:]
    elif digits.startswith("62"):
        digits = "+" + digits
    if not _PHONE.match(digits):
        raise InvalidInput("phone_number_invalid")
    return digits


def _require_open(session: Session, ticket: Ticket) -> None:
    if ticket.status not in SUBSCRIBABLE:
        raise InvalidTransition("alerts_ticket_not_waiting")
    count = len(session.scalars(select(AlertSubscription.id).where(AlertSubscription.ticket_id == ticket.id)).all())
    if count >= MAX_SUBSCRIPTIONS:
        raise InvalidInput("alerts_too_many", max=MAX_SUBSCRIPTIONS)


def subscribe_push(session: Session, ticket: Ticket, endpoint: str, p256dh: str, auth: str,
                   now: datetime) -> AlertSubscription:
    """Keep a browser's push subscription for this ticket (the same endpoint again replaces its keys)."""
    existing = session.scalar(select(AlertSubscription).where(
        AlertSubscription.ticket_id == ticket.id, AlertSubscription.endpoint == endpoint))
    if existing is not None:
        existing.p256dh, existing.auth = p256dh, auth
        return existing
    _require_open(session, ticket)
    row = AlertSubscription(ticket_id=ticket.id, office_id=ticket.office_id, channel="webpush", endpoint=endpoint,
                            p256dh=p256dh, auth=auth, created_at=now)
    session.add(row)
    return row


def subscribe_phone(session: Session, ticket: Ticket, phone: str, consent: bool, now: datetime) -> AlertSubscription:
    """Keep a phone number for the office's gateway, with the resident's consent, until the ticket ends."""
    if not consent:
        raise InvalidInput("phone_consent_required")
    if not ticket.office.alert_webhook_url:
        raise InvalidInput("phone_alerts_not_offered")
    number = normalise_phone(phone)
    existing = session.scalar(select(AlertSubscription).where(
        AlertSubscription.ticket_id == ticket.id, AlertSubscription.channel == "webhook"))
    if existing is not None:
        existing.phone = number
        return existing
    _require_open(session, ticket)
    row = AlertSubscription(ticket_id=ticket.id, office_id=ticket.office_id, channel="webhook", phone=number,
                            created_at=now)
    session.add(row)
    return row


def unsubscribe(session: Session, ticket: Ticket) -> int:
    """Delete every subscription of this ticket; return how many there were."""
    result = session.execute(delete(AlertSubscription).where(AlertSubscription.ticket_id == ticket.id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def subscription_state(session: Session, ticket: Ticket) -> dict[str, Any]:
    """What the status page shows: whether a browser or a phone number is subscribed (the number is not shown)."""
    channels = set(session.scalars(select(AlertSubscription.channel).where(AlertSubscription.ticket_id == ticket.id)))
    return {"push": "webpush" in channels, "phone": "webhook" in channels,
            "phone_offered": bool(ticket.office.alert_webhook_url), "position": ticket.office.alert_position}


@dataclass(frozen=True, slots=True)
class Due:
    """An alert claimed for sending: the alert and the ticket whose subscriptions it goes to."""

    ticket_id: int
    office_id: int
    alert: Alert


RELEVANT = facts.MOVES_LINES | facts.ABOUT_ONE_TICKET


def due_alerts(session: Session, item: dict[str, Any], now: datetime) -> list[Due]:
    """Claim the alerts one committed office fact makes due (none already sent); the caller commits the claims
    before sending, so two processes or a repeat of the fact never send one alert twice."""
    fact = facts.named(item["event"])
    if fact not in RELEVANT or "office" not in item:
        return []
    payload = {"seq": item.get("seq"), "office": item["office"], **item["data"]}
    office = session.get(Office, item["office"])
    if office is None:
        return []
    due: list[Due] = []
    ticket = payload.get("ticket") if isinstance(payload.get("ticket"), dict) else None
    if fact is facts.TICKET_CALLED and ticket is not None and ticket.get("status") == Status.CALLED.value:
        call = int(ticket.get("call_count") or 1)
        if _has_subscription(session, ticket["id"]) and _claim(session, ticket["id"], AlertEvent.CALLED, call, now):
            due.append(Due(ticket["id"], office.id, Alert(AlertEvent.CALLED, ticket["code"], office.name,
                                                          counter=ticket.get("counter_number"),
                                                          key=f"{ticket['id']}-called-{call}")))
    for derived, data, _ in resident_facts(fact, payload):
        if derived is facts.LINE_MOVED:
            due.extend(_position_alerts(session, office, data["services"], now))
    return due


def _has_subscription(session: Session, ticket_id: int) -> bool:
    return session.scalar(select(AlertSubscription.id).where(AlertSubscription.ticket_id == ticket_id)
                          .limit(1)) is not None


def _position_alerts(session: Session, office: Office, services: list[int], now: datetime) -> list[Due]:
    """Waiting tickets of these services with a subscription, now within the office's position, not yet alerted."""
    n = office.alert_position
    if n <= 0:
        return []
    already = select(AlertSent.ticket_id).where(AlertSent.event == AlertEvent.POSITION_REACHED.value, AlertSent.n == n)
    candidates = session.scalars(select(Ticket).where(
        Ticket.office_id == office.id, Ticket.status == Status.WAITING.value, Ticket.service_id.in_(services),
        Ticket.id.in_(select(AlertSubscription.ticket_id)), Ticket.id.not_in(already)))
    due = []
    for ticket in candidates:
        ahead = people_ahead(session, ticket, now)
        if ahead <= n and _claim(session, ticket.id, AlertEvent.POSITION_REACHED, n, now):
            due.append(Due(ticket.id, office.id, Alert(AlertEvent.POSITION_REACHED, ticket.code, office.name,
                                                       people_ahead=ahead, key=f"{ticket.id}-position-{n}")))
    return due


def _claim(session: Session, ticket_id: int, event: AlertEvent, n: int, now: datetime) -> bool:
    """Record the alert as sent by one INSERT … ON CONFLICT DO NOTHING; False when it already was."""
    insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    stmt = insert(AlertSent).values(ticket_id=ticket_id, event=event.value, n=n, sent_at=now).on_conflict_do_nothing()
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


def targets(session: Session, ticket_id: int) -> list[AlertSubscription]:
    return list(session.scalars(select(AlertSubscription).where(AlertSubscription.ticket_id == ticket_id)
                                .order_by(AlertSubscription.id)))


def forget_ended(session: Session, ticket_ids: list[int] | None = None) -> int:
    """Delete the subscriptions and sent marks of tickets that ended, and their phone's device key (UU 27/2022:
    kept only as long as they serve their purpose). `ticket_ids` limits it to those tickets; return the number of
    subscriptions deleted."""
    def ended(ticket_id: Any) -> Any:
        """The row's ticket has ended: looked up by its id from each row (few: they live while their ticket is
        open), where an IN over the ended tickets read every ticket ever issued."""
        found = select(Ticket.id).where(Ticket.id == ticket_id, Ticket.status.not_in(OPEN)).exists()
        return found if ticket_ids is None else and_(ticket_id.in_(ticket_ids), found)

    keys = update(Ticket).where(Ticket.phone_device.is_not(None), Ticket.status.not_in(OPEN))
    if ticket_ids is not None:
        keys = keys.where(Ticket.id.in_(ticket_ids))
    session.execute(keys.values(phone_device=None))
    gone = session.execute(delete(AlertSubscription).where(ended(AlertSubscription.ticket_id)))
    session.execute(delete(AlertSent).where(AlertSent.event != AlertEvent.BOOKING_NEAR.value,  # a booking's id
                                            ended(AlertSent.ticket_id)))
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


def recount_offices(session: Session) -> int:
    """Set each office's subscription count (`office_sequences.subscriptions`, raised by a trigger with every new
    subscription and never lowered by a delete, migration 0028) back to the real number where it is off; return how
    many offices changed. One office per short transaction, so no office's sequence row is held while another's is
    waited for (facts of that office wait for the row meanwhile)."""
    real = select(func.count()).where(AlertSubscription.office_id == OfficeSequence.office_id).scalar_subquery()
    off = session.scalars(select(OfficeSequence.office_id).where(OfficeSequence.subscriptions != real)).all()
    session.commit()
    for office in off:
        # Lock the row first, then count in a statement of its own: on PostgreSQL a subscription whose trigger held
        # the row is committed by then and seen by the count, and one stored later waits and adds to what is set.
        session.execute(select(OfficeSequence.office_id).where(OfficeSequence.office_id == office).with_for_update())
        session.execute(update(OfficeSequence).where(OfficeSequence.office_id == office).values(
            subscriptions=select(func.count()).where(AlertSubscription.office_id == office).scalar_subquery()))
        session.commit()
    return len(off)


def needs_work(session: Session, item: dict[str, Any]) -> bool:
    """Whether a committed fact may make an alert due or leave something to forget, so an office nobody
    subscribed in costs the call path nothing.

    A fact queued by `lookup.publish` knows both answers from its own transaction (`known_work`); what it cannot
    tell (an expiry of many tickets, an ended ticket its transaction had not loaded) is read here, in a read
    session (no writer lock on SQLite).
    """
    known = known_work(item)
    return known if known is not None else _keys_left(session, item["office"], ended_tickets(item))


def known_work(item: dict[str, Any]) -> bool | None:
    """`needs_work` without any read; None when a read is still needed. `alerts`: the office had a subscription
    (returned with the fact's number; a fact without the mark is taken to have one); `phone`: the one ended ticket,
    loaded by the fact's transaction, held a phone's key."""
    if item.get("alerts", True):
        return True
    ended = ended_tickets(item)
    if ended == []:
        return False
    if ended is not None and len(ended) == 1 and "phone" in item:
        return bool(item["phone"])
    return None


def _keys_left(session: Session, office: int, ended: list[int] | None) -> bool:
    """Whether any of these ended tickets (None: any of the office's) still holds a phone key to forget."""
    keys = select(Ticket.id).where(Ticket.office_id == office, Ticket.phone_device.is_not(None),
                                   Ticket.status.not_in(OPEN))
    if ended is not None:
        keys = keys.where(Ticket.id.in_(ended))
    return bool(session.scalar(select(keys.exists())))


def ended_tickets(item: dict[str, Any]) -> list[int] | None:
    """The tickets a committed fact ended ([] for none), or None when it may have ended many (an expiry)."""
    if item["event"] == facts.TICKETS_EXPIRED.name:
        return None
    ticket = item.get("data", {}).get("ticket")
    if isinstance(ticket, dict) and ticket.get("status") not in OPEN:
        return [ticket["id"]]
    return []
