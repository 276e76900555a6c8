"""The set-up file's shape: its models (unknown keys refused), its nested lists and their keys, and the refusal.

docs/setup.md documents every key of these models (tests/test_setup_file.py keeps them in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from ptsp.i18n.errors import describe
from ptsp.i18n.validation import Problem, problems

from ..domain.codes import validate_prefix
from ..domain.errors import DomainError, InvalidInput
from .service_standard import require_fee_basis


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceFields(_Strict):
    """A service's fields and their bounds, shared by the set-up file and the administration pages."""

    prefix: str
    name_id: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    standard_minutes: float = Field(gt=0, le=480)
    active: bool = True
    daily_quota: int | None = Field(default=None, ge=1)
    # The service standard the office publishes (docs/kiosk.md, "The service standard").
    requirements: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]] = \
        Field(default=[], max_length=40)
    fee_rupiah: int = Field(default=0, ge=0, le=1_000_000_000)
    fee_basis: str | None = Field(default=None, max_length=500)
    completion_days: int | None = Field(default=None, ge=0, le=365)
    # The most of each slot's capacity bookings may take, 0 to 1 (0: not open to booking), docs/appointments.md.
    booking_share: float = Field(default=0.5, ge=0, le=1)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        try:
            return validate_prefix(value)
        except InvalidInput as exc:
            raise ValueError(describe(exc)) from None



class ServiceSpec(ServiceFields):
    # The prefixes of the services a visit for this one goes through next, in order (docs/steps.md); any
    # service of the office, an agency's too. Only in the file: the administration page sets it on its own form.
    route: list[str] = Field(default=[], max_length=5)

    @model_validator(mode="after")
    def _paid_needs_basis(self) -> ServiceSpec:
        try:
            require_fee_basis(self.fee_rupiah, self.fee_basis)
        except InvalidInput as exc:
            raise ValueError(describe(exc)) from None
        if self.prefix in self.route or len(set(self.route)) != len(self.route):
            raise ValueError(describe(InvalidInput("step_service_repeated", service=self.prefix)))
        return self


class CounterSpec(_Strict):
    number: int = Field(ge=1, le=999)
    name: str | None = Field(default=None, max_length=100)
    active: bool = True  # false: closed for good, offered to no clerk (as on the counters page)
    services: list[str]


class StaffSpec(_Strict):
    username: str = Field(pattern=r"^[a-z0-9_.-]{3,64}$")
    name: str
    role: Literal["clerk", "supervisor", "manager", "admin"]
    password: str | None = Field(default=None, min_length=8)
    supervisor: str | None = None
    agency: str | None = None  # the code of an agency of the office: a supervisor or manager scoped to it


class AgencySpec(_Strict):
    """An agency (instansi) inside the office, `[[offices.agencies]]`, with its own services and counters."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    sort_order: int = Field(default=0, ge=0, le=100000)
    active: bool = True
    complaint_channel: str | None = Field(default=None, max_length=200)  # else the office's is shown
    services: list[ServiceSpec] = []
    counters: list[CounterSpec] = []


class OfficeSpec(_Strict):
    slug: str = Field(pattern=r"^[a-z0-9-]{2,64}$")
    name: str
    kind: Literal["city", "kecamatan", "kelurahan", "mpp"]
    parent: str | None = None
    timezone: Literal["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] = "Asia/Jakarta"
    hours: dict[str, list[list[str]]] = {}
    closures: dict[str, list[list[str]]] = {}  # gaps of `hours` the office closes for: [from, to, reason]
    last_ticket_minutes: int = Field(default=30, ge=0, le=600)
    starvation_minutes: int = Field(default=30, ge=1, le=600)
    max_calls: int = Field(default=3, ge=1, le=10)
    on_recall_limit: Literal["requeue", "no_show"] = "requeue"
    target_wait_minutes: int = Field(default=15, ge=1, le=600)
    complaint_channel: str | None = None
    running_text: str | None = Field(default=None, max_length=500)
    # Residents beyond the hall (docs/residents.md, docs/alerts.md): tickets from a phone at /ambil/<slug>, the
    # place in line that sends "N orang lagi" (0: none), and the office's WhatsApp/SMS gateway for alerts.
    phone_tickets: bool = False
    alert_position: int = Field(default=3, ge=0, le=50)
    alert_webhook_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")
    alert_webhook_secret: str | None = Field(default=None, min_length=16, max_length=200)
    # Parked tickets and late residents (docs/queue.md): minutes a parked resident has to come back, and the
    # places ahead of the back of the line a resident who missed their call rejoins (0: not offered).
    park_minutes: int = Field(default=30, ge=5, le=240)
    late_reinsert_places: int = Field(default=0, ge=0, le=50)
    # Booking settings (docs/appointments.md): the `appointment_settings` row, one key each.
    booking_slot_minutes: Literal[10, 15, 20, 30, 60] = 30
    booking_days_ahead: int = Field(default=14, ge=1, le=60)
    booking_early_minutes: int = Field(default=30, ge=0, le=180)
    booking_late_minutes: int = Field(default=15, ge=0, le=180)
    booking_max_per_day: int = Field(default=2, ge=1, le=20)
    booking_no_show_limit: int = Field(default=2, ge=1, le=20)
    booking_block_days: int = Field(default=30, ge=1, le=365)
    booking_max_run: int = Field(default=2, ge=1, le=20)
    services: list[ServiceSpec] = []
    counters: list[CounterSpec] = []
    staff: list[StaffSpec] = []
    agencies: list[AgencySpec] = []


BOOKING_PREFIX = "booking_"
BOOKING_KEYS = [name for name in OfficeSpec.model_fields if name.startswith(BOOKING_PREFIX)]


def booking_settings(office: OfficeSpec) -> dict[str, Any]:
    """The office's `booking_*` keys as the columns of its `appointment_settings` row."""
    return {name.removeprefix(BOOKING_PREFIX): getattr(office, name) for name in BOOKING_KEYS}


