"""The SKM detail page of a unit (from `reports.unit_ikm`): result tiles, the nine unsur, the IKM
trend and the respondent profile; its pieces also serve the unit card and the public pages."""

from __future__ import annotations

from pantau.rules import ikm as rules

from ..exports import fmt
from ..exports.tables import Table
from .labels import MUTU_COLORS, PALETTE, SOURCE_LABELS
from .model import Chart, Page, Section, Tile, bar, cols, figure_mutu, figure_tile, table_section


def skm_tiles(ikm: dict) -> list[Tile]:
    s = ikm["sample"]
    tiles = [
        figure_mutu("skm.ikm_unit", ikm["ikm"], ikm["mutu"], "ikm",
                    note=f"mutu {ikm['mutu']} ({ikm['kinerja']})" if ikm["mutu"] else "belum ada responden"),
        figure_tile("skm.respondents", fmt.bulat(ikm["respondents"]), "respondents"),
        figure_tile("skm.sample_required", fmt.bulat(s["required"]), "sample.required",
                    note=f"populasi {fmt.bulat(s['population'])}" if s["population"] else "populasi belum tercatat"),
    ]
    if ikm.get("source"):
        tiles.append(source_tile(ikm))
    if ikm.get("ci95"):
        low, high = ikm["ci95"]
        tiles.append(figure_tile("skm.ci95", f"{fmt.angka(low)} – {fmt.angka(high)}", "ci95",
                                 note=CI_NOTES.get(ikm.get("ci95_note") or "")))
    elif ikm.get("ci95_note"):
        tiles.append(figure_tile("skm.ci95", "tidak dapat dihitung", "ci95", note=CI_NOTES[ikm["ci95_note"]]))
    return tiles


CI_NOTES = {"summary_nrr_only": "laporan unit hanya memuat NRR per unsur, tanpa sebaran jawaban",
            "summary_counts_bound": "batas aman dari jumlah jawaban per unsur (sebaran tiap responden tidak ada)"}


def source_tile(ikm: dict, key: str = "source") -> Tile:
    """Where the period's IKM comes from (responses, else the unit's summary report)."""
    note = None
    if ikm["source"] == "summary":
        subs = ikm["summary"]["submissions"]
        basis = "jumlah jawaban" if ikm["summary"]["basis"] == "counts" else "NRR"
        note = f"laporan {', '.join(x['submission_id'] for x in subs)}; dihitung ulang dari {basis} per unsur"
    elif ikm.get("both_sources"):
        note = "unit juga mengirim laporan hasil SKM: lihat perbandingannya di bawah"
    return figure_tile("skm.source", SOURCE_LABELS[ikm["source"]], key, note=note)


def both_sources_section(ikm: dict) -> Section:
    """A unit with responses and a summary report for the period: both, and their difference."""
    b = ikm["both_sources"]
    rows = [{"source": SOURCE_LABELS["responses"], **b["responses"]},
            {"source": SOURCE_LABELS["summary"] + " (" + ", ".join(x["submission_id"] for x in b["summary"]["submissions"])
             + ")", **{k: b["summary"][k] for k in ("respondents", "ikm", "mutu")}}]
    table = Table("dua-sumber", "IKM menurut kedua sumber",
                  cols(("source", "Sumber"), ("respondents", "Responden", "int"), ("ikm", "IKM", "dec2"), ("mutu", "Mutu")),
                  rows, row_key="source")
    return table_section("Kuesioner dan laporan unit", table,
                         note=f"Selisih IKM (kuesioner − laporan): {fmt.angka(b['difference'])}. IKM unit memakai "
                              "kuesioner yang tercatat di Pantau.")


def element_rows(ikm: dict) -> list[dict]:
    if not ikm.get("elements"):
        return []
    return [
        {"no": f"U{i}", "key": k, "label": rules.ELEMENT_LABELS[k], "nrr": ikm["elements"][k]["nrr"],
         "ikm": ikm["elements"][k]["ikm"], "mutu": ikm["elements"][k]["mutu"]}
        for i, k in enumerate(rules.ELEMENTS, 1)
    ]


def element_chart(ikm: dict, id_: str = "chart-unsur") -> Chart:
    rows = element_rows(ikm)
    return bar(id_, "Nilai per unsur (NRR × 25)", [r["label"] for r in rows],
               [rules.round_half_up(r["ikm"], 2) for r in rows], "Nilai konversi",
               [MUTU_COLORS.get(r["mutu"], PALETTE[0]) for r in rows], horizontal=True, y_max=100, height=320)


