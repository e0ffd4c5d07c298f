"""The F-02 instrument table, the IPP formula and the predikat bands (domain.md §4.2–4.4)."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from pantau.rules import pekppp_instrument as f02

INST = f02.instrument()
ALL = INST.numbers()


def test_thirty_indicators_in_six_aspects_with_six_rubric_lines_each():
    assert ALL == list(range(1, 31))
    assert [a.key for a in INST.aspects] == ["kebijakan", "sdm", "sarpras", "sipp", "pengaduan", "inovasi"]
    assert all(len(i.rubric) == 6 and i.text for a in INST.aspects for i in a.indicators)
    assert INST.indicator(28).code == "28.e.Ak" and INST.indicator(6).code == "6.a.B"


def test_weights_sum_to_one_per_aspect_and_overall():
    assert sum(a.weight for a in INST.aspects) == 1
    for a in INST.aspects:
        assert sum(i.weight for i in a.indicators) == 1, a.key


def test_documented_weights_and_single_source_marks():
    # domain.md §4.2, typed in from the document
    assert {a.key: a.weight * 100 for a in INST.aspects} == {
        "kebijakan": 24, "sdm": 25, "sarpras": 18, "sipp": 11, "pengaduan": 10, "inovasi": 12}
    assert [INST.indicator(n).weight * 100 for n in range(1, 10)] == [17, 14, 7, 14, 10, 17, 7, 7, 7]
    assert [INST.indicator(n).weight * 100 for n in (25, 26, 27, 28)] == [20, 25, 25, 30]
    assert not any(i.weight_single_source for i in INST.aspects[0].indicators)
    assert all(i.weight_single_source for a in INST.aspects[1:] for i in a.indicators)


@pytest.mark.parametrize("s, grade", [(0, "F"), (1, "F"), (2, "D"), (3, "C"), (4, "B"), (5, "A")])
def test_uniform_scores_give_that_ipp_and_its_predikat(s, grade):
    r = f02.ipp({n: s for n in ALL})
    assert r.value == s and not r.provisional and r.missing == ()
    assert r.predikat[0] == grade and r.minimum == r.maximum == s


@pytest.mark.parametrize("above, below, upper, lower", [
    ("4.51", "4.50", "A", "A-"), ("4.01", "4.00", "A-", "B"), ("3.51", "3.50", "B", "B-"),
    ("3.01", "3.00", "B-", "C"), ("2.51", "2.50", "C", "C-"), ("2.01", "2.00", "C-", "D"),
    ("1.51", "1.50", "D", "E"), ("1.01", "1.00", "E", "F"),
])
def test_band_boundaries(above, below, upper, lower):
    assert f02.predikat(Decimal(above))[0] == upper
    assert f02.predikat(Decimal(below))[0] == lower
    assert f02.predikat(Fraction(above))[0] == upper and f02.predikat(Fraction(below))[0] == lower


def test_classification_is_on_the_value_rounded_half_up_to_two_decimals():
    assert f02.predikat(Fraction(4505, 1000)) == ("A", "Pelayanan Prima")  # 4.505 → 4.51
    assert f02.predikat(Fraction(45049, 10000))[0] == "A-"                 # 4.5049 → 4.50
    assert f02.predikat(Decimal("3.85")) == ("B", "Baik")                  # published example [S71]


def test_a_missing_score_makes_the_ipp_provisional_never_zero():
    full = {n: 4 for n in ALL}
    del full[29]
    r = f02.ipp(full)
    assert r.provisional and r.missing == (29,)
    assert r.value == 4  # the scored ones, renormalised: not 4 − 0.12 × 0.5 × 4
    assert r.minimum == Fraction(4) - Fraction(12, 100) * Fraction(1, 2) * 4
    assert r.maximum == Fraction(4) + Fraction(12, 100) * Fraction(1, 2) * 1
    assert f02.ipp({}).value is None and f02.ipp({}).provisional


def test_mixed_scores_follow_the_formula():
    scores = {n: 4 for n in ALL} | {6: 5, 7: 2, 8: 3, 9: 0}
    # kebijakan: (17·4 + 14·4 + 7·4 + 14·4 + 10·4 + 17·5 + 7·2 + 7·3 + 7·0) / 100 = 3.68
    assert f02.ipp(scores).value == Fraction(24, 100) * Fraction(368, 100) + Fraction(76, 100) * 4
    assert f02.round2(f02.ipp(scores).value) == Decimal("3.92")


@pytest.mark.parametrize("bad", [{31: 3}, {0: 3}, {5: 6}, {5: -1}, {5: 2.5}])
def test_unknown_indicators_and_scores_outside_0_5_are_errors(bad):
    with pytest.raises(ValueError):
        f02.ipp(bad)
