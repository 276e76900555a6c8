"""The optional webhook of violation notices: one signed JSON POST per notice, after commit, retried in the background.

Set PTSP_DISCIPLINE_WEBHOOK_URL to turn it on (and PTSP_DISCIPLINE_WEBHOOK_SECRET to sign each body with
HMAC-SHA256 in the `X-PTSP-Signature: sha256=<hex>` header). A notice is sent only once its transaction is
committed; a failed send (no answer within PTSP_DISCIPLINE_WEBHOOK_TIMEOUT seconds, or a status other than 2xx)
is tried again by the server's background round every PTSP_DISCIPLINE_WEBHOOK_SECONDS, up to MAX_ATTEMPTS times
within MAX_AGE of the notice. Delivery is at least once: a receiver keeps the notice `id` to drop a repeat.
Nothing here decides who is notified: that is ptsp.services.discipline_notices.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .background import run_every
from .context import db_session, now
from .extensions import socketio
from .models import Office, Staff, ViolationNotice

MAX_ATTEMPTS = 12
MAX_AGE = timedelta(days=3)
SIGNATURE_HEADER = "X-PTSP-Signature"


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str | None
    timeout: float


def configured(app: Flask) -> Webhook | None:
    """The webhook of this app's settings, None when PTSP_DISCIPLINE_WEBHOOK_URL is not set."""
    url = app.config.get("DISCIPLINE_WEBHOOK_URL")
    if not url:
        return None
    return Webhook(str(url), app.config.get("DISCIPLINE_WEBHOOK_SECRET") or None,
                   float(app.config.get("DISCIPLINE_WEBHOOK_TIMEOUT") or 5))


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(session: Session, notice: ViolationNotice) -> dict[str, Any]:
    """What a receiver needs to pass the notice on (e-mail, chat): who, which violation, where to answer."""
    v = notice.violation
    office = session.get_one(Office, v.office_id)
    recipient = session.get_one(Staff, notice.recipient_id)
    clerk = session.get(Staff, v.staff_id) if v.staff_id is not None else None
    return {
        "event": "violation_notice", "id": notice.id, "level": notice.level,
        "created_at": notice.created_at.isoformat(),
        "recipient": {"id": recipient.id, "username": recipient.username, "name": recipient.name},
        "violation": {"id": v.id, "kind": v.kind, "day": v.day.isoformat(), "minutes": v.minutes,
                      "started_at": v.started_at.isoformat(), "ended_at": v.ended_at.isoformat(),
                      "office": {"id": office.id, "slug": office.slug, "name": office.name},
                      "staff": None if clerk is None else {"id": clerk.id, "username": clerk.username,
                                                           "name": clerk.name}},
        "inbox": "/manager/notices",
    }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx: never follow it (urllib would resend as a GET, signature and all)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(hook: Webhook, body: bytes, agent: str = "ptsp-discipline-webhook") -> None:
    """POST the body; raise on no answer in time or a status other than 2xx (a redirect included).

    The residents' alert gateway (ptsp/notify/webhook.py) posts through here too, as another `agent`."""
    headers = {"Content-Type": "application/json", "User-Agent": agent}
    if hook.secret:
        headers[SIGNATURE_HEADER] = sign(hook.secret, body)
    request = urllib.request.Request(hook.url, data=body, headers=headers, method="POST")
    with _OPENER.open(request, timeout=hook.timeout) as response:  # the operator's URL
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(hook.url, response.status, "not 2xx", response.headers, None)


def _claim(session: Session, notice: ViolationNotice) -> bool:
    """Count one attempt by a conditional UPDATE, committed: two rounds at once never send the same attempt."""
    claimed = session.execute(update(ViolationNotice).where(
        ViolationNotice.id == notice.id, ViolationNotice.delivered_at.is_(None),
        ViolationNotice.delivery_attempts == notice.delivery_attempts,
    ).values(delivery_attempts=notice.delivery_attempts + 1)).rowcount  # type: ignore[attr-defined]
    session.commit()
    return bool(claimed)


def deliver_pending(session: Session, hook: Webhook, at: datetime, limit: int = 100) -> tuple[int, int]:
    """Send every undelivered notice still worth sending; return (sent, failed)."""
    ids = list(session.scalars(select(ViolationNotice.id).where(
        ViolationNotice.delivered_at.is_(None), ViolationNotice.delivery_attempts < MAX_ATTEMPTS,
        ViolationNotice.created_at >= at - MAX_AGE).order_by(ViolationNotice.id).limit(limit)))
    session.commit()
    sent = failed = 0
    for notice_id in ids:
        notice = session.get(ViolationNotice, notice_id)
        if notice is None or not _claim(session, notice):
            continue
        session.refresh(notice)
        body = json.dumps(payload(session, notice), separators=(",", ":")).encode()
        try:
            post(hook, body)
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts and refused connections are OSError
            notice.delivery_error = f"{type(exc).__name__}: {exc}"[:300]
            failed += 1
        else:
            notice.delivered_at, notice.delivery_error = now(), None
            sent += 1
        session.commit()
    return sent, failed


@dataclass
class _Rounds:
    """One round at a time per app: a round started while another posts would claim the notice in flight again
    (its next attempt) and post it twice. It asks the running round for one more pass instead."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    again: threading.Event = field(default_factory=threading.Event)


def deliver_round() -> tuple[int, int]:
    """One round in the app's context: send what is pending (nothing without a webhook)."""
    hook = configured(current_app)
    if hook is None:
        return 0, 0
    rounds: _Rounds = current_app.extensions.setdefault("ptsp.webhook_rounds", _Rounds())
    if not rounds.lock.acquire(blocking=False):
        rounds.again.set()  # the running round looks once more for what this one was started for
        return 0, 0
    sent = failed = 0
    try:
        while True:
            rounds.again.clear()
            with db_session() as session:
                done = deliver_pending(session, hook, now())
            sent, failed = sent + done[0], failed + done[1]
            if not rounds.again.is_set():
                return sent, failed
    finally:
        rounds.lock.release()


def deliver_soon(app: Flask) -> None:
    """After a commit that made notices: send them in the background, so no request or scan waits for it."""
    if configured(app) is None:
        return

    def work() -> None:
        with app.app_context():
            try:
                deliver_round()
            except Exception:
                app.logger.exception("discipline webhook delivery failed")

    socketio.start_background_task(work)


def start_webhook_loop(app: Flask) -> None:
    """Retry undelivered notices every PTSP_DISCIPLINE_WEBHOOK_SECONDS (default 60; 0 off), when a URL is set."""
    if configured(app) is None:
        return
    run_every(app, float(app.config.get("DISCIPLINE_WEBHOOK_SECONDS", 60)), deliver_round,
              "discipline webhook round")
