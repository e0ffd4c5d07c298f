"""The PEKPPP pages (from `pekppp_reports`): the province's (or one OPD's) units × aspects with
their IPP and predikat, and one unit's 30 indicators grouped by aspect with the score that counts,
where it comes from, its rubric line and evidence (linking into Pantau's own pages), the unit's
self-assessment beside it."""

from __future__ import annotations

from .. import figures
from ..exports import fmt
from ..exports.tables import Column, Table
from .labels import PALETTE
from .model import Page, Section, Tile, bar, cols, figure_tile, table_section

SOURCE_LABELS = {"measured": "Diukur Pantau", "evaluator": "Evaluator", "override": "Evaluator (mengganti nilai terukur)",
                 None: "Belum dinilai"}
PREDIKAT_COLORS = {"A": "#2e7d32", "A-": "#558b2f", "B": "#7cb342", "B-": "#c0ca33", "C": "#fbc02d",
                   "C-": "#ffa000", "D": "#f57c00", "E": "#e64a19", "F": "#b71c1c"}
BAND_NOTE = figures.figure("pekppp.predikat").definition


def _evidence_href(unit_id: str, year: int, indicator: int) -> str | None:
    """Where Pantau's own evidence for a measured indicator is shown."""
    if indicator in (2, 4):
        return f"/dasbor/unit/{unit_id}/fkp?tahun={year}"
    if indicator in (6, 7, 8, 9):
        return f"/dasbor/unit/{unit_id}/skm?periode={year}"
    if indicator in (26, 27, 28):
        return f"/dasbor/unit/{unit_id}/pengaduan?periode={year}"
    return None


def _status(r: dict) -> str:
    if r["ipp"] is None:
        return "Belum dinilai"
    c = r["completeness"]
    return "Lengkap" if not r["provisional"] else f"Sementara ({c['scored']} dari {c['total']})"


def ipp_tiles(ev: dict, prefix: str = "") -> list[Tile]:
    if ev["ipp"] is None:
        return [figure_tile("pekppp.ipp", fmt.NONE, prefix + "ipp", note="belum ada indikator yang dinilai")]
    note = f"{ev['predikat']} — {ev['label']}"
    if ev["provisional"]:
        note += (f"; sementara: {len(ev['missing'])} indikator belum dinilai, IPP akhir antara "
                 f"{fmt.angka(ev['ipp_min'])} dan {fmt.angka(ev['ipp_max'])}")
    c = ev["completeness"]
    return [figure_tile("pekppp.ipp", fmt.angka(ev["ipp"]), prefix + "ipp", note=note,
                        tone="warn" if ev["provisional"] else None),
            figure_tile("pekppp.predikat", ev["predikat"], prefix + "predikat", note=ev["label"]),
            figure_tile("pekppp.completeness", f"{c['scored']} dari {c['total']}", prefix + "completeness",
                        tone="warn" if c["scored"] < c["total"] else None)]


def unit_pekppp_page(ev: dict, can_score: bool = False) -> Page:
    unit_id, year = ev["unit_id"], ev["year"]
    tiles = ipp_tiles(ev)
    sa = ev["self_assessment"]
    if sa:
        tiles.append(figure_tile("pekppp.self_ipp", fmt.angka(sa["ipp"]), "self_ipp",
                                 note=f"{sa['scored']} indikator; tidak dihitung dalam IPP"))
    aspects = Table("aspek", "Skor per aspek",
                    cols(("name", "Aspek"), ("weight_pct", "Bobot (%)", "dec2"), ("score", "Skor (0–5)", "score5"),
                         ("scored", "Indikator dinilai", "int"), ("total", "Jumlah indikator", "int")),
                    ev["aspects"], row_key="key")
    sections = [Section("Indeks Pelayanan Publik", tiles=tiles, tables=[aspects], id="ipp",
                        note=BAND_NOTE + f" Instrumen: {ev['instrument']['version']}.")]
    for a in ev["aspects"]:
        rows = []
        for i in a["indicators"]:
            m, e, s = i["measured"], i["evaluator"], i["self"]
            evidence = []
            if m:
                evidence.append(f"Pantau: {m['evidence']}" + (f" (skor terukur {m['score']})" if m["score"] is not None
                                                                and i["source"] == "override" else ""))
            if e:
                evidence.append(f"Evaluator ({e['actor'].split(':', 1)[-1]}, {fmt.tanggal(e['at'][:10])})"
                                + (f": {e['note']}" if e["note"] else "")
                                + (f" — bukti: {', '.join(e['evidence'])}" if e["evidence"] else ""))
            rows.append({"number": i["code"], "n": i["number"], "text": i["text"], "score": i["score"],
                         "source": SOURCE_LABELS[i["source"]], "rubric_line": i["rubric_line"] or fmt.NONE,
                         "evidence": " · ".join(evidence) or fmt.NONE,
                         "evidence_href": _evidence_href(unit_id, year, i["number"]) if m else None,
                         "self": s["score"] if s else None, "weight_pct": i["weight_pct"],
                         "single": "ya" if i["weight_single_source"] else "tidak"})
        t = Table(f"aspek-{a['key']}", f"{a['name']} (bobot {fmt.angka(a['weight_pct'], 0)}%)",
                  [Column("number", "Kode"), Column("text", "Indikator"), Column("score", "Skor", "score5"),
                   Column("source", "Sumber"), Column("rubric_line", "Rubrik skor ini"),
                   Column("evidence", "Bukti dan catatan", link="evidence_href"),
                   Column("self", "Penilaian mandiri", "int"), Column("weight_pct", "Bobot (%)", "dec2"),
                   Column("single", "Bobot dari satu sumber")],
                  rows, row_key="n", cards=True)
        sections.append(table_section(a["name"], t, id=f"aspek-{a['key']}"))
    links = [("Unduh PDF Hasil Evaluasi PEKPPP", f"/dasbor/unit/{unit_id}/hasil-pekppp.pdf?tahun={year}")]
    if can_score:
        links.insert(0, ("Isi atau ubah skor", f"/dasbor/unit/{unit_id}/pekppp/nilai?tahun={year}"))
    subtitle = f"{ev['name']} — tahun {year}" + (" (sementara)" if ev["provisional"] else "")
    return Page("Evaluasi PEKPPP", subtitle, sections, ev["as_of"], links=links, contents=True)


