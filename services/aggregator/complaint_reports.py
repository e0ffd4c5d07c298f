"""Complaint follow-up reports (SP4N-LAPOR!) for a unit and for the province.

Scope and time:
- A report covers the complaints *received* in the period (local time of the province) and
  judges them at `as_of` (default now, always echoed): each complaint's events up to `as_of`
  are folded and the windows that ended are settled (`lapor.state_at`), so a past `as_of`
  gives the figures as they stood then, and "overdue" means overdue at `as_of`.
- A unit's report counts the complaints it holds at `as_of` (a forwarded complaint counts for
  its current holder); `breaches_charged` lists the deadlines this unit breached on complaints
  of the period wherever they are now (a breach stays with the tier that used up the time).
- Province: the same figures over every complaint of the period, then each OPD (its units
  together, and the OPD itself when it holds complaints) and each unit.

Figures: counts by status (all statuses listed) and classification; resolved = CLOSED_RESOLVED
over the complaints that are ours to resolve (not ARCHIVED, not FORWARDED_OUT); the PEKPPP
ind. 28 score (`lapor.ind28_followup`), "via SP4N-LAPOR!" when at least half of those
complaints came through LAPOR! (channel `lapor`); overdue clocks at `as_of` per deadline kind
and per tier; breaches (late or overdue); median time from receipt to verification and from
verification to first follow-up (hours and working days); backlog (complaints waiting on the
government) by age in calendar days; reopen rate (reopened / answered); reporter satisfaction
(latest rating of each complaint, 1–4, the SKM unsur "pengaduan" scale, also × 25); the top
categories with the previous period's counts. Nothing here carries text or identity: the
aggregator never receives them.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone

from pantau import deadline
from pantau.rules import lapor
from pantau.rules.periods import Period
from pantau.rules.workdays import Calendar
from pantau.units import Registry, tier_of

CLASSIFICATIONS = ("pengaduan", "aspirasi", "permintaan_informasi")
AGE_BUCKETS = ((7, "0-7"), (14, "8-14"), (30, "15-30"), (60, "31-60"), (None, "61+"))
TOP_CATEGORIES = 5
NOT_OURS = ("ARCHIVED", "FORWARDED_OUT")


def load_logs(db, unit_id: str | None = None) -> list[list[dict]]:
    """Every complaint's log (one collection read; only those the unit ever held if given)."""
    query = {"holders": unit_id} if unit_id else {}
    return [d["log"] for d in db["complaints"].find(query, projection={"log": 1, "_id": 0})]


class Judged:
    """A complaint folded at `as_of`, with its deadlines judged."""
    __slots__ = ("st", "deadlines")

    def __init__(self, st: lapor.ComplaintState, deadlines: list[dict]):
        self.st, self.deadlines = st, deadlines


def judge(logs: list[list[dict]], as_of: datetime, cal: Calendar, instansi_id: str) -> list[Judged]:
    out = []
    for log in logs:
        deadline.check()  # per complaint: its fold counts working days up to as_of, the costly step
        st = lapor.state_at(log, as_of, cal)
        if st is not None:
            out.append(Judged(st, lapor.deadlines(st, as_of, cal, tier_of, instansi_id)))
    return out


def in_period(items: list[Judged], period: Period, tz: str) -> list[Judged]:
    return [j for j in items if period.contains(datetime.fromisoformat(j.st.received_at), tz)]


def _pct(num: int, den: int) -> float | None:
    return round(100.0 * num / den, 1) if den else None


def _median(values: Sequence[float], ndigits: int = 1) -> float | None:
    return round(statistics.median(values), ndigits) if values else None


def _durations(items: list[Judged], start_key: str, stop_key: str, cal: Calendar) -> dict:
    hours, wdays = [], []
    for j in items:
        a, b = getattr(j.st, start_key), getattr(j.st, stop_key)
        if a and b:
            ta, tb = datetime.fromisoformat(a), datetime.fromisoformat(b)
            hours.append((tb - ta).total_seconds() / 3600)
            wdays.append(cal.elapsed_working_days(ta, tb))
    return {"n": len(hours), "median_hours": _median(hours), "median_working_days": _median(wdays)}


def _count_deadlines(items: list[Judged], pick) -> dict:
    by_kind = {k: 0 for k in lapor.GOVERNMENT_KINDS}
    by_tier: Counter = Counter()
    for j in items:
        for d in j.deadlines:
            if d["kind"] in by_kind and pick(d):
                by_kind[d["kind"]] += 1
                by_tier[d["tier"]] += 1
    return {"total": sum(by_kind.values()), "by_kind": by_kind, "by_tier": dict(sorted(by_tier.items()))}


def _age_bucket(days: int) -> str:
    for limit, label in AGE_BUCKETS:
        if limit is None or days <= limit:
            return label
    return AGE_BUCKETS[-1][1]


