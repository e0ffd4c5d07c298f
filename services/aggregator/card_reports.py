"""The bureau's joined reports: the unit card, the compliance matrix and the province overview.

They join the three instruments per unit and year (SKM from the month buckets and the survey
follow-up projections, FKP from `fkp_reports`, complaints from `complaint_reports`) and answer
"as the data stood at `as_of`" (default now, always echoed):

- SKM: exactly the responses and voids recorded by `as_of` (`skm_asof` rewinds the live month
  buckets; with no `as_of` asked for, the live buckets are read as they are); RTL items planned
  after `as_of` do not count, an item done after `as_of` counts as not done yet; publications
  and survey settings recorded after `as_of` do not count.
- FKP and complaints: their own report functions fold the recorded history up to `as_of`.

Everything that combines figures is a pure function of plain dicts (`skm_section`,
`fkp_section`, `complaints_section`, `obligation_cells`, `pekppp_indicators`, `overview_from`);
the functions taking `db` only read and hand over. The JSON API (`card_api`), the dashboard
pages, the CSV/XLSX exports and the PDF reports all call these same functions, so a figure is
computed once and shown everywhere the same.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from pantau.config import Settings
from pantau.rules import ikm as rules
from pantau.rules.periods import Period, month_key, periods_for_year
from pantau.rules.sample import sample_adequacy
from pantau.units import Registry

from . import skm_compliance
from .reports import BUCKET_FIELDS, _merge, objectivity_flags, population_for
from .skm_asof import buckets_at, followup_at

try:  # built alongside this module; a missing part is reported as "data belum tersedia"
    from . import fkp_reports
except ImportError:  # pragma: no cover - only while the FKP reports are not merged
    fkp_reports = None  # type: ignore[assignment]
try:
    from . import complaint_reports
except ImportError:  # pragma: no cover
    complaint_reports = None  # type: ignore[assignment]

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"
FKP_MIN_ELEMENTS = 5  # domain.md §5 row 7: SP drafted/reviewed with ≥ 5 community elements
SILENT_MONTHS = 6  # no SKM response for this many months → "lama tidak aktif"
ATTENTION_ROWS = 5
UNAVAILABLE = {"available": False, "reason": "data belum tersedia"}

OBLIGATIONS: tuple[dict, ...] = (
    {"key": "skm_run", "label": "SKM dilaksanakan", "basis": "PermenPANRB 14/2017 Pasal 1 (domain §5 no. 1)"},
    {"key": "sample_adequate", "label": "Sampel memenuhi Krejcie–Morgan", "basis": "Lampiran 14/2017 (§5 no. 2)"},
    {"key": "skm_published", "label": "Hasil SKM dipublikasikan", "basis": "F-02 ind. 6–7 (§5 no. 4)"},
    {"key": "rtl_done", "label": "RTL selesai dilaksanakan", "basis": "F-02 ind. 8–9 (§5 no. 5)"},
    {
        "key": "fkp_held",
        "label": f"FKP dengan ≥ {FKP_MIN_ELEMENTS} unsur masyarakat",
        "basis": "PermenPANRB 16/2017, F-02 ind. 2 (§5 no. 7)",
    },
    {"key": "promises_kept", "label": "Janji perbaikan FKP tepat waktu", "basis": "Berita Acara FKP (§2.4)"},
    {
        "key": "complaints_on_time",
        "label": "Pengaduan ditindaklanjuti dalam tenggat",
        "basis": "Perpres 76/2013, SP4N-LAPOR! (§5 no. 10–11)",
    },
)
OBLIGATION_KEYS = tuple(o["key"] for o in OBLIGATIONS)


def now() -> datetime:
    return datetime.now(timezone.utc)


# ---- SKM inputs at as_of ----------------------------------------------------------------------


@dataclass
class SkmInputs:
    """What the SKM part reads, already cut at `as_of` (plain dicts, as stored)."""

    buckets: dict[str, list[dict]] = field(default_factory=dict)  # unit -> month buckets
    settings: dict[str, dict] = field(default_factory=dict)  # "unit:period" -> settings
    rtl: dict[str, list[dict]] = field(default_factory=dict)  # unit -> RTL items of the year
    pubs: dict[str, list[dict]] = field(default_factory=dict)  # unit -> publications of the year


def cut_skm(
    buckets: list[dict], settings_docs: list[dict], rtl: list[dict], pubs: list[dict], as_of: datetime, tz: str
) -> SkmInputs:
    """Pure: the SKM inputs at `as_of` from buckets already as they stood then (`skm_asof`) and
    the current follow-up documents (cut here). Months after the month of `as_of` hold nothing
    then and are left out."""
    last_month = month_key(as_of, tz)
    out = SkmInputs()
    by_unit: dict[str, list[dict]] = defaultdict(list)
    for b in buckets:
        if b["month"] <= last_month:
            by_unit[b["unit_id"]].append(b)
    out.buckets = dict(by_unit)
    cut = followup_at(settings_docs, rtl, pubs, as_of, tz)
    out.settings, out.rtl, out.pubs = cut.settings, cut.rtl, cut.pubs
    return out


def load_skm(db, unit_ids: list[str] | None, year: int, as_of: datetime, tz: str, live: bool = False) -> SkmInputs:
    """Read the year's and the previous year's buckets (for the trend) and the year's follow-up;
    `live`: `as_of` is now, so the live buckets are read without rewinding."""
    months = list(Period("year", year - 1).months) + list(Period("year", year).months)
    ids = unit_ids if unit_ids is not None and len(unit_ids) == 1 else None
    buckets = buckets_at(db, ids, months, None if live else as_of, BUCKET_FIELDS)
    settings_docs = list(db["skm_settings"].find({"year": {"$in": [year - 1, year]}}))
    rtl = list(db["skm_rtl"].find({"year": year}))
    pubs = list(db["skm_publications"].find({"year": year}))
    if unit_ids is not None:
        keep = set(unit_ids)
        buckets = [b for b in buckets if b["unit_id"] in keep]
        settings_docs = [d for d in settings_docs if d["unit_id"] in keep]
        rtl = [r for r in rtl if r["unit_id"] in keep]
        pubs = [p for p in pubs if p["unit_id"] in keep]
    return cut_skm(buckets, settings_docs, rtl, pubs, as_of, tz)


# ---- SKM section ------------------------------------------------------------------------------


def _population(unit_id: str, period: Period, inp: SkmInputs) -> int | None:
    doc = inp.settings.get(f"{unit_id}:{period}")
    if doc and doc.get("population"):
        return int(doc["population"])
    return population_for(unit_id, period)  # the registry's yearly figure, scaled


def period_ikm(unit_id: str, period: Period, inp: SkmInputs, weight_mode: str) -> dict:
    """Pure: the unit's IKM for one period, as `reports.unit_ikm` computes it (without the trend)."""
    buckets = [b for b in inp.buckets.get(unit_id, []) if b["month"] in period.months]
    m = _merge(buckets)
    n = m["respondents"]
    adequacy = sample_adequacy(_population(unit_id, period, inp), n)
    body: dict = {"period": str(period), "respondents": n, "sample": adequacy}
    if not n:
        return {
            **body,
            "ikm": None,
            "mutu": None,
            "kinerja": None,
            "elements": None,
            "weakest": [],
            "ci95": None,
            "profile": {},
            "flags": ["no_responses"],
            "sums": m["sums"],
        }
    res = rules.compute_ikm(m["sums"], n, weight_mode)
    ci = rules.confidence_interval_95(m["sum_x"], m["sum_x2"], n)
    elements = {
        k: {"label": rules.ELEMENT_LABELS[k], "nrr": round(v["nrr"], 4), "ikm": v["ikm_rounded"], "mutu": v["mutu"]}
        for k, v in res["elements"].items()
    }
    return {
        **body,
        "ikm": res["ikm"],
        "mutu": res["mutu"],
        "kinerja": res["kinerja"],
        "elements": elements,
        "weakest": [{"element": k, **elements[k]} for k in res["lowest_elements"]],
        "ci95": None if ci is None else [rules.round_half_up(ci[0], 2), rules.round_half_up(ci[1], 2)],
        "profile": {f: dict(c) for f, c in m["profile"].items()},
        "flags": objectivity_flags(m, adequacy),
        "sums": m["sums"],
    }


