"""The compliance matrix page (from `card_reports.compliance_matrix`): every unit × every
obligation, the totals per obligation and the units meeting each one per OPD."""

from __future__ import annotations

from ..exports.tables import STATE_LABELS, Column, Table
from .labels import STATE_COLORS
from .model import Chart, Page, cols, state_cols, table_section, unit_links


def matrix_table(m: dict) -> Table:
    return Table(
        "matriks",
        "Matriks kepatuhan (unit × kewajiban)",
        [Column("name", "Unit", link="href"), Column("opd_name", "Perangkat daerah"), *state_cols(m["obligations"])],
        unit_links(m["units"], m["year"]),
        row_key="unit_id",
    )


def _totals_chart(m: dict) -> Chart:
    obl = m["obligations"]
    datasets = [{"label": STATE_LABELS[s], "data": [m["totals"][o["key"]][s] for o in obl],
                 "backgroundColor": STATE_COLORS[s]} for s in ("met", "not_met", "no_data")]
    return Chart("chart-kepatuhan", "Jumlah unit per kewajiban", "bar", [o["label"] for o in obl], datasets,
                 {"indexAxis": "y", "scales": {"x": {"stacked": True}, "y": {"stacked": True}}}, height=320)


def compliance_page(m: dict) -> Page:
    obl = m["obligations"]
    totals = [{"key": o["key"], "label": o["label"], "basis": o["basis"], **m["totals"][o["key"]]} for o in obl]
    per_opd = [
        {"opd_id": o["opd_id"], "name": o["name"], "units": o["units"],
         "href": f"/dasbor/opd/{o['opd_id']}?tahun={m['year']}",
         **{ob["key"]: o["totals"][ob["key"]]["met"] for ob in obl}}
        for o in m["per_opd"]
    ]
    summary = Table("ringkasan", "Jumlah unit per kewajiban",
                    cols(("label", "Kewajiban"), ("met", "Terpenuhi", "int"), ("not_met", "Tidak terpenuhi", "int"),
                         ("no_data", "Tidak ada data", "int"), ("basis", "Dasar")),
                    totals, row_key="key")
    by_opd = Table("per-opd", "Unit yang memenuhi, per perangkat daerah",
                   [*cols(("name", "Perangkat daerah", "text", "href"), ("units", "Unit", "int")),
                    *[Column(ob["key"], ob["label"], "int") for ob in obl]],
                   per_opd, row_key="opd_id")
    return Page(
        "Matriks Kepatuhan",
        f"Tahun {m['year']}",
        [
            table_section("Ringkasan kewajiban", summary, charts=[_totals_chart(m)],
                          note=f"FKP dinilai terpenuhi bila unsur masyarakat yang hadir ≥ {m['fkp_min_elements']}."),
            table_section("Unit × kewajiban", matrix_table(m), id="matriks"),
            table_section("Terpenuhi per perangkat daerah", by_opd),
        ],
        m["as_of"],
    )
