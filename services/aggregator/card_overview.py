"""The province (or OPD) overview from per-unit figures (pure): headline figures, units by
mutu, the units needing attention and the figures per OPD."""

from __future__ import annotations

from datetime import datetime

from pantau.rules import ikm as rules
from pantau.rules.periods import month_key

from .card_sections import UNAVAILABLE

SILENT_MONTHS = 6  # no SKM response for this many months → "lama tidak aktif"
ATTENTION_ROWS = 5


def _region(ids: list[str], ikm: dict[str, dict], weight_mode: str) -> dict:
    """Both compilation methods over these units' year figures (`unit_year_ikm`)."""
    return rules.compile_region([ikm[i]["compile"] for i in ids], weight_mode)


def mutu_bucket(u: dict) -> str:
    if not u["respondents"]:
        return "tanpa_data"
    if u["adequate"] is not True:
        return "sampel_kurang"
    return u["mutu"]


MUTU_BUCKETS = ("A", "B", "C", "D", "sampel_kurang", "tanpa_data")


def _months_between(earlier: str, later: str) -> int:
    return (int(later[:4]) - int(earlier[:4])) * 12 + int(later[5:7]) - int(earlier[5:7])


def overview_from(
    units: list,
    ikm: dict[str, dict],
    fkp: dict[str, dict] | None,
    comp: dict | None,
    last_month: dict[str, str | None],
    year: int,
    as_of: datetime,
    tz: str,
    weight_mode: str,
    official: str,
    opd_of,
) -> dict:
    """Pure: the province (or OPD) overview from per-unit figures."""
    ids = [u.id for u in units]
    names = {u.id: u.name for u in units}
    region = _region(ids, ikm, weight_mode)
    key = "ikm_pooled_respondents" if official == "pooled" else "ikm_mean_of_units"
    dist = {b: 0 for b in MUTU_BUCKETS}
    for i in ids:
        dist[mutu_bucket(ikm[i])] += 1
    headline: dict = {
        "units": len(ids),
        "units_with_skm": sum(1 for i in ids if ikm[i]["respondents"]),
        "units_adequate": sum(1 for i in ids if ikm[i]["respondents"] and ikm[i]["adequate"] is True),
        "respondents": sum(ikm[i]["respondents"] for i in ids),
        "ikm": {
            "official_method": key,
            "ikm": region[key],
            "mutu": region["mutu_pooled_respondents" if official == "pooled" else "mutu_mean_of_units"],
            "ikm_mean_of_units": region["ikm_mean_of_units"],
            "mutu_mean_of_units": region["mutu_mean_of_units"],
            "ikm_pooled_respondents": region["ikm_pooled_respondents"],
            "mutu_pooled_respondents": region["mutu_pooled_respondents"],
            "unit_count": region["unit_count"],
            "respondent_count": region["respondent_count"],
        },
    }
    attention: dict = {}
    ranked = sorted(
        (ikm[i] for i in ids if ikm[i]["respondents"] and ikm[i]["adequate"] is True),
        key=lambda u: (u["ikm"], u["unit_id"]),
    )
    attention["lowest_ikm"] = [
        {
            "unit_id": u["unit_id"],
            "name": names[u["unit_id"]],
            "ikm": u["ikm"],
            "mutu": u["mutu"],
            "respondents": u["respondents"],
        }
        for u in ranked[:ATTENTION_ROWS]
    ]
    if fkp is not None:
        promises = [fkp[i]["promises"] for i in ids]
        headline["fkp"] = {
            "available": True,
            "forums_held": sum(fkp[i]["forums_held"] for i in ids),
            "units_with_forum_held": sum(1 for i in ids if fkp[i]["forums_held"]),
            "promises_total": sum(p["total"] for p in promises),
            "promises_fulfilled": sum(p["fulfilled"] for p in promises),
            "promises_open": sum(p["open"] for p in promises),
            "promises_overdue": sum(p["overdue"] for p in promises),
        }
        worst = sorted(
            (i for i in ids if fkp[i]["promises"]["overdue"]), key=lambda i: (-fkp[i]["promises"]["overdue"], i)
        )
        attention["most_overdue_promises"] = [
            {
                "unit_id": i,
                "name": names[i],
                "overdue": fkp[i]["promises"]["overdue"],
                "open": fkp[i]["promises"]["open"],
            }
            for i in worst[:ATTENTION_ROWS]
        ]
    else:
        headline["fkp"] = dict(UNAVAILABLE)
        attention["most_overdue_promises"] = None
    if comp is not None:
        rows = comp["rows"]
        mine = [rows[i] for i in ids if i in rows]
        eligible = sum(r["resolved"]["eligible"] for r in mine)
        closed = sum(r["resolved"]["closed_resolved"] for r in mine)
        headline["complaints"] = {
            "available": True,
            "complaints": sum(r["complaints"] for r in mine),
            "closed_resolved": closed,
            "eligible": eligible,
            "resolved_pct": round(100.0 * closed / eligible, 1) if eligible else None,
            "overdue": sum(r["overdue"]["total"] for r in mine),
            "breaches_charged": sum(r["breaches_charged"] for r in mine),
        }
        worst = sorted(
            (r for r in mine if r["breaches_charged"] or r["overdue"]["total"]),
            key=lambda r: (-r["breaches_charged"], -r["overdue"]["total"], r["unit_id"]),
        )
        attention["most_breaches"] = [
            {
                "unit_id": r["unit_id"],
                "name": names[r["unit_id"]],
                "breaches_charged": r["breaches_charged"],
                "overdue": r["overdue"]["total"],
                "complaints": r["complaints"],
            }
            for r in worst[:ATTENTION_ROWS]
        ]
    else:
        headline["complaints"] = dict(UNAVAILABLE)
        attention["most_breaches"] = None
    this_month = month_key(as_of, tz)
    silent = []
    for i in ids:
        last = last_month.get(i)
        gap = _months_between(last, this_month) if last else None
        if last is None or gap is None or gap >= SILENT_MONTHS:
            silent.append(
                {
                    "unit_id": i,
                    "name": names[i],
                    "last_response_month": last,
                    "months_silent": gap,
                    "last_forum_date": fkp[i]["last_forum_date"] if fkp is not None else None,
                }
            )
    silent.sort(key=lambda r: (r["last_response_month"] or "", r["unit_id"]))
    attention["silent"] = silent
    per_opd: dict[str, dict] = {}
    for i in ids:
        oid = opd_of(i) or "-"
        t = per_opd.setdefault(oid, {"opd_id": oid, "units": 0, "units_with_skm": 0, "respondents": 0, "unit_ids": []})
        t["units"] += 1
        t["units_with_skm"] += bool(ikm[i]["respondents"])
        t["respondents"] += ikm[i]["respondents"]
        t["unit_ids"].append(i)
    opds = []
    for _oid, t in sorted(per_opd.items()):
        reg_opd = _region(t.pop("unit_ids"), ikm, weight_mode)
        t.update(
            {
                "ikm": reg_opd[key],
                "ikm_mean_of_units": reg_opd["ikm_mean_of_units"],
                "ikm_pooled_respondents": reg_opd["ikm_pooled_respondents"],
                "units_included": reg_opd["unit_count"],
            }
        )
        opds.append(t)
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "headline": headline,
        "mutu_distribution": dist,
        "attention": attention,
        "per_opd": opds,
        "units": [
            {k: v for k, v in ikm[i].items() if k != "compile"} | {"name": names[i], "opd_id": opd_of(i)} for i in ids
        ],
        "silent_months": SILENT_MONTHS,
    }
