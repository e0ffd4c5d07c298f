"""The bureau's joined reports: the unit card, the compliance matrix and the province overview.

They join the three instruments per unit and year (SKM from the month tallies and the survey
follow-up projections, FKP from `fkp_reports`, complaints from `complaint_reports`) and answer
"as the data stood at `as_of`" (default now, always echoed):

- SKM: exactly the responses and voids recorded by `as_of` (skm_read.py; with no `as_of` asked
  for, the live tallies are read as they are); survey settings
  and RTL items as their recorded history stood then; publications recorded after `as_of` (or
  dated after its local day) do not count.
- FKP and complaints: their own report functions fold the recorded history up to `as_of`.

Everything that combines figures is a pure function of plain dicts (`skm_section`,
`fkp_section`, `complaints_section`, `obligation_cells`, `pekppp_indicators`, `overview_from`);
the functions taking `db` only read and hand over. The JSON API (`card_api`), the dashboard
pages, the CSV/XLSX exports and the PDF reports all call these same functions, so a figure is
computed once and shown everywhere the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from pantau.config import Settings
from pantau.rules.periods import Period
from pantau.units import Registry, Unit

# the pure pieces, re-exported: this module is where the joined reports are read from
__all__ = [
    "ATTENTION_ROWS", "FKP_MIN_ELEMENTS", "MET", "MUTU_BUCKETS", "NOT_MET", "NO_DATA", "OBLIGATIONS",
    "OBLIGATION_KEYS", "SILENT_MONTHS", "UNAVAILABLE", "SkmInputs", "complaint_row_section", "complaints_section",
    "compliance_matrix", "count_states", "cut_skm", "fkp_section", "last_response_month", "load_skm",
    "matrix_from", "mutu_bucket", "now", "obligation_cells", "overview_from", "pekppp_indicators", "period_ikm",
    "province_overview", "skm_section", "unit_card", "unit_sections", "unit_year_ikm", "UnitSections",
]
from .card_overview import ATTENTION_ROWS, MUTU_BUCKETS, SILENT_MONTHS, mutu_bucket, overview_from
from .card_sections import (  # noqa: F401
    FKP_MIN_ELEMENTS,
    MET,
    NO_DATA,
    NOT_MET,
    OBLIGATION_KEYS,
    OBLIGATIONS,
    UNAVAILABLE,
    complaint_row_section,
    complaints_section,
    count_states,
    fkp_section,
    matrix_from,
    obligation_cells,
    pekppp_indicators,
)
from .card_skm import (  # noqa: F401
    SkmInputs,
    cut_skm,
    last_response_month,
    load_skm,
    period_ikm,
    skm_section,
    unit_year_ikm,
)

try:  # built alongside this module; a missing part is reported as "data belum tersedia"
    from . import fkp_reports
except ImportError:  # pragma: no cover - only while the FKP reports are not merged
    fkp_reports = None  # type: ignore[assignment]
try:
    from . import complaint_reports
except ImportError:  # pragma: no cover
    complaint_reports = None  # type: ignore[assignment]


def now() -> datetime:
    return datetime.now(timezone.utc)


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


# ---- the three reports ------------------------------------------------------------------------


def unit_card(
    db, s: Settings, unit_id: str, year: int, as_of: datetime, registry: Registry | None = None, live: bool = False
) -> dict:
    """`live`: `as_of` is now (nothing asked for), so the SKM tallies are read live."""
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


@dataclass
class _Read:
    """What the matrix and the overview read for every unit (of an OPD) at `as_of`."""

    reg: Registry
    units: list
    inp: SkmInputs
    fkp: dict[str, dict] | None
    comp: dict | None


def _read(db, s: Settings, year: int, as_of: datetime, opd_id: str | None, registry: Registry | None,
          live: bool) -> _Read:
    reg = registry or Registry.instance()
    units = _units(reg, opd_id)
    ids = [u.id for u in units]
    # the overviews show no respondent profile: the tallies are read without it (the compact copies)
    return _Read(reg, units, load_skm(db, ids, year, as_of, s.tz, live, profile=False), _fkp_figs(db, ids, year, as_of, s.tz),
                 _complaint_rows(db, s, year, as_of))


@dataclass
class UnitSections:
    """One unit's three instrument sections as the matrix and the PEKPPP province report read them."""

    unit: Unit
    skm: dict
    fkp: dict
    complaints: dict


