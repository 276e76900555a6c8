"""Survei Kepuasan Masyarakat (SKM) after PermenPANRB No. 14 Tahun 2017 (see docs/feedback.md).

Nine elements (unsur), each answered on a 1-4 scale. The index of a unit is the
weighted average of the element means, every element weighing the same 1/9
(the regulation writes the weight rounded as 0,111), and is reported times 25
on the 25-100 scale with the regulation's quality grades A-D.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .errors import InvalidInput
from .text import N_

# (field, label), in the regulation's order U1..U9; labels are msgids, translated when shown.
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("u1", N_("Persyaratan")),
    ("u2", N_("Sistem, mekanisme, dan prosedur")),
    ("u3", N_("Waktu penyelesaian")),
    ("u4", N_("Biaya/tarif")),
    ("u5", N_("Produk spesifikasi jenis pelayanan")),
    ("u6", N_("Kompetensi pelaksana")),
    ("u7", N_("Perilaku pelaksana")),
    ("u8", N_("Penanganan pengaduan, saran dan masukan")),
    ("u9", N_("Sarana dan prasarana")),
)
FIELDS = tuple(name for name, _label in ELEMENTS)
WEIGHT = 1 / len(ELEMENTS)  # equal weight: total weight 1 over nine elements
CONVERSION = 25  # unit index (1-4) times 25 gives the 25-100 scale

# Quick rating and element answers share the 1-4 scale.
SCALE = {1: N_("Tidak baik"), 2: N_("Kurang baik"), 3: N_("Baik"), 4: N_("Sangat baik")}

# (lowest converted value, grade, performance label): the regulation's conversion intervals
# 25,00-64,99 D; 65,00-76,60 C; 76,61-88,30 B; 88,31-100,00 A.
GRADES: tuple[tuple[float, str, str], ...] = (
    (88.31, "A", N_("Sangat baik")),
    (76.61, "B", N_("Baik")),
    (65.00, "C", N_("Kurang baik")),
    (25.00, "D", N_("Tidak baik")),
)


@dataclass(frozen=True, slots=True)
class Index:
    respondents: int
    element_means: tuple[float, ...]  # NRR per element, U1..U9
    unit: float  # weighted average, 1-4
    converted: float  # times 25, 25-100, two decimals
    grade: str
    label: str  # the grade's performance label, a msgid


def check_answer(value: object, name: str) -> int:
    """Return a 1-4 answer or raise InvalidInput."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
        raise InvalidInput("rating_out_of_range", field=name)
    return value


def check_elements(answers: Mapping[str, object] | None) -> dict[str, int] | None:
    """Return all nine element answers, or None when the resident skipped the survey.

    The survey is all or nothing: a partial questionnaire would weigh the
    answered elements differently from the regulation's equal weights.
    """
    if not answers:
        return None
    unknown = set(answers) - set(FIELDS)
    if unknown:
        raise InvalidInput("unknown_skm_elements", elements=sorted(unknown))
    missing = [name for name in FIELDS if name not in answers]
    if missing:
        raise InvalidInput("skm_elements_missing", elements=missing)
    return {name: check_answer(answers[name], name) for name in FIELDS}


def grade(converted: float) -> tuple[str, str]:
    """Return (grade, performance label) for a 25-100 value."""
    value = round(converted, 2)
    for lowest, letter, label in GRADES:
        if value >= lowest:
            return letter, label
    raise InvalidInput("ikm_out_of_scale", value=converted)


def index_from_means(element_means: Sequence[float], respondents: int) -> Index:
    """Compute the index from the nine element means (NRR)."""
    if len(element_means) != len(ELEMENTS):
        raise InvalidInput("ikm_needs_nine_means")
    unit = sum(mean * WEIGHT for mean in element_means)
    converted = round(unit * CONVERSION, 2)
    letter, label = grade(converted)
    return Index(respondents, tuple(round(m, 4) for m in element_means), round(unit, 4), converted, letter, label)


def index_from_answers(answers: Sequence[Sequence[int]]) -> Index | None:
    """Compute the index from complete questionnaires (nine answers each); None without any."""
    if not answers:
        return None
    means = [sum(row[i] for row in answers) / len(answers) for i in range(len(ELEMENTS))]
    return index_from_means(means, len(answers))
