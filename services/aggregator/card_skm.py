"""The SKM part of the unit card and of the bureau's overviews: the month tallies and survey
follow-up as they stood at `as_of` (`SkmInputs`; skm_read.py reads the tallies exactly), a
unit's IKM per period, and the card's SKM section (latest period, trend, weakest unsur, sample,
follow-up). Everything but `load_skm` is pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pantau.rules import ikm as rules
from pantau.rules.periods import Period, month_key, periods_for_year
from pantau.rules.sample import sample_adequacy
from pantau.rules.skm_result import UnitSkm

from . import skm_compliance
from .followup_at import followup_at
from .population import population
from .reports import far_below, objectivity_flags
from .skm_read import MonthTallies, month_tallies, result_of, summary_docs


@dataclass
class SkmInputs:
    """What the SKM part reads, already cut at `as_of` (tallies; follow-up as plain dicts)."""

    months: MonthTallies = field(default_factory=dict)  # unit -> "YYYY-MM" -> tally
    settings: dict[str, dict] = field(default_factory=dict)  # "unit:period" -> settings
    rtl: dict[str, list[dict]] = field(default_factory=dict)  # unit -> RTL items of the year
    pubs: dict[str, list[dict]] = field(default_factory=dict)  # unit -> publications of the year
    summaries: dict[str, list[dict]] = field(default_factory=dict)  # unit -> SKM summary reports recorded by then


def cut_skm(
    months: MonthTallies, settings_docs: list[dict], rtl: list[dict], pubs: list[dict], as_of: datetime, tz: str,
    summaries: dict[str, list[dict]] | None = None,
) -> SkmInputs:
    """Pure: the SKM inputs at `as_of` from month tallies already as they stood then
    (skm_read.py), the current follow-up documents and the units' summary reports (both cut
    here). Months after the month of `as_of` hold nothing then and are left out."""
    last_month = month_key(as_of, tz)
    out = SkmInputs()
    out.months = {u: {m: t for m, t in ms.items() if m <= last_month} for u, ms in months.items()}
    cut = followup_at(settings_docs, rtl, pubs, as_of, tz)
    out.settings, out.rtl, out.pubs = cut.settings, cut.rtl, cut.pubs
    out.summaries = {u: [d for d in docs if datetime.fromisoformat(d["recorded_at"]) <= as_of]
                     for u, docs in (summaries or {}).items()}
    return out


def load_skm(db, unit_ids: list[str], year: int, as_of: datetime, tz: str, live: bool = False,
             profile: bool = True) -> SkmInputs:
    """Read the year's and the previous year's tallies (for the trend) and the year's follow-up;
    `live`: `as_of` is now, so the tallies are read as they are; without `profile` (the bureau's
    overviews), the tallies carry no respondent profile (skm_read.month_tallies)."""
    months = month_tallies(db, unit_ids, (year - 1, year), None if live else as_of, profile)
    summaries = summary_docs(db, unit_ids, (year - 1, year))
    settings_docs = list(db["skm_settings"].find({"year": {"$in": [year - 1, year]}}))
    rtl = list(db["skm_rtl"].find({"year": year}))
    pubs = list(db["skm_publications"].find({"year": year}))
    keep = set(unit_ids)
    settings_docs = [d for d in settings_docs if d["unit_id"] in keep]
    rtl = [r for r in rtl if r["unit_id"] in keep]
    pubs = [p for p in pubs if p["unit_id"] in keep]
    return cut_skm(months, settings_docs, rtl, pubs, as_of, tz, summaries)


# ---- SKM section ------------------------------------------------------------------------------


def result_for(unit_id: str, period: Period, inp: SkmInputs) -> UnitSkm:
    return result_of(inp.months.get(unit_id, {}), inp.summaries.get(unit_id, []), period)


def period_ikm(unit_id: str, period: Period, inp: SkmInputs, weight_mode: str) -> dict:
    """Pure: the unit's IKM for one period, as `reports.unit_ikm` computes it (without the trend):
    from its responses, else its summary report (`source`)."""
    r = result_for(unit_id, period, inp)
    n = r.respondents
    adequacy = sample_adequacy(population(unit_id, period, inp.settings.get(f"{unit_id}:{period}")), n)
    body: dict = {"period": str(period), "respondents": n, "sample": adequacy, "source": r.source,
                  "compile": r.compile_input(unit_id, adequacy["adequate"]), "both_sources": r.both(weight_mode)}
    res = r.ikm(weight_mode)
    if res is None:
        return {**body, "ikm": None, "mutu": None, "kinerja": None, "elements": None, "weakest": [], "ci95": None,
                "ci95_note": None, "profile": {}, "flags": ["no_responses"]}
    elements = {
        k: {"label": rules.ELEMENT_LABELS[k], "nrr": round(v["nrr"], 4), "ikm": v["ikm_rounded"], "mutu": v["mutu"]}
        for k, v in res["elements"].items()
    }
    if r.source == "responses":
        profile, flags = r.tally.profile_counts(), objectivity_flags(r.tally, adequacy)
    else:
        assert r.summary is not None  # a result not from responses is from a summary
        profile = {f: dict(c) for f, c in r.summary.profile.items() if c}
        flags = ["sample_far_below_required"] if far_below(n, adequacy) else []
    return {**body, "ikm": res["ikm"], "mutu": res["mutu"], "kinerja": res["kinerja"], "elements": elements,
            "weakest": [{"element": k, **elements[k]} for k in res["lowest_elements"]], "ci95": r.ci95(),
            "ci95_note": r.ci95_note(), "profile": profile, "flags": flags, "summary": r.summary_view()}


def last_response_month(unit_id: str, inp: SkmInputs) -> str | None:
    months = [m for m, t in inp.months.get(unit_id, {}).items() if t.respondents]
    return max(months) if months else None


def skm_section(unit_id: str, year: int, inp: SkmInputs, weight_mode: str) -> dict:
    """Pure: the SKM part of a unit card (latest period, trend, weakest unsur, sample, follow-up)."""
    settings_doc = inp.settings.get(f"{unit_id}:{year}")
    period_type = (settings_doc or {}).get("period_type", "year")
    periods = periods_for_year(year, period_type)
    trend = []
    for p in periods_for_year(year - 1, period_type) + periods:
        r = period_ikm(unit_id, p, inp, weight_mode)
        trend.append(
            {
                "period": r["period"],
                "ikm": r["ikm"],
                "mutu": r["mutu"],
                "respondents": r["respondents"],
                "adequate": r["sample"]["adequate"],
            }
        )
    latest = None
    for p in reversed(periods):
        r = period_ikm(unit_id, p, inp, weight_mode)
        if r["respondents"]:
            latest = {k: v for k, v in r.items() if k != "compile"}
            break
    whole = period_ikm(unit_id, Period("year", year), inp, weight_mode)
    in_year = {m: t for m, t in inp.months.get(unit_id, {}).items() if m[:4] == f"{year:04d}"}
    compliance = skm_compliance.unit_compliance(
        unit_id, year, in_year, settings_doc, inp.rtl.get(unit_id, []), inp.pubs.get(unit_id, []),
        inp.summaries.get(unit_id, []),
    )
    return {
        "available": True,
        "period_type": period_type,
        "executor": compliance["executor"],
        "latest": latest,
        "year": {k: whole[k] for k in ("period", "respondents", "sample", "ikm", "mutu", "kinerja")},
        "trend": trend,
        "last_response_month": last_response_month(unit_id, inp),
        "periods_without_responses": compliance["periods_without_responses"],
        "publication": {
            "published": compliance["published"],
            "media": compliance["publication_media"],
            "electronic": compliance["electronic"],
            "non_electronic": compliance["non_electronic"],
        },
        "rtl": compliance["rtl"],
        "rtl_items": sorted(
            (
                {
                    k: r.get(k)
                    for k in (
                        "item_id",
                        "period",
                        "element",
                        "programme",
                        "owner",
                        "target_date",
                        "status",
                        "progress_pct",
                        "done_at",
                    )
                }
                for r in inp.rtl.get(unit_id, [])
            ),
            key=lambda r: (r["target_date"], r["item_id"]),
        ),
        "compliance": compliance,
    }


def unit_year_ikm(uid: str, year: int, inp: SkmInputs, weight_mode: str) -> dict:
    r = period_ikm(uid, Period("year", year), inp, weight_mode)
    return {
        "unit_id": uid,
        "respondents": r["respondents"],
        "ikm": r["ikm"],
        "mutu": r["mutu"],
        "adequate": r["sample"]["adequate"],
        "sample": r["sample"],
        "compile": r["compile"],
        "source": r["source"],
    }