def last_response_month(unit_id: str, inp: SkmInputs) -> str | None:
    months = [b["month"] for b in inp.buckets.get(unit_id, []) if b.get("respondents")]
    return max(months) if months else None


def skm_section(unit_id: str, year: int, inp: SkmInputs, weight_mode: str) -> dict:
    """Pure: the SKM part of a unit card (latest period, trend, weakest unsur, sample, follow-up)."""
    settings_doc = inp.settings.get(f"{unit_id}:{year}")
    period_type = (settings_doc or {}).get("period_type", "year")
    periods = periods_for_year(year, period_type)
    trend = []
    for p in periods_for_year(year - 1, period_type) + periods:
        r = period_ikm(unit_id, p, inp, weight_mode)
        trend.append(
            {
                "period": r["period"],
                "ikm": r["ikm"],
                "mutu": r["mutu"],
                "respondents": r["respondents"],
                "adequate": r["sample"]["adequate"],
            }
        )
    latest = None
    for p in reversed(periods):
        r = period_ikm(unit_id, p, inp, weight_mode)
        if r["respondents"]:
            latest = {k: v for k, v in r.items() if k != "sums"}
            break
    whole = period_ikm(unit_id, Period("year", year), inp, weight_mode)
    in_year = [b for b in inp.buckets.get(unit_id, []) if b["month"][:4] == f"{year:04d}"]
    compliance = skm_compliance.unit_compliance(
        unit_id, year, in_year, settings_doc, inp.rtl.get(unit_id, []), inp.pubs.get(unit_id, [])
    )
    return {
        "available": True,
        "period_type": period_type,
        "executor": compliance["executor"],
        "latest": latest,
        "year": {k: whole[k] for k in ("period", "respondents", "sample", "ikm", "mutu", "kinerja")},
        "trend": trend,
        "last_response_month": last_response_month(unit_id, inp),
        "periods_without_responses": compliance["periods_without_responses"],
        "publication": {
            "published": compliance["published"],
            "media": compliance["publication_media"],
            "electronic": compliance["electronic"],
            "non_electronic": compliance["non_electronic"],
        },
        "rtl": compliance["rtl"],
        "rtl_items": sorted(
            (
                {
                    k: r.get(k)
                    for k in (
                        "item_id",
                        "period",
                        "element",
                        "programme",
                        "owner",
                        "target_date",
                        "status",
                        "progress_pct",
                        "done_at",
                    )
                }
                for r in inp.rtl.get(unit_id, [])
            ),
            key=lambda r: (r["target_date"], r["item_id"]),
        ),
        "compliance": compliance,
    }


