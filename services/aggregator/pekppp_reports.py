"""The PEKPPP evaluation of each unit and year: the Indeks Pelayanan Publik (IPP) and its predikat.

Per F-02 indicator (pantau/rules/pekppp_instrument.py) up to three scores stand side by side:
- `measured`: what Pantau computes from its own data (indicators 2, 4, 6–9, 28; the unit card's
  `pekppp_indicators`, so the card and the evaluation can never disagree), with its evidence, at
  `as_of` like every other figure; 26 and 27 carry evidence from the complaints but no score;
- `evaluator`: the bureau evaluator's latest score recorded by `as_of`, with who, when, the note
  (for a measured indicator: the reason of the override) and evidence links;
- `self`: the unit's own self-assessment (F-01), shown apart and never counted in the IPP.
The score that counts is the evaluator's when there is one (source `evaluator`, or `override` when
it replaces a measured score), else the measured one (`measured`), else none (the indicator is
missing and the IPP provisional). The self-assessment gets its own IPP (`self_assessment`) so a
bureau can compare them.

Everything that combines is pure (`evaluation_from`, `province_from`); the functions taking `db`
read the projection (`pekppp_scores`) and the card sections and hand over. The JSON API, the
dashboard pages, the exports and the PDF all call these functions.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from fractions import Fraction
from typing import Any

from pantau.config import Settings
from pantau.mongo import by_id
from pantau.rules import pekppp_instrument as f02
from pantau.rules.pekppp import MEASURED
from pantau.units import Registry

from . import card_reports
from .followup_at import aware

ROLES = ("evaluator", "self")
PREDIKATS = tuple(grade for _, grade, _ in f02.BANDS)


def _num(x: Fraction | None) -> float | None:
    return None if x is None else float(f02.round2(x))


def scores_at(doc: dict | None, as_of: datetime) -> dict[int, dict]:
    """Pure: {indicator: its latest score entry recorded by `as_of`} of one role's document."""
    out: dict[int, dict] = {}
    for e in (doc or {}).get("entries", []):
        t = aware(e["t"])
        if t is None or t > as_of:
            continue
        for s in e["scores"]:
            out[s["indicator"]] = {"score": s["score"], "note": e.get("note"), "evidence": e.get("evidence") or [],
                                   "actor": e["actor"], "at": t.isoformat()}
    return out


def _ipp_body(result: f02.Ipp) -> dict:
    grade = result.predikat
    return {"ipp": _num(result.value), "predikat": grade[0] if grade else None, "label": grade[1] if grade else None,
            "provisional": result.provisional, "ipp_min": _num(result.minimum), "ipp_max": _num(result.maximum),
            "missing": list(result.missing),
            "completeness": {"scored": len(f02.instrument().numbers()) - len(result.missing),
                             "total": len(f02.instrument().numbers())}}


def evaluation_from(measured: dict, evaluator: dict[int, dict], self_scores: dict[int, dict]) -> dict:
    """Pure: the evaluation of one unit from the measured indicators (the card's `pekppp`, keyed by
    indicator number as a string) and the two roles' scores at `as_of`."""
    inst = f02.instrument()
    counted: dict[int, int] = {}
    aspects_out: list[dict[str, Any]] = []
    for a in inst.aspects:
        rows = []
        for i in a.indicators:
            m = measured.get(str(i.number))
            ev, sf = evaluator.get(i.number), self_scores.get(i.number)
            if ev is not None:
                score, source = ev["score"], ("override" if m and m["score"] is not None else "evaluator")
            elif m is not None and m["score"] is not None:
                score, source = m["score"], "measured"
            else:
                score, source = None, None
            if score is not None:
                counted[i.number] = score
            rows.append({"number": i.number, "code": i.code, "principle": i.principle,
                         "principle_name": inst.principles[i.principle], "text": i.text,
                         "weight_pct": float(i.weight * 100), "weight_single_source": i.weight_single_source,
                         "measurable": i.number in MEASURED, "rubric": list(i.rubric),
                         "score": score, "source": source, "rubric_line": i.rubric[score] if score is not None else None,
                         "measured": m, "evaluator": ev, "self": sf})
        aspects_out.append({"key": a.key, "name": a.name, "weight_pct": float(a.weight * 100),
                            "weight_single_source": a.weight_single_source, "indicators": rows})
    result = f02.ipp(counted)
    for row, score in zip(aspects_out, result.aspects, strict=True):
        row.update(score=_num(score.score), scored=score.scored, total=score.total)
    own = f02.ipp({n: s["score"] for n, s in self_scores.items()})
    return {"instrument": {"version": inst.version, "title": inst.title, "basis": inst.basis,
                           "sources": dict(inst.sources)},
            **_ipp_body(result), "aspects": aspects_out,
            "sources": dict(Counter(r["source"] or "missing" for a in aspects_out for r in a["indicators"])),
            "self_assessment": {**_ipp_body(own), "scored": len(self_scores)} if self_scores else None}


