"""The two notifiers against loopback receivers: the office's gateway (webhook) and a push service (Web Push)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature

from ptsp.discipline_webhook import Webhook, sign
from ptsp.domain.alerts import Alert, AlertEvent
from ptsp.notify import DeliveryFailed, Target, TargetGone
from ptsp.notify.webhook import WebhookNotifier
from ptsp.notify.webpush import WebPushNotifier, endpoint_allowed, load_or_create_key, public_key
from tests.residents.loopback import Browser, Recorder, aes128gcm_header, b64, verify_vapid

SECRET = "gateway-secret-0123456789"
CALLED = Alert(AlertEvent.CALLED, "A-007", "Kelurahan Uji", counter=3, key="41-called-1")
NEAR = Alert(AlertEvent.POSITION_REACHED, "B-012", "Kelurahan Uji", people_ahead=3, key="42-position-3")


@pytest.fixture
def receiver() -> Iterator[Recorder]:
    recorder = Recorder().start()
    yield recorder
    recorder.close()


def webhook(url: str, **options: object) -> WebhookNotifier:
    return WebhookNotifier(Webhook(url, SECRET, 2.0), sleep=lambda _: None, **options)  # type: ignore[arg-type]


def test_the_gateway_gets_one_signed_post_with_the_number_and_no_personal_data(receiver):
    webhook(receiver.url + "/wa").send(Target("webhook", phone="+6281234567890"), CALLED)
    [request] = receiver.requests
    assert request.path == "/wa"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-ptsp-signature"] == sign(SECRET, request.body)
    assert request.headers["user-agent"] == "ptsp-alert-webhook"
    body = json.loads(request.body)
    assert set(body) == {"event", "key", "ticket", "office", "counter", "people_ahead", "slot_time", "title", "text",
                         "to"}
    assert body["to"] == "+6281234567890" and body["ticket"] == "A-007" and body["counter"] == 3
    assert body["text"] == "Nomor antrian A-007 dipanggil ke loket 3 (Kelurahan Uji)."
    assert "6281234567890" not in body["text"] + body["title"]  # the number is the address, never the message


def test_a_failed_post_is_retried_a_bounded_number_of_times(receiver):
    receiver.statuses = [503, 500, 200]
    webhook(receiver.url).send(Target("webhook", phone="+6281234567890"), NEAR)
    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1  # the same alert each time
    receiver.statuses = [500]
    receiver.requests.clear()
    with pytest.raises(DeliveryFailed):
        webhook(receiver.url, attempts=2).send(Target("webhook", phone="+6281234567890"), NEAR)
    assert len(receiver.requests) == 2


def test_a_redirect_is_a_failure_and_is_never_followed(receiver):
    receiver.statuses = [302]
    with pytest.raises(DeliveryFailed):
        webhook(receiver.url, attempts=1).send(Target("webhook", phone="+6281234567890"), NEAR)
    assert [r.path for r in receiver.requests] == ["/"]


def test_a_gateway_that_does_not_answer_in_time_fails_within_the_timeout():
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        notifier = WebhookNotifier(Webhook(f"http://127.0.0.1:{silent.getsockname()[1]}/", SECRET, 0.5),
                                   attempts=2, sleep=lambda _: None)
        started = time.monotonic()
        with pytest.raises(DeliveryFailed):
            notifier.send(Target("webhook", phone="+6281234567890"), NEAR)
        assert time.monotonic() - started < 3
    finally:
        silent.close()


def push(tmp_path: Path) -> WebPushNotifier:
    return WebPushNotifier(load_or_create_key(tmp_path / "vapid.pem"), "mailto:ops@kelurahan.example",
                           timeout=2.0, allow_local=True)


def test_web_push_is_signed_with_the_vapid_key_and_encrypted_for_the_browser(receiver, tmp_path):
    notifier = push(tmp_path)
    browser = Browser()
    endpoint = receiver.url + "/push/abc"
    notifier.send(Target("webpush", endpoint=endpoint, p256dh=browser.p256dh, auth=b64(browser.auth),
                         page="/t/tok"), CALLED)
    [request] = receiver.requests
    claims, key = verify_vapid(request, receiver.url)
    assert key == public_key(notifier.key)  # the key the status page subscribed with
    assert claims["sub"] == "mailto:ops@kelurahan.example"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) == 15 * 60
    header = aes128gcm_header(request.body)
    assert len(header["salt"]) == 16 and header["rs"] >= 18 and header["idlen"] == 65
    assert header["keyid"][0] == 4  # the sender's ephemeral P-256 key, uncompressed
    assert b"A-007" not in request.body  # the push service cannot read it
    message = browser.decrypt(request.body)
    assert message["text"] == CALLED.text and message["url"] == "/t/tok" and message["key"] == "41-called-1"


def test_a_receiver_rejects_a_jwt_signed_by_another_key(receiver, tmp_path):
    browser = Browser()
    push(tmp_path).send(Target("webpush", endpoint=receiver.url + "/p", p256dh=browser.p256dh,
                               auth=b64(browser.auth)), NEAR)
    [request] = receiver.requests
    other = public_key(load_or_create_key(tmp_path / "other.pem"))
    forged = request.headers["authorization"].rsplit("k=", 1)[0] + "k=" + other
    request.headers["authorization"] = forged
    with pytest.raises(InvalidSignature):
        verify_vapid(request, receiver.url)


def test_a_gone_subscription_and_a_failing_push_service_are_told_apart(receiver, tmp_path):
    browser = Browser()
    target = Target("webpush", endpoint=receiver.url + "/p", p256dh=browser.p256dh, auth=b64(browser.auth))
    receiver.statuses = [410]
    with pytest.raises(TargetGone):
        push(tmp_path).send(target, NEAR)
    receiver.statuses = [500]
    with pytest.raises(DeliveryFailed) as failed:
        push(tmp_path).send(target, NEAR)
    assert not isinstance(failed.value, TargetGone)


def test_the_vapid_key_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "instance" / "vapid_private.pem"
    first = public_key(load_or_create_key(path))
    assert path.stat().st_mode & 0o077 == 0
    assert public_key(load_or_create_key(path)) == first


@pytest.mark.parametrize("url, local, allowed", [
    ("https://fcm.googleapis.com/fcm/send/x", False, True),
    ("http://fcm.googleapis.com/fcm/send/x", False, False),
    ("https://127.0.0.1/x", False, False),
    ("https://10.0.0.5/x", False, False),
    ("https://[::1]/x", False, False),
    ("https://localhost/x", False, False),
    ("http://127.0.0.1:8000/x", True, True),
    ("ftp://example.com/x", True, False),
    ("not a url", False, False),
])
def test_push_endpoints_are_public_https_unless_a_test_allows_loopback(url, local, allowed):
    assert endpoint_allowed(url, local) is allowed


def test_ptsp_alerts_vapid_makes_the_key_once_and_prints_its_public_key(monkeypatch, sqlite_url, tmp_path):
    from click.testing import CliRunner

    from ptsp.cli import cli

    path = tmp_path / "keys" / "vapid.pem"
    monkeypatch.setenv("PTSP_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("PTSP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("PTSP_ENV", "testing")
    monkeypatch.setenv("PTSP_VAPID_PRIVATE_KEY", str(path))
    first = CliRunner().invoke(cli, ["alerts", "vapid"])
    assert first.exit_code == 0, first.output
    assert f"made {path}" in first.output
    key = public_key(load_or_create_key(path))
    assert f"public key: {key}" in first.output
    again = CliRunner().invoke(cli, ["alerts", "vapid"])
    assert f"kept {path}" in again.output and f"public key: {key}" in again.output
