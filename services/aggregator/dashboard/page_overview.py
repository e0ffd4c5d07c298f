"""The province overview and the OPD page (from `card_reports.province_overview`, and for the OPD
page its compliance matrix): headline figures, units by mutu, IKM per OPD and per unit, and the
units that need attention."""

from __future__ import annotations

from ..exports import fmt
from ..exports.tables import Table
from .labels import MUTU_COLORS, MUTU_LABELS, SOURCE_LABELS, UNAVAILABLE
from .model import (
    Page,
    Section,
    Tile,
    bar,
    cols,
    figure_count,
    figure_mutu,
    figure_tile,
    ikm_bars,
    table_section,
    unit_links,
)
from .page_compliance import matrix_table


def headline_tiles(h: dict) -> list[Tile]:
    i = h["ikm"]
    method = "gabungan responden" if i["official_method"] == "ikm_pooled_respondents" else "rata-rata unit"
    return [
        figure_tile("skm.units", fmt.bulat(h["units"]), "units"),
        figure_tile("skm.units_with_skm", fmt.bulat(h["units_with_skm"]), "units_with_skm",
                    note=f"{fmt.bulat(h['units_adequate'])} dengan sampel memadai"),
        figure_tile("skm.respondents", fmt.bulat(h["respondents"]), "respondents"),
        figure_mutu("skm.ikm_official", i["ikm"], i["mutu"], "ikm", note=f"{method}; mutu {i['mutu']}" if i["mutu"]
                    else method),
        figure_mutu("skm.ikm_mean_of_units", i["ikm_mean_of_units"], i["mutu_mean_of_units"], "ikm_mean_of_units"),
        figure_mutu("skm.ikm_pooled", i["ikm_pooled_respondents"], i["mutu_pooled_respondents"],
                    "ikm_pooled_respondents"),
    ]


def fkp_tiles(f: dict) -> list[Tile]:
    return [
        figure_tile("fkp.forums_held", fmt.bulat(f["forums_held"]), "fkp.forums_held",
                    note=f"di {fmt.bulat(f['units_with_forum_held'])} unit"),
        figure_tile("fkp.promises_total", fmt.bulat(f["promises_total"]), "fkp.promises_total",
                    note=f"{fmt.bulat(f['promises_fulfilled'])} terpenuhi"),
        figure_tile("fkp.promises_open", fmt.bulat(f["promises_open"]), "fkp.promises_open"),
        figure_count("fkp.promises_overdue", f["promises_overdue"], "fkp.promises_overdue", warn=True),
    ]


def complaint_tiles(c: dict) -> list[Tile]:
    tiles = [
        figure_tile("complaints.total", fmt.bulat(c["complaints"]), "complaints.complaints"),
        figure_tile("complaints.resolved_pct", fmt.persen(c["resolved_pct"]), "complaints.resolved_pct",
                    note=f"{fmt.bulat(c['closed_resolved'])} dari {fmt.bulat(c['eligible'])}"),
        figure_count("complaints.overdue_now", c["overdue"], "complaints.overdue", warn=True),
    ]
    if c.get("breaches") is not None:
        tiles.append(figure_count("complaints.breaches", c["breaches"], "complaints.breaches", warn=True))
    tiles.append(figure_count("complaints.breaches_charged", c["breaches_charged"], "complaints.breaches_charged",
                              warn=True))
    return tiles


def _adequacy(u: dict) -> str:
    if not u["respondents"]:
        return "–"
    return "memadai" if u["adequate"] else "kurang" if u["adequate"] is False else "tidak diketahui"


def units_table(ov: dict, name: str = "ikm-unit") -> Table:
    rows = [{**u, "adequacy": _adequacy(u), "required": u["sample"]["required"],
             "source_label": SOURCE_LABELS.get(u.get("source") or "", fmt.NONE)}
            for u in unit_links(ov["units"], ov["year"])]
    return Table(
        name, "IKM per unit pelayanan (setahun)",
        cols(("name", "Unit pelayanan", "text", "href"), ("opd_name", "Perangkat daerah"),
             ("respondents", "Responden", "int"), ("required", "Sampel minimal", "int"), ("adequacy", "Sampel"),
             ("ikm", "IKM", "dec2"), ("mutu", "Mutu"), ("source_label", "Sumber")),
        rows, row_key="unit_id",
    )


def _instrument_section(title: str, part: dict, tiles, id_: str) -> Section:
    """FKP or complaints headline tiles, or "not available" when that part is missing."""
    if part.get("available"):
        return Section(title, tiles=tiles(part), id=id_)
    return Section(title, unavailable=UNAVAILABLE, id=id_)


def _mutu_section(dist: dict) -> Section:
    keys = list(dist)
    chart = bar("chart-mutu", "Jumlah unit menurut mutu pelayanan", [MUTU_LABELS[k] for k in keys],
                [dist[k] for k in keys], "Unit", [MUTU_COLORS[k] for k in keys])
    table = Table("sebaran-mutu", "Sebaran unit menurut mutu", cols(("label", "Mutu"), ("units", "Unit", "int")),
                  [{"key": k, "label": MUTU_LABELS[k], "units": dist[k]} for k in keys], row_key="key")
    return table_section("Sebaran unit menurut mutu", table, id="mutu", charts=[chart])


