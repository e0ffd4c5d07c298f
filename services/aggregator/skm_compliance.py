"""SKM compliance per unit and year (domain.md §5 rows 1, 2, 4, 5) and the PEKPPP indicator
scores 6–9 it implies, each with the evidence it rests on; plus the unit ranking.

Reads only small collections (settings, RTL items, publications, the units' year tallies) and
folds in Python, so the cost depends on the number of units, not of responses. With `as_of`
(None = now) everything is as it stood then (skm_read.py for the tallies, followup_at.py).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from pantau.config import Settings
from pantau.rules import pekppp
from pantau.rules.periods import Period, parse_period, periods_for_year
from pantau.rules.sample import sample_adequacy
from pantau.rules.skm_tally import SkmTally
from pantau.units import Registry

from .followup_at import followup_at
from .population import population, populations
from .reports import stamp
from .skm_read import month_tallies, result_of, summary_docs, unit_results


def _by_unit(col, year: int) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for d in col.find({"year": year}):
        out[d["unit_id"]].append(d)
    return out


def _report_date(period: str, publications: list[dict]) -> date:
    """When the result was reported: the earliest publication, else the end of the period."""
    dates = [date.fromisoformat(p["published_on"]) for p in publications if p["period"] == period]
    if dates:
        return min(dates)
    p = parse_period(period)
    return p.end("UTC").date()


def unit_compliance(unit_id: str, year: int, months: dict[str, SkmTally], settings_doc: dict | None,
                    rtl: list[dict], pubs: list[dict], summaries: list[dict] | None = None,
                    as_of: datetime | None = None) -> dict:
    """Pure: the compliance card of one unit for one year (`months`: its month tallies,
    `summaries`: its summary reports). A survey run elsewhere and reported as a summary counts
    as run, exactly as the unit's result counts it (skm_read.result_of)."""
    period_type = (settings_doc or {}).get("period_type", "year")
    yearly = Period("year", year)
    result = result_of(months, summaries or [], yearly, as_of)
    respondents = result.respondents
    adequacy = sample_adequacy(population(unit_id, yearly, settings_doc), respondents)
    periods = periods_for_year(year, period_type)
    silent = [str(p) for p in periods if not result_of(months, summaries or [], p, as_of).respondents]
    media = sorted({p["medium"] for p in pubs})
    electronic = any(p["electronic"] for p in pubs)
    non_electronic = any(not p["electronic"] for p in pubs)
    planned = [r for r in rtl if r["status"] != "cancelled"]
    done = [r for r in planned if r["status"] == "done"]
    months_to_done = None
    if planned and len(done) == len(planned):
        last_done = max(datetime.fromisoformat(r["done_at"]).date() for r in done)
        reported = min(_report_date(r["period"], pubs) for r in done)
        months_to_done = max(0.0, (last_done - reported).days / 30.4375)
    ind6 = pekppp.ind6_skm(respondents > 0, bool(adequacy["adequate"]), non_electronic, electronic,
                           bool(done))
    ind7 = pekppp.ind7_publication_media(len(media))
    ind8 = pekppp.ind8_rtl_done(len(planned), len(done))
    ind9 = pekppp.ind9_followup_speed(bool(planned) and len(done) == len(planned), months_to_done)
    return {
        "unit_id": unit_id, "year": year, "period_type": period_type,
        "executor": (settings_doc or {}).get("executor"),
        "skm_run": respondents > 0, "respondents": respondents, "source": result.source,
        "sample": adequacy, "periods_without_responses": silent,
        "published": bool(media), "publication_media": media, "electronic": electronic,
        "non_electronic": non_electronic,
        "rtl": {"planned": len(planned), "done": len(done),
                "progress_pct": round(100.0 * len(done) / len(planned), 1) if planned else None,
                "months_to_complete": None if months_to_done is None else round(months_to_done, 1)},
        "pekppp": {
            "version": pekppp.WEIGHTS_VERSION,
            "6": {"score": ind6[0], "evidence": ind6[1]},
            "7": {"score": ind7[0], "evidence": ind7[1]},
            "8": {"score": ind8[0], "evidence": ind8[1]},
            "9": {"score": ind9[0], "evidence": ind9[1]},
        },
    }


