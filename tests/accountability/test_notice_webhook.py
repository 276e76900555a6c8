"""The optional webhook: signed JSON per notice to a real loopback HTTP receiver, retried until it answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from ptsp import discipline_webhook as webhook
from ptsp.models import ViolationNotice
from ptsp.services.discipline_notices import ensure_notices
from tests.accountability.history import MONDAY, History
from tests.accountability.test_notices import AFTER, violation
from tests.conftest import make_test_app

SECRET = "hook-secret"


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers 500 to the first `fail_first` of them."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.delay = 0.0  # seconds before answering: a slow receiver
        self.received: list[tuple[Any, bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                threading.Event().wait(receiver.delay)
                status = 500 if len(receiver.received) < receiver.fail_first else 204
                receiver.received.append((self.headers, body, status))  # case-insensitive
                self.send_response(status)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ptsp"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(fail_first=2)
    yield r
    r.close()


@pytest.fixture
def hooked(db_url, clock, receiver):
    app = make_test_app(db_url, clock, DISCIPLINE_WEBHOOK_URL=receiver.url, DISCIPLINE_WEBHOOK_SECRET=SECRET,
                        DISCIPLINE_WEBHOOK_TIMEOUT=2)
    yield app
    app.extensions["ptsp.engine"].dispose()


def test_each_notice_is_posted_signed_and_retried_until_the_receiver_takes_it(hooked, receiver, clock):
    from tests.conftest import load_world

    world = load_world(hooked, clock)
    session = hooked.extensions["ptsp.sessions"]()
    violation(session, world.office, History(session).staff("clerk1"))
    created = ensure_notices(session, office_id=world.office, day=MONDAY, now=AFTER)
    session.commit()
    assert len(created) == 2
    hook = webhook.configured(hooked)
    with hooked.app_context():
        first = webhook.deliver_pending(session, hook, AFTER)  # the receiver fails the first two posts
        assert first == (0, 2)
        failed = session.scalars(select(ViolationNotice)).all()
        assert all(n.delivered_at is None and n.delivery_attempts == 1 and "500" in n.delivery_error for n in failed)
        assert webhook.deliver_pending(session, hook, AFTER) == (2, 0)  # the round after: both taken
        assert webhook.deliver_pending(session, hook, AFTER) == (0, 0)  # nothing sent twice
    session.close()

    assert [status for *_, status in receiver.received] == [500, 500, 204, 204]
    delivered = [(headers, body) for headers, body, status in receiver.received if status == 204]
    bodies = []
    for headers, body in delivered:
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-PTSP-Signature"] == expected and headers["Content-Type"] == "application/json"
        bodies.append(json.loads(body))
    assert sorted((b["recipient"]["username"], b["level"]) for b in bodies) == [("manager", 2), ("sup", 1)]
    assert {b["violation"]["staff"]["username"] for b in bodies} == {"clerk1"}
    assert all(b["event"] == "violation_notice" and b["violation"]["kind"] == "late_opening" for b in bodies)


def test_delivery_runs_after_commit_in_the_background_and_gives_up_in_time(hooked, receiver, clock):
    from tests.conftest import load_world

    receiver.fail_first = 0
    world = load_world(hooked, clock)
    session = hooked.extensions["ptsp.sessions"]()
    violation(session, world.office, History(session).staff("clerk1"))
    ensure_notices(session, office_id=world.office, day=MONDAY, now=clock())
    session.commit()
    webhook.deliver_soon(hooked)  # returns at once; a background task posts
    deadline = threading.Event()
    for _ in range(100):
        if len(receiver.received) == 2:
            break
        deadline.wait(0.05)
    assert len(receiver.received) == 2
    session.close()

    receiver.close()  # nobody listens any more: a failure is recorded, never raised to the caller
    session = hooked.extensions["ptsp.sessions"]()
    violation(session, world.office, History(session).staff("clerk2"), key="k2")
    ensure_notices(session, office_id=world.office, day=MONDAY, now=clock())
    session.commit()
    with hooked.app_context():
        assert webhook.deliver_pending(session, webhook.configured(hooked), clock()) == (0, 2)
        for _ in range(webhook.MAX_ATTEMPTS):
            webhook.deliver_pending(session, webhook.configured(hooked), clock())
        pending = session.scalars(select(ViolationNotice).where(ViolationNotice.delivered_at.is_(None))).all()
        assert [n.delivery_attempts for n in pending] == [webhook.MAX_ATTEMPTS] * 2
    session.close()


def test_rounds_at_once_never_post_a_notice_while_it_is_being_posted(hooked, receiver, clock):
    """A scan's commit starts a round while the last one still waits for a slow receiver: the notice in flight
    was claimed again (its next attempt) and posted twice."""
    from tests.conftest import load_world

    receiver.fail_first, receiver.delay = 0, 0.6
    world = load_world(hooked, clock)
    session = hooked.extensions["ptsp.sessions"]()
    violation(session, world.office, History(session).staff("clerk1"))
    ensure_notices(session, office_id=world.office, day=MONDAY, now=clock())
    session.commit()
    session.close()

    def round_() -> None:
        with hooked.app_context():
            webhook.deliver_round()

    rounds = [threading.Thread(target=round_) for _ in range(3)]
    for n, thread in enumerate(rounds):
        thread.start()
        threading.Event().wait(0.2 if n == 0 else 0.05)
    for thread in rounds:
        thread.join(10)
    ids = sorted(json.loads(body)["id"] for _headers, body, _status in receiver.received)
    assert len(ids) == 2 and ids == sorted(set(ids))


def test_a_redirect_is_a_failed_delivery_and_is_never_followed():
    """urllib would follow a 302 as a GET with the signature header and count the 2xx behind it as delivered."""
    from ptsp.discipline_webhook import Webhook, post

    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            seen.append((self.command, self.path))
            if self.path == "/ptsp":
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
            else:
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _answer  # noqa: N815 (http.server's names)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        hook = Webhook(url=f"http://127.0.0.1:{server.server_address[1]}/ptsp", secret=SECRET, timeout=2)
        with pytest.raises(urllib.error.HTTPError):
            post(hook, b'{"notice": 1}')
        assert seen == [("POST", "/ptsp")]
    finally:
        server.shutdown()
        server.server_close()