class SetupFile(_Strict):
    offices: list[OfficeSpec]


# The lists of rows inside each kind of record, by their key in the record: the kind of row they hold and the
# field that names a row. Rows are matched with the database on that field, and a name may appear once per
# list; the lists in GLOBAL_LISTS once in the whole document (an office slug and a username are unique in the
# database); the others once per office, wherever they are nested in it (a prefix and a counter number are
# unique per office in the database). Checks, plan and report walk this table.
ROW_LISTS: dict[str, dict[str, tuple[str, str]]] = {
    "file": {"offices": ("office", "slug")},
    "office": {"services": ("service", "prefix"), "counters": ("counter", "number"), "staff": ("staff", "username"),
               "agencies": ("agency", "code")},
    "agency": {"services": ("service", "prefix"), "counters": ("counter", "number")},
}
GLOBAL_LISTS = {"offices", "staff"}
KEY_FIELDS = {key for lists in ROW_LISTS.values() for _, key in lists.values()}
LIST_KEY = {name: key for lists in ROW_LISTS.values() for name, (_, key) in lists.items()}


def rows_in(record: BaseModel, kind: str, name: str) -> list[Any]:
    """Every row of the list `name` anywhere below `record` (a record of `kind`): all the services of an
    office, whichever nested list holds them."""
    found: list[Any] = []
    for list_name, (row_kind, _) in ROW_LISTS.get(kind, {}).items():
        rows = getattr(record, list_name)
        if list_name == name:
            found.extend(rows)
        for row in rows:
            found.extend(rows_in(row, row_kind, name))
    return found


def lists_below(kind: str) -> set[str]:
    """The names of the lists found anywhere below a record of `kind`."""
    names: set[str] = set()
    for name, (row_kind, _) in ROW_LISTS.get(kind, {}).items():
        names |= {name} | lists_below(row_kind)
    return names


class SetupRefused(InvalidInput):
    """The file was refused as a whole; `problems` holds one domain error per problem found, nothing written."""

    def __init__(self, found: list[DomainError]) -> None:
        super().__init__("setup_refused", count=len(found))
        self.problems = found




def _label(item: object, index: int) -> str:
    """A list row as a location names it: its key when it has one (`services[A]`), else its 1-based position."""
    if isinstance(item, Mapping):
        for key in sorted(KEY_FIELDS):
            if isinstance(item.get(key), str | int) and not isinstance(item.get(key), bool):
                return str(item[key])
    return f"#{index + 1}"


def _where(data: object, loc: tuple[int | str, ...]) -> str:
    """pydantic's location (`offices.1.services.0.prefx`) as a person finds it.

    A row of a list is named by its key when it has one (`offices[kel-test].services[A].prefx`), else by its
    1-based position (`offices[#2]`).
    """
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
            if parts:
                parts[-1] += f"[{_label(node, part)}]"
            continue
        parts.append(str(part))
        node = node.get(part) if isinstance(node, Mapping) else None
    return ".".join(parts)


def parse_setup(data: object) -> SetupFile:
    """Validate a set-up document's shape, refusing it with every problem listed (one per field)."""
    try:
        return SetupFile.model_validate(data)
    except ValidationError as exc:
        found: list[DomainError] = []
        for error, problem in zip(exc.errors(include_url=False), problems(exc), strict=True):
            where = Problem(_where(data, tuple(error["loc"])), problem.type, problem.context)
            found.append(InvalidInput("setup_file_invalid", problems=[where]))
        raise SetupRefused(found) from None
