"""The PDF "Hasil Evaluasi PEKPPP" of a unit and year, and the province (or OPD) recap, in the
style of the SKM report (kop, signature block: `official.py`, `templates/_official.html`).

Both take exactly what `pekppp_reports` gives the JSON API and the pages, so a figure in the PDF
is the API's. The evaluation is the bureau's: both are issued by the Biro Organisasi and signed by
its head (`PANTAU_BUREAU_SIGNATORY_*`; dotted lines when unset).
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pantau.config import Settings
from pantau.units import Registry

from .. import figures, pekppp_reports
from . import official
from .pdf import render

SOURCE_TEXT = {"measured": "Diukur Pantau", "evaluator": "Evaluator", "override": "Evaluator (mengganti nilai terukur)",
               None: "Belum dinilai"}
BUREAU_ID = "biro-organisasi"


def _issuer(reg: Registry, s: Settings) -> tuple[dict, dict]:
    province = reg.get(s.province_id)
    bureau = reg.get(BUREAU_ID)
    kop = official.kop(province.name if province else s.province_id,
                       ["Sekretariat Daerah", bureau.name if bureau else "Biro Organisasi"],
                       official.logo_data_uri(s.report_logo))
    today = datetime.now(ZoneInfo(s.tz)).date()
    sig = official.signature(s.bureau_signatory_position, s.bureau_signatory_name, s.bureau_signatory_nip,
                             s.report_place, today, s.report_place)
    return kop, sig


def _evidence(i: dict) -> str:
    parts = []
    if i["measured"]:
        parts.append(f"Pantau: {i['measured']['evidence']}")
    if i["evaluator"]:
        e = i["evaluator"]
        parts.append("Evaluator" + (f": {e['note']}" if e["note"] else "")
                     + (f" (bukti: {', '.join(e['evidence'])})" if e["evidence"] else ""))
    return " · ".join(parts)


def unit_data(ev: dict, kop: dict, sig: dict) -> dict:
    """Pure: the unit report's content from `pekppp_reports.unit_evaluation`."""
    aspects = [{**a, "rows": [{**i, "source_text": SOURCE_TEXT[i["source"]], "evidence_text": _evidence(i)}
                              for i in a["indicators"]]} for a in ev["aspects"]]
    return {"ev": ev, "aspects": aspects, "kop": kop, "signature": sig,
            "bands": figures.figure("pekppp.predikat").definition,
            "ipp_definition": figures.figure("pekppp.ipp").definition}


def province_data(rep: dict, kop: dict, sig: dict) -> dict:
    """Pure: the recap's content, units ranked by IPP (complete evaluations first)."""
    rows = sorted(rep["units"], key=lambda r: (r["ipp"] is None, r["provisional"], -(r["ipp"] or 0), r["name"]))
    rank, last, out = 0, None, []
    for n, r in enumerate(rows, 1):
        if not r["provisional"] and r["ipp"] is not None:
            if r["ipp"] != last:
                rank, last = n, r["ipp"]
        out.append({**r, "no": n, "rank": rank if (not r["provisional"] and r["ipp"] is not None) else None,
                    "scores": {a["key"]: a["score"] for a in r["aspects"]}})
    return {"rep": rep, "rows": out, "kop": kop, "signature": sig,
            "bands": figures.figure("pekppp.predikat").definition}


def load_unit(db, s: Settings, unit_id: str, year: int, as_of: datetime, registry: Registry | None = None) -> dict:
    kop, sig = _issuer(registry or Registry.instance(), s)
    return unit_data(pekppp_reports.unit_evaluation(db, s, unit_id, year, as_of), kop, sig)


def load_province(db, s: Settings, year: int, as_of: datetime, opd_id: str | None = None,
                  registry: Registry | None = None) -> dict:
    reg = registry or Registry.instance()
    kop, sig = _issuer(reg, s)
    return province_data(pekppp_reports.province_evaluation(db, s, year, as_of, opd_id, registry=reg), kop, sig)


def render_unit(data: dict) -> bytes:
    return render("hasil_pekppp.html", d=data)


def render_province(data: dict) -> bytes:
    return render("rekap_pekppp.html", d=data)
