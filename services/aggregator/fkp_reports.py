"""FKP reports: forums held, community elements and PEKPPP ind. 2, promises kept, overdue, disputed.

Everything is evaluated "as the data stood at `as_of`" (default now, echoed in the answer): a
forum or a promise counts only with the changes recorded (event time) up to `as_of`, and a
promise is overdue when it is still open (planned, in_progress or disputed) and its target date
is before the local date of `as_of` (province time zone). Nothing is stored by the clock.

Definitions (documented choices, the regulation is silent on them, domain.md §2.4, §9.5):
- A forum belongs to the year of its `held_on` date; its promises belong to the same year.
  "Forums held" are forums of the year at stage held or closed; planned forums are listed apart.
- Elements covered: the community elements among the participants of the year's held forums.
  PEKPPP ind. 2.a.P scores the elements involved in drafting/reviewing the service standard,
  so its score counts the held forums with topic `standar_pelayanan` (the basis is returned).
- Fulfilment rate = fulfilled / all promises of the year (dropped ones stay in the denominator,
  so dropping a promise never improves the rate). Days to fulfil = local date of the fulfilment
  (`at` of the progress report) minus the forum date; the median is over fulfilled promises.
- Open = planned + in_progress + disputed; overdue ⊆ open. Open promises of earlier years'
  forums that are overdue at `as_of` are listed apart (`overdue_from_earlier_years`).
- Impact (unit report): for a fulfilled promise naming SKM elements, the NRR of each element in
  the 3 whole months before vs the 3 months after the fulfilment month (those begun by as_of),
  from the unit's month tallies (skm_read.py); "not_enough_data" below 30 respondents on either
  side; with a past `as_of` the tallies are the ones that stood then.
- Roll-ups (OPD, province) pool the promises and report the mean ind. 2 score over the UPPs.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pantau.config import Settings, settings
from pantau.rules import fkp as rules
from pantau.rules.pekppp import ind2_community_elements
from pantau.rules.periods import month_key
from pantau.units import Registry

from .skm_read import month_tallies

STATUS_KEYS = ("planned", "in_progress", "fulfilled", "disputed", "dropped")


def _day(value: str, tz: ZoneInfo) -> date:
    """Local date of an RFC 3339 datetime or an ISO date string."""
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value).astimezone(tz).date()


def forums_at(doc: dict, as_of: datetime) -> list[dict]:
    out = []
    for f in doc.get("forums", []):
        st = rules.entry_at(f["stages"], as_of)
        if st is None:
            continue
        ba = rules.entry_at(f.get("berita_acara", []), as_of)
        out.append({"fkp_id": f["fkp_id"], "title": f["title"], "topic": f["topic"], "format": f["format"],
                    "stage": st["stage"], "held_on": st["held_on"], "elements": rules.order_elements(st["elements"]),
                    "participant_count": st["participant_count"],
                    "berita_acara": None if ba is None else {"sha256": ba["sha256"], "content_type": ba["content_type"],
                                                             "signatory_count": ba["signatory_count"]}})
    return sorted(out, key=lambda f: (f["held_on"], f["fkp_id"]))


def promises_at(doc: dict, forums: dict[str, dict], as_of: datetime, tz: ZoneInfo) -> list[dict]:
    day = as_of.astimezone(tz).date()
    out = []
    for p in doc.get("promises", []):
        forum = forums.get(p["fkp_id"])
        state = rules.state_at(p["history"], as_of) if forum else None
        if state is None:
            continue
        assert forum is not None  # a state is read only under a known forum
        target = date.fromisoformat(p["target_date"])
        held_on = date.fromisoformat(forum["held_on"])
        fulfilled_day = _day(state["fulfilled_at"], tz) if state["fulfilled_at"] else None
        late = rules.overdue_days(state["status"], target, day)
        out.append({"fkp_id": p["fkp_id"], "promise_id": p["promise_id"], "description": p["description"],
                    "owner": p["owner"], "target_date": p["target_date"], "elements": p["elements"],
                    "sp_component": p.get("sp_component"), "forum_held_on": forum["held_on"],
                    "year": held_on.year, "status": state["status"], "progress_pct": state["progress_pct"],
                    "open": state["status"] in rules.OPEN, "overdue": late is not None, "days_overdue": late,
                    "fulfilled_on": fulfilled_day.isoformat() if fulfilled_day else None,
                    "days_to_fulfil": (fulfilled_day - held_on).days if fulfilled_day else None,
                    "fulfilled_late": bool(fulfilled_day and fulfilled_day > target),
                    "confirmations": state["confirmations"], "disputes": state["disputes"]})
    return sorted(out, key=lambda p: (p["target_date"], p["fkp_id"], p["promise_id"]))


def promise_figures(promises: list[dict]) -> dict:
    by = Counter(p["status"] for p in promises)
    total, fulfilled = len(promises), by["fulfilled"]
    return {"total": total, **{k: by[k] for k in STATUS_KEYS},
            "open": sum(1 for p in promises if p["open"]), "overdue": sum(1 for p in promises if p["overdue"]),
            "fulfilled_late": sum(1 for p in promises if p["status"] == "fulfilled" and p["fulfilled_late"]),
            "confirmed": sum(1 for p in promises if p["status"] == "fulfilled" and p["confirmations"]),
            "fulfilment_rate_pct": rules.rate_pct(fulfilled, total),
            "median_days_to_fulfil": rules.median(p["days_to_fulfil"] for p in promises if p["status"] == "fulfilled")}


def unit_figures(doc: dict | None, year: int, as_of: datetime, tz: ZoneInfo) -> dict:
    """A unit's FKP figures for `year` as they stood at `as_of` (pure; `doc` from fkp_units)."""
    doc = doc or {"forums": [], "promises": []}
    forums = forums_at(doc, as_of)
    by_id = {f["fkp_id"]: f for f in forums}
    in_year = [f for f in forums if f["held_on"][:4] == f"{year:04d}"]
    held = [f for f in in_year if f["stage"] in rules.HELD]
    covered = rules.order_elements(el for f in held for el in f["elements"])
    sp_elements = rules.order_elements(el for f in held if f["topic"] == rules.IND2_TOPIC for el in f["elements"])
    score, rule = ind2_community_elements(len(sp_elements))
    if not any(f["topic"] == rules.IND2_TOPIC for f in held):  # ind. 2 is about the service standard
        rule = "belum ada FKP tentang standar pelayanan tahun ini"
    promises = promises_at(doc, by_id, as_of, tz)
    mine = [p for p in promises if p["year"] == year]
    earlier = [p for p in promises if p["year"] < year and p["overdue"]]
    all_held = [f["held_on"] for f in forums if f["stage"] in rules.HELD and f["held_on"][:4] <= f"{year:04d}"]
    figures = promise_figures(mine)
    return {"forums_held": len(held), "forums_planned": sum(1 for f in in_year if f["stage"] == "planned"),
            "forums_with_berita_acara": sum(1 for f in held if f["berita_acara"]),
            "elements_covered": covered, "elements_covered_count": len(covered),
            "pekppp_ind2": {"score": score, "rule": rule, "elements": sp_elements,
                            "basis": f"FKP bertopik {rules.IND2_TOPIC} yang sudah dilaksanakan pada {year}"},
            "promises": figures, "fulfilment_rate_pct": figures["fulfilment_rate_pct"],
            "median_days_to_fulfil": figures["median_days_to_fulfil"], "disputed": figures["disputed"],
            "last_forum_date": max(all_held) if all_held else None,
            "forums": in_year, "promise_list": mine,
            "overdue_promises": sorted((p for p in mine if p["overdue"]), key=_oldest_first),
            "overdue_from_earlier_years": sorted(earlier, key=_oldest_first)}


