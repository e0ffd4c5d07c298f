"""The public SKM pages, for the province and per unit (a PEKPPP publication medium): IKM and
unsur only, no personal data, no login (from `reports.group_ikm` / `unit_ikm`)."""

from __future__ import annotations

from ..exports import fmt
from ..exports.tables import Table
from .labels import MUTU_COLORS, PALETTE
from .model import Page, Section, Tile, cols, ikm_bars, mutu_tile, table_section
from .page_skm import element_chart, element_table, skm_tiles


def _note(u: dict, group: dict) -> str:
    if u["unit_id"] in group["units_included"]:
        return "sampel memenuhi"
    return "sampel belum memenuhi" if u["respondents"] else "belum ada responden"


def public_province_page(group: dict, names: dict[str, str], province: str) -> Page:
    rows = [
        {"unit_id": u["unit_id"], "name": names.get(u["unit_id"], u["unit_id"]), "respondents": u["respondents"],
         "ikm": u["ikm"], "mutu": u["mutu"], "note": _note(u, group),
         "href": f"/publik/skm/{u['unit_id']}?periode={group['period']}"}
        for u in group["units"]
        if u["respondents"]
    ]
    pooled = group["official_method"] == "ikm_pooled_respondents"
    tiles = [
        mutu_tile("IKM provinsi", group["ikm"],
                  group["mutu_pooled_respondents"] if pooled else group["mutu_mean_of_units"], "ikm"),
        mutu_tile("IKM rata-rata unit", group["ikm_mean_of_units"], group["mutu_mean_of_units"], "ikm_mean_of_units"),
        mutu_tile("IKM gabungan responden", group["ikm_pooled_respondents"], group["mutu_pooled_respondents"],
                  "ikm_pooled_respondents"),
        Tile("Unit dihitung", fmt.bulat(group["unit_count"]), "unit_count"),
        Tile("Responden", fmt.bulat(group["respondent_count"]), "respondent_count"),
    ]
    chart_rows = [r for r in rows if r["ikm"] is not None]
    chart = ikm_bars("chart-ikm-unit", "IKM unit pelayanan", chart_rows,
                     [MUTU_COLORS.get(r["mutu"], PALETTE[0]) for r in chart_rows], 180, 26)
    table = Table("ikm-unit", "IKM unit pelayanan",
                  cols(("name", "Unit pelayanan", "text", "href"), ("respondents", "Responden", "int"),
                       ("ikm", "IKM", "dec2"), ("mutu", "Mutu"), ("note", "Keterangan")),
                  rows, row_key="unit_id")
    return Page(
        f"Hasil Survei Kepuasan Masyarakat — {province}",
        fmt.periode(group["period"]),
        [
            Section("IKM provinsi", tiles=tiles, id="provinsi",
                    note="Hanya unit dengan jumlah responden memenuhi sampel minimal (Krejcie–Morgan) "
                         "yang dihitung."),
            table_section("IKM unit pelayanan", table, id="unit", charts=[chart]),
        ],
        group["as_of"],
    )


def public_unit_page(ikm: dict, unit_name: str) -> Page:
    tiles = [t for t in skm_tiles(ikm) if t.key in ("ikm", "respondents", "sample.required")]
    secs = [Section("Hasil", tiles=tiles, id="hasil")]
    if ikm["respondents"]:
        secs.append(Section("Unsur pelayanan", charts=[element_chart(ikm)], tables=[element_table(ikm)], id="unsur"))
    return Page(f"Hasil SKM — {unit_name}", fmt.periode(ikm["period"]), secs, ikm["as_of"])
