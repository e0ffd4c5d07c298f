"""Pure pieces of the unit card and the compliance matrix: the FKP and complaint sections (from
`fkp_reports` / `complaint_reports` figures), the PEKPPP indicator scores with their evidence,
and the obligation cells (met / not met / no data) with their totals."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from pantau.units import Registry

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"
FKP_MIN_ELEMENTS = 5  # domain.md §5 row 7: SP drafted/reviewed with ≥ 5 community elements
UNAVAILABLE: dict[str, Any] = {"available": False, "reason": "data belum tersedia"}

# `basis` is shown to people (the compliance page, exports): the rule in words an official
# recognises; the rows of domain.md §5 they come from are 1, 2, 4, 5, 7, §2.4 and 10–11
OBLIGATIONS: tuple[dict, ...] = (
    {"key": "skm_run", "label": "SKM dilaksanakan", "basis": "PermenPANRB 14/2017 Pasal 1"},
    {"key": "sample_adequate", "label": "Sampel memenuhi Krejcie–Morgan",
     "basis": "PermenPANRB 14/2017, Lampiran (ukuran sampel)"},
    {"key": "skm_published", "label": "Hasil SKM dipublikasikan",
     "basis": "PermenPANRB 29/2022, F-02 indikator 6–7"},
    {"key": "rtl_done", "label": "RTL selesai dilaksanakan", "basis": "PermenPANRB 29/2022, F-02 indikator 8–9"},
    {
        "key": "fkp_held",
        "label": f"FKP dengan ≥ {FKP_MIN_ELEMENTS} unsur masyarakat",
        "basis": "PermenPANRB 16/2017; PermenPANRB 29/2022, F-02 indikator 2",
    },
    {"key": "promises_kept", "label": "Janji perbaikan FKP tepat waktu",
     "basis": "Berita Acara FKP (PermenPANRB 16/2017)"},
    {
        "key": "complaints_on_time",
        "label": "Pengaduan ditindaklanjuti dalam tenggat",
        "basis": "Perpres 76/2013 (SP4N-LAPOR!); PermenPANRB 29/2022, F-02 indikator 28",
    },
)
OBLIGATION_KEYS = tuple(o["key"] for o in OBLIGATIONS)


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
        "breaches": {k: rep["breaches"][k] for k in ("total", "by_kind", "by_tier")},
        "breaches_charged": rep["breaches_charged"],
        "pekppp_ind28": rep["pekppp_ind28"],
        "by_channel": rep["by_channel"],
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
        out.update(complaint_evidence(complaints))
    else:
        out["28"] = {"score": None, "evidence": UNAVAILABLE["reason"], "source": "SP4N-LAPOR!"}
    return out


OFFLINE_CHANNELS = frozenset({"tatap_muka", "surat", "telepon", "sms"})


def complaint_evidence(complaints: dict) -> dict:
    """Pure: what the complaints data shows for F-02 ind. 26 (media) and 27 (accountability). It
    cannot score them: the rubric turns on facts Pantau does not record (a desk separate from the
    front office; monev and publication of the results), so `score` stays None and the evidence
    stands beside the evaluator's input."""
    channels = complaints.get("by_channel") or {}
    n = complaints.get("complaints", 0)
    if not n:
        return {k: {"score": None, "source": "SP4N-LAPOR!", "evidence": "tidak ada pengaduan tercatat pada tahun ini"}
                for k in ("26", "27")}
    used = ", ".join(f"{c.replace('_', ' ')} {k}" for c, k in channels.items())
    offline = sum(k for c, k in channels.items() if c in OFFLINE_CHANNELS)
    online = n - offline
    return {
        "26": {"score": None, "source": "SP4N-LAPOR!",
               "evidence": f"kanal yang dipakai: {used} (luring {offline}, daring {online}, "
                           f"SP4N-LAPOR! {channels.get('lapor', 0)}); pemisahan dari front office dinilai evaluator"},
        "27": {"score": None, "source": "SP4N-LAPOR!",
               "evidence": f"{n} pengaduan terarsip dan dilaporkan di Pantau; monev, tindak lanjut dan "
                           "publikasinya dinilai evaluator"},
    }


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
            "by_channel": {},
        }
    return {
        "available": True,
        "complaints": row["complaints"],
        "breaches_charged": {"total": row["breaches_charged"]},
        "overdue": {"total": row["overdue"]["total"]},
        "resolved": row["resolved"],
        "pekppp_ind28": {"score": row["pekppp_ind28"]["score"], "basis": row["pekppp_ind28"].get("basis", "")},
        "by_channel": row.get("by_channel", {}),
    }


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
