"""The SKM read model: each unit's month tallies, live or exactly as they stood at `as_of`.

Every report, page, export and metric gets its SKM figures from `month_tallies` (and sums the
months it needs: `SkmTally.total`), so they cannot disagree; a unit's result for a period is
`result_of` its tallies and its summary reports (`unit_results`; rules.skm_result: responses
when it has them, else its Laporan Hasil SKM). A response or void counts at
`as_of` only if it was *recorded* (stored by the survey service) by then, whatever its
`submitted_at`.

Cost (projections/skm_history.py): one year document per unit and year; with `as_of` before the
latest recording, at most two snapshots of it and the slot documents of `as_of`'s own day on the
cheaper side of `as_of` (forward from the day before, or back from the end of the day), each read
in one `_id $in` for all units. So an `as_of` one month or ten years back costs the same, and the
dashboard's "keadaan per <date>" (the end of a day) reads no slot at all.
Known approximation: the identical-answer burst signal (the largest number of identical answer sets
from one channel within ten minutes) is exact live and at the end of a day; within a day it is the
day's base figure, raised by the bursts among the changes applied forward (a response recorded
late may raise a snapshot's figure, never lower it). Every other figure is exact.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime

from pantau import deadline
from pantau.config import settings
from pantau.mongo import by_id
from pantau.rules.periods import Period
from pantau.rules.skm_result import UnitSkm, covering, summary_basis
from pantau.rules.skm_tally import SkmTally, month_doc_add, month_doc_new

from .projections import skm_compact
from .projections import skm_history as hist
from .projections.skm import DAYS, SLOTS, UNITS
from .projections.skm_summaries import COLLECTION as SUMMARIES
from .projections.skm_summaries import profile_of

MonthTallies = dict[str, dict[str, SkmTally]]  # unit -> "YYYY-MM" -> tally (months with data)


def month_tallies(db, unit_ids: Iterable[str], years: Iterable[int], as_of: datetime | None = None,
                  profile: bool = True) -> MonthTallies:
    """Each unit's month tallies of those years, live or as they stood at `as_of`. Without
    `profile` (the reports over many units) the tallies have no respondent profile and come from
    the compact copies (projections/skm_compact.py), several times cheaper to read."""
    units, years = list(dict.fromkeys(unit_ids)), sorted(set(years))
    def full(name: str, ids: list[str]) -> dict[str, dict]:
        return by_id(db[name], ids)
    fetch = full if profile else compact_fetch(full)
    live = fetch(UNITS, [hist.unit_year_id(u, y) for u in units for y in years])
    docs = {uy: d["months"] for uy, d in live.items()}
    if as_of is not None:
        docs = state_at(live, as_of, settings().tz, fetch)
    out: MonthTallies = {}
    for uy_id, months in docs.items():
        unit_id, year = uy_id.rsplit(":", 1)
        for mm, m in months.items():
            if m.get("respondents"):
                out.setdefault(unit_id, {})[f"{year}-{mm}"] = SkmTally.of_month(m if profile else {**m, "profile": {}})
    return out


def compact_fetch(fetch):
    """A `fetch(name, ids)` for state_at that takes the year documents and snapshots from their
    compact copies (projections/skm_compact.py: one `_id $in`), and from `fetch` only those that
    have none (written before the copies existed: one more `_id $in`, of those ids alone); the
    slots as they are. What it gives has no respondent profiles."""
    def compact(name: str, ids: list[str]) -> dict[str, dict]:
        if name not in (UNITS, DAYS):
            return fetch(name, ids)
        out = {i: skm_compact.expand(c) for i, c in fetch(skm_compact.COLLECTION, ids).items()}
        missing = [i for i in ids if i not in out]
        if missing:
            out.update(fetch(name, missing))
        return out
    return compact


def period_tally(months: dict[str, SkmTally], period_months: Iterable[str]) -> SkmTally:
    return SkmTally.total(months[m] for m in period_months if m in months)


def summary_docs(db, unit_ids: Iterable[str], years: Iterable[int]) -> dict[str, list[dict]]:
    """Each unit's SKM summary reports of those years (every submission; profile decoded)."""
    units, years = list(dict.fromkeys(unit_ids)), sorted(set(years))
    out: dict[str, list[dict]] = {}
    for d in db[SUMMARIES].find({"unit_id": {"$in": units}, "year": {"$in": years}}):
        out.setdefault(d["unit_id"], []).append({**d, "profile": profile_of(d)})
    return out


def result_of(months: dict[str, SkmTally], summaries: list[dict], period: Period,
              as_of: datetime | None = None) -> UnitSkm:
    """Pure: a unit's SKM for `period` from its month tallies and its summary documents (those
    recorded by `as_of`), rules.skm_result."""
    return UnitSkm(period_tally(months, period.months), summary_basis(covering(summaries, period.months, as_of)))


