"""PDF reports with WeasyPrint (HTML + print CSS → PDF; Pango does the text layout).

- "Laporan Hasil SKM" of a unit and period, in the usual outline (domain.md §1.6): BAB I
  Pendahuluan, BAB II Pengumpulan data (executor, method, time, respondents and how the sample
  was set), BAB III Hasil (respondent profile, NRR per unsur, IKM, mutu and kinerja), BAB IV
  Analisis (weakest unsur, RTL table, trend), BAB V Kesimpulan, and the publication media.
- "Rekapitulasi IKM" of the province for KemenPANRB: every unit's IKM, respondents and mutu,
  and the province IKM by both compilation methods (mean of units, respondent-pooled), with the
  units left out and why.

The figures come from `reports.unit_ikm` / `reports.group_ikm`, the functions behind
`/v1/ikm/units/{unit}` and `/v1/ikm/province`, so the PDF says what the API says. Nothing is
fetched while rendering (no URL is followed).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import jinja2

from pantau.config import Settings
from pantau.rules import ikm as rules
from pantau.rules.periods import Period, parse_period
from pantau.units import Registry

from .. import reports
from . import fmt

TEMPLATES = Path(__file__).parent / "templates"
PROFILE_FIELDS = (
    ("sex", "Jenis kelamin"),
    ("education", "Pendidikan"),
    ("occupation", "Pekerjaan"),
    ("service_type", "Jenis layanan"),
    ("channel", "Cara pengisian"),
)
PROFILE_VALUES = {
    "L": "Laki-laki",
    "P": "Perempuan",
    "tidak_diisi": "Tidak diisi",
    "qr": "Kode QR",
    "web": "Web",
    "paper": "Kuesioner kertas",
    "enumerator": "Petugas survei (enumerator)",
}
EXECUTORS = {"internal": "Tim internal unit", "own_team": "Tim internal unit", "independent": "Lembaga independen"}
TREND_PERIODS = 4

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    angka=fmt.angka, bulat=fmt.bulat, persen=fmt.persen, tanggal=fmt.tanggal, waktu=fmt.waktu, periode=fmt.periode
)


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the PDF renderer fetches nothing ({url})")


def render(template: str, **ctx) -> bytes:
    import weasyprint  # imported here: Pango is loaded only when a PDF is made

    html = _env.get_template(template).render(**ctx)
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_no_fetch).write_pdf()


def profile_tables(profile: dict, n: int) -> list[dict]:
    out = []
    for key, label in PROFILE_FIELDS:
        counts = profile.get(key) or {}
        rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(
            {
                "key": key,
                "label": label,
                "rows": [
                    {
                        "value": PROFILE_VALUES.get(v, v),
                        "count": c,
                        "pct": rules.round_half_up(100.0 * c / n, 1) if n else None,
                    }
                    for v, c in rows
                ],
            }
        )
    return out


def skm_report_data(
    ikm: dict,
    unit,
    opd,
    settings_doc: dict | None,
    rtl: list[dict],
    pubs: list[dict],
    trend: list[dict],
    generated_at: datetime,
) -> dict:
    """Pure: what the SKM report shows, from `reports.unit_ikm`'s answer and the follow-up docs."""
    n = ikm["respondents"]
    elements = []
    if ikm.get("elements"):
        for i, k in enumerate(rules.ELEMENTS, 1):
            e = ikm["elements"][k]
            elements.append(
                {
                    "no": i,
                    "key": k,
                    "label": rules.ELEMENT_LABELS[k],
                    "nrr": e["nrr"],
                    "nrr_weighted": e["nrr"] * ikm["weight"],
                    "ikm": e["ikm"],
                    "mutu": e["mutu"],
                }
            )
    ranked = sorted(elements, key=lambda e: e["nrr"], reverse=True)
    weakest = [next(e for e in elements if e["key"] == k) for k in ikm.get("lowest_elements") or []]
    per = parse_period(ikm["period"])
    start, end = per.start(fmt.tz()).date(), per.end(fmt.tz()).date() - timedelta(days=1)
    return {
        "unit": {"id": unit.id, "name": unit.name, "service_types": list(unit.service_types)},
        "opd": {"id": opd.id, "name": opd.name} if opd else None,
        "period": ikm["period"],
        "ikm": ikm,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "executor": EXECUTORS.get((settings_doc or {}).get("executor") or "", "Tidak tercatat"),
        "elements": elements,
        "strongest": ranked[:3],
        "weakest": weakest,
        "profile": profile_tables(ikm.get("profile") or {}, n),
        "rtl": sorted(rtl, key=lambda r: (r.get("target_date") or "", r.get("item_id") or "")),
        "element_labels": rules.ELEMENT_LABELS,
        "publications": sorted(pubs, key=lambda x: (x["published_on"], x["medium"])),
        "trend": trend,
        "generated_at": generated_at.isoformat(),
        "regulation": rules.REGULATION,
    }