def _docs(db, keys: list[str]) -> dict[str, dict]:
    return by_id(db["pekppp_scores"], keys)


def unit_evaluation(db, s: Settings, unit_id: str, year: int, as_of: datetime, live: bool = False) -> dict:
    card = card_reports.unit_card(db, s, unit_id, year, as_of, live=live)
    return evaluation_of_card(db, card, unit_id, year, as_of)


def evaluation_of_card(db, card: dict, unit_id: str, year: int, as_of: datetime) -> dict:
    """The evaluation of the unit whose card (card_reports.unit_card, same year and as_of) is
    already at hand: only the scores are read (the unit card page shows the IPP this way)."""
    docs = _docs(db, [f"{unit_id}:{year}:{r}" for r in ROLES])
    body = evaluation_from(card["pekppp"], scores_at(docs.get(f"{unit_id}:{year}:evaluator"), as_of),
                           scores_at(docs.get(f"{unit_id}:{year}:self"), as_of))
    return {"unit_id": unit_id, "name": card["name"], "opd_id": card["opd_id"], "opd_name": card["opd_name"],
            "year": year, "as_of": as_of.isoformat(), **body}


def province_from(rows: list[dict]) -> dict:
    """Pure: the province (or OPD) summary of unit evaluations: the distribution over predikat of
    the complete evaluations (provisional ones counted apart), their mean IPP, and the aspects
    weakest on average over the units that have a score for them."""
    complete = [r for r in rows if r["ipp"] is not None and not r["provisional"]]
    dist = Counter(r["predikat"] for r in complete)
    aspect_scores: dict[str, list[float]] = {}
    names = {}
    for r in rows:
        for a in r["aspects"]:
            names[a["key"]] = a["name"]
            if a["score"] is not None:
                aspect_scores.setdefault(a["key"], []).append(a["score"])
    weakest = sorted(({"key": k, "name": names[k], "mean": round(sum(v) / len(v), 2), "units": len(v)}
                      for k, v in aspect_scores.items()), key=lambda x: (x["mean"], x["key"]))
    mean = round(sum(r["ipp"] for r in complete) / len(complete), 2) if complete else None
    return {"units_total": len(rows), "units_complete": len(complete),
            "units_provisional": sum(1 for r in rows if r["provisional"] and r["ipp"] is not None),
            "units_unscored": sum(1 for r in rows if r["ipp"] is None),
            "distribution": {g: dist.get(g, 0) for g in PREDIKATS},
            "mean_ipp": mean, "mean_predikat": f02.predikat(Fraction(str(mean)))[0] if mean is not None else None,
            "weakest_aspects": weakest[:3], "aspect_means": weakest}


def province_evaluation(db, s: Settings, year: int, as_of: datetime, opd_id: str | None = None,
                        live: bool = False, registry: Registry | None = None) -> dict:
    reg, sections = card_reports.unit_sections(db, s, year, as_of, opd_id, registry, live)
    docs = _docs(db, [f"{sec.unit.id}:{year}:{r}" for sec in sections for r in ROLES])
    rows = []
    for sec in sections:
        u = sec.unit
        measured = card_reports.pekppp_indicators(sec.skm, sec.fkp, sec.complaints)
        ev = evaluation_from(measured, scores_at(docs.get(f"{u.id}:{year}:evaluator"), as_of),
                             scores_at(docs.get(f"{u.id}:{year}:self"), as_of))
        opd = reg.get(reg.opd_of(u.id) or "")
        rows.append({"unit_id": u.id, "name": u.name, "opd_id": opd.id if opd else None,
                     "opd_name": opd.name if opd else None,
                     **{k: ev[k] for k in ("ipp", "predikat", "label", "provisional", "ipp_min", "ipp_max",
                                          "missing", "completeness")},
                     "aspects": [{k: a[k] for k in ("key", "name", "weight_pct", "score", "scored", "total")}
                                 for a in ev["aspects"]],
                     "self_ipp": ev["self_assessment"]["ipp"] if ev["self_assessment"] else None})
    opd = reg.get(opd_id) if opd_id else None
    return {"province_id": s.province_id, "opd_id": opd_id, "opd_name": opd.name if opd else None, "year": year,
            "as_of": as_of.isoformat(), "instrument": {"version": f02.VERSION},
            "aspects": [{"key": a.key, "name": a.name, "weight_pct": float(a.weight * 100)}
                        for a in f02.instrument().aspects],
            **province_from(rows), "units": rows}
