"""IKM (Indeks Kepuasan Masyarakat) rules of PermenPANRB 14/2017.

Pure functions, stdlib only. References are to docs/domain.md:

- §1.2  the nine unsur, stored by element key, never by position;
- §1.3  NRR per unsur, weighted sum (weight 1/9, printed as 0.111), conversion x25,
        half-up rounding of the final value only, and the interval table (mutu pelayanan);
- §1.6  the three lowest unsur feed the Rencana Tindak Lanjut (RTL);
- §1.7  regional (province) compilation: no regulatory formula, so both the simple mean
        of unit IKMs and the respondent-pooled IKM are computed.

Internally every value is an exact ``Fraction``; floats are produced only at the output
boundary, and rounding/classification is done on the exact value, so results never
depend on binary floating-point noise (e.g. a true 28.125 always rounds to 28.13).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

__all__ = [
    "ELEMENTS",
    "ELEMENT_LABELS",
    "REGULATION",
    "WEIGHT_MODES",
    "round_half_up",
    "classify",
    "compute_ikm",
    "compute_ikm_from_nrr",
    "confidence_interval_95",
    "compile_region",
]

Number = int | float | Decimal | Fraction

REGULATION = "PermenPANRB 14/2017"

# §1.2: order of the definitions list (pengaduan = 8, sarana = 9). The sample questionnaire
# swaps the last two, which is why answers are always keyed by name.
ELEMENTS: tuple[str, ...] = (
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

ELEMENT_LABELS: dict[str, str] = {
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

# §1.3: "exact" = 1/9 (recommended); "printed_0_111" reproduces legacy reports (max 99.90).
_WEIGHTS: dict[str, Fraction] = {
    "exact": Fraction(1, 9),
    "printed_0_111": Fraction(111, 1000),
}
WEIGHT_MODES: tuple[str, ...] = tuple(_WEIGHTS)

# §1.3 interval table, on the converted value (NIK) rounded to 2 decimals; no gaps.
_INTERVALS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
)
_LOWEST: tuple[str, str] = ("D", "Tidak Baik")


def mutu_ranges() -> list[tuple[str, str, Decimal, Decimal]]:
    """(mutu, kinerja, lowest, highest) of the converted IKM per grade, A first (the table above)."""
    out: list[tuple[str, str, Decimal, Decimal]] = []
    top = Decimal("100.00")
    for low, mutu, kinerja in _INTERVALS:
        out.append((mutu, kinerja, low, top))
        top = low - Decimal("0.01")
    out.append((*_LOWEST, Decimal("25.00"), top))
    return out

_Z_95 = 1.96


def _to_decimal_half_up(x: Number, ndigits: int) -> Decimal:
    """Round ``x`` half-up (away from zero on ties) to ``ndigits`` decimals, as a Decimal.

    Floats are taken at their shortest repr (``88.305`` means 88.305, not the binary
    value just below it); Fractions and Decimals are rounded exactly.
    """
    if isinstance(x, bool) or not isinstance(x, (int, float, Decimal, Fraction)):
        raise TypeError(f"expected a number, got {type(x).__name__}")
    if not isinstance(ndigits, int) or ndigits < 0:
        raise ValueError(f"ndigits must be a non-negative int, got {ndigits!r}")
    if isinstance(x, Fraction):
        scale = 10**ndigits
        scaled = abs(x) * scale
        units = math.floor(scaled + Fraction(1, 2))
        result = Decimal(units).scaleb(-ndigits)
        return -result if x < 0 else result
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"cannot round a non-finite value: {x!r}")
        d = Decimal(repr(x))
    else:
        d = Decimal(x)
        if not d.is_finite():
            raise ValueError(f"cannot round a non-finite value: {x!r}")
    return d.quantize(Decimal(1).scaleb(-ndigits), rounding=ROUND_HALF_UP)


def round_half_up(x: Number, ndigits: int = 2) -> float:
    """Round half-up to ``ndigits`` decimals (domain.md §1.3: final value, 2 dp, half-up).

    >>> round_half_up(88.305)
    88.31
    >>> round_half_up(Fraction(225, 8))  # 28.125 exactly
    28.13
    """
    return float(_to_decimal_half_up(x, ndigits))


def classify(value_25_100: Number) -> tuple[str, str]:
    """Return ``(mutu, kinerja)`` for an IKM on the 25..100 scale (domain.md §1.3).

    The value is first rounded half-up to 2 decimals, then: A >= 88.31 "Sangat Baik",
    B >= 76.61 "Baik", C >= 65.00 "Kurang Baik", else D "Tidak Baik". Values slightly
    below 25 are accepted (the 0.111 weight mode gives 24.98 for all-1 answers); values
    outside [0, 100] raise ``ValueError`` because they are certainly not IKM values.
    """
    v = _to_decimal_half_up(value_25_100, 2)
    if v < 0 or v > 100:
        raise ValueError(f"IKM value must be within [25, 100], got {value_25_100!r}")
    for threshold, mutu, kinerja in _INTERVALS:
        if v >= threshold:
            return mutu, kinerja
    return _LOWEST


def _check_weight_mode(weight_mode: str) -> Fraction:
    try:
        return _WEIGHTS[weight_mode]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown weight_mode {weight_mode!r}; expected one of {', '.join(WEIGHT_MODES)}"
        ) from None


def _check_element_keys(values: Mapping[str, Any], name: str, kind: str) -> None:
    """`values` is a mapping with exactly the nine element keys."""
    if not isinstance(values, Mapping):
        raise ValueError(f"{name} must be a mapping of element key -> {kind}")
    missing = [k for k in ELEMENTS if k not in values]
    unexpected = sorted(str(k) for k in values if k not in ELEMENTS)
    if missing or unexpected:
        raise ValueError(
            f"{name} must have exactly the 9 element keys "
            f"(missing: {missing or 'none'}; unexpected: {unexpected or 'none'})"
        )


def _check_sums(sums: Mapping[str, int], respondents: int) -> None:
    if isinstance(respondents, bool) or not isinstance(respondents, int):
        raise ValueError(f"respondents must be an int, got {respondents!r}")
    if respondents < 0:
        raise ValueError(f"respondents must be >= 0, got {respondents}")
    _check_element_keys(sums, "sums", "int")
    for key in ELEMENTS:
        s = sums[key]
        if isinstance(s, bool) or not isinstance(s, int):
            raise ValueError(f"sum for {key!r} must be an int, got {s!r}")
        # Every complete questionnaire contributes an answer 1..4 per element (§1.2, §1.3).
        if not respondents <= s <= 4 * respondents:
            raise ValueError(
                f"sum for {key!r} is {s}, outside [{respondents}, {4 * respondents}] "
                f"for {respondents} respondents with answers 1..4"
            )


def _exact(
    sums: Mapping[str, int], respondents: int, weight_mode: str
) -> tuple[dict[str, Fraction], Fraction, Fraction] | None:
    """Validated exact values: (NRR per element, IKM index 1..4, IKM 25..100) or None."""
    weight = _check_weight_mode(weight_mode)
    _check_sums(sums, respondents)
    if respondents == 0:
        return None
    nrr = {k: Fraction(sums[k], respondents) for k in ELEMENTS}
    index = sum(nrr.values(), Fraction(0)) * weight
    return nrr, index, index * 25


def _exact_unit(
    unit: Mapping[str, Any], weight_mode: str
) -> tuple[dict[str, Fraction], Fraction, Fraction] | None:
    """`_exact` of a compile_region unit given by answer sums, or by exact NRRs and respondents
    (a unit whose result comes from its summary report: its sums are NRR x respondents)."""
    if "sums" in unit:
        return _exact(unit["sums"], unit["respondents"], weight_mode)
    n = unit["respondents"]
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"respondents must be an int >= 0, got {n!r}")
    if n == 0:
        return None
    r = compute_ikm_from_nrr(unit["nrr"], weight_mode)
    nrr = {k: Fraction(Decimal(repr(v))) if isinstance(v, float) else Fraction(v) for k, v in unit["nrr"].items()}
    index = r["ikm_exact"] / 25
    return nrr, index, r["ikm_exact"]


def compute_ikm(
    sums: Mapping[str, int], respondents: int, weight_mode: str = "exact"
) -> dict[str, Any] | None:
    """Compute a unit's IKM from per-element answer sums (domain.md §1.3).

    ``sums[element]`` is the sum of the 1..4 answers over ``respondents`` complete
    questionnaires (incomplete ones are rejected upstream, §1.3). Returns None when
    ``respondents == 0``; raises ``ValueError`` on wrong/missing element keys, an unknown
    ``weight_mode`` or sums that cannot come from 1..4 answers.

    Result keys: ``respondents``; ``elements`` = {key: {nrr, ikm (nrr*25, unrounded),
    ikm_rounded, mutu, kinerja}}; ``ikm_index`` (sum of NRR x weight, unrounded);
    ``ikm`` (index x 25, half-up 2 dp); ``mutu``; ``kinerja``; ``weight_mode``; ``weight``;
    ``lowest_elements`` (3 lowest NRR, lowest first, ties by ELEMENTS order, §1.6);
    ``regulation``. Per-element values are always NRR x 25, whatever the weight mode.
    """
    _check_weight_mode(weight_mode)
    _check_sums(sums, respondents)
    if respondents == 0:
        return None
    r = _result_of_sums(tuple(int(sums[k]) for k in ELEMENTS), respondents, weight_mode)
    # a fresh copy: the cached result is shared by every caller
    return {**r, "elements": {k: dict(v) for k, v in r["elements"].items()}, "lowest_elements": list(r["lowest_elements"])}


@functools.lru_cache(maxsize=8192)
def _result_of_sums(sums: tuple[int, ...], respondents: int, weight_mode: str) -> dict[str, Any]:
    """`_result` of validated sums (in ELEMENTS order), remembered: a report over many units
    and periods asks for the same tallies' IKM several times, and the exact arithmetic
    (Fractions, Decimal rounding) is most of its Python time (bench/README.md, "reports")."""
    return _result({k: Fraction(s, respondents) for k, s in zip(ELEMENTS, sums, strict=True)}, respondents,
                   weight_mode)


def _result(nrr: Mapping[str, Fraction], respondents: int | None, weight_mode: str) -> dict[str, Any]:
    """The unit result of nine exact NRRs (the shape `compute_ikm` documents)."""
    weight = _check_weight_mode(weight_mode)
    index = sum(nrr.values(), Fraction(0)) * weight
    ikm_exact = index * 25
    elements: dict[str, dict[str, Any]] = {}
    for key in ELEMENTS:
        element_ikm = nrr[key] * 25
        mutu, kinerja = classify(element_ikm)
        elements[key] = {
            "nrr": float(nrr[key]),
            "ikm": float(element_ikm),
            "ikm_rounded": round_half_up(element_ikm, 2),
            "mutu": mutu,
            "kinerja": kinerja,
        }
    order = {k: i for i, k in enumerate(ELEMENTS)}
    lowest = sorted(ELEMENTS, key=lambda k: (nrr[k], order[k]))[:3]
    mutu, kinerja = classify(ikm_exact)
    return {
        "respondents": respondents,
        "elements": elements,
        "ikm_index": float(index),
        "ikm": round_half_up(ikm_exact, 2),
        "mutu": mutu,
        "kinerja": kinerja,
        "weight_mode": weight_mode,
        "weight": float(weight),
        "lowest_elements": lowest,
        "regulation": REGULATION,
    }


def compute_ikm_from_nrr(
    nrr: Mapping[str, Number], weight_mode: str = "exact", respondents: int | None = None
) -> dict[str, Any]:
    """The IKM of nine given NRRs (1..4), for summaries that carry no answer sums (domain.md §1.3).

    ``nrr[element]`` is taken exactly (floats at their shortest repr, so 3.25 is 13/4). Returns
    the keys of ``compute_ikm`` (``respondents`` as given) plus ``ikm_exact`` (the unrounded
    Fraction x 25). Raises ``ValueError`` on wrong or missing keys, an NRR outside 1..4 or an
    unknown ``weight_mode``. With NRRs that are exact ratios of sums (Fractions) this equals
    ``compute_ikm`` of those sums.
    """
    weight = _check_weight_mode(weight_mode)
    _check_element_keys(nrr, "nrr", "number")
    exact: dict[str, Fraction] = {}
    for key in ELEMENTS:
        v = nrr[key]
        if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, Fraction)):
            raise ValueError(f"nrr for {key!r} must be a number, got {v!r}")
        f = Fraction(Decimal(repr(v))) if isinstance(v, float) else Fraction(v)
        if not 1 <= f <= 4:
            raise ValueError(f"nrr for {key!r} is {v!r}, outside 1..4")
        exact[key] = f
    return {**_result(exact, respondents, weight_mode), "ikm_exact": sum(exact.values(), Fraction(0)) * weight * 25}


def confidence_interval_95(
    sum_x: float, sum_x2: float, n: int, *, population: int | None = None
) -> tuple[float, float] | None:
    """95 % confidence interval of the IKM (25..100 scale), normal approximation.

    Unit of analysis: the respondent. ``x`` is one respondent's mean score over their 9
    answers (1..4), so the IKM in exact weight mode is 25 x mean(x) (domain.md §1.3,
    one-line formula). ``sum_x`` and ``sum_x2`` are the sums of x and x**2 over ``n``
    respondents. Uses the sample variance (n-1), z = 1.96 and, when ``population`` is
    given, the finite-population correction sqrt((N-n)/(N-1)). Bounds are unrounded and
    clipped to [25, 100]. Returns None if n < 2. The interval is for the exact-weight
    IKM; the ``printed_0_111`` mode would shift both bounds by -0.1 %.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"n must be an int, got {n!r}")
    if n < 2:
        return None
    mean = sum_x / n
    if not (1 - 1e-9 <= mean <= 4 + 1e-9):
        raise ValueError(
            f"mean per-respondent score {mean!r} is outside 1..4; "
            "pass sums of per-respondent means on the 1..4 scale"
        )
    variance = max(0.0, (sum_x2 - sum_x * sum_x / n) / (n - 1))
    fpc = 1.0
    if population is not None:
        if population < n:
            raise ValueError(f"population {population} is smaller than n={n}")
        fpc = math.sqrt((population - n) / (population - 1))
    half_width = _Z_95 * math.sqrt(variance / n) * fpc
    low = max(25.0, 25.0 * (mean - half_width))
    high = min(100.0, 25.0 * (mean + half_width))
    return low, high