# ---- FKP and complaint sections (from the other reports' figures) ------------------------------


def fkp_section(figs: dict | None) -> dict:
    """Pure: the FKP part of a unit card from `fkp_reports.unit_figures` (None → not available)."""
    if figs is None:
        return dict(UNAVAILABLE)
    p = figs["promises"]
    held_sp = [f for f in figs["forums"] if f["topic"] == "standar_pelayanan" and f["stage"] in ("held", "closed")]
    return {
        "available": True,
        "forums_held": figs["forums_held"],
        "forums_planned": figs["forums_planned"],
        "forums_with_berita_acara": figs["forums_with_berita_acara"],
        "elements_covered": figs["elements_covered"],
        "elements_covered_count": figs["elements_covered_count"],
        "pekppp_ind2": figs["pekppp_ind2"],
        "last_forum_date": figs["last_forum_date"],
        "sp_reviews": [f["held_on"] for f in held_sp],
        "promises": {
            k: p[k]
            for k in (
                "total",
                "planned",
                "in_progress",
                "fulfilled",
                "disputed",
                "dropped",
                "open",
                "overdue",
                "fulfilled_late",
                "confirmed",
            )
        },
        "fulfilment_rate_pct": figs["fulfilment_rate_pct"],
        "median_days_to_fulfil": figs["median_days_to_fulfil"],
        "overdue_promises": [
            {k: o[k] for k in ("fkp_id", "promise_id", "description", "owner", "target_date", "days_overdue", "status")}
            for o in figs["overdue_promises"]
        ],
        "overdue_from_earlier_years": len(figs["overdue_from_earlier_years"]),
    }


