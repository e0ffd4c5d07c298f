"""PDF reports with WeasyPrint (HTML + print CSS → PDF; Pango does the text layout).

Both are official documents: a kop (letterhead) of the Pemerintah Provinsi and the issuing body,
and a signature block at the end (`official.py`, `templates/_official.html`, shared with later
reports).

- "Laporan Hasil SKM" of a unit and period, in the usual outline (domain.md §1.6): page 1 has the
  kop, the cover data (unit, OPD, period, executor, when responses were recorded, respondents,
  population N, required sample), the result and the mutu range table; then BAB I Pendahuluan,
  BAB II Pengumpulan data, BAB III Hasil (respondent profile, NRR per unsur as a table and a bar
  chart, IKM with the weight actually used), BAB IV Analisis (the weakest unsur with suggestions
  and the unit's RTL items for each, the RTL table, trend), BAB V Kesimpulan, publication media,
  and the signature of the head of the unit from the unit's survey settings (`signatory`).
- "Rekapitulasi IKM" of the province: the province IKM by both compilation methods (mean of units,
  respondent-pooled), every unit ranked by IKM or grouped by OPD (`urut=peringkat|opd`), the
  units left out and why, and the signature of the Kepala Biro Organisasi (configuration).

Long tables have a `<thead>`, which WeasyPrint repeats on every page the table spans. No API
path or internal id is printed.

The figures come from `reports.unit_ikm` / `reports.group_ikm`, the functions behind
`/v1/ikm/units/{unit}` and `/v1/ikm/province`, so the PDF says what the API says. Nothing is
fetched while rendering (no URL is followed).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pantau.config import Settings
from pantau.rules import ikm as rules
from pantau.rules.periods import Period, parse_period
from pantau.units import Registry

from .. import reports
from ..figures import figure
from ..skm_read import month_tallies
from . import fmt, official
from .recommendations import RECOMMENDATIONS

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
    "SWASTA": "Pegawai swasta",
    "WIRAUSAHA": "Wirausaha",
    "LAINNYA": "Lainnya",
}
SUMMARY_BASIS = {"counts": "jumlah jawaban 1–4 per unsur", "nrr": "NRR per unsur"}
EXECUTORS = {"internal": "Tim internal unit", "own_team": "Tim internal unit", "independent": "Lembaga independen"}
TREND_PERIODS = 4
RECAP_ORDERS = ("peringkat", "opd")  # `urut=`: ranked by IKM, or grouped by OPD (ranked inside)
WEIGHT_TEXT = {
    "exact": "bobot 1/9 (eksak, ≈ 0,1111) untuk setiap unsur",
    "printed_0_111": "bobot 0,111 untuk setiap unsur, sebagaimana tercetak dalam Lampiran "
    + rules.REGULATION + " (nilai tertinggi 99,90)",
}

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


def _fetcher():
    """Nothing is fetched while rendering: only inline data: URIs (the kop's logo) are read, and
    any other URL stops the rendering with an error."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), fail_on_errors=True)


def render(template: str, **ctx) -> bytes:
    import weasyprint  # imported here: Pango is loaded only when a PDF is made

    html = _env.get_template(template).render(**ctx)
    return weasyprint.HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_fetcher()).write_pdf()


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


def weight_text(weight_mode: str) -> str:
    """The weight the IKM was computed with, as the formula line states it."""
    return WEIGHT_TEXT.get(weight_mode, f"bobot {weight_mode}")


def unit_signature(settings_doc: dict | None, unit_name: str, on, default_place: str = "") -> dict:
    """The head of the unit from the survey settings' `signatory`; without one the jabatan reads
    "Kepala <unit>" and the name and NIP are blank lines to fill in by hand."""
    sig = (settings_doc or {}).get("signatory") or {}
    return official.signature(sig.get("position") or f"Kepala {unit_name}", sig.get("name"), sig.get("nip"),
                              sig.get("place"), on, default_place)


def survey_window(months: dict | None, period_months) -> dict | None:
    """When responses were recorded in the period: first and last month with a respondent and the
    latest response time (None when there is none)."""
    months = months or {}
    held = sorted(m for m in months if m in set(period_months) and months[m].respondents)
    if not held:
        return None
    last = max((months[m].last_submitted_at for m in held if months[m].last_submitted_at), default=None)
    return {"first_month": held[0], "last_month": held[-1], "last_response": last}


