"""The FKP promise tracker, for the province (optionally one OPD) and for a unit (from
`fkp_reports.province_report` / `unit_report`)."""

from __future__ import annotations

from pantau.rules import ikm as rules
from pantau.units import Registry

from ..exports import fmt
from ..exports.tables import Table
from .labels import ELEMENT_NAMES, PALETTE, PROMISE_LABELS, STAGE_LABELS, TOPIC_LABELS
from .model import Chart, Page, Section, Tile, bar, cols, count_tile, table_section

PROMISE_COLUMNS = cols(
    ("description", "Janji", "text", "href"), ("unit_name", "Unit", "text", "unit_href"), ("owner", "Penanggung jawab"),
    ("target_date", "Target", "date"), ("days_overdue", "Hari terlambat", "int"), ("status_label", "Status"),
    ("disputes", "Sanggahan peserta", "int"),
)
PROMISE_HREF = "/dasbor/fkp/janji/{unit_id}/{fkp_id}/{promise_id}"


def _unit_name(unit_id: str) -> str:
    unit = Registry.instance().get(unit_id)
    return unit.name if unit else unit_id


def promise_rows(promises: list[dict], year: int) -> list[dict]:
    """Work-list rows: each promise leads to its own page, its unit to the unit's tracker."""
    seen, rows = set(), []
    for p in promises:
        key = f"{p['unit_id']}:{p['fkp_id']}:{p['promise_id']}"
        if key in seen:
            continue
        seen.add(key)
        rows.append({**p, "row": key, "unit_name": _unit_name(p["unit_id"]),
                     "status_label": PROMISE_LABELS.get(p["status"], p["status"]),
                     "href": PROMISE_HREF.format(**p), "unit_href": f"/dasbor/unit/{p['unit_id']}/fkp?tahun={year}"})
    return rows


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
        found = next((o for o in rep["opd"] if o["opd_id"] == opd_id), None)
        scope = found or {**rep, "opd": []}
        title_sfx = f" — {scope.get('name') or opd_id}"
    tiles = promise_tiles(scope)
    tiles.insert(1, Tile("Rata-rata skor PEKPPP ind. 2", fmt.angka(scope["pekppp_ind2_mean"]), "pekppp_ind2_mean"))
    opds = rep["opd"] if not opd_id else [o for o in rep["opd"] if o["opd_id"] == opd_id]
    units = [
        {"unit_id": u["unit_id"], "name": _unit_name(u["unit_id"]), "opd_id": o["opd_id"], "forums_held": u["forums_held"],
         "forums_planned": u["forums_planned"], "elements": u["elements_covered_count"], "ind2": u["pekppp_ind2"],
         **_counts(u), "last": u["last_forum_date"], "href": f"/dasbor/unit/{u['unit_id']}/fkp?tahun={rep['year']}"}
        for o in opds
        for u in o["unit_figures"]
    ]
    keep = {u["unit_id"] for u in units}
    overdue = promise_rows([p for p in rep["overdue_promises"] + rep.get("disputed_promises", [])
                            if p["unit_id"] in keep], rep["year"])
    opd_rows = [{"opd_id": o["opd_id"], "name": o["name"], "units": o["units"], "forums_held": o["forums_held"],
                 **_counts(o), "ind2": o["pekppp_ind2_mean"]} for o in opds]
    counts = (("total", "Janji", "int"), ("fulfilled", "Terpenuhi", "int"), ("open", "Terbuka", "int"),
              ("overdue", "Lewat target", "int"), ("rate", "Terpenuhi (%)", "pct"))
    secs = [
        Section("Ringkasan", tiles=tiles, charts=[promise_chart(scope["promises"])], id="ringkasan"),
        table_section("Janji lewat target atau disanggah",
                      Table("janji-lewat-target", "Janji lewat target (terlama dulu), lalu yang disanggah peserta",
                            PROMISE_COLUMNS, overdue, row_key="row", cards=True,
                            empty="Tidak ada janji yang lewat target atau disanggah pada tahun dan keadaan ini."),
                      id="lewat-target"),
        table_section("Per perangkat daerah", Table(
            "per-opd", "FKP per perangkat daerah",
            cols(("name", "Perangkat daerah"), ("units", "Unit", "int"), ("forums_held", "FKP", "int"), *counts,
                 ("ind2", "Rata-rata ind. 2", "dec2")),
            opd_rows, row_key="opd_id")),
        table_section("Per unit", Table(
            "per-unit", "FKP per unit",
            cols(("name", "Unit", "text", "href"), ("forums_held", "FKP", "int"),
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
         "elements_label": ", ".join(rules.ELEMENT_LABELS.get(e, e) for e in p["elements"]),
         "href": PROMISE_HREF.format(unit_id=rep["unit_id"], **p)}
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
            cols(("description", "Janji", "text", "href"), ("owner", "Penanggung jawab"), ("elements_label", "Unsur SKM"),
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


HISTORY_LABELS = {"recorded": "Dicatat", "progress": "Laporan kemajuan", "feedback": "Tanggapan peserta",
                  "review": "Keputusan Biro Organisasi"}
VERDICT_LABELS = {"confirm": "membenarkan", "dispute": "menyanggah"}
DECISION_LABELS = {"dispute_upheld": "sanggahan diterima", "dispute_rejected": "sanggahan ditolak"}


def promise_page(unit_id: str, unit_name: str, promise: dict, state: dict | None, as_of: str) -> Page:
    """One promise: what was promised by when, where it stands, and its history (progress with
    the number of evidence files, participants' confirmations and disputes, the bureau's reviews)."""
    status = state["status"] if state else promise["history"][0]["status"]
    tiles = [Tile("Status", PROMISE_LABELS.get(status, status), "status"),
             Tile("Target", fmt.tanggal(promise["target_date"]), "target_date"),
             Tile("Kemajuan", fmt.persen(state["progress_pct"]) if state and state.get("progress_pct") is not None
                  else fmt.NONE, "progress_pct"),
             Tile("Penanggung jawab", promise["owner"], "owner")]
    rows = []
    for i, e in enumerate(promise["history"]):
        what = HISTORY_LABELS.get(e["kind"], e["kind"])
        if e["kind"] == "progress":
            what += f": {fmt.persen(e.get('progress_pct'))}, {fmt.bulat(e.get('evidence_count') or 0)} bukti"
        elif e["kind"] == "feedback":
            what += " " + VERDICT_LABELS.get(e.get("verdict"), e.get("verdict") or "")
        elif e["kind"] == "review":
            what += ": " + DECISION_LABELS.get(e.get("decision"), e.get("decision") or "")
        rows.append({"n": i + 1, "t": e["t"], "at": e.get("at"), "what": what,
                     "status": PROMISE_LABELS.get(e["status"], e["status"])})
    elements = ", ".join(rules.ELEMENT_LABELS.get(el, el) for el in promise["elements"]) or fmt.NONE
    secs = [Section("Ringkasan", tiles=tiles, id="ringkasan"),
            table_section("Riwayat", Table("riwayat", "Riwayat janji", cols(
                ("n", "No.", "int"), ("t", "Dicatat", "datetime"), ("at", "Tanggal kejadian", "date"),
                ("what", "Kejadian"), ("status", "Status sesudahnya")), rows, row_key="n"))]
    return Page(f"Janji FKP — {promise['description']}", f"{unit_name} · forum {promise['fkp_id']} · unsur SKM: "
                f"{elements}", secs, as_of, links=[("Pelacak janji unit ini", f"/dasbor/unit/{unit_id}/fkp")])