def complaints_section(rep: dict | None) -> dict:
    """Pure: the complaints part of a unit card from `complaint_reports.unit_report`."""
    if rep is None:
        return dict(UNAVAILABLE)
    return {
        "available": True,
        "period": rep["period"],
        "complaints": rep["complaints"],
        "by_status": rep["by_status"],
        "resolved": rep["resolved"],
        "backlog": rep["backlog"],
        "overdue": {k: rep["overdue"][k] for k in ("total", "by_kind", "by_tier")},
        "breaches_charged": rep["breaches_charged"],
        "pekppp_ind28": rep["pekppp_ind28"],
        "satisfaction": {k: rep["satisfaction"][k] for k in ("n", "mean", "ikm_scale")},
        "top_categories": rep["top_categories"],
    }


# ---- PEKPPP indicators and compliance cells ----------------------------------------------------


def pekppp_indicators(skm: dict, fkp: dict, complaints: dict) -> dict:
    """Pure: the F-02 indicator scores the data supports (2, 4 where recorded, 6–9, 28), each with
    its evidence and source; `score` None means the data cannot judge it."""
    out: dict = {}
    if fkp.get("available"):
        ind2 = fkp["pekppp_ind2"]
        out["2"] = {"score": ind2["score"], "evidence": f"{ind2['rule']} ({ind2['basis']})", "source": "FKP"}
        if fkp["sp_reviews"]:
            out["4"] = {
                "score": 4,
                "source": "FKP",
                "evidence": (
                    f"standar pelayanan ditinjau melalui FKP pada {', '.join(fkp['sp_reviews'])} "
                    "(setahun sekali atau lebih sering); cakupan seluruh jenis layanan tidak "
                    "tercatat, jadi skor 5 tidak dapat dinilai dari data"
                ),
            }
        else:
            out["4"] = {
                "score": None,
                "source": "FKP",
                "evidence": "tidak ada FKP peninjauan standar pelayanan yang tercatat pada tahun ini",
            }
    else:
        for k in ("2", "4"):
            out[k] = {"score": None, "evidence": UNAVAILABLE["reason"], "source": "FKP"}
    for k in ("6", "7", "8", "9"):
        ind = skm["compliance"]["pekppp"][k]
        out[k] = {"score": ind["score"], "evidence": ind["evidence"], "source": "SKM"}
    if complaints.get("available"):
        ind = complaints["pekppp_ind28"]
        out["28"] = {"score": ind["score"], "evidence": ind["basis"], "source": "SP4N-LAPOR!"}
    else:
        out["28"] = {"score": None, "evidence": UNAVAILABLE["reason"], "source": "SP4N-LAPOR!"}
    return out


def _cell(state: str, evidence: str) -> dict:
    return {"state": state, "evidence": evidence}


