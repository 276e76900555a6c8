"""The IKM formula of PermenPANRB No. 14 Tahun 2017 on plain values.

The regulation (Lampiran, "Pengolahan Data Survei"): each of the nine elements
(unsur) is answered 1-4; the mean of each element (NRR) is weighted equally,
1/9 each (written 0,111), their sum is the unit index (1-4), and the index
times 25 is the 25-100 value, graded by the conversion intervals
25,00-64,99 D (tidak baik), 65,00-76,60 C (kurang baik), 76,61-88,30 B (baik),
88,31-100,00 A (sangat baik).
"""

import pytest

from ptsp.domain.errors import InvalidInput
from ptsp.domain.skm import ELEMENTS, check_elements, grade, index_from_answers, index_from_means
from ptsp.i18n.errors import describe


def test_the_nine_elements_are_the_regulations_in_its_order():
    assert [label for _f, label in ELEMENTS] == [
        "Persyaratan", "Sistem, mekanisme, dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
        "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
        "Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana",
    ]


def test_worked_example_from_element_means():
    # A worked example in the regulation's steps: NRR per element, times 1/9, summed, times 25.
    means = [3.20, 3.10, 2.90, 4.00, 3.00, 3.30, 3.40, 2.80, 3.00]  # sum 28.70
    index = index_from_means(means, respondents=100)
    assert index.unit == pytest.approx(28.70 / 9, abs=1e-4)  # 3.1889
    assert index.converted == 79.72  # 3.18889 x 25 = 79.722
    assert (index.grade, index.label) == ("B", "Baik")


def test_worked_example_from_individual_questionnaires():
    # Four respondents; element means 3.5, 3.25, 3, 4, 3, 3.75, 3.5, 2.5, 3 (sum 29.5).
    answers = [
        [4, 3, 3, 4, 3, 4, 4, 2, 3],
        [3, 3, 3, 4, 3, 4, 3, 3, 3],
        [4, 4, 3, 4, 3, 3, 4, 2, 3],
        [3, 3, 3, 4, 3, 4, 3, 3, 3],
    ]
    index = index_from_answers(answers)
    assert index.element_means == (3.5, 3.25, 3.0, 4.0, 3.0, 3.75, 3.5, 2.5, 3.0)
    assert index.respondents == 4
    assert index.converted == round(29.5 / 9 * 25, 2) == 81.94
    assert index.grade == "B"


def test_every_answer_four_scores_one_hundred_and_grade_a():
    index = index_from_answers([[4] * 9] * 3)
    assert (index.converted, index.grade, index.label) == (100.0, "A", "Sangat baik")


def test_every_answer_one_scores_twenty_five_and_grade_d():
    assert index_from_answers([[1] * 9]).converted == 25.0
    assert index_from_answers([[1] * 9]).grade == "D"


@pytest.mark.parametrize(("value", "letter"), [
    (25.00, "D"), (64.99, "D"), (65.00, "C"), (76.60, "C"), (76.61, "B"), (88.30, "B"), (88.31, "A"), (100, "A"),
])
def test_grade_bands_follow_the_regulations_interval_values(value, letter):
    assert grade(value)[0] == letter


def test_values_off_the_scale_are_refused():
    with pytest.raises(InvalidInput):
        grade(24.99)


def test_no_questionnaire_gives_no_index():
    assert index_from_answers([]) is None


def test_survey_is_all_nine_or_nothing():
    assert check_elements(None) is None and check_elements({}) is None
    assert check_elements({f"u{i}": 3 for i in range(1, 10)}) == {f"u{i}": 3 for i in range(1, 10)}
    with pytest.raises(InvalidInput) as missing:
        check_elements({f"u{i}": 3 for i in range(1, 9)})
    assert missing.value.reason == "skm_elements_missing" and "u9" in describe(missing.value)
    with pytest.raises(InvalidInput):
        check_elements({**{f"u{i}": 3 for i in range(1, 10)}, "u10": 2})
    for bad in (0, 5, "3", 2.5, True, None):
        with pytest.raises(InvalidInput):
            check_elements({**{f"u{i}": 3 for i in range(1, 9)}, "u9": bad})


