"""Page models of the instrument pages: SKM detail, FKP promise tracker, complaint follow-up and
the public SKM pages (pure, like `pages`: built from what the JSON APIs return)."""

from __future__ import annotations

from pantau.rules import ikm as rules
from pantau.rules import lapor

from ..exports import fmt
from ..exports.tables import Column, Table
from .pages import (
    ELEMENT_NAMES,
    FUNNEL,
    KIND_LABELS,
    MUTU_COLORS,
    PALETTE,
    PROMISE_LABELS,
    STATUS_LABELS,
    TIER_LABELS,
    Chart,
    Page,
    Section,
    Tile,
    _bar,
    _mutu_tile,
    trend_chart,
    trend_table,
)

# ---- SKM detail --------------------------------------------------------------------------------

TOPIC_LABELS = {"standar_pelayanan": "Standar pelayanan", "tindak_lanjut_skm": "Tindak lanjut SKM",
                "maklumat_pelayanan": "Maklumat pelayanan", "lainnya": "Lainnya"}
STAGE_LABELS = {"planned": "Direncanakan", "held": "Terlaksana", "closed": "Selesai"}


def skm_tiles(ikm: dict) -> list[Tile]:
    s = ikm["sample"]
    tiles = [
        _mutu_tile(
            "IKM",
            ikm["ikm"],
            ikm["mutu"],
            "ikm",
            note=f"mutu {ikm['mutu']} ({ikm['kinerja']})" if ikm["mutu"] else "belum ada responden",
        ),
        Tile("Responden", fmt.bulat(ikm["respondents"]), "respondents"),
        Tile(
            "Sampel minimal",
            fmt.bulat(s["required"]),
            "sample.required",
            note=f"populasi {fmt.bulat(s['population'])}" if s["population"] else "populasi belum tercatat",
        ),
    ]
    if ikm.get("ci95"):
        tiles.append(
            Tile("Selang kepercayaan 95%", f"{fmt.angka(ikm['ci95'][0])} – {fmt.angka(ikm['ci95'][1])}", "ci95")
        )
    return tiles


def element_rows(ikm: dict) -> list[dict]:
    if not ikm.get("elements"):
        return []
    return [
        {
            "no": f"U{i}",
            "key": k,
            "label": rules.ELEMENT_LABELS[k],
            "nrr": ikm["elements"][k]["nrr"],
            "ikm": ikm["elements"][k]["ikm"],
            "mutu": ikm["elements"][k]["mutu"],
        }
        for i, k in enumerate(rules.ELEMENTS, 1)
    ]


def element_chart(ikm: dict, id_: str = "chart-unsur") -> Chart:
    rows = element_rows(ikm)
    return _bar(
        id_,
        "Nilai per unsur (NRR × 25)",
        [r["label"] for r in rows],
        [rules.round_half_up(r["ikm"], 2) for r in rows],
        "Nilai konversi",
        [MUTU_COLORS.get(r["mutu"], PALETTE[0]) for r in rows],
        horizontal=True,
        y_max=100,
        height=320,
    )


def element_table(ikm: dict) -> Table:
    return Table(
        "unsur",
        "Nilai rata-rata per unsur",
        [
            Column("no", "No"),
            Column("label", "Unsur"),
            Column("nrr", "NRR", "dec4"),
            Column("ikm", "Nilai konversi", "dec2"),
            Column("mutu", "Mutu"),
        ],
        element_rows(ikm),
        row_key="key",
    )