def skm_report_data(
    ikm: dict,
    unit,
    opd,
    settings_doc: dict | None,
    rtl: list[dict],
    pubs: list[dict],
    trend: list[dict],
    generated_at: datetime,
    province_name: str = "Pemerintah Provinsi Kalimantan Timur",
    logo: str | None = None,
    survey: dict | None = None,
    default_place: str = "",
) -> dict:
    """Pure: what the SKM report shows, from `reports.unit_ikm`'s answer and the follow-up docs."""
    n = ikm["respondents"]
    weight = ikm.get("weight") or 0.0
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
                    "nrr_weighted": e["nrr"] * weight,
                    "ikm": e["ikm"],
                    "mutu": e["mutu"],
                }
            )
    ranked = sorted(elements, key=lambda e: e["nrr"], reverse=True)
    rtl_sorted = sorted(rtl, key=lambda r: (r.get("target_date") or "", r.get("item_id") or ""))
    weakest = [
        {
            **next(e for e in elements if e["key"] == k),
            "recommendations": RECOMMENDATIONS.get(k, ()),
            "rtl": [r for r in rtl_sorted if r.get("element") == k],
        }
        for k in ikm.get("lowest_elements") or []
    ]
    per = parse_period(ikm["period"])
    start, end = per.start(fmt.tz()).date(), per.end(fmt.tz()).date() - timedelta(days=1)
    local_day = generated_at.astimezone(fmt.tz()).date()
    chart = official.bar_chart_svg(
        [{"label": f"U{e['no']} {e['label']}", "value": e["nrr"], "mutu": e["mutu"]} for e in elements],
        caption="NRR per unsur",
    ) if elements else Markup("")
    return {
        "kop": official.kop(province_name, [opd.name if opd else "", unit.name], logo),
        "signature": unit_signature(settings_doc, unit.name, local_day, default_place),
        "unit": {"id": unit.id, "name": unit.name, "service_types": list(unit.service_types)},
        "opd": {"id": opd.id, "name": opd.name} if opd else None,
        "period": ikm["period"],
        "ikm": ikm,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "survey": survey,
        "executor": EXECUTORS.get(_executor(ikm, settings_doc) or "", "Tidak tercatat"),
        "from_summary": _from_summary(ikm),
        "elements": elements,
        "chart": chart,
        "mutu_rows": official.mutu_rows(),
        "weight_text": weight_text(ikm.get("weight_mode") or "exact"),
        "strongest": ranked[:3],
        "weakest": weakest,
        "profile": profile_tables(ikm.get("profile") or {}, n),
        "rtl": rtl_sorted,
        "element_labels": rules.ELEMENT_LABELS,
        "publications": sorted(pubs, key=lambda x: (x["published_on"], x["medium"])),
        "trend": trend,
        "generated_at": generated_at.isoformat(),
        "regulation": rules.REGULATION,
    }


def _executor(ikm: dict, settings_doc: dict | None) -> str | None:
    """Who ran the survey: the survey settings', else (a result from a summary report) the report's."""
    mine = (settings_doc or {}).get("executor")
    if mine or ikm.get("source") != "summary":
        return mine
    return next((s["executor"] for s in ikm["summary"]["submissions"] if s.get("executor")), None)


def _from_summary(ikm: dict) -> dict | None:
    """A result taken from the unit's own Laporan Hasil SKM (source summary): its submissions, the
    basis Pantau recomputed it from and the survey dates the report gives; None otherwise."""
    if ikm.get("source") != "summary":
        return None
    subs = ikm["summary"]["submissions"]
    starts = [s["survey_start"] for s in subs if s.get("survey_start")]
    ends = [s["survey_end"] for s in subs if s.get("survey_end")]
    return {"submissions": [s["submission_id"] for s in subs],
            "basis": SUMMARY_BASIS[ikm["summary"]["basis"]],
            "survey_start": min(starts) if starts else None, "survey_end": max(ends) if ends else None}


def _province_name(reg: Registry, s: Settings) -> str:
    province = reg.get(s.province_id)
    return province.name if province else s.province_id


def load_skm_report(db, s: Settings, unit_id: str, period: Period, registry: Registry | None = None) -> dict:
    reg = registry or Registry.instance()
    unit = reg.get(unit_id)
    opd_id = reg.opd_of(unit_id)
    months = month_tallies(db, [unit_id], {period.year}).get(unit_id, {})
    ikm = reports.unit_ikm(db, s, unit_id, period)
    trend: list[dict[str, Any]] = []
    p = period
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
        ikm, unit, reg.get(opd_id) if opd_id else None, settings_doc, rtl, pubs, trend, datetime.now(timezone.utc),
        province_name=_province_name(reg, s), logo=official.logo_data_uri(s.report_logo),
        survey=survey_window(months, period.months), default_place=s.report_place,
    )


