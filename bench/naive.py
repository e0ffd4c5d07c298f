"""The naive design the reports are compared with: compute IKM from the raw responses at query
time, as existing SKM apps do (one row per questionnaire, read and folded on every request).

It reads the aggregator's own raw-response collection (`skm_facts`: one document per response,
the same data in the same store) with a filter on unit/month, folds every response with the
projection's own arithmetic (`rules.skm_tally.month_doc_add`) and applies the same rules (IKM, regional
compilation, sample adequacy). Only the read side differs from ours: raw responses instead of
a document per unit and year. It runs in the harness process, so it pays no HTTP cost (ours does)."""
from __future__ import annotations

from pantau.config import settings
from pantau.rules import ikm as rules
from pantau.rules.periods import Period
from pantau.rules.sample import sample_adequacy
from pantau.rules.skm_tally import month_doc_add, month_doc_new
from services.aggregator.population import population_for, populations

FACT_FIELDS = {"unit_id": 1, "month": 1, "answers": 1, "local_hour": 1, "submitted_at": 1, "channel": 1,
               "service_type": 1, "sex": 1, "education": 1, "occupation": 1}


def _fold(db, query: dict) -> dict[str, dict]:
    per_unit: dict[str, dict] = {}
    for f in db["skm_facts"].find(query, projection=FACT_FIELDS):
        b = per_unit.get(f["unit_id"])
        if b is None:
            b = per_unit[f["unit_id"]] = month_doc_new()
        month_doc_add(b, f, +1)
    return per_unit


def unit_ikm(db, unit_id: str, period: str) -> dict:
    p = _parse(period)
    b = _fold(db, {"unit_id": unit_id, "month": {"$in": list(p.months)}}).get(unit_id)
    n = b["respondents"] if b else 0
    res = rules.compute_ikm(b["sums"], n, settings().ikm_weight_mode) if n else None
    return {"unit_id": unit_id, "respondents": n, "ikm": res["ikm"] if res else None,
            "sample": sample_adequacy(population_for(db, unit_id, p), n)}


def province_ikm(db, unit_ids: list[str], period: str) -> dict:
    p = _parse(period)
    per_unit = _fold(db, {"month": {"$in": list(p.months)}})
    mode = settings().ikm_weight_mode
    compile_input = []
    pops = populations(db, unit_ids, p)
    for uid in unit_ids:
        b = per_unit.get(uid)
        n = b["respondents"] if b else 0
        adequacy = sample_adequacy(pops[uid], n)
        compile_input.append({"unit_id": uid, "respondents": n, "sums": b["sums"] if b else {k: 0 for k in rules.ELEMENTS},
                              "adequate": adequacy["adequate"]})
    region = rules.compile_region(compile_input, mode)
    return {"respondents": sum(u["respondents"] for u in compile_input), **region}


def compliance(db, unit_ids: list[str], year: int) -> dict:
    p = Period("year", year)
    months = list(p.months)
    seen: dict[str, set] = {}
    per_unit = {}
    for f in db["skm_facts"].find({"month": {"$in": months}}, projection=FACT_FIELDS):
        b = per_unit.get(f["unit_id"])
        if b is None:
            b = per_unit[f["unit_id"]] = month_doc_new()
        month_doc_add(b, f, +1)
        seen.setdefault(f["unit_id"], set()).add(f["month"])
    cards = []
    pops = populations(db, unit_ids, p)
    for uid in unit_ids:
        n = per_unit[uid]["respondents"] if uid in per_unit else 0
        cards.append({"unit_id": uid, "skm_run": n > 0, "months_with_responses": len(seen.get(uid, ())),
                      "sample": sample_adequacy(pops[uid], n)})
    return {"year": year, "units": cards}


def _parse(period: str) -> Period:
    from pantau.rules.periods import parse_period
    return parse_period(period)
