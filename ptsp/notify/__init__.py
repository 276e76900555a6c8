"""Notifiers: how an alert reaches a resident whose status page is closed (docs/alerts.md).

One interface, `Notifier.send(target, alert)`, and one adapter per way out: `webpush` (the browser's push service,
signed with the server's VAPID key) and `webhook` (a JSON POST to the office's own WhatsApp or SMS gateway). The
alert itself (`ptsp.domain.alerts.Alert`) carries nothing personal; the target is where it goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.alerts import Alert


@dataclass(frozen=True, slots=True)
class Target:
    """Where one subscription's alerts go: a push subscription (`endpoint`, `p256dh`, `auth`) or a `phone`."""

    channel: str
    endpoint: str | None = None
    p256dh: str | None = None
    auth: str | None = None
    phone: str | None = None
    page: str | None = None  # the ticket's status page path, opened when a push notification is tapped


class DeliveryFailed(Exception):
    """No answer in time, or an answer other than 2xx, after the adapter's bounded retries."""


class TargetGone(DeliveryFailed):
    """The push service says this subscription no longer exists (404 or 410): delete it."""


class Notifier(Protocol):
    channel: str

    def send(self, target: Target, alert: Alert) -> None:
        """Deliver one alert or raise DeliveryFailed (TargetGone when the target is gone for good)."""
