"""Unit tests for pantau.rules.ikm (domain.md §1.2, §1.3, §1.6, §1.7).

Expected values are worked out by hand (shown in comments) or taken from the domain
tables; the code under test is never used to produce an expectation.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.rules.ikm import (
    ELEMENT_LABELS,
    ELEMENTS,
    REGULATION,
    classify,
    compile_region,
    compute_ikm,
    confidence_interval_95,
    round_half_up,
)

KEYS = (
    "persyaratan",
    "prosedur",
    "waktu",
    "biaya",
    "produk",
    "kompetensi",
    "perilaku",
    "pengaduan",
    "sarana",
)


def uniform(total_per_element: int) -> dict[str, int]:
    return {k: total_per_element for k in KEYS}


# --- constants -------------------------------------------------------------------------


def test_elements_are_the_nine_named_keys() -> None:
    assert ELEMENTS == KEYS


def test_element_labels_are_official_names() -> None:
    assert ELEMENT_LABELS == {
        "persyaratan": "Persyaratan",
        "prosedur": "Sistem, Mekanisme, dan Prosedur",
        "waktu": "Waktu Penyelesaian",
        "biaya": "Biaya/Tarif",
        "produk": "Produk Spesifikasi Jenis Pelayanan",
        "kompetensi": "Kompetensi Pelaksana",
        "perilaku": "Perilaku Pelaksana",
        "pengaduan": "Penanganan Pengaduan, Saran dan Masukan",
        "sarana": "Sarana dan Prasarana",
    }


def test_regulation_tag() -> None:
    assert REGULATION == "PermenPANRB 14/2017"


# --- rounding and classification ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (88.305, 88.31),  # half-up, although the binary float is just below .305
        (2.675, 2.68),  # Python's round() gives 2.67 here
        (1.005, 1.01),
        (76.605, 76.61),
        (76.6049, 76.6),
        (100, 100.0),
        (Fraction(225, 8), 28.13),  # 28.125 exactly
        (Fraction(-225, 8), -28.13),  # ties away from zero
        (Decimal("0.125"), 0.13),
    ],
)
def test_round_half_up(value: object, expected: float) -> None:
    assert round_half_up(value, 2) == expected  # type: ignore[arg-type]


def test_round_half_up_other_digits() -> None:
    assert round_half_up(3.53245, 4) == 3.5325
    assert round_half_up(2.5, 0) == 3.0


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_round_half_up_rejects_non_finite(bad: float) -> None:
    with pytest.raises(ValueError):
        round_half_up(bad)


@pytest.mark.parametrize(
    ("value", "mutu", "kinerja"),
    [
        (25, "D", "Tidak Baik"),
        (64.99, "D", "Tidak Baik"),
        (64.994, "D", "Tidak Baik"),  # rounds to 64.99
        (64.995, "C", "Kurang Baik"),  # rounds to 65.00
        (65.00, "C", "Kurang Baik"),
        (76.60, "C", "Kurang Baik"),
        (76.604, "C", "Kurang Baik"),
        (76.605, "B", "Baik"),  # rounds to 76.61
        (76.61, "B", "Baik"),
        (88.30, "B", "Baik"),
        (88.3049, "B", "Baik"),
        (88.305, "A", "Sangat Baik"),  # rounds to 88.31
        (88.31, "A", "Sangat Baik"),
        (99.90, "A", "Sangat Baik"),
        (100, "A", "Sangat Baik"),
        (Fraction(17661, 200), "A", "Sangat Baik"),  # 88.305 exactly
    ],
)
def test_classify_boundaries(value: object, mutu: str, kinerja: str) -> None:
    assert classify(value) == (mutu, kinerja)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [100.01, -1, 150])
def test_classify_rejects_values_outside_scale(bad: float) -> None:
    with pytest.raises(ValueError):
        classify(bad)


# --- compute_ikm -------------------------------------------------------------------------


def test_all_fours_exact_is_100() -> None:
    result = compute_ikm(uniform(40), 10)
    assert result is not None
    assert result["ikm"] == 100.0
    assert result["ikm_index"] == 4.0
    assert (result["mutu"], result["kinerja"]) == ("A", "Sangat Baik")
    assert result["weight_mode"] == "exact"
    assert result["weight"] == pytest.approx(1 / 9)
    assert result["respondents"] == 10
    assert result["regulation"] == "PermenPANRB 14/2017"
    for key in KEYS:
        assert result["elements"][key]["nrr"] == 4.0
        assert result["elements"][key]["ikm"] == 100.0
        assert result["elements"][key]["ikm_rounded"] == 100.0
        assert result["elements"][key]["mutu"] == "A"


def test_all_fours_printed_weight_is_99_90() -> None:
    # 9 x NRR 4 x 0.111 = 3.996 -> x 25 = 99.90 (domain.md §1.3)
    result = compute_ikm(uniform(40), 10, weight_mode="printed_0_111")
    assert result is not None
    assert result["ikm"] == 99.9
    assert result["ikm_index"] == pytest.approx(3.996)
    assert result["weight"] == 0.111
    assert result["weight_mode"] == "printed_0_111"
    assert result["mutu"] == "A"
    # per-element values stay NRR x 25
    assert result["elements"]["waktu"]["ikm_rounded"] == 100.0


# Four respondents; NRR = sum / 4:
#   persyaratan 16 -> 4.00 -> 100.00 A     prosedur 12 -> 3.00 -> 75.00 C
#   waktu 10 -> 2.50 -> 62.50 D            biaya 16 -> 4.00 -> 100.00 A
#   produk 13 -> 3.25 -> 81.25 B           kompetensi 14 -> 3.50 -> 87.50 B
#   perilaku 15 -> 3.75 -> 93.75 A         pengaduan 9 -> 2.25 -> 56.25 D
#   sarana 11 -> 2.75 -> 68.75 C
# total 116; index = 116 / 36 = 3.2222...; IKM = 2900 / 36 = 80.5555... -> 80.56 B
# printed: 0.111 x 116 / 4 x 25 = 80.475 exactly -> 80.48 B
MIXED = {
    "persyaratan": 16,
    "prosedur": 12,
    "waktu": 10,
    "biaya": 16,
    "produk": 13,
    "kompetensi": 14,
    "perilaku": 15,
    "pengaduan": 9,
    "sarana": 11,
}


def test_mixed_example_by_hand() -> None:
    result = compute_ikm(MIXED, 4)
    assert result is not None
    assert result["ikm"] == 80.56
    assert result["ikm_index"] == pytest.approx(116 / 36)
    assert (result["mutu"], result["kinerja"]) == ("B", "Baik")
    expected = {
        "persyaratan": (4.0, 100.0, "A"),
        "prosedur": (3.0, 75.0, "C"),
        "waktu": (2.5, 62.5, "D"),
        "biaya": (4.0, 100.0, "A"),
        "produk": (3.25, 81.25, "B"),
        "kompetensi": (3.5, 87.5, "B"),
        "perilaku": (3.75, 93.75, "A"),
        "pengaduan": (2.25, 56.25, "D"),
        "sarana": (2.75, 68.75, "C"),
    }
    assert list(result["elements"]) == list(KEYS)
    for key, (nrr, ikm, mutu) in expected.items():
        element = result["elements"][key]
        assert element["nrr"] == nrr
        assert element["ikm"] == ikm
        assert element["ikm_rounded"] == ikm
        assert element["mutu"] == mutu
    assert result["lowest_elements"] == ["pengaduan", "waktu", "sarana"]


def test_mixed_example_printed_weight_rounds_exact_half_up() -> None:
    result = compute_ikm(MIXED, 4, weight_mode="printed_0_111")
    assert result is not None
    assert result["ikm"] == 80.48
    assert result["ikm_index"] == pytest.approx(3.219)


def test_unrounded_nrr_is_kept() -> None:
    sums = uniform(9)
    sums["biaya"] = 10  # 10 / 3 respondents
    result = compute_ikm(sums, 3)
    assert result is not None
    assert result["elements"]["biaya"]["nrr"] == pytest.approx(10 / 3, abs=1e-12)
    assert result["elements"]["biaya"]["ikm"] == pytest.approx(250 / 3, abs=1e-12)
    assert result["elements"]["biaya"]["ikm_rounded"] == 83.33
    # total 82 -> IKM = 25 x 82 / 27 = 75.925925... -> 75.93 C
    assert result["ikm"] == 75.93
    assert result["mutu"] == "C"


def test_exact_half_rounds_up() -> None:
    # 8 respondents, every element sum 9: NRR 1.125, IKM 28.125 exactly -> 28.13
    result = compute_ikm(uniform(9), 8)
    assert result is not None
    assert result["ikm"] == 28.13
    assert result["elements"]["sarana"]["ikm_rounded"] == 28.13
    assert result["mutu"] == "D"


def test_boundary_88_305_is_a() -> None:
    # 5000 respondents, every element sum 17661: NRR 3.5322 (falls in the gap of the
    # printed NI column 3.532 / 3.5324), IKM 88.305 -> 88.31 -> A (classified on NIK)
    result = compute_ikm(uniform(17661), 5000)
    assert result is not None
    assert result["ikm"] == 88.31
    assert result["mutu"] == "A"
    assert result["elements"]["produk"]["ikm_rounded"] == 88.31
    assert result["elements"]["produk"]["mutu"] == "A"


def test_lowest_elements_ties_follow_element_order() -> None:
    assert compute_ikm(uniform(3), 1)["lowest_elements"] == [  # type: ignore[index]
        "persyaratan",
        "prosedur",
        "waktu",
    ]
    sums = uniform(3)
    sums.update({"sarana": 2, "biaya": 2, "pengaduan": 1})
    result = compute_ikm(sums, 1)
    assert result is not None
    assert result["lowest_elements"] == ["pengaduan", "biaya", "sarana"]


def test_zero_respondents_returns_none() -> None:
    assert compute_ikm(uniform(0), 0) is None


@pytest.mark.parametrize(
    "sums",
    [
        {k: 4 for k in KEYS if k != "sarana"},
        {**uniform(4), "U1_PERSYARATAN": 4},
        {f"U{i}": 4 for i in range(1, 10)},
    ],
)
def test_wrong_keys_raise(sums: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        compute_ikm(sums, 1)


def test_wrong_keys_raise_even_with_zero_respondents() -> None:
    with pytest.raises(ValueError):
        compute_ikm({"sarana": 0}, 0)


@pytest.mark.parametrize(
    ("sums", "respondents"),
    [
        (uniform(5), 1),  # above 4 x respondents
        (uniform(1), 2),  # below respondents (answers are 1..4)
        (uniform(4), -1),
        ({**uniform(4), "waktu": 3.5}, 1),
    ],
)
def test_impossible_sums_raise(sums: dict[str, int], respondents: int) -> None:
    with pytest.raises(ValueError):
        compute_ikm(sums, respondents)


def test_unknown_weight_mode_raises() -> None:
    with pytest.raises(ValueError):
        compute_ikm(uniform(4), 1, weight_mode="0.111")


def _reference_half_up(x: Fraction) -> float:
    """Independent half-up rounding to 2 dp of a non-negative exact value."""
    return math.floor(x * 100 + Fraction(1, 2)) / 100


questionnaires = st.lists(
    st.lists(st.integers(min_value=1, max_value=4), min_size=9, max_size=9),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(questionnaires)
def test_property_ikm_is_25_times_mean_of_all_answers(answers: list[list[int]]) -> None:
    n = len(answers)
    sums = {key: sum(row[i] for row in answers) for i, key in enumerate(KEYS)}
    all_answers = [a for row in answers for a in row]
    mean = Fraction(sum(all_answers), len(all_answers))
    result = compute_ikm(sums, n)
    assert result is not None
    assert result["ikm"] == _reference_half_up(25 * mean)
    assert result["ikm_index"] == pytest.approx(float(mean))
    assert 25.0 <= result["ikm"] <= 100.0
    nrrs = [result["elements"][k]["nrr"] for k in result["lowest_elements"]]
    assert nrrs == sorted(nrrs)
    assert min(e["nrr"] for e in result["elements"].values()) == nrrs[0]


@settings(max_examples=100, deadline=None)
@given(questionnaires)
def test_property_printed_weight_is_0_999_of_exact(answers: list[list[int]]) -> None:
    n = len(answers)
    sums = {key: sum(row[i] for row in answers) for i, key in enumerate(KEYS)}
    total = sum(sums.values())
    result = compute_ikm(sums, n, weight_mode="printed_0_111")
    assert result is not None
    assert result["ikm"] == _reference_half_up(Fraction(111, 1000) * total / n * 25)


# --- confidence interval -----------------------------------------------------------------


def test_ci_needs_two_respondents() -> None:
    assert confidence_interval_95(3.0, 9.0, 1) is None
    assert confidence_interval_95(0.0, 0.0, 0) is None


def test_ci_by_hand() -> None:
    # per-respondent means 2, 3, 3, 4: mean 3, s^2 = (38 - 36) / 3 = 2/3,
    # se = sqrt(2/3 / 4) = 0.4082483, half = 1.96 x se = 0.8001666
    # -> 25 x (3 -/+ 0.8001666) = 54.995835 / 95.004165
    low, high = confidence_interval_95(12.0, 38.0, 4)  # type: ignore[misc]
    assert low == pytest.approx(54.995835, abs=1e-5)
    assert high == pytest.approx(95.004165, abs=1e-5)


def test_ci_zero_variance() -> None:
    # five respondents, each mean 3.2 -> IKM 80, no spread
    low, high = confidence_interval_95(16.0, 5 * 3.2**2, 5)  # type: ignore[misc]
    assert low == pytest.approx(80.0)
    assert high == pytest.approx(80.0)


def test_ci_is_clipped() -> None:
    # means 1 and 4: mean 2.5, s^2 = (17 - 12.5) / 1 = 4.5, se = 1.5, half = 2.94
    assert confidence_interval_95(5.0, 17.0, 2) == (25.0, 100.0)


def test_ci_finite_population_correction() -> None:
    # whole population surveyed -> no sampling error
    low, high = confidence_interval_95(12.0, 38.0, 4, population=4)  # type: ignore[misc]
    assert (low, high) == (pytest.approx(75.0), pytest.approx(75.0))
    with pytest.raises(ValueError):
        confidence_interval_95(12.0, 38.0, 4, population=3)


def test_ci_rejects_ikm_scale_input() -> None:
    with pytest.raises(ValueError):
        confidence_interval_95(300.0, 22500.0, 4)


# --- regional compilation ------------------------------------------------------------


def _unit(unit_id: str, respondents: int, answer: int, adequate: bool | None) -> dict:
    return {
        "unit_id": unit_id,
        "respondents": respondents,
        "sums": uniform(answer * respondents),
        "adequate": adequate,
    }


def test_compile_region_flags_and_excludes_tiny_sample() -> None:
    units = [
        _unit("rsud-a", 2, 4, True),  # IKM 100
        _unit("samsat-b", 38, 3, True),  # IKM 75
        _unit("uptd-c", 1, 1, False),  # IKM 25, too few respondents
    ]
    region = compile_region(units, "exact")
    # mean of units: (100 + 75) / 2 = 87.5 -> B
    assert region["ikm_mean_of_units"] == 87.5
    assert region["mutu_mean_of_units"] == "B"
    assert region["kinerja_mean_of_units"] == "Baik"
    # pooled: (2 x 4 + 38 x 3) / 40 = 3.05 -> 76.25 -> C
    assert region["ikm_pooled_respondents"] == 76.25
    assert region["mutu_pooled_respondents"] == "C"
    assert region["kinerja_pooled_respondents"] == "Kurang Baik"
    assert region["unit_count"] == 2
    assert region["respondent_count"] == 40
    assert region["units_included"] == ["rsud-a", "samsat-b"]
    assert region["unit_ikm"] == {"rsud-a": 100.0, "samsat-b": 75.0}
    assert region["flagged_units"] == [
        {"unit_id": "uptd-c", "respondents": 1, "reason": "inadequate_sample", "ikm": 25.0}
    ]
    # had the tiny unit been averaged in: (100 + 75 + 25) / 3 = 66.67
    assert region["ikm_mean_of_units"] != 66.67
    assert region["weight_mode"] == "exact"
    assert region["regulation"] == "PermenPANRB 14/2017"


def test_compile_region_unknown_adequacy_and_empty_units_are_flagged() -> None:
    units = [
        _unit("a", 10, 4, True),
        _unit("b", 10, 2, None),
        {"unit_id": "c", "respondents": 0, "sums": uniform(0), "adequate": True},
    ]
    region = compile_region(units)
    assert region["units_included"] == ["a"]
    assert region["ikm_mean_of_units"] == 100.0
    assert region["ikm_pooled_respondents"] == 100.0
    assert [(f["unit_id"], f["reason"], f["ikm"]) for f in region["flagged_units"]] == [
        ("b", "adequacy_unknown", 50.0),
        ("c", "no_respondents", None),
    ]


def test_compile_region_printed_weight() -> None:
    units = [_unit("a", 2, 4, True), _unit("b", 38, 3, True)]
    region = compile_region(units, "printed_0_111")
    # unit IKMs 99.9 and 74.925: mean 87.4125 -> 87.41; pooled 76.25 x 0.999 = 76.17375
    assert region["ikm_mean_of_units"] == 87.41
    assert region["ikm_pooled_respondents"] == 76.17
    assert region["mutu_pooled_respondents"] == "C"


def test_compile_region_without_adequate_units() -> None:
    region = compile_region([_unit("a", 3, 4, False)])
    assert region["unit_count"] == 0
    assert region["respondent_count"] == 0
    assert region["ikm_mean_of_units"] is None
    assert region["ikm_pooled_respondents"] is None
    assert region["mutu_mean_of_units"] is None
    assert len(region["flagged_units"]) == 1
    assert compile_region([])["units_included"] == []


def test_compile_region_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        compile_region([_unit("a", 1, 4, True), _unit("a", 1, 3, True)])
    with pytest.raises(ValueError):
        compile_region([{"unit_id": "a", "respondents": 1, "sums": uniform(4)}])
    with pytest.raises(ValueError):
        compile_region([_unit("a", 1, 4, "yes")])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        compile_region([_unit("a", 1, 4, True)], weight_mode="half")