def _oldest_first(p: dict):
    return (p["target_date"], p.get("unit_id") or "", p["fkp_id"], p["promise_id"])


def rollup(figs: list[dict]) -> dict:
    """OPD or province figures from unit figures (pure): promises pooled, ind. 2 averaged."""
    promises = [p for f in figs for p in f["promise_list"]]
    pooled = promise_figures(promises)
    scores = [f["pekppp_ind2"]["score"] for f in figs]
    dates = [f["last_forum_date"] for f in figs if f["last_forum_date"]]
    return {"units": len(figs), "units_with_forum_held": sum(1 for f in figs if f["forums_held"]),
            "forums_held": sum(f["forums_held"] for f in figs),
            "forums_with_berita_acara": sum(f["forums_with_berita_acara"] for f in figs),
            "pekppp_ind2_mean": round(sum(scores) / len(scores), 2) if scores else None,
            "pekppp_ind2_distribution": {str(k): scores.count(k) for k in range(6)},
            "promises": pooled, "fulfilment_rate_pct": pooled["fulfilment_rate_pct"],
            "median_days_to_fulfil": pooled["median_days_to_fulfil"], "disputed": pooled["disputed"],
            "last_forum_date": max(dates) if dates else None}


# ---- with the store -------------------------------------------------------------------------

def _windows(promise: dict, as_of: datetime, tz_name: str) -> tuple[str, list[str], list[str]] | None:
    if promise["status"] != "fulfilled" or not promise["elements"] or not promise["fulfilled_on"]:
        return None
    month = promise["fulfilled_on"][:7]
    return (month, *rules.impact_windows(month, month_key(as_of, tz_name)))


