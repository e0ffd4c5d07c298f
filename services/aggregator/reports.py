"""Read-side reports computed from the projections (never from raw responses).

A unit's IKM for a period is the sum of its month tallies (skm_read.py), so a report reads one
small document per unit and year whatever the number of responses; a unit without responses in
the period takes its SKM summary report instead (`source: summary`, rules.skm_result). With `as_of` (None = now) the
figures are the ones that stood then, exactly, and survey settings recorded after it do not count.
"""
from __future__ import annotations

from datetime import datetime, timezone

from pantau.config import Settings
from pantau.rules import ikm as rules
from pantau.rules.periods import Period
from pantau.rules.sample import sample_adequacy
from pantau.rules.skm_result import UnitSkm
from pantau.rules.skm_tally import SkmTally

from .population import population_for, populations
from .skm_read import unit_results

ALL4_SHARE_FLAG = 0.5      # more than half of questionnaires all-4: implausible
BURST_FLAG = 20            # ≥ 20 identical answer sets from one channel within 10 minutes
OUT_OF_HOURS_FLAG = 0.3    # more than 30 % submitted outside service hours
FAR_BELOW_SAMPLE = 0.5     # fewer than half of the Krejcie–Morgan sample


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def stamp(as_of: datetime | None) -> str:
    """The `as_of` a report echoes: the moment asked for, else now."""
    return as_of.isoformat() if as_of is not None else now_iso()


def unit_ikm(db, s: Settings, unit_id: str, period: Period, result: UnitSkm | None = None,
             with_trend: bool = True, as_of: datetime | None = None) -> dict:
    """A unit's IKM for the period, from its responses, else its summary report (`source`)."""
    if result is None:
        result = unit_results(db, [unit_id], period, as_of)[unit_id]
    n = result.respondents
    figures = result.ikm(s.ikm_weight_mode)
    adequacy = sample_adequacy(population_for(db, unit_id, period, as_of), n)
    body: dict = {"unit_id": unit_id, "period": str(period), "respondents": n, "as_of": stamp(as_of),
                  "weight_mode": s.ikm_weight_mode, "sample": adequacy, "source": result.source}
    if figures is None:
        body.update({"ikm": None, "mutu": None, "kinerja": None, "elements": None, "lowest_elements": [],
                     "flags": ["no_responses"]})
    else:
        body.update({k: figures[k] for k in ("ikm", "ikm_index", "mutu", "kinerja", "lowest_elements",
                                             "weight", "regulation")})
        body["elements"] = {k: {"nrr": v["nrr"], "ikm": v["ikm"], "mutu": v["mutu"]}
                            for k, v in figures["elements"].items()}
        body["ci95"] = result.ci95()
        body["ci95_note"] = result.ci95_note()
        if result.source == "responses":
            t = result.tally
            body["profile"] = t.profile_counts()
            body["flags"] = objectivity_flags(t, adequacy)
            body["signals"] = t.signals()
        else:
            assert result.summary is not None  # a result not from responses is from a summary
            body["profile"] = {f: dict(c) for f, c in result.summary.profile.items() if c}
            body["flags"] = ["sample_far_below_required"] if far_below(n, adequacy) else []
            body["summary"] = result.summary_view()
    body["both_sources"] = result.both(s.ikm_weight_mode)
    if with_trend:
        prev = period.previous()
        prev_body = unit_ikm(db, s, unit_id, prev, with_trend=False, as_of=as_of)
        body["trend"] = {"previous_period": str(prev), "previous_ikm": prev_body["ikm"],
                         "change": (round(body["ikm"] - prev_body["ikm"], 2)
                                    if body["ikm"] is not None and prev_body["ikm"] is not None else None)}
    return body


def far_below(n: int, adequacy: dict) -> bool:
    return bool(adequacy["required"]) and n < FAR_BELOW_SAMPLE * adequacy["required"]


def objectivity_flags(t: SkmTally, adequacy: dict) -> list[str]:
    n = t.respondents
    flags = []
    if t.all4 / n > ALL4_SHARE_FLAG:
        flags.append("implausible_all4_share")
    if t.burst >= BURST_FLAG:
        flags.append("identical_answer_burst")
    if t.out_of_hours / n > OUT_OF_HOURS_FLAG:
        flags.append("outside_service_hours")
    if far_below(n, adequacy):
        flags.append("sample_far_below_required")
    return flags


def group_ikm(db, s: Settings, unit_ids: list[str], period: Period, scope: dict,
              as_of: datetime | None = None) -> dict:
    """The OPD's or province's IKM (both compilation methods, rules.ikm.compile_region) over its
    units' results: responses, else the unit's summary report (each unit row says its `source`)."""
    results = unit_results(db, unit_ids, period, as_of, profile=False)
    pops = populations(db, unit_ids, period, as_of)
    units, compile_input = [], []
    for uid in unit_ids:
        r = results[uid]
        adequacy = sample_adequacy(pops[uid], r.respondents)
        res = r.ikm(s.ikm_weight_mode)
        units.append({"unit_id": uid, "respondents": r.respondents, "ikm": res["ikm"] if res else None,
                      "mutu": res["mutu"] if res else None, "sample": adequacy, "source": r.source})
        compile_input.append(r.compile_input(uid, adequacy["adequate"]))
    region = rules.compile_region(compile_input, s.ikm_weight_mode)
    official = "ikm_pooled_respondents" if s.ikm_official_method == "pooled" else "ikm_mean_of_units"
    return {**scope, "period": str(period), "as_of": stamp(as_of), "official_method": official,
            "ikm": region.get(official), **region, "units": units,
            "units_from_summaries": [u["unit_id"] for u in units if u["source"] == "summary"],
            "units_without_responses": [u["unit_id"] for u in units if not u["respondents"]]}
