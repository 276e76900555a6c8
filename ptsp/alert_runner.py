"""Sending alerts to residents after commit, off the request's path (docs/alerts.md).

`ptsp.realtime.on_commit` hands every committed office fact to `queue_facts` (after the sockets have it),
which only puts it on this process's queue: the clerk's call returns without waiting for any push service or
gateway. One background task per process takes the facts in order, claims the alerts they make due
(`services.alerts.due_alerts`, committed before sending, so nothing is sent twice), sends each to the ticket's
subscriptions through its notifier and, when a ticket ended, deletes its subscriptions. `start_alert_loop`
adds a round every minute that deletes what an expiry or a missed fact left behind. Facts are published by the
process that committed them, so each fact is seen by exactly one process.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from .background import run_every
from .context import db_session, now
from .discipline_webhook import Webhook
from .extensions import socketio
from .models import AlertSubscription, Office, Ticket
from .notify import DeliveryFailed, Notifier, Target, TargetGone
from .notify.webhook import WebhookNotifier
from .notify.webpush import KEY_FILE, WebPushNotifier, load_or_create_key, public_key
from .services import alerts, booking_alerts
from .services.alerts import Due

NAMES = frozenset(fact.name for fact in alerts.RELEVANT)
IDLE_SECONDS = 30  # an idle task ends, so a quiet process (or a finished test's app) keeps no task waiting


@dataclass
class _Worker:
    items: queue.Queue[list[dict[str, Any]]] = field(default_factory=queue.Queue)
    started: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


def _worker(app: Flask) -> _Worker:
    worker: _Worker = app.extensions.setdefault("ptsp.alerts", _Worker())
    return worker


def queue_facts(app: Flask, committed: list[dict[str, Any]]) -> None:
    """After commit: queue the office facts that may make an alert due or end a ticket (no I/O here)."""
    # A fact whose own transaction showed it concerns no alert (no subscription in the office, no phone key to
    # forget) is not queued at all: most offices' facts, most of the time.
    items = [item for item in committed
             if "office" in item and item["event"] in NAMES and alerts.known_work(item) is not False]
    if not items:
        return
    worker = _worker(app)
    worker.items.put(items)
    with worker.lock:
        if worker.started:
            return
        worker.started = True
    socketio.start_background_task(_loop, app, worker)


def _loop(app: Flask, worker: _Worker) -> None:
    """Take queued facts until none came for IDLE_SECONDS, then end (the next fact starts the task again)."""
    while True:
        try:
            items = worker.items.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            with worker.lock:
                if worker.items.empty():
                    worker.started = False
                    return
            continue
        try:
            with app.app_context():
                process(items)
        except Exception:
            app.logger.exception("resident alerts failed")
        finally:
            worker.items.task_done()


def drain(app: Flask) -> None:
    """Wait until every queued fact is processed (tests, and a server shutting down)."""
    _worker(app).items.join()


def process(items: list[dict[str, Any]]) -> int:
    """Claim and send the alerts these committed facts make due, then forget ended tickets; return alerts sent."""
    sent = 0
    with db_session(readonly=True) as reader:
        items = [item for item in items if alerts.needs_work(reader, item)]
    if not items:
        return 0
    with db_session() as session:
        for item in items:
            due = alerts.due_alerts(session, item, now())
            session.commit()
            for one in due:
                sent += _deliver(session, one)
            ended = alerts.ended_tickets(item)
            if ended is None or ended:
                alerts.forget_ended(session, ended)
                session.commit()
    return sent


def _deliver(session: Session, due: Due) -> int:
    office = session.get_one(Office, due.office_id)
    delivered = 0
    for sub in alerts.targets(session, due.ticket_id):
        notifier = notifier_for(office, sub.channel)
        if notifier is None:
            continue
        try:
            notifier.send(_target(session, sub), due.alert)
            delivered += 1
        except TargetGone:
            session.delete(sub)
            session.commit()
        except DeliveryFailed as exc:
            current_app.logger.warning("alert %s not delivered by %s: %s", due.alert.key, sub.channel, exc)
    return delivered


def _target(session: Session, sub: AlertSubscription) -> Target:
    token = session.scalar(select(Ticket.public_token).where(Ticket.id == sub.ticket_id))
    return Target(sub.channel, endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.auth, phone=sub.phone,
                  page=f"/t/{token}")


def vapid_key_path(app: Flask) -> Path:
    return Path(app.config.get("VAPID_PRIVATE_KEY") or Path(app.instance_path) / KEY_FILE)


def vapid_public_key(app: Flask) -> str:
    """The public key status pages subscribe with (the key file is read, or made, once per process)."""
    cached: str | None = app.extensions.get("ptsp.vapid_public")
    if cached is None:
        cached = app.extensions["ptsp.vapid_public"] = public_key(load_or_create_key(vapid_key_path(app)))
    return cached


def vapid_subject(app: Flask) -> str:
    """PTSP_VAPID_SUBJECT, else this deployment's public address, else a placeholder push services accept."""
    return str(app.config.get("VAPID_SUBJECT") or app.config.get("PUBLIC_URL") or "mailto:ptsp@localhost")


def notifier_for(office: Office, channel: str) -> Notifier | None:
    """The notifier of one channel for an office: None when it has no way out (no gateway set)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if channel == "webpush":
        return WebPushNotifier(load_or_create_key(vapid_key_path(app)), vapid_subject(app),
                               timeout=float(app.config["PUSH_TIMEOUT"]),
                               allow_local=bool(app.config["PUSH_ALLOW_LOCAL"]))
    if channel == "webhook" and office.alert_webhook_url:
        hook = Webhook(office.alert_webhook_url, office.alert_webhook_secret or None,
                       float(app.config["ALERT_WEBHOOK_TIMEOUT"]))
        return WebhookNotifier(hook, sleep=socketio.sleep)
    return None


def forget_round() -> int:
    """Delete the subscriptions of every ticket that ended (an expiry, a fact this process never saw), then set the
    offices' subscription counts back to the real number where deletes left them high (`alerts.recount_offices`)."""
    with db_session() as session:
        gone = alerts.forget_ended(session)
        session.commit()
        alerts.recount_offices(session)
    return gone


def booking_round() -> int:
    """Claim and send the `booking_near` reminders due now through each office's gateway, then delete the marks
    of slots that have started; return the reminders delivered."""
    lead = int(current_app.config["BOOKING_ALERT_MINUTES"])
    at = now()
    with db_session(readonly=True) as reader:
        pending = booking_alerts.any_due(reader, at, lead)
    sent = 0
    with db_session() as session:
        if pending:
            due = booking_alerts.due_booking_alerts(session, at, lead)
            session.commit()
            for one in due:
                notifier = notifier_for(session.get_one(Office, one.office_id), "webhook")
                if notifier is None:
                    continue
                try:
                    notifier.send(Target("webhook", phone=one.phone), one.alert)
                    sent += 1
                except DeliveryFailed as exc:
                    current_app.logger.warning("alert %s not delivered by webhook: %s", one.alert.key, exc)
        booking_alerts.forget_booking_marks(session, at)
        session.commit()
    return sent


def start_alert_loop(app: Flask) -> None:
    """The minute rounds of `forget_round` and `booking_round`, started by `ptsp run` beside the other background
    rounds."""
    run_every(app, 60, forget_round, "resident alerts clean-up")
    run_every(app, 60, booking_round, "booking reminders")
