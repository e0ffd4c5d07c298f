"""A unit's SKM result for one period: from its responses when it has them, otherwise from the
Laporan Hasil SKM it submitted (a summary made with another survey tool), with ``source`` saying
which (``responses`` | ``summary`` | None). Every report, page, export and metric takes a unit's
period figures from ``UnitSkm``, so a summary unit counts the same everywhere.

Which summaries give a period (`covering`): among the unit's summaries recorded by ``as_of``
whose period lies within the asked one, the newest per period (a newer submission supersedes an
older one); then the longest periods first, each one taken when it does not overlap one already
taken (2026 asked: a yearly summary, else the quarters or months it has). Several summaries pool
as NRR x respondents, as units do in the province compilation (rules.ikm.compile_region).

Confidence interval: from responses, the respondent-level interval of rules.ikm. A summary of NRRs
gives none (``ci95_note`` says so). A summary of per-unsur answer counts gives a conservative one:
the per-respondent mean's standard deviation is at most the mean of the nine unsur's standard
deviations (the unsur's correlation is unknown; equality when they are perfectly correlated), so
the interval is at least as wide as the true one.

Pure, stdlib only.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from . import ikm as rules
from .periods import parse_period
from .skm_summary_check import ANSWERS, recompute
from .skm_tally import SkmTally

__all__ = ["SummaryBasis", "UnitSkm", "covering", "summary_basis", "CI_NOTE_NRR", "CI_NOTE_COUNTS"]

CI_NOTE_NRR = "summary_nrr_only"        # no interval: the summary has no answer counts
CI_NOTE_COUNTS = "summary_counts_bound"  # conservative interval from per-unsur answer counts
_Z_95 = 1.959963984540054


def covering(docs: Iterable[Mapping[str, Any]], period_months: Iterable[str],
             as_of: datetime | None = None) -> list[Mapping[str, Any]]:
    """The summaries (stored documents: period, submission_id, recorded_at, …) that give a unit's
    result for the period of `period_months`, as they stood at `as_of` (None: now)."""
    asked = set(period_months)
    newest: dict[str, Mapping[str, Any]] = {}
    for d in docs:
        if as_of is not None and datetime.fromisoformat(d["recorded_at"]) > as_of:
            continue
        if not set(parse_period(d["period"]).months) <= asked:
            continue
        cur = newest.get(d["period"])
        if cur is None or (d["recorded_at"], d["submission_id"]) > (cur["recorded_at"], cur["submission_id"]):
            newest[d["period"]] = d
    taken: list[Mapping[str, Any]] = []
    used: set[str] = set()
    for period in sorted(newest, key=lambda p: (-len(parse_period(p).months), parse_period(p).months)):
        months = set(parse_period(period).months)
        if months & used:
            continue
        used |= months
        taken.append(newest[period])
    return sorted(taken, key=lambda d: parse_period(d["period"]).months)


@dataclass(frozen=True)
class SummaryBasis:
    """What a unit's summaries give for a period: respondents, exact NRRs pooled by respondents,
    the answer counts per unsur when every summary has them, and which submissions they are."""

    respondents: int
    nrr: Mapping[str, Fraction]
    counts: Mapping[str, Mapping[str, int]] | None
    submissions: list[dict[str, Any]] = field(default_factory=list)
    profile: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def ikm(self, weight_mode: str = "exact") -> dict[str, Any]:
        out = rules.compute_ikm_from_nrr(self.nrr, weight_mode, self.respondents)
        out.pop("ikm_exact")
        return out

    def ci95(self) -> list[float] | None:
        """The conservative interval from answer counts (module docstring), else None."""
        if self.counts is None or self.respondents < 2:
            return None
        means, sds = [], []
        for k in rules.ELEMENTS:
            c = self.counts[k]
            n = sum(c[a] for a in ANSWERS)
            if n < 2:
                return None
            s1 = sum(int(a) * c[a] for a in ANSWERS)
            s2 = sum(int(a) ** 2 * c[a] for a in ANSWERS)
            means.append(s1 / n)
            sds.append(math.sqrt(max(0.0, (s2 - s1 * s1 / n) / (n - 1))))
        mean, sd = sum(means) / 9, sum(sds) / 9
        half = _Z_95 * sd / math.sqrt(self.respondents)
        return [rules.round_half_up(max(25.0, 25 * (mean - half)), 2),
                rules.round_half_up(min(100.0, 25 * (mean + half)), 2)]


def summary_basis(docs: list[Mapping[str, Any]]) -> SummaryBasis | None:
    """Pure: the pooled figures of the summaries `covering` chose (None without any)."""
    if not docs:
        return None
    n = sum(int(d["respondents"]) for d in docs)
    weighted = {k: Fraction(0) for k in rules.ELEMENTS}
    for d in docs:
        exact = recompute(d)["_exact"]
        for k in rules.ELEMENTS:
            weighted[k] += exact[k] * int(d["respondents"])
    counts = None
    if all(d.get("counts") for d in docs):
        counts = {k: {a: sum(int(d["counts"][k][a]) for d in docs) for a in ANSWERS} for k in rules.ELEMENTS}
    profile: dict[str, dict[str, int]] = {}
    for d in docs:
        for f, values in (d.get("profile") or {}).items():
            mine = profile.setdefault(f, {})
            for v, c in (values or {}).items():
                mine[v] = mine.get(v, 0) + int(c)
    subs = [{"period": d["period"], "submission_id": d["submission_id"], "respondents": d["respondents"],
             "recorded_at": d["recorded_at"], "reported_ikm": d.get("reported_ikm"),
             "reported_mutu": d.get("reported_mutu"), "basis": "counts" if d.get("counts") else "nrr",
             "executor": d.get("executor"), "survey_start": d.get("survey_start"), "survey_end": d.get("survey_end")}
            for d in docs]
    return SummaryBasis(n, {k: v / n for k, v in weighted.items()}, counts, subs, profile)


@dataclass(frozen=True)
class UnitSkm:
    """A unit's SKM for one period: its responses' tally and its summaries' figures."""

    tally: SkmTally
    summary: SummaryBasis | None = None

    @property
    def source(self) -> str | None:
        if self.tally.respondents:
            return "responses"
        return "summary" if self.summary is not None else None

    @property
    def respondents(self) -> int:
        if self.tally.respondents:
            return self.tally.respondents
        return self.summary.respondents if self.summary is not None else 0

    def ikm(self, weight_mode: str = "exact") -> dict[str, Any] | None:
        """rules.ikm.compute_ikm's answer for the source (None without any)."""
        if self.tally.respondents:
            return self.tally.ikm(weight_mode)
        return self.summary.ikm(weight_mode) if self.summary is not None else None

    def ci95(self) -> list[float] | None:
        if self.tally.respondents:
            return self.tally.ci95()
        return self.summary.ci95() if self.summary is not None else None

    def ci95_note(self) -> str | None:
        if self.source != "summary":
            return None
        assert self.summary is not None  # source "summary" has one
        return CI_NOTE_COUNTS if self.summary.counts is not None else CI_NOTE_NRR

    def compile_input(self, unit_id: str, adequate: bool | None) -> dict[str, Any]:
        """The unit as rules.ikm.compile_region takes it."""
        if self.source == "summary":
            assert self.summary is not None
            return {"unit_id": unit_id, "respondents": self.summary.respondents, "nrr": dict(self.summary.nrr),
                    "adequate": adequate}
        return {"unit_id": unit_id, "respondents": self.tally.respondents, "sums": dict(self.tally.sums),
                "adequate": adequate}

    def both(self, weight_mode: str = "exact") -> dict[str, Any] | None:
        """A unit with responses and a summary for the period: both IKMs and their difference
        (responses minus summary); None otherwise."""
        if not (self.tally.respondents and self.summary is not None):
            return None
        mine, theirs = self.tally.ikm(weight_mode), self.summary.ikm(weight_mode)
        assert mine is not None
        return {"responses": {"respondents": self.tally.respondents, "ikm": mine["ikm"], "mutu": mine["mutu"]},
                "summary": {"respondents": self.summary.respondents, "ikm": theirs["ikm"], "mutu": theirs["mutu"],
                            "submissions": self.summary.submissions},
                "difference": rules.round_half_up(Fraction(str(mine["ikm"])) - Fraction(str(theirs["ikm"])), 2)}

    def summary_view(self, weight_mode: str = "exact") -> dict[str, Any] | None:
        """What a report says of the summary it uses (source summary), else None."""
        if self.source != "summary":
            return None
        assert self.summary is not None
        return {"submissions": self.summary.submissions, "respondents": self.summary.respondents,
                "basis": "counts" if self.summary.counts is not None else "nrr"}
