"""Errors that speak the domain: a code and parameters, never a sentence.

`code` (per class) is the kind of failure and picks the HTTP status; `reason` names the exact rule
that failed (`"password_too_short"`), and `params` carry the data a message needs (`min=8`).
The sentence, in the reader's language, comes from `ptsp.i18n.errors.describe` at the edge.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class for rule violations; `code` and `reason` are stable machine-readable names."""

    code = "domain_error"
    status = 409

    def __init__(self, reason: str | None = None, /, **params: object) -> None:
        self.reason = reason or self.code
        self.params = params
        super().__init__(self.reason)


class InvalidTransition(DomainError):
    code = "invalid_transition"


class QueueEmpty(DomainError):
    code = "queue_empty"


class OfficeClosed(DomainError):
    code = "office_closed"


class QuotaReached(DomainError):
    code = "quota_reached"


class CounterNotOpen(DomainError):
    code = "counter_not_open"


class CounterBusy(DomainError):
    code = "counter_busy"


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Gone(DomainError):
    """What was there is no longer kept (a ticket's page after its days, docs/security.md)."""

    code = "gone"
    status = 410


class Unauthorized(DomainError):
    """The caller is not known: no login, or a bad token (HTTP 401)."""

    code = "unauthorized"
    status = 401


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422


class LiveTicketHeld(DomainError):
    """A phone already holds a live ticket for this service (one per device and service, docs/residents.md)."""

    code = "live_ticket_held"