def compile_region(
    units: Sequence[Mapping[str, Any]], weight_mode: str = "exact"
) -> dict[str, Any]:
    """Compile a regional (province) IKM from unit results (domain.md §1.7).

    Each unit is ``{"unit_id", "respondents", "sums", "adequate"}``, or with ``"nrr"`` (nine
    exact NRRs) instead of ``"sums"`` for a unit whose result comes from its summary report
    (it pools as NRR x respondents). Both methods are computed over the same set of units:

    - ``ikm_mean_of_units``: simple mean of the unrounded unit IKMs, rounded half-up;
    - ``ikm_pooled_respondents``: IKM of the pooled sums and respondents
      (= respondent-weighted mean of unit IKMs).

    Treatment of units (decision): only units with ``adequate is True`` (sample meets
    Krejcie & Morgan, §1.4) and at least one respondent are included. Units with
    ``adequate`` False ("inadequate_sample"), None ("adequacy_unknown", e.g. population
    not registered) or zero respondents ("no_respondents") are excluded from BOTH methods
    and reported in ``flagged_units`` with their own IKM, never silently averaged in.
    ``unit_count`` and ``respondent_count`` describe the included units only. With no
    included unit, both IKMs and their mutu/kinerja are None.
    """
    weight = _check_weight_mode(weight_mode)
    seen: set[str] = set()
    included: list[tuple[str, Mapping[str, int], int, Fraction]] = []
    flagged: list[dict[str, Any]] = []
    for unit in units:
        missing = [k for k in ("unit_id", "respondents", "adequate") if k not in unit]
        if ("sums" in unit) == ("nrr" in unit):
            missing.append("sums or nrr")
        if missing:
            raise ValueError(f"unit {unit.get('unit_id')!r} is missing keys {missing}")
        unit_id = unit["unit_id"]
        if unit_id in seen:
            raise ValueError(f"duplicate unit_id {unit_id!r}")
        seen.add(unit_id)
        adequate = unit["adequate"]
        if adequate is not True and adequate is not False and adequate is not None:
            raise ValueError(f"unit {unit_id!r}: adequate must be True, False or None")
        exact = _exact_unit(unit, weight_mode)
        if exact is None:
            reason = "no_respondents"
        elif adequate is True:
            sums = {k: exact[0][k] * unit["respondents"] for k in ELEMENTS}
            included.append((unit_id, sums, unit["respondents"], exact[2]))
            continue
        elif adequate is False:
            reason = "inadequate_sample"
        else:
            reason = "adequacy_unknown"
        flagged.append(
            {
                "unit_id": unit_id,
                "respondents": unit["respondents"],
                "reason": reason,
                "ikm": None if exact is None else round_half_up(exact[2], 2),
            }
        )

    result: dict[str, Any] = {
        "regulation": REGULATION,
        "weight_mode": weight_mode,
        "weight": float(weight),
        "units_included": [u[0] for u in included],
        "unit_count": len(included),
        "respondent_count": sum(u[2] for u in included),
        "unit_ikm": {u[0]: round_half_up(u[3], 2) for u in included},
        "flagged_units": flagged,
        "ikm_mean_of_units": None,
        "mutu_mean_of_units": None,
        "kinerja_mean_of_units": None,
        "ikm_pooled_respondents": None,
        "mutu_pooled_respondents": None,
        "kinerja_pooled_respondents": None,
    }
    if not included:
        return result

    mean_exact = sum((u[3] for u in included), Fraction(0)) / len(included)
    pooled_sums = {k: sum((u[1][k] for u in included), Fraction(0)) for k in ELEMENTS}
    pooled_exact = sum(pooled_sums.values(), Fraction(0)) / result["respondent_count"] * weight * 25
    result["ikm_mean_of_units"] = round_half_up(mean_exact, 2)
    result["mutu_mean_of_units"], result["kinerja_mean_of_units"] = classify(mean_exact)
    result["ikm_pooled_respondents"] = round_half_up(pooled_exact, 2)
    result["mutu_pooled_respondents"], result["kinerja_pooled_respondents"] = classify(
        pooled_exact
    )
    return result
