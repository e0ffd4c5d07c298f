"""The PEKPPP F-02 instrument as data, and the Indeks Pelayanan Publik (IPP) with its predikat.

The instrument (30 indicators in 6 aspects, the rubric line of every score 0–5, the aspect and
indicator weights and the principle code of each indicator) is the versioned table
`pekppp_f02_2024.json` beside this module (domain.md §4.1–4.3). A report states the `VERSION`
it was computed under. Weights documented from one source only (every indicator weight outside
"Kebijakan pelayanan", domain.md §9 no. 9) carry `weight_single_source`.

IPP = Σ_aspect w_aspect × Σ_indicator w_indicator × score / 5 × 5 (domain.md §4.4, weights as
fractions), computed exactly (fractions) and rounded half up to two decimals only for display
and for the predikat bands. With indicators unscored the IPP is *provisional*: it is the same
formula over the scored indicators with their weights renormalised (within each aspect, and over
the aspects that have a score), and `ipp_min` / `ipp_max` give the range the final IPP can still
take (missing scores as 0 and as 5). A missing score is never counted as 0 silently.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("pekppp_f02_2024.json")
SCORES = range(6)

# domain.md §4.4: classification on the value rounded to two decimals
BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("4.51"), "A", "Pelayanan Prima"),
    (Decimal("4.01"), "A-", "Sangat Baik"),
    (Decimal("3.51"), "B", "Baik"),
    (Decimal("3.01"), "B-", "Baik dengan catatan"),
    (Decimal("2.51"), "C", "Cukup"),
    (Decimal("2.01"), "C-", "Cukup dengan catatan"),
    (Decimal("1.51"), "D", "Buruk"),
    (Decimal("1.01"), "E", "Sangat Buruk"),
    (Decimal("0.00"), "F", "Gagal"),
)


@dataclass(frozen=True)
class Indicator:
    number: int
    code: str
    principle: str
    weight: Fraction  # within its aspect
    weight_single_source: bool
    text: str
    rubric: tuple[str, ...]  # the line for score 0..5
    aspect: str


@dataclass(frozen=True)
class Aspect:
    key: str
    name: str
    weight: Fraction
    weight_single_source: bool
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Instrument:
    version: str
    title: str
    basis: str
    sources: Mapping[str, str]
    principles: Mapping[str, str]
    aspects: tuple[Aspect, ...]

    def indicator(self, number: int) -> Indicator | None:
        return self.by_number().get(number)

    def by_number(self) -> dict[int, Indicator]:
        return {i.number: i for a in self.aspects for i in a.indicators}

    def numbers(self) -> list[int]:
        return sorted(self.by_number())


def _load(path: Path) -> Instrument:
    raw = json.loads(path.read_text(encoding="utf-8"))
    aspects = []
    for a in raw["aspects"]:
        inds = tuple(
            Indicator(i["number"], i["code"], i["principle"], Fraction(i["weight_pct"], 100),
                      bool(i["weight_single_source"]), i["text"], tuple(i["rubric"]), a["key"])
            for i in a["indicators"]
        )
        aspects.append(Aspect(a["key"], a["name"], Fraction(a["weight_pct"], 100), bool(a["weight_single_source"]), inds))
    inst = Instrument(raw["version"], raw["title"], raw["basis"], raw["sources"], raw["principles"], tuple(aspects))
    _check(inst)
    return inst


def _check(inst: Instrument) -> None:
    """The table is consistent: weights sum to 1 per aspect and overall, six rubric lines each,
    numbers 1..N unique, every principle code known."""
    if sum(a.weight for a in inst.aspects) != 1:
        raise ValueError("aspect weights do not sum to 100 %")
    numbers = [i.number for a in inst.aspects for i in a.indicators]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        raise ValueError("indicator numbers are not 1..N")
    for a in inst.aspects:
        if sum(i.weight for i in a.indicators) != 1:
            raise ValueError(f"indicator weights of {a.key} do not sum to 100 %")
        for i in a.indicators:
            if len(i.rubric) != len(SCORES) or i.principle not in inst.principles:
                raise ValueError(f"indicator {i.number}: six rubric lines and a known principle needed")


@cache
def instrument() -> Instrument:
    return _load(TABLE_FILE)


VERSION = instrument().version


def round2(x: Fraction) -> Decimal:
    """Half up to two decimals, from the exact value."""
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def predikat(value: Fraction | Decimal | float) -> tuple[str, str]:
    """(predikat, label) of an IPP by the bands of domain.md §4.4, on the value rounded to 2 decimals."""
    v = round2(Fraction(value)) if not isinstance(value, Decimal) else value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    if v < 0 or v > 5:
        raise ValueError(f"IPP {v} outside 0–5")
    for floor, grade, label in BANDS:
        if v >= floor:
            return grade, label
    raise AssertionError("unreachable: the last band starts at 0")


@dataclass(frozen=True)
class AspectScore:
    key: str
    name: str
    weight: Fraction
    score: Fraction | None  # 0–5 over its scored indicators (renormalised), None if none scored
    scored: int
    total: int


@dataclass(frozen=True)
class Ipp:
    value: Fraction | None  # None when nothing is scored
    minimum: Fraction  # missing scores as 0
    maximum: Fraction  # missing scores as 5
    provisional: bool
    missing: tuple[int, ...]
    aspects: tuple[AspectScore, ...]

    @property
    def predikat(self) -> tuple[str, str] | None:
        return None if self.value is None else predikat(self.value)


def _weighted(aspects: tuple[Aspect, ...], scores: Mapping[int, int], fill: int | None) -> tuple[Fraction | None, list[AspectScore]]:
    """Σ_a w_a × Σ_i w_i × s_i, with a missing score as `fill`, or (fill None) renormalised away."""
    total, weight_used, rows = Fraction(0), Fraction(0), []
    for a in aspects:
        s, w, n = Fraction(0), Fraction(0), 0
        for i in a.indicators:
            v = scores.get(i.number, fill)
            if v is None:
                continue
            s += i.weight * v
            w += i.weight
            n += i.number in scores
        score = s / w if w else None
        rows.append(AspectScore(a.key, a.name, a.weight, score, n, len(a.indicators)))
        if score is not None:
            total += a.weight * score
            weight_used += a.weight
    return (total / weight_used if weight_used else None), rows


def ipp(scores: Mapping[int, int], inst: Instrument | None = None) -> Ipp:
    """The IPP of one evaluation from {indicator number: score 0–5} (missing = not yet scored)."""
    inst = inst or instrument()
    known = inst.by_number()
    for n, v in scores.items():
        if n not in known:
            raise ValueError(f"unknown indicator {n}")
        if v not in SCORES:
            raise ValueError(f"score {v!r} of indicator {n} outside 0–5")
    value, rows = _weighted(inst.aspects, scores, None)
    low, _ = _weighted(inst.aspects, scores, 0)
    high, _ = _weighted(inst.aspects, scores, 5)
    missing = tuple(n for n in inst.numbers() if n not in scores)
    assert low is not None and high is not None
    return Ipp(value, low, high, bool(missing), missing, tuple(rows))


def instrument_markdown(inst: Instrument | None = None) -> str:
    """docs/pekppp.md: the instrument as the code holds it (generated, never written twice)."""
    inst = inst or instrument()
    out = ["<!-- generated by `python -m pantau.rules.pekppp_instrument`: edit pantau/rules/pekppp_f02_2024.json -->",
           "", f"# PEKPPP instrument {inst.version}", "", f"{inst.title}. Basis: {inst.basis}.", "",
           "IPP = Σ aspect weight × Σ indicator weight × score (0–5). Predikat on the IPP rounded to two decimals: "
           + "; ".join(f"{g} {label} ≥ {floor}" for floor, g, label in BANDS) + ".", "",
           "Sources: " + "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in inst.sources.items()) + ".", "",
           "Principles: " + "; ".join(f"`{k}` {v}" for k, v in inst.principles.items()) + ".", "",
           "A weight marked † is documented by one source only (domain.md §9 no. 9).", ""]
    for a in inst.aspects:
        out += [f"## {a.name} — {int(a.weight * 100)} %{' †' if a.weight_single_source else ''}", "",
                "| Code | Indicator | Weight in aspect | 0 | 1 | 2 | 3 | 4 | 5 |", "|---|---|---|---|---|---|---|---|---|"]
        out += [f"| {i.code} | {i.text} | {int(i.weight * 100)} %{' †' if i.weight_single_source else ''} | "
                + " | ".join(i.rubric) + " |" for i in a.indicators]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(instrument_markdown(), end="")
