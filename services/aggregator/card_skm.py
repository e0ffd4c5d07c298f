"""The SKM part of the unit card and of the bureau's overviews: the buckets and survey follow-up
as they stood at `as_of` (`SkmInputs`, see `skm_asof` for the exact rewind), a unit's IKM per
period, and the card's SKM section (latest period, trend, weakest unsur, sample, follow-up).
Everything but `load_skm` is pure."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from pantau.rules import ikm as rules
from pantau.rules.periods import Period, month_key, periods_for_year
from pantau.rules.sample import sample_adequacy

from . import skm_compliance
from .reports import BUCKET_FIELDS, _merge, objectivity_flags, population_for
from .skm_asof import buckets_at, followup_at


@dataclass
class SkmInputs:
    """What the SKM part reads, already cut at `as_of` (plain dicts, as stored)."""

    buckets: dict[str, list[dict]] = field(default_factory=dict)  # unit -> month buckets
    settings: dict[str, dict] = field(default_factory=dict)  # "unit:period" -> settings
    rtl: dict[str, list[dict]] = field(default_factory=dict)  # unit -> RTL items of the year
    pubs: dict[str, list[dict]] = field(default_factory=dict)  # unit -> publications of the year


def cut_skm(
    buckets: list[dict], settings_docs: list[dict], rtl: list[dict], pubs: list[dict], as_of: datetime, tz: str
) -> SkmInputs:
    """Pure: the SKM inputs at `as_of` from buckets already as they stood then (`skm_asof`) and
    the current follow-up documents (cut here). Months after the month of `as_of` hold nothing
    then and are left out."""
    last_month = month_key(as_of, tz)
    out = SkmInputs()
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for b in buckets:
        if b["month"] <= last_month:
            by_unit[b["unit_id"]].append(b)
    out.buckets = dict(by_unit)
    cut = followup_at(settings_docs, rtl, pubs, as_of, tz)
    out.settings, out.rtl, out.pubs = cut.settings, cut.rtl, cut.pubs
    return out


def load_skm(db, unit_ids: list[str] | None, year: int, as_of: datetime, tz: str, live: bool = False) -> SkmInputs:
    """Read the year's and the previous year's buckets (for the trend) and the year's follow-up;
    `live`: `as_of` is now, so the live buckets are read without rewinding."""
    months = list(Period("year", year - 1).months) + list(Period("year", year).months)
    ids = unit_ids if unit_ids is not None and len(unit_ids) == 1 else None
    buckets = buckets_at(db, ids, months, None if live else as_of, BUCKET_FIELDS)
    settings_docs = list(db["skm_settings"].find({"year": {"$in": [year - 1, year]}}))
    rtl = list(db["skm_rtl"].find({"year": year}))
    pubs = list(db["skm_publications"].find({"year": year}))
    if unit_ids is not None:
        keep = set(unit_ids)
        buckets = [b for b in buckets if b["unit_id"] in keep]
        settings_docs = [d for d in settings_docs if d["unit_id"] in keep]
        rtl = [r for r in rtl if r["unit_id"] in keep]
        pubs = [p for p in pubs if p["unit_id"] in keep]
    return cut_skm(buckets, settings_docs, rtl, pubs, as_of, tz)


# ---- SKM section ------------------------------------------------------------------------------


def _population(unit_id: str, period: Period, inp: SkmInputs) -> int | None:
    doc = inp.settings.get(f"{unit_id}:{period}")
    if doc and doc.get("population"):
        return int(doc["population"])
    return population_for(unit_id, period)  # the registry's yearly figure, scaled


def period_ikm(unit_id: str, period: Period, inp: SkmInputs, weight_mode: str) -> dict:
    """Pure: the unit's IKM for one period, as `reports.unit_ikm` computes it (without the trend)."""
    buckets = [b for b in inp.buckets.get(unit_id, []) if b["month"] in period.months]
    m = _merge(buckets)
    n = m["respondents"]
    adequacy = sample_adequacy(_population(unit_id, period, inp), n)
    body: dict = {"period": str(period), "respondents": n, "sample": adequacy}
    if not n:
        return {
            **body,
            "ikm": None,
            "mutu": None,
            "kinerja": None,
            "elements": None,
            "weakest": [],
            "ci95": None,
            "profile": {},
            "flags": ["no_responses"],
            "sums": m["sums"],
        }
    res = rules.compute_ikm(m["sums"], n, weight_mode)
    ci = rules.confidence_interval_95(m["sum_x"], m["sum_x2"], n)
    elements = {
        k: {"label": rules.ELEMENT_LABELS[k], "nrr": round(v["nrr"], 4), "ikm": v["ikm_rounded"], "mutu": v["mutu"]}
        for k, v in res["elements"].items()
    }
    return {
        **body,
        "ikm": res["ikm"],
        "mutu": res["mutu"],
        "kinerja": res["kinerja"],
        "elements": elements,
        "weakest": [{"element": k, **elements[k]} for k in res["lowest_elements"]],
        "ci95": None if ci is None else [rules.round_half_up(ci[0], 2), rules.round_half_up(ci[1], 2)],
        "profile": {f: dict(c) for f, c in m["profile"].items()},
        "flags": objectivity_flags(m, adequacy),
        "sums": m["sums"],
    }


def last_response_month(unit_id: str, inp: SkmInputs) -> str | None:
    months = [b["month"] for b in inp.buckets.get(unit_id, []) if b.get("respondents")]
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
            latest = {k: v for k, v in r.items() if k != "sums"}
            break
    whole = period_ikm(unit_id, Period("year", year), inp, weight_mode)
    in_year = [b for b in inp.buckets.get(unit_id, []) if b["month"][:4] == f"{year:04d}"]
    compliance = skm_compliance.unit_compliance(
        unit_id, year, in_year, settings_doc, inp.rtl.get(unit_id, []), inp.pubs.get(unit_id, [])
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
        "sums": r["sums"],
    }
