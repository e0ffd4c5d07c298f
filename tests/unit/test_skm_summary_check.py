"""Checking a unit's SKM summary report: recomputation from NRRs and from counts, and each
discrepancy cause with a summary constructed to show it (pantau/rules/skm_summary_check.py)."""
from __future__ import annotations

from fractions import Fraction

import pytest

from pantau.rules import ikm as rules
from pantau.rules.skm_summary_check import check_summary, recompute

# sum 29.35, mean 3.26111…: x25 = 81.5278 (81.53, B); x20 = 65.22; 0,111 weights = 81.45
NRR = {"persyaratan": 3.2, "prosedur": 3.1, "waktu": 2.9, "biaya": 3.8, "produk": 3.3, "kompetensi": 3.4,
       "perilaku": 3.5, "pengaduan": 3.0, "sarana": 3.15}
# seven answers per unsur, 0×1 1×2 3×3 3×4: NRR 23/7 = 3.285714… in every unsur
COUNTS = {k: {"1": 0, "2": 1, "3": 3, "4": 3} for k in rules.ELEMENTS}


def codes(result):
    return [f["code"] for f in result["flags"]]


def test_recompute_from_nrr():
    r = recompute({"nrr": NRR})
    assert r["basis"] == "nrr" and r["ikm"] == 81.53 and r["mutu"] == "B" and r["kinerja"] == "Baik"
    assert r["ikm_exact"] == Fraction(2935, 36)


def test_recompute_from_counts_equals_compute_ikm_of_the_same_answers():
    r = recompute({"counts": COUNTS})
    same = rules.compute_ikm({k: 23 for k in rules.ELEMENTS}, 7)
    assert r["basis"] == "counts" and r["nrr"]["waktu"] == pytest.approx(23 / 7)
    assert r["ikm"] == same["ikm"] == 82.14 and r["mutu"] == same["mutu"] == "B"
    assert r["answers_counted"] == {k: 7 for k in rules.ELEMENTS}


def test_a_consistent_summary_has_no_flag():
    out = check_summary({"respondents": 120, "nrr": NRR, "reported_ikm": 81.53, "reported_mutu": "B"}, population=150)
    assert out["flags"] == [] and not out["flagged"] and out["difference"] == 0.0
    assert out["sample"]["required"] == 108 and out["sample"]["adequate"]


def test_within_one_hundredth_is_not_a_mismatch():
    assert check_summary({"respondents": 120, "nrr": NRR, "reported_ikm": 81.52})["flags"] == []


def test_reported_ikm_without_known_cause():
    out = check_summary({"respondents": 120, "nrr": NRR, "reported_ikm": 84.10})
    assert codes(out) == ["ikm_mismatch"]
    f = out["flags"][0]
    assert f["recomputed"] == 81.53 and f["difference"] == 2.57 and f["causes"] == []
    assert "84,10" in f["message"] and "81,53" in f["message"] and "tidak dikenali" in f["message"]


def test_conversion_x20():
    out = check_summary({"respondents": 120, "nrr": NRR, "reported_ikm": 65.22, "reported_mutu": "C"})
    assert codes(out) == ["ikm_mismatch", "conversion_x20"]
    assert out["flags"][1]["reproduced"] == 65.22 and "× 20" in out["flags"][1]["message"]


def test_weights_0_111():
    out = check_summary({"respondents": 120, "nrr": NRR, "reported_ikm": 81.45})
    assert codes(out) == ["ikm_mismatch", "weights_0_111"]
    assert "0,111" in out["flags"][1]["message"]


def test_nrr_rounded_before_weighting():
    # exact 82.14; NRR rounded to 3.29 first gives 82.25
    out = check_summary({"respondents": 7, "counts": COUNTS, "reported_ikm": 82.25})
    assert codes(out) == ["ikm_mismatch", "nrr_rounded"]
    assert out["flags"][1]["nrr_decimals"] == 2 and "2 desimal" in out["flags"][1]["message"]


def test_nrr_rounded_and_0_111_weights_together():
    # 3.29 × 9 × 0.111 × 25 = 82.16775 → 82.17
    out = check_summary({"respondents": 7, "counts": COUNTS, "reported_ikm": 82.17})
    assert codes(out) == ["ikm_mismatch", "nrr_rounded", "weights_0_111"]


def test_mutu_not_matching_the_reported_ikm():
    out = check_summary({"respondents": 120, "nrr": NRR, "reported_ikm": 81.53, "reported_mutu": "A"})
    assert codes(out) == ["mutu_mismatch"]
    assert out["flags"][0]["expected"] == "B" and "Sangat Baik" not in out["flags"][0]["message"]


def test_mutu_without_a_reported_ikm_is_judged_on_the_recomputed_one():
    out = check_summary({"respondents": 120, "nrr": NRR, "reported_mutu": "C"})
    assert codes(out) == ["mutu_mismatch"] and "hitung ulang" in out["flags"][0]["message"]


def test_respondents_below_the_required_sample():
    out = check_summary({"respondents": 100, "nrr": NRR, "reported_ikm": 81.53}, population=150)
    assert codes(out) == ["sample_below"]
    assert out["flags"][0]["required"] == 108 and "108" in out["flags"][0]["message"]
    assert check_summary({"respondents": 100, "nrr": NRR})["sample"]["adequate"] is None  # N unknown: not judged


def test_counts_not_summing_to_the_respondents():
    counts = {**COUNTS, "biaya": {"1": 0, "2": 1, "3": 2, "4": 3}}  # 6 answers, NRR 20/6
    out = check_summary({"respondents": 7, "counts": counts})
    assert codes(out) == ["counts_sum"] and out["flags"][0]["unsur"] == {"biaya": 6}
    assert "Biaya/Tarif 6" in out["flags"][0]["message"]
    assert out["nrr"]["biaya"] == pytest.approx(20 / 6)  # each unsur over its own answers


@pytest.mark.parametrize("summary", [
    {"respondents": 0, "nrr": NRR},
    {"respondents": 10, "nrr": {**NRR, "waktu": 0}},
    {"respondents": 10, "nrr": {**NRR, "waktu": 4.5}},
    {"respondents": 10, "nrr": NRR, "counts": COUNTS},
    {"respondents": 10},
    {"respondents": 10, "nrr": {k: v for k, v in NRR.items() if k != "sarana"}},
    {"respondents": 10, "nrr": {**NRR, "keamanan": 3.0}},
    {"respondents": 10, "counts": {**COUNTS, "sarana": {"1": 0, "2": 0, "3": 0, "4": 0}}},
])
def test_what_cannot_be_an_skm_raises(summary):
    with pytest.raises(ValueError):
        check_summary(summary)