def obligation_cells(skm: dict, fkp: dict, complaints: dict) -> dict:
    """Pure: one unit's row of the compliance matrix: met / not_met / no_data per obligation."""
    c = skm["compliance"]
    cells: dict = {}
    n = c["respondents"]
    cells["skm_run"] = _cell(MET, f"{n} responden") if c["skm_run"] else _cell(NOT_MET, "belum ada responden")
    s = c["sample"]
    if s["adequate"] is None:
        cells["sample_adequate"] = _cell(NO_DATA, "populasi (N) belum tercatat")
    else:
        cells["sample_adequate"] = _cell(
            MET if s["adequate"] else NOT_MET, f"{s['actual']} dari minimal {s['required']} (N = {s['population']})"
        )
    media = c["publication_media"]
    cells["skm_published"] = (
        _cell(MET, f"{len(media)} media: {', '.join(media)}")
        if media
        else _cell(NOT_MET, "belum ada publikasi tercatat")
    )
    rtl = c["rtl"]
    if rtl["planned"]:
        done_all = rtl["done"] == rtl["planned"]
        cells["rtl_done"] = _cell(MET if done_all else NOT_MET, f"{rtl['done']} dari {rtl['planned']} butir selesai")
    elif c["skm_run"]:
        cells["rtl_done"] = _cell(NOT_MET, "SKM sudah berjalan, RTL belum dibuat")
    else:
        cells["rtl_done"] = _cell(NO_DATA, "belum ada SKM dan RTL")
    if not fkp.get("available"):
        cells["fkp_held"] = _cell(NO_DATA, UNAVAILABLE["reason"])
        cells["promises_kept"] = _cell(NO_DATA, UNAVAILABLE["reason"])
    else:
        k = fkp["elements_covered_count"]
        if not fkp["forums_held"]:
            cells["fkp_held"] = _cell(NOT_MET, "belum ada FKP terlaksana")
        else:
            cells["fkp_held"] = _cell(
                MET if k >= FKP_MIN_ELEMENTS else NOT_MET,
                f"{fkp['forums_held']} FKP, {k} dari {FKP_MIN_ELEMENTS} unsur masyarakat",
            )
        p = fkp["promises"]
        if not p["total"]:
            cells["promises_kept"] = _cell(NO_DATA, "belum ada janji perbaikan")
        elif p["overdue"]:
            cells["promises_kept"] = _cell(NOT_MET, f"{p['overdue']} dari {p['total']} janji lewat target")
        else:
            cells["promises_kept"] = _cell(
                MET, f"{p['fulfilled']} dari {p['total']} janji terpenuhi, tidak ada yang lewat target"
            )
    if not complaints.get("available"):
        cells["complaints_on_time"] = _cell(NO_DATA, UNAVAILABLE["reason"])
    else:
        held, charged, overdue = (
            complaints["complaints"],
            complaints["breaches_charged"]["total"],
            complaints["overdue"]["total"],
        )
        if not held and not charged:
            cells["complaints_on_time"] = _cell(NO_DATA, "tidak ada pengaduan pada tahun ini")
        elif charged or overdue:
            cells["complaints_on_time"] = _cell(
                NOT_MET, f"{charged} tenggat terlampaui, {overdue} sedang lewat tenggat"
            )
        else:
            cells["complaints_on_time"] = _cell(MET, f"{held} pengaduan, semua tenggat terpenuhi")
    return cells


def count_states(rows: list[dict]) -> dict:
    totals = {k: {MET: 0, NOT_MET: 0, NO_DATA: 0} for k in OBLIGATION_KEYS}
    for r in rows:
        for k in OBLIGATION_KEYS:
            totals[k][r["cells"][k]["state"]] += 1
    return totals


# ---- reading the other instruments ------------------------------------------------------------


def _fkp_figs(db, unit_ids: list[str], year: int, as_of: datetime, tz: str) -> dict[str, dict] | None:
    if fkp_reports is None or not hasattr(fkp_reports, "unit_figures"):
        return None
    zone = ZoneInfo(tz)
    if len(unit_ids) == 1:
        docs = {unit_ids[0]: db["fkp_units"].find_one({"_id": unit_ids[0]})}
    else:
        docs = {d["_id"]: d for d in db["fkp_units"].find({})}
    return {uid: fkp_reports.unit_figures(docs.get(uid), year, as_of, zone) for uid in unit_ids}


def _calendar():
    from pantau.rules.workdays import default_calendar

    return default_calendar()