def unit_results(db, unit_ids: Iterable[str], period: Period, as_of: datetime | None = None,
                 profile: bool = True) -> dict[str, UnitSkm]:
    """Each unit's SKM for the period (responses, else its summary; rules.skm_result); without
    `profile`, the tallies carry no respondent profile (`month_tallies`)."""
    units, years = list(dict.fromkeys(unit_ids)), {int(m[:4]) for m in period.months}
    months, sums = month_tallies(db, units, years, as_of, profile), summary_docs(db, units, years)
    return {uid: result_of(months.get(uid, {}), sums.get(uid, []), period, as_of) for uid in units}


# ---- as_of ---------------------------------------------------------------------------------

def _latest(days: list[str], upto: str, strict: bool) -> str | None:
    found = [d for d in days if (d < upto if strict else d <= upto)]
    return found[-1] if found else None


def _plan(live: dict, as_of: datetime, tz: str) -> dict:
    """What one year document needs to stand at `as_of`: a base (the live document, a snapshot
    day, or nothing) and the slots of `as_of`'s day to apply forward or take back."""
    last = live.get("last_recorded_at")
    if last is None or last <= as_of:
        return {"base": "live"}
    days, live_day = live["days"], live["day"]
    day, cut = hist.day_of(as_of, tz), hist.slot_of(as_of, tz)

    def doc_for(d: str | None):
        return None if d is None else ("live" if d == live_day else d)
    if day not in days:
        return {"base": doc_for(_latest(days, day, strict=False))}
    counts_from = "live" if day == live_day else day
    return {"base_if_back": doc_for(day), "base_if_forward": doc_for(_latest(days, day, strict=True)),
            "counts_from": counts_from, "day": day, "cut": cut}


def state_at(live: dict[str, dict], as_of: datetime, tz: str, fetch) -> dict[str, dict]:
    """The months of each year document as they stood at `as_of` (pure but for `fetch(name,
    ids)`, which returns {_id: document} of those `_id`s in collection `name`: two calls)."""
    plans = {uy: _plan(d, as_of, tz) for uy, d in live.items()}
    snap_ids = {hist.snapshot_id(uy, v) for uy, p in plans.items()
                for k, v in p.items() if k in ("base", "base_if_back", "base_if_forward", "counts_from")
                and v not in (None, "live")}
    snaps = fetch(DAYS, list(snap_ids)) if snap_ids else {}
    deadline.check()

    def doc(uy: str, which: str | None) -> dict | None:
        if which is None:
            return None
        return live[uy] if which == "live" else snaps.get(hist.snapshot_id(uy, which))

    slot_ids, chosen = [], {}
    for uy, p in plans.items():
        if "day" not in p:
            continue
        counts_doc = doc(uy, p["counts_from"]) or {}
        counts = {p["day"] + hhm: n for hhm, n in (counts_doc.get("slots") or {}).items()}
        forward = sum(n for s, n in counts.items() if s <= p["cut"])
        back = sum(n for s, n in counts.items() if s >= p["cut"])
        direction = "forward" if forward <= back else "back"
        wanted = [s for s in counts if (s <= p["cut"] if direction == "forward" else s >= p["cut"])]
        chosen[uy] = direction
        slot_ids += [hist.slot_id(uy, s, c) for s in wanted for c in range(counts[s] // hist.CHUNK + 2)]
    items_by_uy: dict[str, list[dict]] = {}
    for s in (fetch(SLOTS, slot_ids) if slot_ids else {}).values():
        items_by_uy.setdefault(s["unit_year"], []).extend(s["items"])
    deadline.check()

    out: dict[str, dict] = {}
    for uy, p in plans.items():
        if "day" not in p:
            base = doc(uy, p["base"])
            out[uy] = base["months"] if base else {}
            continue
        forward = chosen[uy] == "forward"
        base = doc(uy, p["base_if_forward"] if forward else p["base_if_back"])
        months = copy.deepcopy(base["months"]) if base else {}
        items = sorted(items_by_uy.get(uy, []), key=_offset, reverse=not forward)  # undo newest first
        groups: dict[tuple[str, str], int] = {}
        for item in items:
            at = item["at"]
            if forward and at <= as_of:
                _add(months, item, item["sign"])
                key = (item["month"][5:7], hist.burst_key(item["c"]))
                groups[key] = groups.get(key, 0) + item["sign"]
            elif not forward and at > as_of:
                _add(months, item, -item["sign"])
        for (mm, _key), n in groups.items():
            if mm in months:
                months[mm]["burst"] = max(months[mm].get("burst", 0), n)
        out[uy] = months
    return out


def _offset(item: dict) -> tuple[int, int]:
    _topic, partition, offset = item["pos"].rsplit(":", 2)
    return int(partition), int(offset)


def _add(months: dict, item: dict, sign: int) -> None:
    month = months.setdefault(item["month"][5:7], month_doc_new())
    month_doc_add(month, item["c"], sign)
