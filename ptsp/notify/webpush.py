"""The Web Push adapter: an encrypted message (aes128gcm, RFC 8291) to the browser's push service, signed
with the server's VAPID key (RFC 8292), through pywebpush.

The VAPID key pair is made on first use (or by `ptsp alerts vapid`) and kept in the instance folder,
`vapid_private.pem` (PTSP_VAPID_PRIVATE_KEY names another file); the status page subscribes with its public key.
A push endpoint comes from a browser, so the server posts only to `https://` hosts that are not private or
loopback addresses (PTSP_PUSH_ALLOW_LOCAL=1 lifts that for a test's loopback receiver), never follows a redirect,
and waits at most `timeout` seconds. 404 or 410 means the subscription is gone: the caller deletes it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from ..domain.alerts import Alert
from . import DeliveryFailed, Target, TargetGone

KEY_FILE = "vapid_private.pem"
GONE = (404, 410)


def load_or_create_key(path: Path) -> Vapid:
    """The VAPID key pair in `path`, made (readable by this user only) when the file does not exist yet."""
    if path.exists():
        return Vapid.from_file(str(path))
    key = Vapid()
    key.generate_keys()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_pem())
    return key


def public_key(key: Vapid) -> str:
    """The `applicationServerKey` a page subscribes with: the uncompressed P-256 point, base64url, unpadded."""
    raw = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def endpoint_allowed(url: str, allow_local: bool = False) -> bool:
    """Whether the server may post to this push endpoint: https (http only with `allow_local`), a host name or a
    public address; a private, loopback or link-local address only with `allow_local`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or len(url) > 1000 or parts.scheme not in (("https", "http") if allow_local else ("https",)):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return allow_local or host not in ("localhost",) and not host.endswith((".local", ".internal"))
    return allow_local or address.is_global


class _NoRedirects(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.max_redirects = 0


@dataclass
class WebPushNotifier:
    key: Vapid
    subject: str  # "mailto:..." or "https://...": who push services may contact about this sender
    timeout: float = 5.0
    ttl: int = 15 * 60  # a push service keeps an undelivered alert this long, then drops it
    allow_local: bool = False
    channel: str = "webpush"

    def send(self, target: Target, alert: Alert) -> None:
        if not target.endpoint or not endpoint_allowed(target.endpoint, self.allow_local):
            raise TargetGone("push endpoint not allowed")
        info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
        data = json.dumps({**alert.body(), "url": target.page}, separators=(",", ":"))
        try:
            with _NoRedirects() as session:
                webpush(info, data=data, vapid_private_key=self.key,
                        vapid_claims={"sub": self.subject}, timeout=self.timeout, ttl=self.ttl,
                        content_encoding="aes128gcm", requests_session=session)
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in GONE:
                raise TargetGone(f"push service answered {status}") from None
            raise DeliveryFailed(str(exc)[:300]) from None
        except (requests.RequestException, ValueError, TypeError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:300]) from None