def load_skm_report(db, s: Settings, unit_id: str, period: Period, registry: Registry | None = None) -> dict:
    reg = registry or Registry.instance()
    unit = reg.get(unit_id)
    opd_id = reg.opd_of(unit_id)
    ikm = reports.unit_ikm(db, s, unit_id, period)
    trend, p = [], period
    for _ in range(TREND_PERIODS - 1):
        p = p.previous()
        prev = reports.unit_ikm(db, s, unit_id, p, with_trend=False)
        trend.insert(
            0, {"period": str(p), "ikm": prev["ikm"], "mutu": prev["mutu"], "respondents": prev["respondents"]}
        )
    trend.append({"period": str(period), "ikm": ikm["ikm"], "mutu": ikm["mutu"], "respondents": ikm["respondents"]})
    settings_doc = db["skm_settings"].find_one({"_id": f"{unit_id}:{period}"}) or db["skm_settings"].find_one(
        {"_id": f"{unit_id}:{period.year}"}
    )
    rtl = [r for r in db["skm_rtl"].find({"unit_id": unit_id, "year": period.year}) if r.get("status") != "cancelled"]
    pubs = list(db["skm_publications"].find({"unit_id": unit_id, "year": period.year}))
    return skm_report_data(
        ikm, unit, reg.get(opd_id) if opd_id else None, settings_doc, rtl, pubs, trend, datetime.now(timezone.utc)
    )


def render_skm_report(data: dict) -> bytes:
    return render("laporan_skm.html", d=data)


def province_recap_data(group: dict, reg: Registry, province_name: str, generated_at: datetime) -> dict:
    """Pure: the recap rows from `reports.group_ikm`'s answer."""
    flagged = {f["unit_id"]: f["reason"] for f in group["flagged_units"]}
    reasons = {
        "no_respondents": "belum ada responden",
        "inadequate_sample": "sampel di bawah Krejcie–Morgan",
        "adequacy_unknown": "populasi (N) belum tercatat",
    }
    rows = []
    for i, u in enumerate(group["units"], 1):
        unit = reg.get(u["unit_id"])
        opd_id = reg.opd_of(u["unit_id"])
        opd = reg.get(opd_id) if opd_id else None
        rows.append(
            {
                "no": i,
                "unit_id": u["unit_id"],
                "name": unit.name if unit else u["unit_id"],
                "opd": opd.name if opd else "",
                "respondents": u["respondents"],
                "ikm": u["ikm"],
                "mutu": u["mutu"],
                "required": u["sample"]["required"],
                "included": u["unit_id"] in group["units_included"],
                "note": reasons.get(flagged.get(u["unit_id"], ""), ""),
            }
        )
    return {
        "province": province_name,
        "period": group["period"],
        "group": group,
        "rows": rows,
        "generated_at": generated_at.isoformat(),
        "regulation": rules.REGULATION,
    }


def load_province_recap(db, s: Settings, period: Period, registry: Registry | None = None) -> dict:
    reg = registry or Registry.instance()
    unit_ids = [u.id for u in reg.upps()]
    group = reports.group_ikm(db, s, unit_ids, period, {"province_id": s.province_id})
    province = reg.get(s.province_id)
    return province_recap_data(group, reg, province.name if province else s.province_id, datetime.now(timezone.utc))


def render_province_recap(data: dict) -> bytes:
    return render("rekap_provinsi.html", d=data)