def unit_sections(db, s: Settings, year: int, as_of: datetime, opd_id: str | None = None,
                  registry: Registry | None = None, live: bool = False) -> tuple[Registry, list[UnitSections]]:
    """Every unit's (of an OPD) SKM, FKP and complaint sections at `as_of`, read once for all
    (the SKM sections without the respondent profile: `profile` is empty)."""
    r = _read(db, s, year, as_of, opd_id, registry, live)
    out = []
    for u in r.units:
        skm = skm_section(u.id, year, r.inp, s.ikm_weight_mode)
        fkp = fkp_section(r.fkp[u.id] if r.fkp is not None else None)
        complaints = complaint_row_section(r.comp["rows"].get(u.id)) if r.comp is not None else dict(UNAVAILABLE)
        out.append(UnitSections(u, skm, fkp, complaints))
    return r.reg, out


def compliance_matrix(db, s: Settings, year: int, as_of: datetime, opd_id: str | None = None,
                      registry: Registry | None = None, live: bool = False) -> dict:
    reg, sections = unit_sections(db, s, year, as_of, opd_id, registry, live)
    rows = []
    for sec in sections:
        u, skm, fkp, complaints = sec.unit, sec.skm, sec.fkp, sec.complaints
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
    return {**matrix_from(rows, year, as_of, reg, opd_id), "weight_mode": s.ikm_weight_mode}


def _complaints_in_scope(headline: dict, comp: dict | None, opd_id: str | None) -> None:
    """The headline complaint figures of the province (or the OPD) as the complaints report gives
    them (every complaint of the scope, whoever holds it), so /dasbor and /dasbor/pengaduan agree."""
    if comp is None or not headline["complaints"].get("available"):
        return
    rep = comp["report"]
    scope = rep if opd_id is None else next((o for o in rep["opds"] if o["opd_id"] == opd_id), None)
    if scope is None:
        return
    headline["complaints"].update(complaints=scope["complaints"], closed_resolved=scope["resolved"]["closed_resolved"],
                                  eligible=scope["resolved"]["eligible"], resolved_pct=scope["resolved"]["pct"],
                                  overdue=scope["overdue"]["total"], breaches=scope["breaches"]["total"])


def province_overview(db, s: Settings, year: int, as_of: datetime, opd_id: str | None = None,
                      registry: Registry | None = None, live: bool = False) -> dict:
    r = _read(db, s, year, as_of, opd_id, registry, live)
    reg, ids = r.reg, [u.id for u in r.units]
    ikm = {i: unit_year_ikm(i, year, r.inp, s.ikm_weight_mode) for i in ids}
    last = {i: last_response_month(i, r.inp) for i in ids}
    body = overview_from(
        r.units, ikm, r.fkp, r.comp, last, year, as_of, s.tz, s.ikm_weight_mode, s.ikm_official_method, reg.opd_of
    )
    _complaints_in_scope(body["headline"], r.comp, opd_id)
    opd = reg.get(opd_id) if opd_id else None
    for t in body["per_opd"]:
        o = reg.get(t["opd_id"])
        t["name"] = o.name if o else t["opd_id"]
    for u in body["units"]:
        o = reg.get(u["opd_id"] or "")
        u["opd_name"] = o.name if o else None
    return {"province_id": s.province_id, "opd_id": opd_id, "opd_name": opd.name if opd else None,
            "weight_mode": s.ikm_weight_mode, **body}
