"""Read-side reports computed from the projections (never from raw responses).

A unit's IKM for a period is the sum of its month buckets, so a report reads at most
units × months small documents whatever the number of responses. With `as_of` (None = now) the
figures are the ones that stood then, exactly: the buckets are rewound by the facts and voids
recorded after it (`skm_asof`), and survey settings recorded after it do not count.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone

from pantau.config import Settings
from pantau.rules import ikm as rules
from pantau.rules.periods import Period
from pantau.rules.sample import sample_adequacy
from pantau.units import Registry

from .skm_asof import buckets_at, settings_at

ALL4_SHARE_FLAG = 0.5      # more than half of questionnaires all-4: implausible
BURST_FLAG = 20            # ≥ 20 identical answer sets from one channel within 10 minutes
OUT_OF_HOURS_FLAG = 0.3    # more than 30 % submitted outside service hours
FAR_BELOW_SAMPLE = 0.5     # fewer than half of the Krejcie–Morgan sample
BUCKET_FIELDS = {"_id": 0, "bursts": 0, "applied": 0}  # reports need only the sums


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def stamp(as_of: datetime | None) -> str:
    """The `as_of` a report echoes: the moment asked for, else now."""
    return as_of.isoformat() if as_of is not None else now_iso()


def _merge(buckets: list[dict]) -> dict:
    sums = {k: 0 for k in rules.ELEMENTS}
    out = {"respondents": 0, "sum_x": 0.0, "sum_x2": 0.0, "all4": 0, "out_of_hours": 0, "burst": 0,
           "profile": defaultdict(Counter), "months": 0}
    for b in buckets:
        if not b["respondents"]:
            continue
        out["months"] += 1
        out["respondents"] += b["respondents"]
        for k in rules.ELEMENTS:
            sums[k] += b["sums"][k]
        out["sum_x"] += b["sum_x"]
        out["sum_x2"] += b["sum_x2"]
        out["all4"] += b["all4"]
        out["out_of_hours"] += b["out_of_hours"]
        out["burst"] = max(out["burst"], b.get("largest_identical_burst", 0))
        for f, counts in b.get("profile", {}).items():
            out["profile"][f].update(counts)
    out["sums"] = sums
    return out


def population_for(unit_id: str, period: Period, db=None, as_of: datetime | None = None) -> int | None:
    """Service users (N) in the period: the unit's survey settings for that period when set (and
    recorded by `as_of`), else the registry's yearly figure scaled to the period length."""
    if db is not None:
        settings_doc = settings_at(db["skm_settings"].find_one({"_id": f"{unit_id}:{period}"}), as_of)
        if settings_doc and settings_doc.get("population"):
            return int(settings_doc["population"])
    unit = Registry.instance().get(unit_id)
    if unit is None or not unit.population:
        return None
    return max(1, round(unit.population * len(period.months) / 12))


def populations(db, unit_ids: list[str], period: Period, as_of: datetime | None = None) -> dict[str, int | None]:
    """N per unit for a period in one read of the (small) settings collection, not one lookup
    per unit; falls back to the registry like `population_for`."""
    docs = db["skm_settings"].find({"period": str(period)},
                                   projection={"unit_id": 1, "population": 1, "updated_at": 1, "history": 1})
    then = [settings_at(d, as_of) for d in docs]
    set_n = {d["unit_id"]: d.get("population") for d in then if d is not None}
    return {uid: set_n.get(uid) or population_for(uid, period) for uid in unit_ids}


def buckets_for(db, unit_ids: list[str] | None, period: Period, as_of: datetime | None = None) -> dict[str, list[dict]]:
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for b in buckets_at(db, unit_ids, list(period.months), as_of, BUCKET_FIELDS):
        by_unit[b["unit_id"]].append(b)
    return by_unit


