"""SKM summary reports on the read side: each unit and period's submissions (the newest, by when
the survey service recorded it, is the one that counts; the older ones are its history), each with
its arithmetic checked (pantau/rules/skm_summary_check.py) against the population N the unit
recorded in its survey settings for that period (`skm_settings`); without one the sample is not
judged (the registry's yearly estimate, which other reports scale to a period, is too rough to
call a unit's report wrong).

`unit_summaries` answers `GET /v1/skm/summaries/units/{unit}?period=`, `flagged` the bureau's list
"laporan yang perlu diperiksa" (`GET /v1/skm/summaries/flagged?period=`); `period` takes every
summary whose period lies within it (2026 takes 2026-Q1 and 2026-03). The check is computed when
read, so a population recorded later is taken into account.

Each submission shows its report file (`report`: file name, size, pages, SHA-256 and `download`,
the survey service's path that serves it to the unit's key or the bureau) or `report: null` with
the informational note `report_missing` ("berkas laporan belum diunggah") in `check.notes`: a
missing file is not an arithmetic discrepancy, so it never sets `flagged`."""
from __future__ import annotations

from pantau.mongo import by_id
from pantau.rules.periods import Period, parse_period
from pantau.rules.skm_summary_check import check_summary
from pantau.units import Registry

from .population import SETTINGS, population
from .projections.skm_summaries import COLLECTION, profile_of
from .reports import now_iso

SHOWN = ("submission_id", "respondents", "nrr", "counts", "profile", "reported_ikm", "reported_mutu", "executor",
         "survey_start", "survey_end", "recorded_at")
REPORT_MISSING = {"code": "report_missing", "message": "Berkas laporan belum diunggah.",
                  "message_en": "The report file has not been uploaded."}


def _within(stored: str, asked: Period) -> bool:
    return set(parse_period(stored).months) <= set(asked.months)


def _groups(docs: list[dict], asked: Period) -> dict[tuple[str, str], list[dict]]:
    """(unit, period) → its submissions, newest first."""
    out: dict[tuple[str, str], list[dict]] = {}
    for d in docs:
        if _within(d["period"], asked):
            out.setdefault((d["unit_id"], d["period"]), []).append(d)
    for subs in out.values():
        subs.sort(key=lambda d: (d["recorded_at"], d["submission_id"]), reverse=True)
    return out


def report_path(unit_id: str, period: str, submission_id: str) -> str:
    """Where the survey service serves a submission's report file."""
    return f"/v1/skm/summaries/{unit_id}/{period}/{submission_id}/report"


def _report(doc: dict) -> dict | None:
    r = doc.get("report")
    if r is None:
        return None
    return {**r, "download": report_path(doc["unit_id"], doc["period"], doc["submission_id"])}


def _checked(doc: dict, population: int | None) -> dict:
    report = _report(doc)
    check = check_summary(doc, population)
    check["notes"] = [] if report else [REPORT_MISSING]
    return {**{k: doc.get(k) for k in SHOWN}, "profile": profile_of(doc) or None, "report": report,
            "check": check}


def _populations(db, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int | None]:
    """N of each (unit, period) from its survey settings only (module doc), in one read."""
    docs = by_id(db[SETTINGS], [f"{u}:{p}" for u, p in keys], {"population": 1})
    return {(u, p): population(u, parse_period(p), docs.get(f"{u}:{p}"), estimate=False) for u, p in keys}


def _period_entry(unit_period: tuple[str, str], subs: list[dict], population: int | None) -> dict:
    current, *older = subs
    return {"period": unit_period[1], "population": population, "current": _checked(current, population),
            "history": [_checked(d, population) for d in older]}


def unit_summaries(db, unit_id: str, period: Period) -> dict:
    docs = list(db[COLLECTION].find({"unit_id": unit_id, "year": {"$in": sorted({int(m[:4]) for m in period.months})}}))
    groups = _groups(docs, period)
    pops = _populations(db, list(groups))
    periods = [_period_entry(k, groups[k], pops[k]) for k in sorted(groups, key=lambda k: parse_period(k[1]).months)]
    unit = Registry.instance().get(unit_id)
    return {"unit_id": unit_id, "name": unit.name if unit else unit_id, "period": str(period), "as_of": now_iso(),
            "periods": periods, "flagged": any(p["current"]["check"]["flagged"] for p in periods)}


def flagged(db, period: Period) -> dict:
    """Every unit and period whose current summary has a flag, largest IKM difference first."""
    reg = Registry.instance()
    docs = list(db[COLLECTION].find({"year": {"$in": sorted({int(m[:4]) for m in period.months})}}))
    groups = _groups(docs, period)
    pops = _populations(db, list(groups))
    rows, without_report = [], 0
    for (unit_id, p), subs in groups.items():
        entry = _period_entry((unit_id, p), subs, pops[(unit_id, p)])
        cur = entry["current"]
        check = cur["check"]
        without_report += cur["report"] is None
        if not check["flagged"]:
            continue
        unit = reg.get(unit_id)
        opd = reg.get(reg.opd_of(unit_id) or "") if unit else None
        rows.append({"unit_id": unit_id, "name": unit.name if unit else unit_id,
                     "opd_id": opd.id if opd else None, "opd_name": opd.name if opd else None, "period": p,
                     "submission_id": cur["submission_id"], "recorded_at": cur["recorded_at"],
                     "respondents": cur["respondents"], "basis": check["basis"],
                     "reported_ikm": cur["reported_ikm"], "reported_mutu": cur["reported_mutu"],
                     "ikm": check["ikm"], "mutu": check["mutu"], "difference": check["difference"],
                     "flags": [f["code"] for f in check["flags"]], "messages": [f["message"] for f in check["flags"]],
                     "report": cur["report"], "notes": [n["code"] for n in check["notes"]],
                     "superseded": len(entry["history"])})
    rows.sort(key=lambda r: (-abs(r["difference"] or 0), r["name"], r["period"]))
    return {"period": str(period), "as_of": now_iso(), "summaries": len(groups), "flagged_count": len(rows),
            "without_report_count": without_report, "units": rows}