def _complaint_unit(db, s: Settings, unit, year: int, as_of: datetime) -> dict | None:
    if complaint_reports is None or not hasattr(complaint_reports, "unit_report"):
        return None
    return complaint_reports.unit_report(db, unit, Period("year", year), as_of, _calendar(), s.tz, s.province_id)


def _complaint_rows(db, s: Settings, year: int, as_of: datetime) -> dict[str, dict] | None:
    """Per-unit complaint figures from the province report (the same rows /v1/complaints/province shows)."""
    if complaint_reports is None or not hasattr(complaint_reports, "province_report"):
        return None
    rep = complaint_reports.province_report(db, Period("year", year), as_of, _calendar(), s.tz, s.province_id)
    rows = {}
    for o in rep.get("opds", []):
        for u in o.get("units", []):
            rows[u["unit_id"]] = u
    for u in rep.get("other_holders", []):
        rows[u["unit_id"]] = u
    return {"report": rep, "rows": rows}


def complaint_row_section(row: dict | None) -> dict:
    """Pure: the complaint figures a matrix row needs, from a province-report unit row."""
    if row is None:
        return {
            "available": True,
            "complaints": 0,
            "breaches_charged": {"total": 0},
            "overdue": {"total": 0},
            "resolved": {"pct": None},
            "pekppp_ind28": {"score": None, "basis": "tidak ada pengaduan"},
        }
    return {
        "available": True,
        "complaints": row["complaints"],
        "breaches_charged": {"total": row["breaches_charged"]},
        "overdue": {"total": row["overdue"]["total"]},
        "resolved": row["resolved"],
        "pekppp_ind28": {"score": row["pekppp_ind28"]["score"], "basis": ""},
    }


# ---- the three reports ------------------------------------------------------------------------


def unit_card(
    db, s: Settings, unit_id: str, year: int, as_of: datetime, registry: Registry | None = None, live: bool = False
) -> dict:
    """`live`: `as_of` is now (nothing asked for), so the SKM buckets are read without rewinding."""
    reg = registry or Registry.instance()
    unit = reg.get(unit_id)
    opd_id = reg.opd_of(unit_id)
    opd = reg.get(opd_id) if opd_id else None
    inp = load_skm(db, [unit_id], year, as_of, s.tz, live)
    skm = skm_section(unit_id, year, inp, s.ikm_weight_mode)
    figs = _fkp_figs(db, [unit_id], year, as_of, s.tz)
    fkp = fkp_section(figs[unit_id] if figs is not None else None)
    complaints = complaints_section(_complaint_unit(db, s, unit, year, as_of))
    return {
        "unit_id": unit_id,
        "name": unit.name if unit else unit_id,
        "opd_id": opd_id,
        "opd_name": opd.name if opd else None,
        "year": year,
        "as_of": as_of.isoformat(),
        "weight_mode": s.ikm_weight_mode,
        "skm": skm,
        "fkp": fkp,
        "complaints": complaints,
        "pekppp": pekppp_indicators(skm, fkp, complaints),
        "obligations": obligation_cells(skm, fkp, complaints),
    }


def _units(reg: Registry, opd_id: str | None) -> list:
    return [u for u in reg.upps() if opd_id is None or reg.opd_of(u.id) == opd_id]


def compliance_matrix(
    db,
    s: Settings,
    year: int,
    as_of: datetime,
    opd_id: str | None = None,
    registry: Registry | None = None,
    live: bool = False,
) -> dict:
    reg = registry or Registry.instance()
    units = _units(reg, opd_id)
    ids = [u.id for u in units]
    inp = load_skm(db, None, year, as_of, s.tz, live)
    figs = _fkp_figs(db, ids, year, as_of, s.tz)
    comp = _complaint_rows(db, s, year, as_of)
    rows = []
    for u in units:
        skm = skm_section(u.id, year, inp, s.ikm_weight_mode)
        fkp = fkp_section(figs[u.id] if figs is not None else None)
        complaints = complaint_row_section(comp["rows"].get(u.id)) if comp is not None else dict(UNAVAILABLE)
        opd = reg.get(reg.opd_of(u.id) or "")
        rows.append(
            {
                "unit_id": u.id,
                "name": u.name,
                "opd_id": opd.id if opd else None,
                "opd_name": opd.name if opd else None,
                "cells": obligation_cells(skm, fkp, complaints),
            }
        )
    return matrix_from(rows, year, as_of, reg, opd_id)


