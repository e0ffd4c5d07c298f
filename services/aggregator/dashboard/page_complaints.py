"""The complaint follow-up pages, for the province (optionally one OPD) and for a unit (from
`complaint_reports.province_report` / `unit_report`): status funnel, deadlines by kind and
tier, categories, and the figures per OPD and unit."""

from __future__ import annotations

from pantau.rules import lapor

from ..exports import fmt
from ..exports.tables import Table
from .labels import FUNNEL, KIND_LABELS, PALETTE, STATUS_LABELS, TIER_LABELS
from .model import Chart, Page, Section, Tile, bar, cols, count_tile, table_section


def follow_up_tiles(f: dict, prefix: str = "") -> list[Tile]:
    ind = f["pekppp_ind28"]
    return [
        Tile("Pengaduan", fmt.bulat(f["complaints"]), prefix + "complaints"),
        Tile("Diselesaikan", fmt.persen(f["resolved"]["pct"]), prefix + "resolved.pct",
             note=f"{fmt.bulat(f['resolved']['closed_resolved'])} dari {fmt.bulat(f['resolved']['eligible'])}"),
        Tile("Tunggakan", fmt.bulat(f["backlog"]["total"]), prefix + "backlog.total"),
        count_tile("Sedang lewat tenggat", f["overdue"]["total"], prefix + "overdue.total", warn=True),
        count_tile("Tenggat terlampaui", f["breaches"]["total"], prefix + "breaches.total", warn=True),
        Tile("Skor PEKPPP ind. 28", fmt.bulat(ind["score"]) if ind["score"] is not None else fmt.NONE,
             prefix + "pekppp_ind28.score", note=ind["basis"]),
    ]


def _status_section(by_status: dict) -> Section:
    funnel = bar("chart-corong", "Corong status", [STATUS_LABELS[s] for s in FUNNEL],
                 [by_status.get(s, 0) for s in FUNNEL], "Pengaduan", PALETTE[0], horizontal=True)
    rows = [{"status": s, "label": STATUS_LABELS.get(s, s), "lapor": lapor.LAPOR_LABELS.get(s, ""),
             "count": by_status.get(s, 0)} for s in lapor.STATUSES]
    table = Table("status", "Pengaduan menurut status",
                  cols(("label", "Status"), ("lapor", "Label LAPOR!"), ("count", "Jumlah", "int")),
                  rows, row_key="status")
    return table_section("Status", table, charts=[funnel])


def _deadline_section(f: dict) -> Section:
    tiers = f["breaches"]["by_tier"]
    tier_keys = sorted(tiers)
    chart = bar("chart-tingkat", "Tenggat terlampaui menurut tingkat", [TIER_LABELS.get(t, t) for t in tier_keys],
                [tiers[t] for t in tier_keys], "Tenggat terlampaui", PALETTE[3])
    kind_rows = [{"kind": k, "label": KIND_LABELS.get(k, k), "overdue": f["overdue"]["by_kind"].get(k, 0),
                  "breached": f["breaches"]["by_kind"].get(k, 0)} for k in lapor.GOVERNMENT_KINDS]
    tier_rows = [{"tier": t, "label": TIER_LABELS.get(t, t), "breached": tiers[t],
                  "overdue": f["overdue"]["by_tier"].get(t, 0)}
                 for t in sorted(set(tiers) | set(f["overdue"]["by_tier"]))]
    tables = [
        Table("tenggat-jenis", "Tenggat menurut jenis",
              cols(("label", "Tenggat"), ("overdue", "Sedang lewat", "int"), ("breached", "Terlampaui", "int")),
              kind_rows, row_key="kind"),
        Table("tenggat-tingkat", "Tenggat menurut tingkat",
              cols(("label", "Tingkat"), ("breached", "Terlampaui", "int"), ("overdue", "Sedang lewat", "int")),
              tier_rows, row_key="tier"),
    ]
    return Section("Tenggat", id="tenggat", charts=[chart], tables=tables)


