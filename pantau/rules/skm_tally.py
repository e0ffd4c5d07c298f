"""The SKM tally: everything the reports need of a set of questionnaires, in one immutable value.

A tally holds, for some responses (a unit's month, a period, an OPD, the province), the answer
sums per unsur, the respondent count, the sums of each respondent's mean score and its square
(for the confidence interval), the objectivity counters (all-4 questionnaires, answers outside
service hours, the largest identical-answer burst) and the respondent profile counts. Tallies
add (`+`); `ikm()`, `nrr()`, `mutu()` give the PermenPANRB 14/2017 figures (rules.ikm). Every
report, page, export and metric computes its SKM figures from tallies, so they cannot disagree.

The stored form (`month_doc_*`) keeps profile values as values, never as field names (a
service type may hold "." or start with "$", which a MongoDB-protocol store refuses as a name).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .ikm import ELEMENTS, compute_ikm, confidence_interval_95, round_half_up

PROFILE_FIELDS: tuple[str, ...] = ("sex", "education", "occupation", "channel", "service_type")
SERVICE_HOURS = range(7, 17)  # 07:00–16:59 local; outside is an objectivity signal, not an error
NOT_GIVEN = "tidak_diisi"

Counts = Mapping[str, int]


def _zero_sums() -> dict[str, int]:
    return {k: 0 for k in ELEMENTS}


@dataclass(frozen=True)
class SkmTally:
    respondents: int = 0
    sums: Mapping[str, int] = field(default_factory=_zero_sums)
    sum_x: float = 0.0
    sum_x2: float = 0.0
    all4: int = 0
    out_of_hours: int = 0
    burst: int = 0  # the largest identical-answer burst of any one month in it
    months: int = 0  # months with at least one respondent
    profile: Mapping[str, Counts] = field(default_factory=dict)
    last_submitted_at: str | None = None

    def __add__(self, other: SkmTally) -> SkmTally:
        profile: dict[str, dict[str, int]] = {f: dict(c) for f, c in self.profile.items()}
        for f, counts in other.profile.items():
            mine = profile.setdefault(f, {})
            for v, n in counts.items():
                mine[v] = mine.get(v, 0) + n
        last = max((t for t in (self.last_submitted_at, other.last_submitted_at) if t), default=None)
        return SkmTally(self.respondents + other.respondents,
                        {k: self.sums[k] + other.sums[k] for k in ELEMENTS},
                        self.sum_x + other.sum_x, self.sum_x2 + other.sum_x2, self.all4 + other.all4,
                        self.out_of_hours + other.out_of_hours, max(self.burst, other.burst),
                        self.months + other.months, profile, last)

    @staticmethod
    def total(tallies: Iterable[SkmTally]) -> SkmTally:
        out = SkmTally()
        for t in tallies:
            out = out + t
        return out

    def ikm(self, weight_mode: str = "exact") -> dict[str, Any] | None:
        """rules.ikm.compute_ikm of this tally (None without respondents)."""
        return compute_ikm(self.sums, self.respondents, weight_mode) if self.respondents else None

    def nrr(self) -> dict[str, float] | None:
        result = self.ikm()
        return None if result is None else {k: v["nrr"] for k, v in result["elements"].items()}

    def mutu(self, weight_mode: str = "exact") -> str | None:
        result = self.ikm(weight_mode)
        return None if result is None else str(result["mutu"])

    def ci95(self) -> list[float] | None:
        ci = confidence_interval_95(self.sum_x, self.sum_x2, self.respondents)
        return None if ci is None else [round_half_up(ci[0], 2), round_half_up(ci[1], 2)]

    def signals(self) -> dict[str, float | int]:
        n = self.respondents or 1
        return {"all4_share": round(self.all4 / n, 4), "out_of_hours_share": round(self.out_of_hours / n, 4),
                "largest_identical_burst": self.burst}

    def profile_counts(self) -> dict[str, dict[str, int]]:
        return {f: dict(c) for f, c in self.profile.items() if c}

    @staticmethod
    def of_month(doc: Mapping[str, Any]) -> SkmTally:
        """The tally of one stored month document (`month_doc_new` form)."""
        n = int(doc.get("respondents", 0))
        return SkmTally(n, {k: int(doc["sums"][k]) for k in ELEMENTS}, float(doc["sum_x"]), float(doc["sum_x2"]),
                        int(doc["all4"]), int(doc["out_of_hours"]), int(doc.get("burst", 0)), 1 if n else 0,
                        {f: counts_from_store(c) for f, c in (doc.get("profile") or {}).items()},
                        doc.get("last_submitted_at"))


# ---- the stored month document and its arithmetic (the projection's fold) ---------------------

def month_doc_new() -> dict[str, Any]:
    return {"respondents": 0, "sums": _zero_sums(), "sum_x": 0.0, "sum_x2": 0.0, "all4": 0, "out_of_hours": 0,
            "burst": 0, "profile": {f: [] for f in PROFILE_FIELDS}, "last_submitted_at": None}


def month_doc_add(doc: dict[str, Any], c: Mapping[str, Any], sign: int) -> None:
    """Add (sign 1) or take out (sign -1) one response's contribution `c` (answers, local_hour,
    submitted_at and the profile fields) to a stored month document, in place."""
    total = 0
    for k in ELEMENTS:
        doc["sums"][k] += sign * int(c["answers"][k])
        total += int(c["answers"][k])
    x = total / 9
    doc["respondents"] += sign
    doc["sum_x"] += sign * x
    doc["sum_x2"] += sign * x * x
    doc["all4"] += sign * (total == 36)
    doc["out_of_hours"] += sign * (c["local_hour"] not in SERVICE_HOURS)
    for f in PROFILE_FIELDS:
        value = c.get(f) or NOT_GIVEN
        entries = doc["profile"].setdefault(f, [])
        for e in entries:
            if e["value"] == value:
                e["count"] += sign
                if e["count"] == 0:
                    entries.remove(e)
                break
        else:  # (a count may go below zero while changes are taken back out of order)
            entries.append({"value": value, "count": sign})
    if sign > 0 and (doc["last_submitted_at"] or "") < c["submitted_at"]:
        doc["last_submitted_at"] = c["submitted_at"]


def counts_from_store(stored: Any) -> dict[str, int]:
    """{value: count} from the stored list of {value, count} (or a mapping stored by older code)."""
    if isinstance(stored, Mapping):
        return {str(k): int(v) for k, v in stored.items()}
    out: dict[str, int] = {}
    for entry in stored or ():
        out[entry["value"]] = out.get(entry["value"], 0) + int(entry["count"])
    return out


def counts_to_store(counts: Counts) -> list[dict[str, Any]]:
    return [{"value": v, "count": n} for v, n in counts.items()]
