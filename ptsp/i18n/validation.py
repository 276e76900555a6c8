"""What pydantic refused, worded from the catalogues: one clear sentence per field (its name and what is wrong).

REST bodies and socket payloads share the models in ptsp/schemas.py; both turn a `ValidationError` into
`invalid_input(exc)`, an `InvalidInput("invalid_fields", problems=[Problem, ...])` that carries data only.
`ptsp.i18n.errors.describe` words each problem in the reader's language with the template of its pydantic
error type (https://docs.pydantic.dev/latest/errors/validation_errors/); a type without one reads
"is not valid".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from pydantic import ValidationError

from ..domain.errors import InvalidInput
from . import N_

TEMPLATES: dict[str, str] = {
    "missing": N_("%(field)s wajib diisi"),
    "extra_forbidden": N_("%(field)s tidak dikenal"),
    "json_invalid": N_("badan permintaan bukan JSON yang valid"),
    "model_type": N_("%(field)s harus objek JSON"),
    "model_attributes_type": N_("%(field)s harus objek JSON"),
    "dict_type": N_("%(field)s harus objek JSON"),
    "list_type": N_("%(field)s harus daftar"),
    "int_type": N_("%(field)s harus bilangan bulat"),
    "int_parsing": N_("%(field)s harus bilangan bulat"),
    "int_from_float": N_("%(field)s harus bilangan bulat"),
    "float_type": N_("%(field)s harus angka"),
    "float_parsing": N_("%(field)s harus angka"),
    "bool_type": N_("%(field)s harus true atau false"),
    "bool_parsing": N_("%(field)s harus true atau false"),
    "string_type": N_("%(field)s harus teks"),
    "string_too_short": N_("%(field)s minimal %(min_length)s karakter"),
    "string_too_long": N_("%(field)s paling panjang %(max_length)s karakter"),
    "string_pattern_mismatch": N_("%(field)s tidak sesuai pola %(pattern)s"),
    "too_short": N_("%(field)s minimal berisi %(min_length)s"),
    "too_long": N_("%(field)s paling banyak berisi %(max_length)s"),
    "greater_than": N_("%(field)s harus lebih dari %(gt)s"),
    "greater_than_equal": N_("%(field)s minimal %(ge)s"),
    "less_than": N_("%(field)s harus kurang dari %(lt)s"),
    "less_than_equal": N_("%(field)s paling besar %(le)s"),
    "literal_error": N_("%(field)s harus salah satu dari: %(expected)s"),
    "enum": N_("%(field)s harus salah satu dari: %(expected)s"),
    "uuid_type": N_("%(field)s harus UUID"),
    "uuid_parsing": N_("%(field)s harus UUID"),
    "date_from_datetime_parsing": N_("%(field)s harus tanggal YYYY-MM-DD"),
    "date_parsing": N_("%(field)s harus tanggal YYYY-MM-DD"),
    "date_type": N_("%(field)s harus tanggal YYYY-MM-DD"),
    "value_error": N_("%(field)s tidak valid: %(error)s"),
}
FALLBACK = N_("%(field)s tidak valid")
BODY = N_("badan permintaan")


@dataclass(frozen=True)
class Problem:
    """One refused field: where it is, pydantic's error type, and the figures the sentence needs."""

    field: str
    type: str
    context: Mapping[str, str] = dataclasses.field(default_factory=dict)


def problems(exc: ValidationError) -> list[Problem]:
    return [
        Problem(".".join(str(part) for part in error["loc"]), error["type"],
                {key: str(value) for key, value in (error.get("ctx") or {}).items()})
        for error in exc.errors(include_url=False)
    ]


def invalid_input(exc: ValidationError, reason: str = "invalid_fields") -> InvalidInput:
    """The domain error for a refused body or payload (a 422, or a socket's `{error, message}`)."""
    return InvalidInput(reason, problems=problems(exc))


def describe_problem(problem: Problem) -> str:
    params: dict[str, Any] = {**problem.context, "field": problem.field or gettext(BODY)}
    template = TEMPLATES.get(problem.type, FALLBACK)
    try:
        return gettext(template, **params)
    except KeyError:  # a pydantic version that names a figure differently: still say which field
        return gettext(FALLBACK, field=params["field"])


def describe_problems(found: Iterable[Problem]) -> str:
    return "; ".join(describe_problem(problem) for problem in found)