def impacts(db, unit_id: str, promises: list[dict], as_of: datetime, tz_name: str, past: bool) -> None:
    """Sets `impact` on each promise: the SKM element scores before vs after its fulfilment, from
    the unit's month tallies as they stood at `as_of` (one read for all promises)."""
    windows = {p["promise_id"]: _windows(p, as_of, tz_name) for p in promises}
    months = sorted({m for w in windows.values() if w for m in (*w[1], *w[2])})
    tallies = {}
    if months:
        tallies = month_tallies(db, [unit_id], {int(m[:4]) for m in months}, as_of if past else None).get(unit_id, {})
    for p in promises:
        w = windows[p["promise_id"]]
        if w is None:
            p["impact"] = None
            continue
        month, before, after = w
        out = rules.element_impact([tallies[m] for m in before if m in tallies],
                                   [tallies[m] for m in after if m in tallies], p["elements"])
        p["impact"] = {"fulfilment_month": month, "months_before": before, "months_after": after,
                       "after_window_complete": len(after) == rules.IMPACT_MONTHS, **out}


def _brief(figs: dict) -> dict:
    """A unit's line in a roll-up."""
    p = figs["promises"]
    return {"forums_held": figs["forums_held"], "forums_planned": figs["forums_planned"],
            "elements_covered_count": figs["elements_covered_count"], "pekppp_ind2": figs["pekppp_ind2"]["score"],
            "promises": {k: p[k] for k in ("total", "fulfilled", "in_progress", "open", "overdue", "disputed")},
            "fulfilment_rate_pct": figs["fulfilment_rate_pct"], "median_days_to_fulfil": figs["median_days_to_fulfil"],
            "last_forum_date": figs["last_forum_date"]}


def unit_report(db, unit_id: str, year: int, as_of: datetime, s: Settings | None = None,
                registry: Registry | None = None, past: bool = False) -> dict:
    """`past`: `as_of` was asked for (the SKM impact figures are then rewound to it)."""
    s = s or settings()
    reg = registry or Registry.instance()
    unit = reg.get(unit_id)
    figs = unit_figures(db["fkp_units"].find_one({"_id": unit_id}), year, as_of, ZoneInfo(s.tz))
    impacts(db, unit_id, figs["promise_list"], as_of, s.tz, past)
    return {"unit_id": unit_id, "unit_name": unit.name if unit else None, "opd_id": reg.opd_of(unit_id),
            "year": year, "as_of": as_of.isoformat(), **figs}


def province_report(db, year: int, as_of: datetime, s: Settings | None = None,
                    registry: Registry | None = None) -> dict:
    s = s or settings()
    reg = registry or Registry.instance()
    tz = ZoneInfo(s.tz)
    docs = {d["_id"]: d for d in db["fkp_units"].find({})}  # one small document per unit
    unit_ids = sorted({u.id for u in reg.upps()} | set(docs))
    figs = {uid: unit_figures(docs.get(uid), year, as_of, tz) for uid in unit_ids}
    for uid, f in figs.items():
        for p in f["promise_list"] + f["overdue_from_earlier_years"]:
            p["unit_id"], p["opd_id"] = uid, reg.opd_of(uid)
    by_opd: dict[str | None, list[str]] = {}
    for uid in unit_ids:
        by_opd.setdefault(reg.opd_of(uid), []).append(uid)
    opds = []
    for opd_id in sorted(by_opd, key=lambda o: o or ""):
        opd = reg.get(opd_id) if opd_id else None
        members = by_opd[opd_id]
        opds.append({"opd_id": opd_id, "name": opd.name if opd else None,
                     **rollup([figs[u] for u in members]),
                     "unit_figures": [{"unit_id": u, **_brief(figs[u])} for u in members]})
    upps = {u.id: u for u in reg.upps()}
    without = [{"unit_id": uid, "name": u.name, "opd_id": reg.opd_of(uid),
                "forums_planned": figs[uid]["forums_planned"]}
               for uid, u in sorted(upps.items()) if not figs[uid]["forums_held"]]
    overdue = sorted((p for f in figs.values() for p in f["overdue_promises"]), key=_oldest_first)
    earlier = sorted((p for f in figs.values() for p in f["overdue_from_earlier_years"]), key=_oldest_first)
    disputed = sorted((p for f in figs.values() for p in f["promise_list"] if p["status"] == "disputed"),
                      key=lambda p: (p["target_date"], p["unit_id"], p["promise_id"]))
    return {"province_id": s.province_id, "year": year, "as_of": as_of.isoformat(),
            **rollup([figs[u] for u in unit_ids]), "opd": opds, "units_without_forum": without,
            "overdue_promises": overdue, "overdue_from_earlier_years": earlier, "disputed_promises": disputed}