def _category_section(cats: list[dict]) -> Section:
    chart = Chart(
        "chart-kategori", "Kategori terbanyak", "bar", [c["category"] for c in cats],
        [{"label": "Periode ini", "data": [c["complaints"] for c in cats], "backgroundColor": PALETTE[0]},
         {"label": "Periode sebelumnya", "data": [c["previous"] for c in cats], "backgroundColor": PALETTE[8]}],
        {"scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}},
    )
    table = Table("kategori", "Kategori terbanyak",
                  cols(("category", "Kategori"), ("complaints", "Periode ini", "int"),
                       ("previous", "Periode sebelumnya", "int"), ("change", "Perubahan", "int")),
                  cats, row_key="category")
    return table_section("Kategori", table, charts=[chart])


def complaint_sections(f: dict, prefix: str = "") -> list[Section]:
    return [
        Section("Ringkasan", tiles=follow_up_tiles(f, prefix), id="ringkasan"),
        _status_section(f["by_status"]),
        _deadline_section(f),
        _category_section(f["top_categories"]),
    ]


CASE_HREF = "/dasbor/pengaduan/kasus/{}"


def work_list(rep: dict, with_holder: bool) -> Table:
    """The overdue deadlines to act on, most working days late first; each row leads to its case."""
    rows = [{**c, "key": f"{c['complaint_id']}:{c['kind']}:{c['round']}",
             "kind_label": KIND_LABELS.get(c["kind"], c["kind"]) + (f" (ke-{c['round']})" if c["round"] > 1 else ""),
             "status_label": STATUS_LABELS.get(c["status"], c["status"]), "tier_label": TIER_LABELS.get(c["tier"], c["tier"]),
             "href": CASE_HREF.format(c["complaint_id"]),
             "holder_href": f"/dasbor/unit/{c['holder_unit_id']}/pengaduan?periode={rep['period']}"}
            for c in rep.get("overdue_cases", [])]
    holder = (("holder_name", "Pemegang", "text", "holder_href"),) if with_holder else ()
    return Table("lewat-tenggat", "Pengaduan yang sedang lewat tenggat (paling lama lebih dulu)",
                 cols(("complaint_id", "Nomor pelacakan", "text", "href"), *holder, ("status_label", "Status"),
                      ("kind_label", "Tenggat"), ("received_at", "Diterima", "date"), ("due_date", "Jatuh tempo", "date"),
                      ("working_days_late", "Lewat (hari kerja)", "int"), ("tier_label", "Dibebankan kepada")),
                 rows, row_key="key", cards=True,
                 empty="Tidak ada pengaduan yang sedang lewat tenggat pada periode dan keadaan ini.")


def complaints_province_page(rep: dict, opd_id: str | None = None) -> Page:
    secs = complaint_sections(rep)
    secs.insert(1, table_section("Pengaduan lewat tenggat", work_list(rep, with_holder=True)))
    opds = rep["opds"] if not opd_id else [o for o in rep["opds"] if o["opd_id"] == opd_id]

    def figures(x: dict) -> dict:
        return {"complaints": x["complaints"], "resolved": x["resolved"]["pct"], "overdue": x["overdue"]["total"],
                "ind28": x["pekppp_ind28"]["score"]}

    opd_rows = [{"opd_id": o["opd_id"], "name": o["name"], **figures(o)} for o in opds]
    unit_rows = [
        {"unit_id": u["unit_id"], "name": u["name"], "opd_id": o["opd_id"], **figures(u),
         "breaches": u["breaches_charged"], "satisfaction": u["satisfaction_mean"],
         "href": f"/dasbor/unit/{u['unit_id']}/pengaduan?periode={rep['period']}"}
        for o in opds
        for u in o["units"]
        if u["kind"] == "upp"
    ]
    common = (("complaints", "Pengaduan", "int"), ("resolved", "Diselesaikan", "pct"),
              ("overdue", "Sedang lewat tenggat", "int"))
    secs.append(table_section("Per perangkat daerah", Table(
        "per-opd", "Pengaduan per perangkat daerah",
        cols(("name", "Perangkat daerah"), *common, ("ind28", "Skor ind. 28", "int")),
        opd_rows, row_key="opd_id")))
    secs.append(table_section("Per unit", Table(
        "per-unit", "Pengaduan per unit",
        cols(("name", "Unit", "text", "href"), *common, ("breaches", "Tenggat terlampaui (dibebankan)", "int"),
             ("ind28", "Skor ind. 28", "int"), ("satisfaction", "Kepuasan (1–4)", "dec2")),
        unit_rows, row_key="unit_id")))
    scope = f" · {opds[0]['name']}" if opd_id and opds else ""
    return Page("Tindak Lanjut Pengaduan", fmt.periode(rep["period"]) + scope, secs, rep["as_of"])


def complaints_unit_page(rep: dict) -> Page:
    secs = complaint_sections(rep)
    secs.insert(1, table_section("Pengaduan lewat tenggat", work_list(rep, with_holder=False)))
    return Page(f"Tindak Lanjut Pengaduan — {rep['name']}", fmt.periode(rep["period"]), secs, rep["as_of"])