def unit_ikm(db, s: Settings, unit_id: str, period: Period, buckets: list[dict] | None = None,
             with_trend: bool = True, as_of: datetime | None = None) -> dict:
    if buckets is None:
        buckets = buckets_for(db, [unit_id], period, as_of).get(unit_id, [])
    m = _merge(buckets)
    n = m["respondents"]
    result = rules.compute_ikm(m["sums"], n, s.ikm_weight_mode) if n else None
    adequacy = sample_adequacy(population_for(unit_id, period, db, as_of), n)
    body: dict = {"unit_id": unit_id, "period": str(period), "respondents": n, "as_of": stamp(as_of),
                  "weight_mode": s.ikm_weight_mode, "sample": adequacy}
    if result is None:
        body.update({"ikm": None, "mutu": None, "kinerja": None, "elements": None, "lowest_elements": [],
                     "flags": ["no_responses"]})
    else:
        body.update({k: result[k] for k in ("ikm", "ikm_index", "mutu", "kinerja", "lowest_elements",
                                            "weight", "regulation")})
        body["elements"] = {k: {"nrr": v["nrr"], "ikm": v["ikm"], "mutu": v["mutu"]}
                            for k, v in result["elements"].items()}
        ci = rules.confidence_interval_95(m["sum_x"], m["sum_x2"], n)
        body["ci95"] = None if ci is None else [rules.round_half_up(ci[0], 2), rules.round_half_up(ci[1], 2)]
        body["profile"] = {f: dict(c) for f, c in m["profile"].items()}
        body["flags"] = objectivity_flags(m, adequacy)
        body["signals"] = {"all4_share": round(m["all4"] / n, 4), "out_of_hours_share": round(m["out_of_hours"] / n, 4),
                           "largest_identical_burst": m["burst"]}
    if with_trend:
        prev = period.previous()
        prev_body = unit_ikm(db, s, unit_id, prev, with_trend=False, as_of=as_of)
        body["trend"] = {"previous_period": str(prev), "previous_ikm": prev_body["ikm"],
                         "change": (round(body["ikm"] - prev_body["ikm"], 2)
                                    if body["ikm"] is not None and prev_body["ikm"] is not None else None)}
    return body


def objectivity_flags(m: dict, adequacy: dict) -> list[str]:
    n = m["respondents"]
    flags = []
    if m["all4"] / n > ALL4_SHARE_FLAG:
        flags.append("implausible_all4_share")
    if m["burst"] >= BURST_FLAG:
        flags.append("identical_answer_burst")
    if m["out_of_hours"] / n > OUT_OF_HOURS_FLAG:
        flags.append("outside_service_hours")
    if adequacy["required"] and n < FAR_BELOW_SAMPLE * adequacy["required"]:
        flags.append("sample_far_below_required")
    return flags


def group_ikm(db, s: Settings, unit_ids: list[str], period: Period, scope: dict,
              as_of: datetime | None = None) -> dict:
    by_unit = buckets_for(db, unit_ids, period, as_of)
    pops = populations(db, unit_ids, period, as_of)
    units, compile_input = [], []
    for uid in unit_ids:
        m = _merge(by_unit.get(uid, []))
        adequacy = sample_adequacy(pops[uid], m["respondents"])
        res = rules.compute_ikm(m["sums"], m["respondents"], s.ikm_weight_mode) if m["respondents"] else None
        units.append({"unit_id": uid, "respondents": m["respondents"], "ikm": res["ikm"] if res else None,
                      "mutu": res["mutu"] if res else None, "sample": adequacy})
        compile_input.append({"unit_id": uid, "respondents": m["respondents"], "sums": m["sums"],
                              "adequate": adequacy["adequate"]})
    region = rules.compile_region(compile_input, s.ikm_weight_mode)
    official = "ikm_pooled_respondents" if s.ikm_official_method == "pooled" else "ikm_mean_of_units"
    return {**scope, "period": str(period), "as_of": stamp(as_of), "official_method": official,
            "ikm": region.get(official), **region, "units": units,
            "units_without_responses": [u["unit_id"] for u in units if not u["respondents"]]}
