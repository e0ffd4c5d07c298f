"""Checking the arithmetic of a unit's SKM summary report (Laporan Hasil SKM) against
PermenPANRB 14/2017 (domain.md §1.3, §1.4, §7).

A unit that surveys with another tool sends its respondents, NRR per unsur (or the answer counts
1–4 per unsur), and the IKM and mutu it computed. `check_summary` recomputes the IKM and mutu
from the NRRs or the counts (pantau/rules/ikm.py: exact weight 1/9, conversion x25, half-up 2 dp
at the end only) and flags every discrepancy with its likely cause:

- ``ikm_mismatch``: the reported IKM differs from the recomputed one by more than 0.01;
  and, when a known mistake reproduces the reported figure (within 0.01), its cause:
- ``conversion_x20``: mean NRR x 20 instead of x 25;
- ``weights_0_111``: weights of 0.111 (printed in the Lampiran) instead of exactly 1/9;
- ``nrr_rounded``: NRRs rounded (to 1, 2 or 3 decimals) before weighting;
- ``mutu_mismatch``: the reported mutu is not the one the interval table gives for the reported IKM;
- ``sample_below``: fewer respondents than the Krejcie–Morgan sample for the population N;
- ``counts_sum``: per-unsur answer counts that do not add up to the respondents.

Pure, stdlib only. Input that cannot be an SKM (NRR outside 1..4, no respondents, unknown or
missing unsur) raises ``ValueError``: the survey service refuses it before it becomes an event.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from . import ikm as rules
from .sample import sample_adequacy

__all__ = ["TOLERANCE", "ANSWERS", "CAUSES", "recompute", "check_summary"]

TOLERANCE = Decimal("0.01")  # "beyond 0.01": a reported IKM within 0.01 of a figure matches it
ANSWERS = ("1", "2", "3", "4")
CAUSES = ("conversion_x20", "weights_0_111", "nrr_rounded")
_ROUNDINGS = (2, 3, 1)  # decimals a report may have rounded its NRRs to, most common first


def _fmt(x: Any, digits: int = 2) -> str:
    """A figure in an Indonesian message: decimal comma."""
    return f"{float(x):.{digits}f}".replace(".", ",")


def _per_unsur(summary: Mapping[str, Any]) -> tuple[str, dict[str, Fraction], dict[str, int] | None]:
    """(basis, exact NRR per unsur, answers counted per unsur or None)."""
    nrr, counts = summary.get("nrr"), summary.get("counts")
    if (nrr is None) == (counts is None):
        raise ValueError("a summary carries either nrr or counts, not both or neither")
    source = nrr if nrr is not None else counts
    assert source is not None  # exactly one of the two, checked above
    missing = [k for k in rules.ELEMENTS if k not in source]
    unexpected = sorted(str(k) for k in source if k not in rules.ELEMENTS)
    if missing or unexpected:
        raise ValueError(f"unsur missing: {missing or 'none'}; unknown: {unexpected or 'none'}")
    if nrr is not None:
        exact = {}
        for k in rules.ELEMENTS:
            v = nrr[k]
            exact[k] = Fraction(Decimal(repr(v))) if isinstance(v, float) else Fraction(v)
        return "nrr", exact, None
    exact, totals = {}, {}
    assert counts is not None
    for k in rules.ELEMENTS:
        c = counts[k]
        if set(c) != set(ANSWERS) or any(isinstance(c[a], bool) or not isinstance(c[a], int) or c[a] < 0
                                         for a in ANSWERS):
            raise ValueError(f"counts for {k!r} must give a whole number >= 0 for each answer 1..4")
        total = sum(c[a] for a in ANSWERS)
        if total == 0:
            raise ValueError(f"counts for {k!r} hold no answer")
        totals[k] = total
        exact[k] = Fraction(sum(int(a) * c[a] for a in ANSWERS), total)
    return "counts", exact, totals


def recompute(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The IKM and mutu a summary's NRRs (or counts) give under PermenPANRB 14/2017.

    From counts, NRR per unsur = sum of answers / answers counted for that unsur (exact).
    Returns ``basis`` (counts | nrr), ``nrr`` (per unsur, float), ``answers_counted`` (per unsur,
    counts only), and the IKM figures of ``ikm.compute_ikm_from_nrr`` in exact weight mode.
    """
    basis, exact, totals = _per_unsur(summary)
    result = rules.compute_ikm_from_nrr(exact, "exact")
    return {"basis": basis, "nrr": {k: float(v) for k, v in exact.items()}, "answers_counted": totals,
            "_exact": exact, **result}


def _close(reported: Decimal, candidate: Fraction) -> bool:
    return abs(reported - Decimal(str(rules.round_half_up(candidate, 2)))) <= TOLERANCE


def _rounded(exact: Mapping[str, Fraction], digits: int) -> dict[str, Fraction]:
    return {k: Fraction(Decimal(str(rules.round_half_up(v, digits)))) for k, v in exact.items()}


