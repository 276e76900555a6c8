"""Errors that speak the domain; the API turns each into an HTTP status."""


class DomainError(Exception):
    """Base class for rule violations; `code` is the stable machine-readable name."""

    code = "domain_error"
    status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    status = 422