def test_the_regulations_own_weight_example():
    # The regulation's worked example for the weight: nine elements studied, so the
    # weighted-average weight is total weight / number of elements = 1/9 = 0,11.
    from ptsp.domain.skm import WEIGHT

    assert len(ELEMENTS) == 9
    assert round(WEIGHT, 2) == 0.11 and round(WEIGHT, 3) == 0.111
    assert WEIGHT * len(ELEMENTS) == pytest.approx(1.0)


# The regulation's table of perception values: interval value (NI, on 1-4), converted
# interval (NIK, on 25-100), service quality and unit performance.
REGULATION_TABLE = [
    # (NI low, NI high, NIK low, NIK high, grade, performance)
    (1.00, 2.5996, 25.00, 64.99, "D", "Tidak baik"),
    (2.60, 3.064, 65.00, 76.60, "C", "Kurang baik"),
    (3.0644, 3.532, 76.61, 88.30, "B", "Baik"),
    (3.5324, 4.00, 88.31, 100.00, "A", "Sangat baik"),
]


@pytest.mark.parametrize(("ni_low", "ni_high", "nik_low", "nik_high", "letter", "label"), REGULATION_TABLE)
def test_both_columns_of_the_regulations_interval_table_agree_with_the_index(
        ni_low, ni_high, nik_low, nik_high, letter, label):
    # A unit whose nine element means all equal an interval end has that unit index; times 25
    # it must land on the table's converted end, in the table's grade.
    for unit, converted in ((ni_low, nik_low), (ni_high, nik_high)):
        index = index_from_means([unit] * 9, respondents=1)
        assert index.converted == converted
        assert (index.grade, index.label) == (letter, label)


def test_the_regulations_processing_sheet_step_by_step():
    # The annex's processing sheet, per respondent and per element: sum each column, divide by the
    # filled questionnaires (NRR), multiply by 0,111 (weighted NRR), add the nine (unit index) and
    # multiply by 25. Ten questionnaires filled by hand.
    sheet = [
        [3, 3, 2, 4, 3, 3, 4, 2, 3],
        [4, 3, 3, 4, 3, 4, 4, 3, 3],
        [3, 2, 2, 4, 3, 3, 3, 2, 2],
        [3, 3, 3, 4, 4, 3, 4, 3, 3],
        [4, 4, 3, 4, 3, 4, 4, 2, 3],
        [2, 3, 2, 4, 3, 3, 3, 2, 3],
        [3, 3, 3, 4, 3, 3, 4, 3, 4],
        [4, 3, 2, 4, 4, 4, 4, 3, 3],
        [3, 3, 3, 3, 3, 3, 3, 2, 3],
        [3, 4, 3, 4, 3, 3, 4, 3, 3],
    ]
    column_sums = [sum(row[i] for row in sheet) for i in range(9)]
    assert column_sums == [32, 31, 26, 39, 32, 33, 37, 25, 30]
    nrr = [total / 10 for total in column_sums]  # 3,2 3,1 2,6 3,9 3,2 3,3 3,7 2,5 3,0; sum 28,5
    sheet_unit = sum(value * 0.111 for value in nrr)  # weighted with the sheet's printed 0,111
    assert sheet_unit == pytest.approx(3.1635)  # 28,5 x 0,111
    assert round(sheet_unit * 25, 2) == 79.09

    index = index_from_answers(sheet)
    assert index.element_means == tuple(nrr)
    assert index.unit == round(28.5 / 9, 4) == 3.1667
    assert index.converted == 79.17  # 3,16667 x 25
    # The exact 1/9 and the printed 0,111 differ by at most 9 x 4 x 0,000111 x 25 = 0,1 on the
    # 25-100 scale (here 0,08); both give the same grade.
    assert abs(index.converted - round(sheet_unit * 25, 2)) <= 0.1
    assert index.grade == "B" == grade(round(sheet_unit * 25, 2))[0]