def element_table(ikm: dict) -> Table:
    return Table("unsur", "Nilai rata-rata per unsur",
                 cols(("no", "No"), ("label", "Unsur"), ("nrr", "NRR", "dec4"), ("ikm", "Nilai konversi", "dec2"),
                      ("mutu", "Mutu")),
                 element_rows(ikm), row_key="key")


def trend_chart(trend: list[dict]) -> Chart:
    """The IKM trend line (unit card and SKM detail)."""
    return Chart(
        "chart-tren",
        "Tren IKM",
        "line",
        [fmt.periode(t["period"]) for t in trend],
        [{"label": "IKM", "data": [t["ikm"] for t in trend], "borderColor": PALETTE[0],
          "backgroundColor": PALETTE[0], "spanGaps": True}],
        {"scales": {"y": {"min": 25, "max": 100}}, "plugins": {"legend": {"display": False}}},
    )


def trend_table(trend: list[dict]) -> Table:
    """The IKM trend as a table (unit card and SKM detail)."""
    return Table("tren", "Tren IKM",
                 cols(("period", "Periode", "period"), ("respondents", "Responden", "int"), ("ikm", "IKM", "dec2"),
                      ("mutu", "Mutu")),
                 trend, row_key="period")


def _colours(n: int) -> list[str]:
    return PALETTE[:n] if n <= len(PALETTE) else PALETTE * (n // len(PALETTE) + 1)


def profile_section(ikm: dict) -> Section:
    """Respondents by sex, education, occupation, channel and service type (a doughnut each but
    the channel, and one table)."""
    from ..exports.pdf import PROFILE_FIELDS, PROFILE_VALUES

    n = ikm["respondents"]
    charts, rows = [], []
    for key, label in PROFILE_FIELDS:
        counts = (ikm.get("profile") or {}).get(key) or {}
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        rows += [{"id": f"{key}:{v}", "field": label, "value": PROFILE_VALUES.get(v, v), "count": c,
                  "pct": rules.round_half_up(100.0 * c / n, 1)} for v, c in items]
        if key != "channel" and items:
            ds = {"label": label, "data": [c for _, c in items], "backgroundColor": _colours(len(items))}
            charts.append(Chart(f"chart-profil-{key}", label, "doughnut", [PROFILE_VALUES.get(v, v) for v, _ in items],
                                [ds], {"plugins": {"legend": {"position": "right"}}}, height=220))
    table = Table("profil", "Profil responden",
                  cols(("field", "Aspek"), ("value", "Kategori"), ("count", "Jumlah", "int"),
                       ("pct", "Persentase", "pct")),
                  rows, row_key="id", empty=_profile_empty(ikm))
    return table_section("Profil responden", table, charts=charts)


def _profile_empty(ikm: dict) -> str:
    """Why the profile table is empty: no respondents, or a summary report without profile counts."""
    if ikm.get("source") == "summary":
        return "Laporan hasil SKM unit ini tidak memuat profil responden."
    if not ikm.get("respondents"):
        return "Belum ada responden pada periode ini."
    return "Responden periode ini tidak mengisi data profil."


def skm_page(ikm: dict, unit_name: str, trend: list[dict], weight: str | None = None) -> Page:
    """`weight`: the weight mode asked for (`weight=`), carried to the PDF link; None: the configured one."""
    secs = [Section("Hasil", tiles=skm_tiles(ikm), id="hasil")]
    if ikm["respondents"]:
        lowest = ", ".join(rules.ELEMENT_LABELS[k] for k in ikm["lowest_elements"])
        secs.append(table_section("Unsur pelayanan", element_table(ikm), charts=[element_chart(ikm)],
                                  note=f"Tiga unsur terendah: {lowest}."))
    if ikm.get("both_sources"):
        secs.append(both_sources_section(ikm))
    secs.append(table_section("Tren", trend_table(trend), charts=[trend_chart(trend)]))
    if ikm["respondents"]:
        secs.append(profile_section(ikm))
    return Page(
        f"Detail SKM — {unit_name}",
        fmt.periode(ikm["period"]),
        secs,
        ikm["as_of"],
        links=[("Laporan Hasil SKM (PDF)", f"/dasbor/unit/{ikm['unit_id']}/laporan-skm.pdf?periode={ikm['period']}"
                                           + (f"&weight={weight}" if weight else ""))],
    )
