"""Request bodies and socket payloads (pydantic), shared by REST and Socket.IO; they feed the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_ID = 2**31 - 1  # ids are 32-bit INTEGER columns on PostgreSQL; larger numbers name nothing

# Strict mode refuses "1", true and 1.5; the bounds refuse 0, negatives and overflow.
Id = Annotated[int, Field(le=MAX_ID)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CheckInBooking(Body):
    office: Id = Field(ge=1, description="Office id (the kiosk's own)")
    text: str = Field(min_length=1, max_length=300, description=(
        "What the resident typed or the hand scanner read: the booking code or the booking's URL"))


class IssueTicket(Body):
    office: Id = Field(ge=1, description="Office id")
    service: Id = Field(ge=1, description="Service id in that office")
    priority: Literal["regular", "elderly", "disabled", "pregnant"] = Field(
        default="regular", description="Priority class: lansia, disabilitas, ibu hamil/membawa bayi"
    )
    walk_in: bool = Field(default=False, description=(
        "Staff only: issued on behalf of a walk-in resident. A staff-issued ticket earns points only so marked, "
        "within the office day's audited share, and never for the clerk who issued it (docs/points.md)"))


class PairDevice(Body):
    kind: Literal["kiosk", "display", "tablet"] = Field(description="The station this browser becomes")


class Login(Body):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Empty(Body):
    pass


class ChangePassword(Body):
    current: str = Field(min_length=1, max_length=256, description="The password in use now")
    new: str = Field(min_length=8, max_length=256, description="The new password, at least 8 characters")


class ResetPassword(Body):
    password: str | None = Field(default=None, min_length=8, max_length=256,
                                 description="The new password; leave out to have one generated (shown once)")


# What a REST route reads from the body; the id comes from its URL path.


class BreakBody(Body):
    reason: str = Field(min_length=1, max_length=200, description="e.g. istirahat makan, salat")


class CallBody(Body):
    ticket: Id = Field(ge=1)
    reason: str = Field(min_length=1, max_length=300)


class CompleteBody(Body):
    outcome: str = Field(default="selesai", min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")


class TransferBody(Body):
    service: Id = Field(ge=1, description="Target service id")
    reason: str = Field(min_length=1, max_length=300)


StepService = Annotated[int, Field(ge=1, le=MAX_ID)]


class StepsBody(Body):
    services: list[StepService] = Field(max_length=6, description="The services after the current one, in "
                                        "order (docs/steps.md); an empty list plans none")


# The full command (as sent over the counter's socket): the same body plus the id it acts on.


class CounterRef(Body):
    counter: Id = Field(ge=1)


class TicketRef(Body):
    ticket: Id = Field(ge=1)


class BreakCounter(BreakBody, CounterRef):
    pass


class CallTicket(CallBody, CounterRef):
    pass


class CompleteTicket(CompleteBody, TicketRef):
    pass


class CompleteAndCallBody(CompleteBody, TicketRef):
    """The counter's current ticket to complete, then the next is called (REST body; the counter is in the path)."""


class CompleteAndCallNext(CompleteAndCallBody, CounterRef):
    pass


class TransferTicket(TransferBody, TicketRef):
    pass


class ReinsertBody(Body):
    ticket: Id = Field(ge=1, description="The ticket whose resident missed their call (docs/queue.md)")


class ReinsertTicket(ReinsertBody, CounterRef):
    pass


class PlanSteps(StepsBody, TicketRef):
    pass


class CancelBody(Body):
    token: str | None = Field(default=None, max_length=64, description="The resident's ticket token")


# What the stations send over their sockets besides `command` (whose bodies are the models above).

Seq = Annotated[int, Field(ge=0, le=MAX_ID, description="An office sequence number")]


class Heartbeat(Body):
    seq: Seq


class CallAck(Body):
    ticket: Id = Field(ge=1)
    seq: Seq


class CommandEnvelope(BaseModel):
    """A counter's socket command: an action name and that command's own body (validated by its model)."""

    model_config = ConfigDict(extra="allow", strict=True)
    action: str = Field(min_length=1, max_length=32)


class PrintClaim(Body):
    job: Id = Field(ge=1)


class PrintDone(Body):
    job: Id = Field(ge=1)
    ok: bool
    status: str = Field(default="unknown", max_length=32)
    error: str | None = Field(default=None, max_length=2000)
    may_have_printed: bool = False


class PushKeys(Body):
    p256dh: str = Field(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_=-]+$")
    auth: str = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_=-]+$")


class PushSubscription(Body):
    """A browser's `PushSubscription.toJSON()`."""

    endpoint: str = Field(min_length=10, max_length=1000)
    keys: PushKeys
    expirationTime: int | None = None  # noqa: N815  (the browser's name)


class AlertSubscribe(Body):
    """The status page's "Beri tahu saya": a push subscription, or a phone number with the resident's consent."""

    push: PushSubscription | None = None
    phone: str | None = Field(default=None, min_length=6, max_length=30)
    consent: bool = False