def skm_page(ikm: dict, unit_name: str, trend: list[dict]) -> Page:
    from ..exports.pdf import PROFILE_FIELDS, PROFILE_VALUES

    secs = [Section("Hasil", tiles=skm_tiles(ikm), id="hasil")]
    if ikm["respondents"]:
        secs.append(
            Section(
                "Unsur pelayanan",
                charts=[element_chart(ikm)],
                tables=[element_table(ikm)],
                id="unsur",
                note="Tiga unsur terendah: " + ", ".join(rules.ELEMENT_LABELS[k] for k in ikm["lowest_elements"]) + ".",
            )
        )
    secs.append(
        Section(
            "Tren",
            id="tren",
            charts=[trend_chart(trend)],
            tables=[trend_table(trend)],
        )
    )
    if ikm["respondents"]:
        n = ikm["respondents"]
        charts, rows = [], []
        for key, label in PROFILE_FIELDS:
            counts = (ikm.get("profile") or {}).get(key) or {}
            items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            for v, c in items:
                rows.append(
                    {
                        "id": f"{key}:{v}",
                        "field": label,
                        "value": PROFILE_VALUES.get(v, v),
                        "count": c,
                        "pct": rules.round_half_up(100.0 * c / n, 1),
                    }
                )
            if key != "channel" and items:
                charts.append(
                    Chart(
                        f"chart-profil-{key}",
                        label,
                        "doughnut",
                        [PROFILE_VALUES.get(v, v) for v, _ in items],
                        [
                            {
                                "label": label,
                                "data": [c for _, c in items],
                                "backgroundColor": PALETTE[: len(items)]
                                if len(items) <= len(PALETTE)
                                else PALETTE * (len(items) // len(PALETTE) + 1),
                            }
                        ],
                        {"plugins": {"legend": {"position": "right"}}},
                        height=220,
                    )
                )
        secs.append(
            Section(
                "Profil responden",
                charts=charts,
                id="profil",
                tables=[
                    Table(
                        "profil",
                        "Profil responden",
                        [
                            Column("field", "Aspek"),
                            Column("value", "Kategori"),
                            Column("count", "Jumlah", "int"),
                            Column("pct", "Persentase", "pct"),
                        ],
                        rows,
                        row_key="id",
                    )
                ],
            )
        )
    return Page(
        f"Detail SKM — {unit_name}",
        fmt.periode(ikm["period"]),
        secs,
        ikm["as_of"],
        links=[("Laporan Hasil SKM (PDF)", f"/dasbor/unit/{ikm['unit_id']}/laporan-skm.pdf?periode={ikm['period']}")],
    )


# ---- FKP promise tracker --------------------------------------------------------------------------


def _promise_chart(p: dict, id_: str = "chart-janji") -> Chart:
    keys = list(PROMISE_LABELS)
    return _bar(
        id_,
        "Janji perbaikan menurut status",
        [PROMISE_LABELS[k] for k in keys],
        [p[k] for k in keys],
        "Janji",
        [PALETTE[i] for i in range(len(keys))],
    )


def _promise_tiles(f: dict, prefix: str = "") -> list[Tile]:
    p = f["promises"]
    return [
        Tile("FKP terlaksana", fmt.bulat(f["forums_held"]), prefix + "forums_held"),
        Tile("Janji perbaikan", fmt.bulat(p["total"]), prefix + "promises.total"),
        Tile(
            "Terpenuhi",
            fmt.bulat(p["fulfilled"]),
            prefix + "promises.fulfilled",
            note=fmt.persen(f["fulfilment_rate_pct"]) if f["fulfilment_rate_pct"] is not None else None,
        ),
        Tile("Terbuka", fmt.bulat(p["open"]), prefix + "promises.open"),
        Tile(
            "Lewat target", fmt.bulat(p["overdue"]), prefix + "promises.overdue", tone="warn" if p["overdue"] else None
        ),
        Tile("Disanggah", fmt.bulat(p["disputed"]), prefix + "promises.disputed"),
    ]


PROMISE_COLUMNS = [
    Column("unit_id", "Unit"),
    Column("description", "Janji"),
    Column("owner", "Penanggung jawab"),
    Column("target_date", "Target", "date"),
    Column("days_overdue", "Hari terlambat", "int"),
    Column("status", "Status"),
]


def fkp_province_page(rep: dict, opd_id: str | None = None) -> Page:
    scope = rep
    title_sfx = ""
    if opd_id:
        scope = next((o for o in rep["opd"] if o["opd_id"] == opd_id), None) or {**rep, "opd": []}
        title_sfx = f" — {scope.get('name') or opd_id}"
    tiles = _promise_tiles(scope)
    tiles.insert(1, Tile("Rata-rata skor PEKPPP ind. 2", fmt.angka(scope["pekppp_ind2_mean"]), "pekppp_ind2_mean"))
    opds = rep["opd"] if not opd_id else [o for o in rep["opd"] if o["opd_id"] == opd_id]
    units = [
        {
            "unit_id": u["unit_id"],
            "opd_id": o["opd_id"],
            "forums_held": u["forums_held"],
            "forums_planned": u["forums_planned"],
            "elements": u["elements_covered_count"],
            "ind2": u["pekppp_ind2"],
            "total": u["promises"]["total"],
            "fulfilled": u["promises"]["fulfilled"],
            "open": u["promises"]["open"],
            "overdue": u["promises"]["overdue"],
            "rate": u["fulfilment_rate_pct"],
            "last": u["last_forum_date"],
            "href": f"/dasbor/unit/{u['unit_id']}/fkp?tahun={rep['year']}",
        }
        for o in opds
        for u in o["unit_figures"]
    ]
    keep = {u["unit_id"] for u in units}
    overdue = [
        {**p, "row": f"{p['unit_id']}:{p['fkp_id']}:{p['promise_id']}"}
        for p in rep["overdue_promises"]
        if p["unit_id"] in keep
    ]
    opd_rows = [
        {
            "opd_id": o["opd_id"],
            "name": o["name"],
            "units": o["units"],
            "forums_held": o["forums_held"],
            "total": o["promises"]["total"],
            "fulfilled": o["promises"]["fulfilled"],
            "open": o["promises"]["open"],
            "overdue": o["promises"]["overdue"],
            "rate": o["fulfilment_rate_pct"],
            "ind2": o["pekppp_ind2_mean"],
        }
        for o in opds
    ]
    secs = [
        Section("Ringkasan", tiles=tiles, charts=[_promise_chart(scope["promises"])], id="ringkasan"),
        Section(
            "Janji lewat target (terlama dulu)",
            id="lewat-target",
            tables=[Table("janji-lewat-target", "Janji lewat target", PROMISE_COLUMNS, overdue, row_key="row")],
        ),
        Section(
            "Per perangkat daerah",
            id="per-opd",
            tables=[
                Table(
                    "per-opd",
                    "FKP per perangkat daerah",
                    [
                        Column("name", "Perangkat daerah"),
                        Column("units", "Unit", "int"),
                        Column("forums_held", "FKP", "int"),
                        Column("total", "Janji", "int"),
                        Column("fulfilled", "Terpenuhi", "int"),
                        Column("open", "Terbuka", "int"),
                        Column("overdue", "Lewat target", "int"),
                        Column("rate", "Terpenuhi (%)", "pct"),
                        Column("ind2", "Rata-rata ind. 2", "dec2"),
                    ],
                    opd_rows,
                    row_key="opd_id",
                )
            ],
        ),
        Section(
            "Per unit",
            id="per-unit",
            tables=[
                Table(
                    "per-unit",
                    "FKP per unit",
                    [
                        Column("unit_id", "Unit", link="href"),
                        Column("forums_held", "FKP", "int"),
                        Column("forums_planned", "Direncanakan", "int"),
                        Column("elements", "Unsur", "int"),
                        Column("ind2", "Skor ind. 2", "int"),
                        Column("total", "Janji", "int"),
                        Column("fulfilled", "Terpenuhi", "int"),
                        Column("open", "Terbuka", "int"),
                        Column("overdue", "Lewat target", "int"),
                        Column("rate", "Terpenuhi (%)", "pct"),
                        Column("last", "FKP terakhir", "date"),
                    ],
                    units,
                    row_key="unit_id",
                )
            ],
        ),
    ]
    return Page("Pelacak Janji FKP" + title_sfx, f"Tahun {rep['year']}", secs, rep["as_of"])


def fkp_unit_page(rep: dict) -> Page:
    tiles = _promise_tiles(rep)
    tiles.insert(
        1,
        Tile(
            "Skor PEKPPP ind. 2",
            fmt.bulat(rep["pekppp_ind2"]["score"]),
            "pekppp_ind2.score",
            note=rep["pekppp_ind2"]["rule"],
        ),
    )
    promises = [
        {
            **p,
            "row": f"{p['fkp_id']}:{p['promise_id']}",
            "status_label": PROMISE_LABELS.get(p["status"], p["status"]),
            "elements_label": ", ".join(rules.ELEMENT_LABELS.get(e, e) for e in p["elements"]),
        }
        for p in rep["promise_list"]
    ]
    forums = [
        {
            **f,
            "elements_label": ", ".join(ELEMENT_NAMES.get(e, e) for e in f["elements"]),
            "topic": TOPIC_LABELS.get(f["topic"], f["topic"]),
            "stage": STAGE_LABELS.get(f["stage"], f["stage"]),
            "ba": bool(f["berita_acara"]),
        }
        for f in rep["forums"]
    ]
    secs = [
        Section("Ringkasan", tiles=tiles, charts=[_promise_chart(rep["promises"])], id="ringkasan"),
        Section(
            "Janji perbaikan",
            id="janji",
            tables=[
                Table(
                    "janji",
                    "Janji perbaikan",
                    [
                        Column("description", "Janji"),
                        Column("owner", "Penanggung jawab"),
                        Column("elements_label", "Unsur SKM"),
                        Column("target_date", "Target", "date"),
                        Column("status_label", "Status"),
                        Column("progress_pct", "Kemajuan (%)", "pct"),
                        Column("fulfilled_on", "Terpenuhi", "date"),
                        Column("days_overdue", "Hari terlambat", "int"),
                        Column("confirmations", "Konfirmasi peserta", "int"),
                    ],
                    promises,
                    row_key="row",
                )
            ],
        ),
        Section(
            "Forum",
            id="forum",
            tables=[
                Table(
                    "forum",
                    "Forum konsultasi publik",
                    [
                        Column("title", "Judul"),
                        Column("topic", "Topik"),
                        Column("held_on", "Tanggal", "date"),
                        Column("stage", "Tahap"),
                        Column("participant_count", "Peserta", "int"),
                        Column("elements_label", "Unsur masyarakat"),
                        Column("ba", "Berita Acara"),
                    ],
                    forums,
                    row_key="fkp_id",
                )
            ],
        ),
    ]
    return Page(
        f"Pelacak Janji FKP — {rep.get('unit_name') or rep['unit_id']}", f"Tahun {rep['year']}", secs, rep["as_of"]
    )


# ---- complaint follow-up -------------------------------------------------------------------------


def complaint_sections(f: dict, prefix: str = "") -> list[Section]:
    ind = f["pekppp_ind28"]
    tiles = [
        Tile("Pengaduan", fmt.bulat(f["complaints"]), prefix + "complaints"),
        Tile(
            "Diselesaikan",
            fmt.persen(f["resolved"]["pct"]),
            prefix + "resolved.pct",
            note=f"{fmt.bulat(f['resolved']['closed_resolved'])} dari {fmt.bulat(f['resolved']['eligible'])}",
        ),
        Tile("Tunggakan", fmt.bulat(f["backlog"]["total"]), prefix + "backlog.total"),
        Tile(
            "Sedang lewat tenggat",
            fmt.bulat(f["overdue"]["total"]),
            prefix + "overdue.total",
            tone="warn" if f["overdue"]["total"] else None,
        ),
        Tile(
            "Tenggat terlampaui",
            fmt.bulat(f["breaches"]["total"]),
            prefix + "breaches.total",
            tone="warn" if f["breaches"]["total"] else None,
        ),
        Tile(
            "Skor PEKPPP ind. 28",
            fmt.bulat(ind["score"]) if ind["score"] is not None else fmt.NONE,
            prefix + "pekppp_ind28.score",
            note=ind["basis"],
        ),
    ]
    by_status = f["by_status"]
    funnel = _bar(
        "chart-corong",
        "Corong status",
        [STATUS_LABELS[s] for s in FUNNEL],
        [by_status.get(s, 0) for s in FUNNEL],
        "Pengaduan",
        PALETTE[0],
        horizontal=True,
    )
    tiers = f["breaches"]["by_tier"]
    tier_keys = sorted(tiers)
    tier_chart = _bar(
        "chart-tingkat",
        "Tenggat terlampaui menurut tingkat",
        [TIER_LABELS.get(t, t) for t in tier_keys],
        [tiers[t] for t in tier_keys],
        "Tenggat terlampaui",
        PALETTE[3],
    )
    cats = f["top_categories"]
    cat_chart = Chart(
        "chart-kategori",
        "Kategori terbanyak",
        "bar",
        [c["category"] for c in cats],
        [
            {"label": "Periode ini", "data": [c["complaints"] for c in cats], "backgroundColor": PALETTE[0]},
            {"label": "Periode sebelumnya", "data": [c["previous"] for c in cats], "backgroundColor": PALETTE[8]},
        ],
        {"scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}}},
    )
    status_rows = [
        {
            "status": s,
            "label": STATUS_LABELS.get(s, s),
            "lapor": lapor.LAPOR_LABELS.get(s, ""),
            "count": by_status.get(s, 0),
        }
        for s in lapor.STATUSES
    ]
    kind_rows = [
        {
            "kind": k,
            "label": KIND_LABELS.get(k, k),
            "overdue": f["overdue"]["by_kind"].get(k, 0),
            "breached": f["breaches"]["by_kind"].get(k, 0),
        }
        for k in lapor.GOVERNMENT_KINDS
    ]
    tier_rows = [
        {"tier": t, "label": TIER_LABELS.get(t, t), "breached": tiers[t], "overdue": f["overdue"]["by_tier"].get(t, 0)}
        for t in sorted(set(tiers) | set(f["overdue"]["by_tier"]))
    ]
    return [
        Section("Ringkasan", tiles=tiles, id="ringkasan"),
        Section(
            "Status",
            id="status",
            charts=[funnel],
            tables=[
                Table(
                    "status",
                    "Pengaduan menurut status",
                    [Column("label", "Status"), Column("lapor", "Label LAPOR!"), Column("count", "Jumlah", "int")],
                    status_rows,
                    row_key="status",
                )
            ],
        ),
        Section(
            "Tenggat",
            id="tenggat",
            charts=[tier_chart],
            tables=[
                Table(
                    "tenggat-jenis",
                    "Tenggat menurut jenis",
                    [
                        Column("label", "Tenggat"),
                        Column("overdue", "Sedang lewat", "int"),
                        Column("breached", "Terlampaui", "int"),
                    ],
                    kind_rows,
                    row_key="kind",
                ),
                Table(
                    "tenggat-tingkat",
                    "Tenggat menurut tingkat",
                    [
                        Column("label", "Tingkat"),
                        Column("breached", "Terlampaui", "int"),
                        Column("overdue", "Sedang lewat", "int"),
                    ],
                    tier_rows,
                    row_key="tier",
                ),
            ],
        ),
        Section(
            "Kategori",
            id="kategori",
            charts=[cat_chart],
            tables=[
                Table(
                    "kategori",
                    "Kategori terbanyak",
                    [
                        Column("category", "Kategori"),
                        Column("complaints", "Periode ini", "int"),
                        Column("previous", "Periode sebelumnya", "int"),
                        Column("change", "Perubahan", "int"),
                    ],
                    cats,
                    row_key="category",
                )
            ],
        ),
    ]


def complaints_province_page(rep: dict, opd_id: str | None = None) -> Page:
    secs = complaint_sections(rep)
    opds = rep["opds"] if not opd_id else [o for o in rep["opds"] if o["opd_id"] == opd_id]
    opd_rows = [
        {
            "opd_id": o["opd_id"],
            "name": o["name"],
            "complaints": o["complaints"],
            "resolved": o["resolved"]["pct"],
            "overdue": o["overdue"]["total"],
            "ind28": o["pekppp_ind28"]["score"],
        }
        for o in opds
    ]
    unit_rows = [
        {
            "unit_id": u["unit_id"],
            "name": u["name"],
            "opd_id": o["opd_id"],
            "complaints": u["complaints"],
            "resolved": u["resolved"]["pct"],
            "overdue": u["overdue"]["total"],
            "breaches": u["breaches_charged"],
            "ind28": u["pekppp_ind28"]["score"],
            "satisfaction": u["satisfaction_mean"],
            "href": f"/dasbor/unit/{u['unit_id']}/pengaduan?periode={rep['period']}",
        }
        for o in opds
        for u in o["units"]
        if u["kind"] == "upp"
    ]
    secs.append(
        Section(
            "Per perangkat daerah",
            id="per-opd",
            tables=[
                Table(
                    "per-opd",
                    "Pengaduan per perangkat daerah",
                    [
                        Column("name", "Perangkat daerah"),
                        Column("complaints", "Pengaduan", "int"),
                        Column("resolved", "Diselesaikan", "pct"),
                        Column("overdue", "Sedang lewat tenggat", "int"),
                        Column("ind28", "Skor ind. 28", "int"),
                    ],
                    opd_rows,
                    row_key="opd_id",
                )
            ],
        )
    )
    secs.append(
        Section(
            "Per unit",
            id="per-unit",
            tables=[
                Table(
                    "per-unit",
                    "Pengaduan per unit",
                    [
                        Column("name", "Unit", link="href"),
                        Column("complaints", "Pengaduan", "int"),
                        Column("resolved", "Diselesaikan", "pct"),
                        Column("overdue", "Sedang lewat tenggat", "int"),
                        Column("breaches", "Tenggat terlampaui (dibebankan)", "int"),
                        Column("ind28", "Skor ind. 28", "int"),
                        Column("satisfaction", "Kepuasan (1–4)", "dec2"),
                    ],
                    unit_rows,
                    row_key="unit_id",
                )
            ],
        )
    )
    note = " (ringkasan dan grafik: seluruh provinsi)" if opd_id else ""
    return Page("Tindak Lanjut Pengaduan", fmt.periode(rep["period"]) + note, secs, rep["as_of"])


def complaints_unit_page(rep: dict) -> Page:
    secs = complaint_sections(rep)
    overdue = [
        {"complaint_id": c["complaint_id"], "kinds": ", ".join(KIND_LABELS.get(k, k) for k in c["kinds"])}
        for c in rep["overdue"].get("complaints", [])
    ]
    secs.append(
        Section(
            "Pengaduan lewat tenggat",
            id="lewat-tenggat",
            tables=[
                Table(
                    "lewat-tenggat",
                    "Pengaduan yang sedang lewat tenggat",
                    [Column("complaint_id", "Nomor pelacakan"), Column("kinds", "Tenggat")],
                    overdue,
                    row_key="complaint_id",
                )
            ],
        )
    )
    return Page(f"Tindak Lanjut Pengaduan — {rep['name']}", fmt.periode(rep["period"]), secs, rep["as_of"])


# ---- public pages -----------------------------------------------------------------------------------


def public_province_page(group: dict, names: dict[str, str], province: str) -> Page:
    rows = [
        {
            "unit_id": u["unit_id"],
            "name": names.get(u["unit_id"], u["unit_id"]),
            "respondents": u["respondents"],
            "ikm": u["ikm"],
            "mutu": u["mutu"],
            "note": "sampel memenuhi"
            if u["unit_id"] in group["units_included"]
            else ("sampel belum memenuhi" if u["respondents"] else "belum ada responden"),
            "href": f"/publik/skm/{u['unit_id']}?periode={group['period']}",
        }
        for u in group["units"]
        if u["respondents"]
    ]
    tiles = [
        _mutu_tile(
            "IKM provinsi",
            group["ikm"],
            group["mutu_pooled_respondents"]
            if group["official_method"] == "ikm_pooled_respondents"
            else group["mutu_mean_of_units"],
            "ikm",
        ),
        _mutu_tile("IKM rata-rata unit", group["ikm_mean_of_units"], group["mutu_mean_of_units"], "ikm_mean_of_units"),
        _mutu_tile(
            "IKM gabungan responden",
            group["ikm_pooled_respondents"],
            group["mutu_pooled_respondents"],
            "ikm_pooled_respondents",
        ),
        Tile("Unit dihitung", fmt.bulat(group["unit_count"]), "unit_count"),
        Tile("Responden", fmt.bulat(group["respondent_count"]), "respondent_count"),
    ]
    chart_rows = [r for r in rows if r["ikm"] is not None]
    return Page(
        f"Hasil Survei Kepuasan Masyarakat — {province}",
        fmt.periode(group["period"]),
        [
            Section(
                "IKM provinsi",
                tiles=tiles,
                id="provinsi",
                note="Hanya unit dengan jumlah responden memenuhi sampel minimal (Krejcie–Morgan) yang dihitung.",
            ),
            Section(
                "IKM unit pelayanan",
                id="unit",
                charts=[
                    _bar(
                        "chart-ikm-unit",
                        "IKM unit pelayanan",
                        [r["name"] for r in chart_rows],
                        [r["ikm"] for r in chart_rows],
                        "IKM",
                        [MUTU_COLORS.get(r["mutu"], PALETTE[0]) for r in chart_rows],
                        horizontal=True,
                        y_max=100,
                        height=max(180, 26 * len(chart_rows) + 60),
                    )
                ],
                tables=[
                    Table(
                        "ikm-unit",
                        "IKM unit pelayanan",
                        [
                            Column("name", "Unit pelayanan", link="href"),
                            Column("respondents", "Responden", "int"),
                            Column("ikm", "IKM", "dec2"),
                            Column("mutu", "Mutu"),
                            Column("note", "Keterangan"),
                        ],
                        rows,
                        row_key="unit_id",
                    )
                ],
            ),
        ],
        group["as_of"],
    )


def public_unit_page(ikm: dict, unit_name: str) -> Page:
    tiles = [t for t in skm_tiles(ikm) if t.key in ("ikm", "respondents", "sample.required")]
    secs = [Section("Hasil", tiles=tiles, id="hasil")]
    if ikm["respondents"]:
        secs.append(Section("Unsur pelayanan", charts=[element_chart(ikm)], tables=[element_table(ikm)], id="unsur"))
    return Page(f"Hasil SKM — {unit_name}", fmt.periode(ikm["period"]), secs, ikm["as_of"])