def year_compliance(db, unit_ids: list[str], year: int, as_of: datetime | None = None, tz: str = "UTC") -> list[dict]:
    tallies = month_tallies(db, unit_ids, [year], as_of, profile=False)  # the cards need no profile
    summaries = summary_docs(db, unit_ids, [year])
    rtl = _by_unit(db["skm_rtl"], year)
    pubs = _by_unit(db["skm_publications"], year)
    settings_docs = {d["unit_id"]: d for d in db["skm_settings"].find({"period": str(year)})}
    if as_of is not None:
        cut = followup_at(list(settings_docs.values()), [r for v in rtl.values() for r in v],
                          [p for v in pubs.values() for p in v], as_of, tz)
        settings_docs = {d["unit_id"]: d for d in cut.settings.values()}
        rtl, pubs = cut.rtl, cut.pubs
    out = []
    for uid in unit_ids:
        settings_doc = settings_docs.get(uid)
        out.append(unit_compliance(uid, year, tallies.get(uid, {}), settings_doc, rtl.get(uid, []), pubs.get(uid, []),
                                   summaries.get(uid, []), as_of))
    return out


def province_compliance(db, year: int, as_of: datetime | None = None, tz: str = "UTC") -> dict:
    reg = Registry.instance()
    cards = year_compliance(db, [u.id for u in reg.upps()], year, as_of, tz)
    per_opd: dict[str, dict] = defaultdict(lambda: {"units": 0, "skm_run": 0, "sample_adequate": 0, "published": 0,
                                                     "rtl_complete": 0})
    for c in cards:
        t = per_opd[reg.opd_of(c["unit_id"]) or "-"]
        t["units"] += 1
        t["skm_run"] += c["skm_run"]
        t["sample_adequate"] += bool(c["sample"]["adequate"])
        t["published"] += c["published"]
        t["rtl_complete"] += bool(c["rtl"]["planned"]) and c["rtl"]["done"] == c["rtl"]["planned"]
    return {"year": year, "as_of": stamp(as_of), "units": cards, "per_opd": dict(per_opd),
            "units_without_skm": [c["unit_id"] for c in cards if not c["skm_run"]]}


def ranking(db, s: Settings, period: Period, as_of: datetime | None = None) -> dict:
    """Units with an adequate sample ranked by IKM, and the most improved against the previous
    period of the same kind (both periods adequate). Units below the sample are listed apart."""
    reg = Registry.instance()
    ids = [u.id for u in reg.upps()]
    now = unit_results(db, ids, period, as_of, profile=False)
    before = unit_results(db, ids, period.previous(), as_of, profile=False)
    pops = {str(p): populations(db, ids, p, as_of) for p in (period, period.previous())}

    def score(uid, per, results):
        r = results[uid]
        if not r.respondents:
            return None, r.respondents, None
        adequate = sample_adequacy(pops[str(per)][uid], r.respondents)["adequate"]
        return r.ikm(s.ikm_weight_mode)["ikm"], r.respondents, adequate

    ranked, below, improved = [], [], []
    for uid in ids:
        ikm_now, n, ok = score(uid, period, now)
        if ikm_now is None:
            continue
        if not ok:
            below.append({"unit_id": uid, "ikm": ikm_now, "respondents": n, "source": now[uid].source})
            continue
        u = reg.get(uid)
        assert u is not None  # the ids are the registry's own units
        ranked.append({"unit_id": uid, "name": u.name, "ikm": ikm_now, "respondents": n,
                       "source": now[uid].source})
        ikm_prev, _, ok_prev = score(uid, period.previous(), before)
        if ikm_prev is not None and ok_prev:
            improved.append({"unit_id": uid, "ikm": ikm_now, "previous_ikm": ikm_prev,
                             "change": round(ikm_now - ikm_prev, 2)})
    ranked.sort(key=lambda r: (-r["ikm"], r["unit_id"]))
    for i, r in enumerate(ranked, 1):
        r["rank"] = i
    improved.sort(key=lambda r: (-r["change"], r["unit_id"]))
    return {"period": str(period), "previous_period": str(period.previous()), "as_of": stamp(as_of),
            "weight_mode": s.ikm_weight_mode, "ranking": ranked, "most_improved": improved[:10], "below_minimum_sample": below}
