"""The webhook adapter: one signed JSON POST per alert to the office's WhatsApp or SMS gateway.

The office sets the gateway's URL and secret (`alert_webhook_url`, `alert_webhook_secret` in the set-up file,
docs/setup.md). The body is signed like the discipline webhook's (HMAC-SHA256 of the exact bytes in
`X-PTSP-Signature: sha256=<hex>`) and sent through the same opener (`ptsp.discipline_webhook.post`): a timeout,
no redirect followed, anything but 2xx a failure. A failed POST is tried again at most `attempts` times in all,
`pause` seconds apart: an alert that "you are called" is worth nothing an hour later, so there is no later round.
The body is the alert (`Alert.body()`: ticket number, office, counter, text) and `to`, the number the gateway
messages; nothing else about the resident.
"""

from __future__ import annotations

import json
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field

from ..discipline_webhook import Webhook, post
from ..domain.alerts import Alert
from . import DeliveryFailed, Target

USER_AGENT = "ptsp-alert-webhook"


def message(target: Target, alert: Alert) -> bytes:
    """The exact bytes posted (and signed)."""
    return json.dumps({**alert.body(), "to": target.phone}, separators=(",", ":")).encode()


@dataclass
class WebhookNotifier:
    hook: Webhook
    attempts: int = 3
    pause: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep)
    channel: str = "webhook"

    def send(self, target: Target, alert: Alert) -> None:
        if not target.phone:
            raise DeliveryFailed("no phone number")
        body = message(target, alert)
        error: Exception | None = None
        for attempt in range(max(1, self.attempts)):
            if attempt:
                self.sleep(self.pause * attempt)
            try:
                post(self.hook, body, agent=USER_AGENT)
                return
            except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, refused connections
                if isinstance(exc, urllib.error.HTTPError):
                    exc.close()  # its answer's connection, which nobody reads
                error = exc
        raise DeliveryFailed(f"{type(error).__name__}: {error}"[:300])