def render_skm_report(data: dict) -> bytes:
    return render("laporan_skm.html", d=data)


REASONS = {
    "no_respondents": "belum ada responden",
    "inadequate_sample": "sampel di bawah Krejcie–Morgan",
    "adequacy_unknown": "populasi (N) belum tercatat",
}


def _ranked(rows: list[dict]) -> list[dict]:
    """Units counted in the compilation first, by IKM (highest first, ties by name) with their rank
    (equal IKM, equal rank); then the others by name, without a rank."""
    counted = sorted((r for r in rows if r["included"]), key=lambda r: (-r["ikm"], r["name"]))
    rank, last = 0, None
    for i, r in enumerate(counted, 1):
        if r["ikm"] != last:
            rank, last = i, r["ikm"]
        r["rank"] = rank
    rest = sorted((r for r in rows if not r["included"]), key=lambda r: (r["name"],))
    for r in rest:
        r["rank"] = None
    return counted + rest


def province_recap_data(
    group: dict,
    reg: Registry,
    province_name: str,
    generated_at: datetime,
    order: str = "peringkat",
    logo: str | None = None,
    signatory: dict | None = None,
    default_place: str = "",
) -> dict:
    """Pure: the recap rows from `reports.group_ikm`'s answer, ranked by IKM (`order="peringkat"`)
    or grouped by OPD (`"opd"`: OPD by name, units ranked inside)."""
    if order not in RECAP_ORDERS:
        raise ValueError(f"unknown recap order {order!r}")
    flagged = {f["unit_id"]: f["reason"] for f in group["flagged_units"]}
    rows = []
    for u in group["units"]:
        unit = reg.get(u["unit_id"])
        opd_id = reg.opd_of(u["unit_id"])
        opd = reg.get(opd_id) if opd_id else None
        rows.append(
            {
                "unit_id": u["unit_id"],
                "name": unit.name if unit else u["unit_id"],
                "opd": opd.name if opd else "",
                "respondents": u["respondents"],
                "ikm": u["ikm"],
                "mutu": u["mutu"],
                "required": u["sample"]["required"],
                "included": u["unit_id"] in group["units_included"] and u["ikm"] is not None,
                "note": REASONS.get(flagged.get(u["unit_id"], ""), ""),
            }
        )
    groups: list[dict] = []
    if order == "peringkat":
        groups.append({"opd": None, "rows": _ranked(rows)})
    else:
        by_opd: dict[str, list[dict]] = {}
        for r in rows:
            by_opd.setdefault(r["opd"] or "Tanpa perangkat daerah", []).append(r)
        for name in sorted(by_opd):
            groups.append({"opd": name, "rows": _ranked(by_opd[name]), "counted": sum(r["included"] for r in by_opd[name])})
    no = 0
    for grp in groups:
        for r in grp["rows"]:
            no += 1
            r["no"] = no
    sig = signatory or {}
    local_day = generated_at.astimezone(fmt.tz()).date()
    mean, pooled = figure("skm.ikm_mean_of_units"), figure("skm.ikm_pooled")
    return {
        "kop": official.kop(province_name, ["Sekretariat Daerah", "Biro Organisasi"], logo),
        "signature": official.signature(sig.get("position") or "Kepala Biro Organisasi", sig.get("name"),
                                        sig.get("nip"), sig.get("place"), local_day, default_place),
        "province": province_name,
        "period": group["period"],
        "group": group,
        "order": order,
        "groups": groups,
        "rows": [r for grp in groups for r in grp["rows"]],
        "methods": {"mean": mean, "pooled": pooled},
        "mutu_rows": official.mutu_rows(),
        "generated_at": generated_at.isoformat(),
        "regulation": rules.REGULATION,
    }


def load_province_recap(db, s: Settings, period: Period, order: str = "peringkat",
                        registry: Registry | None = None) -> dict:
    reg = registry or Registry.instance()
    unit_ids = [u.id for u in reg.upps()]
    group = reports.group_ikm(db, s, unit_ids, period, {"province_id": s.province_id})
    signatory = {"name": s.bureau_signatory_name, "nip": s.bureau_signatory_nip,
                 "position": s.bureau_signatory_position, "place": s.report_place}
    return province_recap_data(group, reg, _province_name(reg, s), datetime.now(timezone.utc), order,
                               logo=official.logo_data_uri(s.report_logo), signatory=signatory,
                               default_place=s.report_place)


def render_province_recap(data: dict) -> bytes:
    return render("rekap_provinsi.html", d=data)