def matrix_from(rows: list[dict], year: int, as_of: datetime, reg: Registry, opd_id: str | None = None) -> dict:
    """Pure (given the registry): totals per OPD and overall for matrix rows."""
    by_opd: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_opd[r["opd_id"] or "-"].append(r)
    per_opd = []
    for oid in sorted(by_opd):
        o = reg.get(oid)
        per_opd.append(
            {
                "opd_id": oid,
                "name": o.name if o else oid,
                "units": len(by_opd[oid]),
                "totals": count_states(by_opd[oid]),
            }
        )
    return {
        "year": year,
        "as_of": as_of.isoformat(),
        "opd_id": opd_id,
        "obligations": list(OBLIGATIONS),
        "fkp_min_elements": FKP_MIN_ELEMENTS,
        "units": rows,
        "per_opd": per_opd,
        "totals": count_states(rows),
        "unit_count": len(rows),
    }


def unit_year_ikm(uid: str, year: int, inp: SkmInputs, weight_mode: str) -> dict:
    r = period_ikm(uid, Period("year", year), inp, weight_mode)
    return {
        "unit_id": uid,
        "respondents": r["respondents"],
        "ikm": r["ikm"],
        "mutu": r["mutu"],
        "adequate": r["sample"]["adequate"],
        "sample": r["sample"],
        "sums": r["sums"],
    }


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
    region = rules.compile_region(
        [
            {"unit_id": i, "respondents": ikm[i]["respondents"], "sums": ikm[i]["sums"], "adequate": ikm[i]["adequate"]}
            for i in ids
        ],
        weight_mode,
    )
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
        if last is None or gap >= SILENT_MONTHS:
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
    for oid, t in sorted(per_opd.items()):
        reg_opd = rules.compile_region(
            [
                {
                    "unit_id": i,
                    "respondents": ikm[i]["respondents"],
                    "sums": ikm[i]["sums"],
                    "adequate": ikm[i]["adequate"],
                }
                for i in t.pop("unit_ids")
            ],
            weight_mode,
        )
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
            {k: v for k, v in ikm[i].items() if k != "sums"} | {"name": names[i], "opd_id": opd_of(i)} for i in ids
        ],
        "silent_months": SILENT_MONTHS,
    }


def province_overview(
    db,
    s: Settings,
    year: int,
    as_of: datetime,
    opd_id: str | None = None,
    registry: Registry | None = None,
    live: bool = False,
) -> dict:
    reg = registry or Registry.instance()
    units = _units(reg, opd_id)
    ids = [u.id for u in units]
    inp = load_skm(db, None, year, as_of, s.tz, live)
    ikm = {i: unit_year_ikm(i, year, inp, s.ikm_weight_mode) for i in ids}
    fkp = _fkp_figs(db, ids, year, as_of, s.tz)
    comp = _complaint_rows(db, s, year, as_of)
    last = {i: last_response_month(i, inp) for i in ids}
    body = overview_from(
        units, ikm, fkp, comp, last, year, as_of, s.tz, s.ikm_weight_mode, s.ikm_official_method, reg.opd_of
    )
    opd = reg.get(opd_id) if opd_id else None
    for t in body["per_opd"]:
        o = reg.get(t["opd_id"])
        t["name"] = o.name if o else t["opd_id"]
    for u in body["units"]:
        o = reg.get(u["opd_id"] or "")
        u["opd_name"] = o.name if o else None
    return {"province_id": s.province_id, "opd_id": opd_id, "opd_name": opd.name if opd else None, **body}