def figures(items: list[Judged], previous: list[Judged], as_of: datetime, cal: Calendar) -> dict:
    n = len(items)
    status = Counter(j.st.status for j in items)
    eligible = [j for j in items if j.st.status not in NOT_OURS]
    resolved = sum(1 for j in eligible if j.st.status == "CLOSED_RESOLVED")
    pct = _pct(resolved, len(eligible))
    lapor_share = (sum(1 for j in eligible if j.st.channel == "lapor") / len(eligible)) if eligible else None
    via_lapor = lapor_share is not None and lapor_share >= 0.5
    score, basis = lapor.ind28_followup(pct, via_lapor)
    overdue_list = [{"complaint_id": j.st.complaint_id, "kinds": [d["kind"] for d in j.deadlines if d["overdue"]
                                                                      and d["kind"] in lapor.GOVERNMENT_KINDS]}
                    for j in items]
    backlog: Counter[str] = Counter()
    for j in items:
        if j.st.status in lapor.BACKLOG:
            age = (as_of - datetime.fromisoformat(j.st.received_at)).days
            backlog[_age_bucket(max(age, 0))] += 1
    latest = [j.st.ratings[-1]["satisfaction"] for j in items if j.st.ratings]
    answered = sum(1 for j in items if j.st.answers > 0)
    reopened = sum(1 for j in items if j.st.reopens > 0)
    cats = Counter(j.st.category or "tanpa_kategori" for j in items)
    prev_cats = Counter(j.st.category or "tanpa_kategori" for j in previous)
    top = sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CATEGORIES]
    mean = round(statistics.fmean(latest), 2) if latest else None
    return {
        "complaints": n,
        "by_status": {s: status.get(s, 0) for s in lapor.STATUSES},
        "by_classification": {c: sum(1 for j in items if j.st.classification == c) for c in CLASSIFICATIONS},
        "by_channel": dict(sorted(Counter(j.st.channel for j in items).items())),
        "resolved": {"closed_resolved": resolved, "eligible": len(eligible), "pct": pct},
        "pekppp_ind28": {"score": score, "basis": basis, "pct": pct, "via_lapor": via_lapor,
                         "lapor_share": round(lapor_share, 3) if lapor_share is not None else None},
        "overdue": {**_count_deadlines(items, lambda d: d["overdue"]),
                    "complaints": [o for o in overdue_list if o["kinds"]]},
        "breaches": _count_deadlines(items, lambda d: d["outcome"] == "breached"),
        "median_time": {"to_verification": _durations(items, "received_at", "verified_at", cal),
                        "to_first_follow_up": _durations(items, "verified_at", "first_follow_up_at", cal)},
        "backlog": {"total": sum(backlog.values()), "age_days": {label: backlog.get(label, 0) for _, label in AGE_BUCKETS}},
        "reopen": {"reopened": reopened, "answered": answered, "rate_pct": _pct(reopened, answered)},
        "satisfaction": {"n": len(latest), "mean": mean, "skm_element": "pengaduan",
                         "ikm_scale": round(mean * 25, 2) if mean is not None else None,
                         "distribution": {str(k): latest.count(k) for k in (1, 2, 3, 4)}},
        "top_categories": [{"category": c, "complaints": k, "previous": prev_cats.get(c, 0),
                            "change": k - prev_cats.get(c, 0)} for c, k in top],
        "trend": {"complaints": n, "previous_complaints": len(previous), "change": n - len(previous)},
    }


def overdue_cases(items: list[Judged]) -> list[dict]:
    """The work list: one row per open deadline the government side has missed (a complaint may
    have two), most working days late first: which complaint, who holds it, what is due since
    when, and the tier and unit the breach is charged to."""
    reg = Registry.instance()
    rows = []
    for j in items:
        for d in j.deadlines:
            if d["overdue"] and d["kind"] in lapor.GOVERNMENT_KINDS:
                holder = j.st.holder_unit_id
                rows.append({"complaint_id": j.st.complaint_id, "holder_unit_id": holder,
                             "holder_name": (u.name if holder and (u := reg.get(holder)) else holder),
                             "opd_id": reg.opd_of(holder) if holder else None, "status": j.st.status,
                             "received_at": j.st.received_at, "kind": d["kind"], "round": d["round"],
                             "due_date": d["due_date"], "working_days_late": d["working_days_late"],
                             "tier": d["tier"], "charged_to": d["charged_to"]})
    return sorted(rows, key=lambda r: (-r["working_days_late"], r["due_date"], r["complaint_id"], r["kind"]))


def charged_to(items: list[Judged], unit_id: str) -> dict:
    """Breached deadlines charged to `unit_id` (late or overdue), wherever the complaint is now."""
    return _count_deadlines(items, lambda d: d["outcome"] == "breached" and d["charged_to"] == unit_id)