def _opd_section(ov: dict) -> Section:
    opds = [{**o, "href": f"/dasbor/opd/{o['opd_id']}?tahun={ov['year']}"} for o in ov["per_opd"]]
    with_ikm = [o for o in opds if o["ikm"] is not None]
    chart = ikm_bars("chart-opd", "IKM per perangkat daerah (metode resmi)", with_ikm, None, 200, 26)
    table = Table(
        "ikm-opd", "IKM per perangkat daerah",
        cols(("name", "Perangkat daerah", "text", "href"), ("units", "Unit", "int"),
             ("units_with_skm", "Unit dengan SKM", "int"), ("respondents", "Responden", "int"),
             ("units_included", "Unit dihitung", "int"), ("ikm_mean_of_units", "IKM rata-rata unit", "dec2"),
             ("ikm_pooled_respondents", "IKM gabungan responden", "dec2")),
        opds, row_key="opd_id",
    )
    return table_section("IKM per perangkat daerah", table, id="opd", charts=[chart])


def attention_tables(ov: dict) -> list[Table]:
    a, year = ov["attention"], ov["year"]
    unit = ("name", "Unit", "text", "href")
    out = [Table("ikm-terendah", "IKM terendah (sampel memadai)",
                 cols(unit, ("ikm", "IKM", "dec2"), ("mutu", "Mutu"), ("respondents", "Responden", "int")),
                 unit_links(a["lowest_ikm"], year), row_key="unit_id")]
    if a.get("most_overdue_promises") is not None:
        out.append(Table("janji-terlambat", "Janji FKP paling banyak lewat target",
                         cols(unit, ("overdue", "Lewat target", "int"), ("open", "Terbuka", "int")),
                         unit_links(a["most_overdue_promises"], year), row_key="unit_id"))
    if a.get("most_breaches") is not None:
        out.append(Table("tenggat-terlampaui", "Pengaduan: tenggat paling banyak terlampaui",
                         cols(unit, ("breaches_charged", "Tenggat terlampaui oleh unit", "int"),
                              ("overdue", "Sedang lewat tenggat", "int"), ("complaints", "Pengaduan", "int")),
                         unit_links(a["most_breaches"], year), row_key="unit_id"))
    out.append(Table("lama-tidak-aktif", f"Tanpa responden SKM ≥ {ov['silent_months']} bulan",
                     cols(unit, ("last_response_month", "Responden terakhir", "month"),
                          ("months_silent", "Bulan tanpa responden", "int"),
                          ("last_forum_date", "FKP terakhir", "date")),
                     unit_links(a["silent"], year), row_key="unit_id"))
    return out


def overview_sections(ov: dict, with_opd_table: bool = True) -> list[Section]:
    h = ov["headline"]
    secs = [
        Section("Angka utama SKM", tiles=headline_tiles(h), id="utama"),
        _instrument_section("Forum Konsultasi Publik", h["fkp"], fkp_tiles, "fkp"),
        _instrument_section("Pengaduan (SP4N-LAPOR!)", h["complaints"], complaint_tiles, "pengaduan"),
        _mutu_section(ov["mutu_distribution"]),
    ]
    if with_opd_table:
        secs.append(_opd_section(ov))
    secs.append(Section("Unit yang perlu perhatian", tables=attention_tables(ov), id="perhatian"))
    secs.append(table_section("IKM unit pelayanan", units_table(ov), id="unit"))
    return secs


def province_page(ov: dict, weight: str | None = None) -> Page:
    """`weight`: the weight mode asked for (`weight=`), carried to the PDF link; None: the configured one."""
    return Page(
        "Ikhtisar Provinsi",
        f"Tahun {ov['year']}",
        overview_sections(ov),
        ov["as_of"],
        links=[
            ("Rekapitulasi IKM provinsi, peringkat (PDF)", f"/dasbor/rekap-skm.pdf?periode={ov['year']}&urut=peringkat"
             + (f"&weight={weight}" if weight else "")),
            ("Rekapitulasi IKM provinsi, per perangkat daerah (PDF)",
             f"/dasbor/rekap-skm.pdf?periode={ov['year']}&urut=opd" + (f"&weight={weight}" if weight else "")),
        ],
        contents=True,
    )


def opd_page(ov: dict, matrix: dict) -> Page:
    secs = overview_sections(ov, with_opd_table=False)
    with_ikm = [u for u in ov["units"] if u["ikm"] is not None]
    colors = [MUTU_COLORS[u["mutu"]] if u["adequate"] else MUTU_COLORS["sampel_kurang"] for u in with_ikm]
    chart = ikm_bars("chart-unit-ikm", "IKM unit pelayanan (abu-abu: sampel belum memadai)", with_ikm, colors, 160, 28)
    secs.insert(1, Section("IKM unit", id="grafik-unit", charts=[chart]))
    secs.append(table_section("Kepatuhan unit", matrix_table(matrix), id="kepatuhan"))
    return Page(ov.get("opd_name") or ov.get("opd_id") or "Perangkat daerah", f"Tahun {ov['year']}", secs, ov["as_of"],
                contents=True)
