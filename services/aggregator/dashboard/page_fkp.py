"""The FKP promise tracker, for the province (optionally one OPD) and for a unit (from
`fkp_reports.province_report` / `unit_report`)."""

from __future__ import annotations

from pantau.rules import ikm as rules

from ..exports import fmt
from ..exports.tables import Table
from .labels import ELEMENT_NAMES, PALETTE, PROMISE_LABELS, STAGE_LABELS, TOPIC_LABELS
from .model import Chart, Page, Section, Tile, bar, cols, count_tile, table_section

PROMISE_COLUMNS = cols(
    ("unit_id", "Unit"), ("description", "Janji"), ("owner", "Penanggung jawab"), ("target_date", "Target", "date"),
    ("days_overdue", "Hari terlambat", "int"), ("status", "Status"),
)


def promise_chart(p: dict, id_: str = "chart-janji") -> Chart:
    keys = list(PROMISE_LABELS)
    return bar(id_, "Janji perbaikan menurut status", [PROMISE_LABELS[k] for k in keys], [p[k] for k in keys], "Janji",
               [PALETTE[i] for i in range(len(keys))])


def promise_tiles(f: dict, prefix: str = "") -> list[Tile]:
    p = f["promises"]
    return [
        Tile("FKP terlaksana", fmt.bulat(f["forums_held"]), prefix + "forums_held"),
        Tile("Janji perbaikan", fmt.bulat(p["total"]), prefix + "promises.total"),
        Tile("Terpenuhi", fmt.bulat(p["fulfilled"]), prefix + "promises.fulfilled",
             note=fmt.persen(f["fulfilment_rate_pct"]) if f["fulfilment_rate_pct"] is not None else None),
        Tile("Terbuka", fmt.bulat(p["open"]), prefix + "promises.open"),
        count_tile("Lewat target", p["overdue"], prefix + "promises.overdue", warn=True),
        Tile("Disanggah", fmt.bulat(p["disputed"]), prefix + "promises.disputed"),
    ]


def _counts(f: dict) -> dict:
    """The promise counts and rate of a unit's or an OPD's figures."""
    p = f["promises"]
    return {"total": p["total"], "fulfilled": p["fulfilled"], "open": p["open"], "overdue": p["overdue"],
            "rate": f["fulfilment_rate_pct"]}


def fkp_province_page(rep: dict, opd_id: str | None = None) -> Page:
    scope = rep
    title_sfx = ""
    if opd_id:
        scope = next((o for o in rep["opd"] if o["opd_id"] == opd_id), None) or {**rep, "opd": []}
        title_sfx = f" — {scope.get('name') or opd_id}"
    tiles = promise_tiles(scope)
    tiles.insert(1, Tile("Rata-rata skor PEKPPP ind. 2", fmt.angka(scope["pekppp_ind2_mean"]), "pekppp_ind2_mean"))
    opds = rep["opd"] if not opd_id else [o for o in rep["opd"] if o["opd_id"] == opd_id]
    units = [
        {"unit_id": u["unit_id"], "opd_id": o["opd_id"], "forums_held": u["forums_held"],
         "forums_planned": u["forums_planned"], "elements": u["elements_covered_count"], "ind2": u["pekppp_ind2"],
         **_counts(u), "last": u["last_forum_date"], "href": f"/dasbor/unit/{u['unit_id']}/fkp?tahun={rep['year']}"}
        for o in opds
        for u in o["unit_figures"]
    ]
    keep = {u["unit_id"] for u in units}
    overdue = [{**p, "row": f"{p['unit_id']}:{p['fkp_id']}:{p['promise_id']}"}
               for p in rep["overdue_promises"] if p["unit_id"] in keep]
    opd_rows = [{"opd_id": o["opd_id"], "name": o["name"], "units": o["units"], "forums_held": o["forums_held"],
                 **_counts(o), "ind2": o["pekppp_ind2_mean"]} for o in opds]
    counts = (("total", "Janji", "int"), ("fulfilled", "Terpenuhi", "int"), ("open", "Terbuka", "int"),
              ("overdue", "Lewat target", "int"), ("rate", "Terpenuhi (%)", "pct"))
    secs = [
        Section("Ringkasan", tiles=tiles, charts=[promise_chart(scope["promises"])], id="ringkasan"),
        table_section("Janji lewat target (terlama dulu)",
                      Table("janji-lewat-target", "Janji lewat target", PROMISE_COLUMNS, overdue, row_key="row"),
                      id="lewat-target"),
        table_section("Per perangkat daerah", Table(
            "per-opd", "FKP per perangkat daerah",
            cols(("name", "Perangkat daerah"), ("units", "Unit", "int"), ("forums_held", "FKP", "int"), *counts,
                 ("ind2", "Rata-rata ind. 2", "dec2")),
            opd_rows, row_key="opd_id")),
        table_section("Per unit", Table(
            "per-unit", "FKP per unit",
            cols(("unit_id", "Unit", "text", "href"), ("forums_held", "FKP", "int"),
                 ("forums_planned", "Direncanakan", "int"), ("elements", "Unsur", "int"),
                 ("ind2", "Skor ind. 2", "int"),
                 *counts, ("last", "FKP terakhir", "date")),
            units, row_key="unit_id")),
    ]
    return Page("Pelacak Janji FKP" + title_sfx, f"Tahun {rep['year']}", secs, rep["as_of"])


def fkp_unit_page(rep: dict) -> Page:
    tiles = promise_tiles(rep)
    ind2 = rep["pekppp_ind2"]
    tiles.insert(1, Tile("Skor PEKPPP ind. 2", fmt.bulat(ind2["score"]), "pekppp_ind2.score", note=ind2["rule"]))
    promises = [
        {**p, "row": f"{p['fkp_id']}:{p['promise_id']}", "status_label": PROMISE_LABELS.get(p["status"], p["status"]),
         "elements_label": ", ".join(rules.ELEMENT_LABELS.get(e, e) for e in p["elements"])}
        for p in rep["promise_list"]
    ]
    forums = [
        {**f, "elements_label": ", ".join(ELEMENT_NAMES.get(e, e) for e in f["elements"]),
         "topic": TOPIC_LABELS.get(f["topic"], f["topic"]), "stage": STAGE_LABELS.get(f["stage"], f["stage"]),
         "ba": bool(f["berita_acara"])}
        for f in rep["forums"]
    ]
    secs = [
        Section("Ringkasan", tiles=tiles, charts=[promise_chart(rep["promises"])], id="ringkasan"),
        table_section("Janji perbaikan", Table(
            "janji", "Janji perbaikan",
            cols(("description", "Janji"), ("owner", "Penanggung jawab"), ("elements_label", "Unsur SKM"),
                 ("target_date", "Target", "date"), ("status_label", "Status"), ("progress_pct", "Kemajuan (%)", "pct"),
                 ("fulfilled_on", "Terpenuhi", "date"), ("days_overdue", "Hari terlambat", "int"),
                 ("confirmations", "Konfirmasi peserta", "int")),
            promises, row_key="row")),
        table_section("Forum", Table(
            "forum", "Forum konsultasi publik",
            cols(("title", "Judul"), ("topic", "Topik"), ("held_on", "Tanggal", "date"), ("stage", "Tahap"),
                 ("participant_count", "Peserta", "int"), ("elements_label", "Unsur masyarakat"),
                 ("ba", "Berita Acara")),
            forums, row_key="fkp_id")),
    ]
    return Page(f"Pelacak Janji FKP — {rep.get('unit_name') or rep['unit_id']}", f"Tahun {rep['year']}", secs,
                rep["as_of"])