def province_pekppp_page(rep: dict) -> Page:
    year = rep["year"]
    rows = [{**r, "href": f"/dasbor/unit/{r['unit_id']}/pekppp?tahun={year}", "status": _status(r),
             "predikat_label": (f"{r['predikat']} — {r['label']}" + (" (sementara)" if r["provisional"] else ""))
             if r["predikat"] else fmt.NONE,
             "missing_count": len(r["missing"]),
             **{f"a_{a['key']}": a["score"] for a in r["aspects"]}} for r in rep["units"]]
    rows.sort(key=lambda r: (r["ipp"] is None, -(r["ipp"] or 0), r["name"]))
    aspect_cols = [Column(f"a_{a['key']}", a["name"], "score5") for a in rep["aspects"]]
    heat = Table("unit-aspek", "Unit × aspek (skor 0–5)",
                 [*cols(("name", "Unit", "text", "href"), ("opd_name", "Perangkat daerah"),
                        ("ipp", "IPP", "score5"), ("predikat_label", "Predikat"), ("status", "Status")), *aspect_cols,
                  Column("self_ipp", "IPP mandiri", "score5")],
                 rows, row_key="unit_id",
                 empty="Belum ada unit dalam cakupan ini.")
    missing = Table("belum-lengkap", "Indikator yang belum dinilai",
                    cols(("name", "Unit", "text", "href"), ("opd_name", "Perangkat daerah"),
                         ("missing_count", "Belum dinilai", "int"), ("missing", "Nomor indikator")),
                    [r for r in rows if r["missing"]], row_key="unit_id",
                    empty="Semua unit sudah dinilai lengkap.")
    weakest = Table("aspek-terlemah", "Rata-rata skor per aspek (terlemah dahulu)",
                    cols(("name", "Aspek"), ("mean", "Rata-rata (0–5)", "score5"), ("units", "Unit dinilai", "int")),
                    rep["aspect_means"], row_key="key", empty="Belum ada skor aspek.")
    dist = rep["distribution"]
    chart = bar("chart-predikat", "Sebaran predikat (evaluasi lengkap)", list(dist), list(dist.values()), "Unit",
                [PREDIKAT_COLORS.get(g, PALETTE[0]) for g in dist])
    mean = rep["mean_ipp"]
    tiles = [
        figure_tile("pekppp.mean_ipp", fmt.angka(mean) if mean is not None else fmt.NONE, "mean_ipp",
                    note=(f"predikat {rep['mean_predikat']}; dari {rep['units_complete']} evaluasi lengkap"
                          if mean is not None else "belum ada evaluasi lengkap")),
        figure_tile("pekppp.units_complete", f"{rep['units_complete']} dari {rep['units_total']}", "units_complete"),
        figure_tile("pekppp.units_provisional", fmt.bulat(rep["units_provisional"]), "units_provisional",
                    tone="warn" if rep["units_provisional"] else None),
        figure_tile("pekppp.units_unscored", fmt.bulat(rep["units_unscored"]), "units_unscored",
                    tone="warn" if rep["units_unscored"] else None),
    ]
    if rep["weakest_aspects"]:
        w = rep["weakest_aspects"][0]
        tiles.append(figure_tile("pekppp.weakest_aspect", w["name"], "weakest_aspect",
                                 note=f"rata-rata {fmt.angka(w['mean'])}"))
    scope = rep["opd_name"] or "Provinsi"
    return Page("Evaluasi PEKPPP", f"{scope} — tahun {year}", [
        Section("Ringkasan", tiles=tiles, charts=[chart] if rep["units_complete"] else [], id="ringkasan",
                note=BAND_NOTE if rep["units_complete"] else
                "Sebaran predikat tampil setelah ada unit yang ke-30 indikatornya dinilai (diukur Pantau atau diisi "
                "evaluator). " + BAND_NOTE),
        table_section("Unit × aspek", heat, id="unit-aspek",
                      note="IPP sementara dihitung dari indikator yang sudah dinilai; indikator yang belum dinilai "
                           "tidak pernah dihitung sebagai 0."),
        table_section("Aspek terlemah", weakest),
        table_section("Belum lengkap", missing),
    ], rep["as_of"], links=[("Unduh PDF rekap PEKPPP", f"/dasbor/rekap-pekppp.pdf?tahun={year}"
                                                     + (f"&opd={rep['opd_id']}" if rep["opd_id"] else ""))])