def _explain(reported: Decimal, exact: Mapping[str, Fraction]) -> tuple[list[str], Fraction | None, int | None]:
    """The known mistakes that reproduce the reported IKM (first match, simplest first):
    (causes, the figure they give, the NRR decimals when rounding is one of them)."""
    mean = sum(exact.values(), Fraction(0)) / len(exact)
    if _close(reported, mean * 20):
        return ["conversion_x20"], mean * 20, None
    printed = rules.compute_ikm_from_nrr(exact, "printed_0_111")["ikm_exact"]
    if _close(reported, printed):
        return ["weights_0_111"], printed, None
    for digits in _ROUNDINGS:
        r = _rounded(exact, digits)
        if r == dict(exact):
            continue  # the NRRs already have that many decimals: rounding changes nothing
        for mode, causes in (("exact", ["nrr_rounded"]), ("printed_0_111", ["nrr_rounded", "weights_0_111"])):
            value = rules.compute_ikm_from_nrr(r, mode)["ikm_exact"]
            if _close(reported, value):
                return causes, value, digits
        if _close(reported, sum(r.values(), Fraction(0)) / len(r) * 20):
            return ["nrr_rounded", "conversion_x20"], sum(r.values(), Fraction(0)) / len(r) * 20, digits
    return [], None, None


_CAUSE_MESSAGES = {
    "conversion_x20": "IKM yang dilaporkan sama dengan rata-rata NRR × 20; PermenPANRB 14/2017 mengonversi "
                      "dengan × 25 (nilai konversi 25–100).",
    "weights_0_111": "IKM yang dilaporkan dihitung dengan bobot 0,111 yang tercetak di Lampiran, bukan 1/9 persis; "
                     "hasilnya 0,1% lebih rendah (nilai tertinggi 99,90, bukan 100).",
    "nrr_rounded": "IKM yang dilaporkan didapat bila NRR tiap unsur dibulatkan ke {digits} desimal sebelum "
                   "dibobot; pembulatan hanya boleh pada nilai akhir.",
}


def check_summary(summary: Mapping[str, Any], population: int | None = None) -> dict[str, Any]:
    """Recompute a summary and list its discrepancies (``flags``, each with ``code`` and an
    Indonesian ``message``; ``flagged`` when there is any).

    ``summary``: ``respondents`` (> 0), ``nrr`` {unsur: 1..4} or ``counts`` {unsur: {"1".."4": n}},
    optional ``reported_ikm`` (25..100 scale) and ``reported_mutu`` (A–D). ``population``: the
    service users N of the period (None: the sample is not judged).
    """
    respondents = summary.get("respondents")
    if isinstance(respondents, bool) or not isinstance(respondents, int) or respondents < 1:
        raise ValueError(f"respondents must be a whole number >= 1, got {respondents!r}")
    r = recompute(summary)
    exact = r.pop("_exact")
    ikm_exact = r.pop("ikm_exact")
    flags: list[dict[str, Any]] = []
    reported_ikm, reported_mutu = summary.get("reported_ikm"), summary.get("reported_mutu")
    difference = None
    if reported_ikm is not None:
        reported = Decimal(repr(float(reported_ikm))) if isinstance(reported_ikm, float) else Decimal(reported_ikm)
        difference = float(reported - Decimal(str(r["ikm"])))
        if not _close(reported, ikm_exact):
            causes, value, digits = _explain(reported, exact)
            flags.append({
                "code": "ikm_mismatch", "reported": float(reported), "recomputed": r["ikm"],
                "difference": round(difference, 2), "causes": causes,
                "message": f"IKM yang dilaporkan ({_fmt(reported)}) tidak sama dengan hasil hitung ulang dari "
                           f"{'jumlah jawaban' if r['basis'] == 'counts' else 'NRR'} per unsur ({_fmt(r['ikm'])}, "
                           f"mutu {r['mutu']}); selisih {_fmt(difference)}."
                           + ("" if causes else " Penyebabnya tidak dikenali dari kesalahan yang umum."),
            })
            for cause in causes:
                assert value is not None  # a cause comes with the figure it gives
                flags.append({"code": cause, "reported": float(reported),
                              "reproduced": rules.round_half_up(value, 2),
                              **({"nrr_decimals": digits} if cause == "nrr_rounded" else {}),
                              "message": _CAUSE_MESSAGES[cause].format(digits=digits)})
    if reported_mutu is not None:
        basis_value = reported_ikm if reported_ikm is not None else ikm_exact
        expected, kinerja = rules.classify(basis_value)
        if reported_mutu != expected:
            of = f"IKM yang dilaporkan ({_fmt(reported_ikm)})" if reported_ikm is not None else \
                f"IKM hasil hitung ulang ({_fmt(r['ikm'])})"
            flags.append({"code": "mutu_mismatch", "reported": reported_mutu, "expected": expected,
                          "message": f"Mutu yang dilaporkan ({reported_mutu}) tidak sesuai dengan {of}: menurut "
                                     f"tabel nilai interval mutunya {expected} ({kinerja})."})
    sample = sample_adequacy(population, respondents)
    if sample["adequate"] is False:
        flags.append({"code": "sample_below", "respondents": respondents, "required": sample["required"],
                      "population": population,
                      "message": f"Responden ({respondents}) kurang dari sampel minimal Krejcie–Morgan "
                                 f"({sample['required']}) untuk populasi N = {population}."})
    totals = r["answers_counted"]
    if totals is not None:
        off = {k: n for k, n in totals.items() if n != respondents}
        if off:
            listed = ", ".join(f"{rules.ELEMENT_LABELS[k]} {n}" for k, n in off.items())
            flags.append({"code": "counts_sum", "respondents": respondents, "unsur": off,
                          "message": f"Jumlah jawaban per unsur tidak sama dengan jumlah responden ({respondents}): "
                                     f"{listed}."})
    return {**r, "respondents": respondents, "reported_ikm": reported_ikm, "reported_mutu": reported_mutu,
            "difference": None if difference is None else round(difference, 2), "sample": sample,
            "flags": flags, "flagged": bool(flags), "regulation": rules.REGULATION}