def _held_by(items: list[Judged], unit_id: str) -> list[Judged]:
    return [j for j in items if j.st.holder_unit_id == unit_id]


def unit_report(db, unit, period: Period, as_of: datetime, cal: Calendar, tz: str, instansi_id: str) -> dict:
    judged = judge(load_logs(db, unit.id), as_of, cal, instansi_id)
    now_items, prev_items = in_period(judged, period, tz), in_period(judged, period.previous(), tz)
    return {"unit_id": unit.id, "name": unit.name, "kind": unit.kind, "opd_id": Registry.instance().opd_of(unit.id),
            "period": str(period), "previous_period": str(period.previous()), "as_of": as_of.isoformat(),
            "rules_version": lapor.DEFAULT_RULES,
            **figures(_held_by(now_items, unit.id), _held_by(prev_items, unit.id), as_of, cal),
            "breaches_charged": charged_to(now_items, unit.id),
            "overdue_cases": overdue_cases(_held_by(now_items, unit.id))}


def _in_opd(items: list[Judged], opd_id: str) -> list[Judged]:
    reg = Registry.instance()
    return [j for j in items if j.st.holder_unit_id and reg.opd_of(j.st.holder_unit_id) == opd_id]


def province_report(db, period: Period, as_of: datetime, cal: Calendar, tz: str, province_id: str,
                    opd_id: str | None = None) -> dict:
    """The province's complaints, or one OPD's (`opd_id`: every figure, list and table is then of
    the complaints its units hold)."""
    reg = Registry.instance()
    judged = judge(load_logs(db), as_of, cal, province_id)
    now_items, prev_items = in_period(judged, period, tz), in_period(judged, period.previous(), tz)
    if opd_id:
        now_items, prev_items = _in_opd(now_items, opd_id), _in_opd(prev_items, opd_id)
    body = {"province_id": province_id, "opd_id": opd_id, "period": str(period),
            "previous_period": str(period.previous()), "as_of": as_of.isoformat(), "rules_version": lapor.DEFAULT_RULES,
            **figures(now_items, prev_items, as_of, cal),
            "breaches_charged_to_instansi": charged_to(now_items, province_id),
            "overdue_cases": overdue_cases(now_items)}
    body["overdue"].pop("complaints")  # the work list (overdue_cases) has them, with their deadlines
    units = [u for u in reg.all() if u.kind in ("upp", "opd", "kabkota")]
    holders = {j.st.holder_unit_id for j in now_items}
    rows: dict[str | None, list[dict]] = {}
    for u in units:
        if u.kind != "upp" and u.id not in holders:
            continue  # an OPD or kab/kota is listed as a holder only when it holds complaints
        mine = _held_by(now_items, u.id)
        f = figures(mine, _held_by(prev_items, u.id), as_of, cal)
        rows.setdefault(reg.opd_of(u.id), []).append({
            "unit_id": u.id, "name": u.name, "kind": u.kind, "complaints": f["complaints"],
            "by_status": {k: v for k, v in f["by_status"].items() if v}, "resolved": f["resolved"],
            "pekppp_ind28": {k: f["pekppp_ind28"][k] for k in ("score", "basis", "via_lapor")},
            "by_channel": f["by_channel"],
            "overdue": {k: f["overdue"][k] for k in ("total", "by_kind")},
            "breaches_charged": charged_to(now_items, u.id)["total"],
            "satisfaction_mean": f["satisfaction"]["mean"], "reopen": f["reopen"]})
    opds = []
    for o in (u for u in reg.all() if u.kind == "opd" and (not opd_id or u.id == opd_id)):
        members = rows.get(o.id, [])
        ids = {r["unit_id"] for r in members}
        f = figures([j for j in now_items if j.st.holder_unit_id in ids],
                    [j for j in prev_items if j.st.holder_unit_id in ids], as_of, cal)
        opds.append({"opd_id": o.id, "name": o.name, "complaints": f["complaints"],
                     "by_status": {k: v for k, v in f["by_status"].items() if v}, "resolved": f["resolved"],
                     "pekppp_ind28": {"score": f["pekppp_ind28"]["score"], "via_lapor": f["pekppp_ind28"]["via_lapor"]},
                     "overdue": {k: f["overdue"][k] for k in ("total", "by_kind")},
                     "breaches": {k: f["breaches"][k] for k in ("total", "by_kind")},
                     "units": sorted(members, key=lambda r: r["unit_id"])})
    body["opds"] = opds
    body["other_holders"] = [] if opd_id else sorted(rows.get(None, []), key=lambda r: r["unit_id"])
    return body


def now() -> datetime:
    return datetime.now(timezone.utc)
