"""Page models built from the report dicts (pure: no store, no request).

Every page is tiles (headline figures), charts (Chart.js configurations) and tables
(`exports.tables.Table`, which the CSV/XLSX exports write unchanged), grouped in sections.
The builders take exactly what the JSON API returns for the same query, so a figure on a page
is the API's figure, formatted id-ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pantau.rules import ikm as rules

from ..exports import fmt
from ..exports.tables import STATE_LABELS, Column, Table

PALETTE = ["#1f5f8b", "#e07b39", "#3a8d5c", "#b8433a", "#7a5aa6", "#8c6d31", "#3c9bb0", "#c45a9b", "#6b7b8c"]
MUTU_COLORS = {
    "A": "#2e7d32",
    "B": "#1f5f8b",
    "C": "#e0a030",
    "D": "#b8433a",
    "sampel_kurang": "#9e9e9e",
    "tanpa_data": "#d0d0d0",
}
MUTU_LABELS = {
    "A": "A (Sangat Baik)",
    "B": "B (Baik)",
    "C": "C (Kurang Baik)",
    "D": "D (Tidak Baik)",
    "sampel_kurang": "Sampel kurang",
    "tanpa_data": "Tanpa data",
}
STATE_COLORS = {"met": "#2e7d32", "not_met": "#b8433a", "no_data": "#bdbdbd"}
PROMISE_LABELS = {
    "planned": "Direncanakan",
    "in_progress": "Berjalan",
    "fulfilled": "Terpenuhi",
    "disputed": "Disanggah",
    "dropped": "Dibatalkan",
}
STATUS_LABELS = {
    "RECEIVED": "Diterima (belum diverifikasi)",
    "PENDING_INFO": "Tertunda (menunggu pelapor)",
    "DISPOSED": "Terdisposisi",
    "IN_PROGRESS": "Sedang diproses",
    "ANSWERED": "Dijawab",
    "REOPENED": "Dibuka kembali",
    "CLOSED_RESOLVED": "Selesai",
    "ARCHIVED": "Diarsipkan",
    "FORWARDED_OUT": "Diteruskan ke instansi lain",
}
FUNNEL = ("RECEIVED", "DISPOSED", "IN_PROGRESS", "ANSWERED", "CLOSED_RESOLVED")
KIND_LABELS = {
    "verification": "Verifikasi (3 hari kerja)",
    "first_follow_up": "Tindak lanjut pertama (5 hari kerja)",
    "resolution": "Penyelesaian (60 hari)",
}
TIER_LABELS = {
    "instansi": "Admin instansi (provinsi)",
    "opd": "Perangkat daerah",
    "upp": "Unit pelayanan",
    "kabkota": "Kabupaten/kota",
    "unit": "Unit lain",
}
ELEMENT_NAMES = {
    "pengguna_layanan": "Pengguna layanan",
    "akademisi": "Ahli/praktisi/akademisi",
    "instansi_terkait": "Instansi terkait",
    "organisasi_masyarakat": "Organisasi masyarakat sipil",
    "media": "Media massa",
}
INDICATORS = {
    "2": "2.a.P Penyusunan SP bersama masyarakat",
    "4": "4.a.K Peninjauan SP berkala",
    "6": "6.a.B Pelaksanaan SKM",
    "7": "7.a.T Media publikasi SKM",
    "8": "8.a.Ak Persentase RTL SKM",
    "9": "9.a.Ak Kecepatan tindak lanjut SKM",
    "28": "28.e.Ak Tindak lanjut pengaduan hingga selesai",
}
RTL_LABELS = {"planned": "Direncanakan", "in_progress": "Berjalan", "done": "Selesai", "cancelled": "Dibatalkan"}
UNAVAILABLE = "Data belum tersedia."


@dataclass
class Tile:
    label: str
    value: str
    key: str
    note: str | None = None
    tone: str | None = None


@dataclass
class Chart:
    id: str
    title: str
    type: str
    labels: list
    datasets: list[dict]
    options: dict = field(default_factory=dict)
    height: int = 260

    def config(self) -> dict:
        return {"type": self.type, "data": {"labels": self.labels, "datasets": self.datasets}, "options": self.options}


@dataclass
class Section:
    title: str
    tiles: list[Tile] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str | None = None
    unavailable: str | None = None
    id: str | None = None


@dataclass
class Page:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    as_of: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) e.g. PDF reports

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


def _bar(
    id_: str, title: str, labels: list, values: list, label: str, colors=None, horizontal=False, y_max=None, height=260
) -> Chart:
    ds = {"label": label, "data": values, "backgroundColor": colors or PALETTE[0]}
    opts: dict = {"plugins": {"legend": {"display": False}}}
    if horizontal:
        opts["indexAxis"] = "y"
    axis = "x" if horizontal else "y"
    if y_max is not None:
        opts["scales"] = {axis: {"min": 0, "max": y_max}}
    else:  # counts: whole numbers on the axis
        opts["scales"] = {axis: {"beginAtZero": True, "ticks": {"precision": 0}}}
    return Chart(id_, title, "bar", labels, [ds], opts, height)


def _mutu_tile(label: str, ikm, mutu, key: str, note: str | None = None) -> Tile:
    return Tile(
        label,
        fmt.angka(ikm) if ikm is not None else fmt.NONE,
        key,
        note=(f"mutu {mutu}" if mutu else None) if note is None else note,
        tone=mutu,
    )


def _state_cols(obligations: list[dict]) -> list[Column]:
    return [Column(f"cells.{o['key']}", o["label"], "state") for o in obligations]


# ---- province and OPD --------------------------------------------------------------------------


def headline_tiles(h: dict) -> list[Tile]:
    i = h["ikm"]
    method = "gabungan responden" if i["official_method"] == "ikm_pooled_respondents" else "rata-rata unit"
    return [
        Tile("Unit pelayanan", fmt.bulat(h["units"]), "units"),
        Tile(
            "Unit dengan SKM",
            fmt.bulat(h["units_with_skm"]),
            "units_with_skm",
            note=f"{fmt.bulat(h['units_adequate'])} dengan sampel memadai",
        ),
        Tile("Responden SKM", fmt.bulat(h["respondents"]), "respondents"),
        _mutu_tile(f"IKM ({method}, resmi)", i["ikm"], i["mutu"], "ikm"),
        _mutu_tile("IKM rata-rata unit", i["ikm_mean_of_units"], i["mutu_mean_of_units"], "ikm_mean_of_units"),
        _mutu_tile(
            "IKM gabungan responden",
            i["ikm_pooled_respondents"],
            i["mutu_pooled_respondents"],
            "ikm_pooled_respondents",
        ),
    ]


def fkp_tiles(f: dict) -> list[Tile]:
    return [
        Tile(
            "FKP terlaksana",
            fmt.bulat(f["forums_held"]),
            "fkp.forums_held",
            note=f"di {fmt.bulat(f['units_with_forum_held'])} unit",
        ),
        Tile(
            "Janji perbaikan",
            fmt.bulat(f["promises_total"]),
            "fkp.promises_total",
            note=f"{fmt.bulat(f['promises_fulfilled'])} terpenuhi",
        ),
        Tile("Janji terbuka", fmt.bulat(f["promises_open"]), "fkp.promises_open"),
        Tile(
            "Janji lewat target",
            fmt.bulat(f["promises_overdue"]),
            "fkp.promises_overdue",
            tone="warn" if f["promises_overdue"] else None,
        ),
    ]


def complaint_tiles(c: dict) -> list[Tile]:
    return [
        Tile("Pengaduan", fmt.bulat(c["complaints"]), "complaints.complaints"),
        Tile(
            "Diselesaikan",
            fmt.persen(c["resolved_pct"]),
            "complaints.resolved_pct",
            note=f"{fmt.bulat(c['closed_resolved'])} dari {fmt.bulat(c['eligible'])}",
        ),
        Tile(
            "Sedang lewat tenggat", fmt.bulat(c["overdue"]), "complaints.overdue", tone="warn" if c["overdue"] else None
        ),
        Tile(
            "Tenggat terlampaui",
            fmt.bulat(c["breaches_charged"]),
            "complaints.breaches_charged",
            tone="warn" if c["breaches_charged"] else None,
        ),
    ]


def _units_table(ov: dict, name: str = "ikm-unit") -> Table:
    rows = [
        {
            **u,
            "href": f"/dasbor/unit/{u['unit_id']}?tahun={ov['year']}",
            "adequacy": ("memadai" if u["adequate"] else "kurang" if u["adequate"] is False else "tidak diketahui")
            if u["respondents"]
            else "–",
            "required": u["sample"]["required"],
        }
        for u in ov["units"]
    ]
    return Table(
        name,
        "IKM per unit pelayanan (setahun)",
        [
            Column("name", "Unit pelayanan", link="href"),
            Column("opd_name", "Perangkat daerah"),
            Column("respondents", "Responden", "int"),
            Column("required", "Sampel minimal", "int"),
            Column("adequacy", "Sampel"),
            Column("ikm", "IKM", "dec2"),
            Column("mutu", "Mutu"),
        ],
        rows,
        row_key="unit_id",
    )


def overview_sections(ov: dict, with_opd_table: bool = True) -> list[Section]:
    h = ov["headline"]
    year = ov["year"]
    secs = [Section("Angka utama SKM", tiles=headline_tiles(h), id="utama")]
    if h["fkp"].get("available"):
        secs.append(Section("Forum Konsultasi Publik", tiles=fkp_tiles(h["fkp"]), id="fkp"))
    else:
        secs.append(Section("Forum Konsultasi Publik", unavailable=UNAVAILABLE, id="fkp"))
    if h["complaints"].get("available"):
        secs.append(Section("Pengaduan (SP4N-LAPOR!)", tiles=complaint_tiles(h["complaints"]), id="pengaduan"))
    else:
        secs.append(Section("Pengaduan (SP4N-LAPOR!)", unavailable=UNAVAILABLE, id="pengaduan"))
    dist = ov["mutu_distribution"]
    keys = list(dist)
    secs.append(
        Section(
            "Sebaran unit menurut mutu",
            id="mutu",
            charts=[
                _bar(
                    "chart-mutu",
                    "Jumlah unit menurut mutu pelayanan",
                    [MUTU_LABELS[k] for k in keys],
                    [dist[k] for k in keys],
                    "Unit",
                    [MUTU_COLORS[k] for k in keys],
                )
            ],
            tables=[
                Table(
                    "sebaran-mutu",
                    "Sebaran unit menurut mutu",
                    [Column("label", "Mutu"), Column("units", "Unit", "int")],
                    [{"key": k, "label": MUTU_LABELS[k], "units": dist[k]} for k in keys],
                    row_key="key",
                )
            ],
        )
    )
    if with_opd_table:
        opds = [{**o, "href": f"/dasbor/opd/{o['opd_id']}?tahun={year}"} for o in ov["per_opd"]]
        with_ikm = [o for o in opds if o["ikm"] is not None]
        secs.append(
            Section(
                "IKM per perangkat daerah",
                id="opd",
                charts=[
                    _bar(
                        "chart-opd",
                        "IKM per perangkat daerah (metode resmi)",
                        [o["name"] for o in with_ikm],
                        [o["ikm"] for o in with_ikm],
                        "IKM",
                        horizontal=True,
                        y_max=100,
                        height=max(200, 26 * len(with_ikm) + 60),
                    )
                ],
                tables=[
                    Table(
                        "ikm-opd",
                        "IKM per perangkat daerah",
                        [
                            Column("name", "Perangkat daerah", link="href"),
                            Column("units", "Unit", "int"),
                            Column("units_with_skm", "Unit dengan SKM", "int"),
                            Column("respondents", "Responden", "int"),
                            Column("units_included", "Unit dihitung", "int"),
                            Column("ikm_mean_of_units", "IKM rata-rata unit", "dec2"),
                            Column("ikm_pooled_respondents", "IKM gabungan responden", "dec2"),
                        ],
                        opds,
                        row_key="opd_id",
                    )
                ],
            )
        )
    a = ov["attention"]
    att = [
        Table(
            "ikm-terendah",
            "IKM terendah (sampel memadai)",
            [
                Column("name", "Unit", link="href"),
                Column("ikm", "IKM", "dec2"),
                Column("mutu", "Mutu"),
                Column("respondents", "Responden", "int"),
            ],
            _linked(a["lowest_ikm"], year),
            row_key="unit_id",
        )
    ]
    if a.get("most_overdue_promises") is not None:
        att.append(
            Table(
                "janji-terlambat",
                "Janji FKP paling banyak lewat target",
                [
                    Column("name", "Unit", link="href"),
                    Column("overdue", "Lewat target", "int"),
                    Column("open", "Terbuka", "int"),
                ],
                _linked(a["most_overdue_promises"], year),
                row_key="unit_id",
            )
        )
    if a.get("most_breaches") is not None:
        att.append(
            Table(
                "tenggat-terlampaui",
                "Pengaduan: tenggat paling banyak terlampaui",
                [
                    Column("name", "Unit", link="href"),
                    Column("breaches_charged", "Tenggat terlampaui", "int"),
                    Column("overdue", "Sedang lewat tenggat", "int"),
                    Column("complaints", "Pengaduan", "int"),
                ],
                _linked(a["most_breaches"], year),
                row_key="unit_id",
            )
        )
    att.append(
        Table(
            "lama-tidak-aktif",
            f"Tanpa responden SKM ≥ {ov['silent_months']} bulan",
            [
                Column("name", "Unit", link="href"),
                Column("last_response_month", "Responden terakhir", "month"),
                Column("months_silent", "Bulan tanpa responden", "int"),
                Column("last_forum_date", "FKP terakhir", "date"),
            ],
            _linked(a["silent"], year),
            row_key="unit_id",
        )
    )
    secs.append(Section("Unit yang perlu perhatian", tables=att, id="perhatian"))
    secs.append(Section("IKM unit pelayanan", tables=[_units_table(ov)], id="unit"))
    return secs


def _linked(rows: list[dict], year: int) -> list[dict]:
    return [{**r, "href": f"/dasbor/unit/{r['unit_id']}?tahun={year}"} for r in rows]


def province_page(ov: dict) -> Page:
    return Page(
        "Ikhtisar Provinsi",
        f"Tahun {ov['year']}",
        overview_sections(ov),
        ov["as_of"],
        links=[("Rekapitulasi IKM provinsi (PDF)", f"/dasbor/rekap-skm.pdf?periode={ov['year']}")],
    )


def opd_page(ov: dict, matrix: dict) -> Page:
    secs = overview_sections(ov, with_opd_table=False)
    with_ikm = [u for u in ov["units"] if u["ikm"] is not None]
    secs.insert(
        1,
        Section(
            "IKM unit",
            id="grafik-unit",
            charts=[
                _bar(
                    "chart-unit-ikm",
                    "IKM unit pelayanan (abu-abu: sampel belum memadai)",
                    [u["name"] for u in with_ikm],
                    [u["ikm"] for u in with_ikm],
                    "IKM",
                    [MUTU_COLORS[u["mutu"]] if u["adequate"] else MUTU_COLORS["sampel_kurang"] for u in with_ikm],
                    horizontal=True,
                    y_max=100,
                    height=max(160, 28 * len(with_ikm) + 60),
                )
            ],
        ),
    )
    secs.append(Section("Kepatuhan unit", tables=[matrix_table(matrix)], id="kepatuhan"))
    return Page(ov.get("opd_name") or ov.get("opd_id") or "Perangkat daerah", f"Tahun {ov['year']}", secs, ov["as_of"])


# ---- compliance matrix --------------------------------------------------------------------------


def matrix_table(m: dict) -> Table:
    rows = [{**r, "href": f"/dasbor/unit/{r['unit_id']}?tahun={m['year']}"} for r in m["units"]]
    return Table(
        "matriks",
        "Matriks kepatuhan (unit × kewajiban)",
        [Column("name", "Unit", link="href"), Column("opd_name", "Perangkat daerah"), *_state_cols(m["obligations"])],
        rows,
        row_key="unit_id",
    )


def compliance_page(m: dict) -> Page:
    obl = m["obligations"]
    labels = [o["label"] for o in obl]
    chart = Chart(
        "chart-kepatuhan",
        "Jumlah unit per kewajiban",
        "bar",
        labels,
        [
            {
                "label": STATE_LABELS[s],
                "data": [m["totals"][o["key"]][s] for o in obl],
                "backgroundColor": STATE_COLORS[s],
            }
            for s in ("met", "not_met", "no_data")
        ],
        {"indexAxis": "y", "scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
        height=320,
    )
    totals = [{"key": o["key"], "label": o["label"], "basis": o["basis"], **m["totals"][o["key"]]} for o in obl]
    per_opd = []
    for o in m["per_opd"]:
        row = {
            "opd_id": o["opd_id"],
            "name": o["name"],
            "units": o["units"],
            "href": f"/dasbor/opd/{o['opd_id']}?tahun={m['year']}",
        }
        for ob in obl:
            row[ob["key"]] = o["totals"][ob["key"]]["met"]
        per_opd.append(row)
    return Page(
        "Matriks Kepatuhan",
        f"Tahun {m['year']}",
        [
            Section(
                "Ringkasan kewajiban",
                id="ringkasan",
                charts=[chart],
                tables=[
                    Table(
                        "ringkasan",
                        "Jumlah unit per kewajiban",
                        [
                            Column("label", "Kewajiban"),
                            Column("met", "Terpenuhi", "int"),
                            Column("not_met", "Tidak terpenuhi", "int"),
                            Column("no_data", "Tidak ada data", "int"),
                            Column("basis", "Dasar"),
                        ],
                        totals,
                        row_key="key",
                    )
                ],
                note=f"FKP dinilai terpenuhi bila unsur masyarakat yang hadir ≥ {m['fkp_min_elements']}.",
            ),
            Section("Unit × kewajiban", id="matriks", tables=[matrix_table(m)]),
            Section(
                "Terpenuhi per perangkat daerah",
                id="per-opd",
                tables=[
                    Table(
                        "per-opd",
                        "Unit yang memenuhi, per perangkat daerah",
                        [
                            Column("name", "Perangkat daerah", link="href"),
                            Column("units", "Unit", "int"),
                            *[Column(ob["key"], ob["label"], "int") for ob in obl],
                        ],
                        per_opd,
                        row_key="opd_id",
                    )
                ],
            ),
        ],
        m["as_of"],
    )


# ---- unit card ------------------------------------------------------------------------------------


def unit_page(card: dict) -> Page:
    skm, fkp, comp = card["skm"], card["fkp"], card["complaints"]
    year = card["year"]
    latest = skm["latest"]
    secs = []
    tiles = []
    if latest:
        tiles += [
            _mutu_tile(
                f"IKM {fmt.periode(latest['period'])}",
                latest["ikm"],
                latest["mutu"],
                "skm.latest.ikm",
                note=f"mutu {latest['mutu']} ({latest['kinerja']})",
            ),
            Tile(
                "Responden",
                fmt.bulat(latest["respondents"]),
                "skm.latest.respondents",
                note=f"minimal {fmt.bulat(latest['sample']['required'])}" if latest["sample"]["required"] else None,
            ),
        ]
    else:
        tiles.append(Tile("IKM", fmt.NONE, "skm.latest.ikm", note="belum ada responden"))
    y = skm["year"]
    tiles += [
        _mutu_tile(f"IKM tahun {year}", y["ikm"], y["mutu"], "skm.year.ikm"),
        Tile(
            "Responden setahun",
            fmt.bulat(y["respondents"]),
            "skm.year.respondents",
            note=(
                "sampel memadai"
                if y["sample"]["adequate"]
                else "sampel kurang"
                if y["sample"]["adequate"] is False
                else "populasi belum tercatat"
            ),
        ),
        Tile(
            "RTL selesai",
            f"{fmt.bulat(skm['rtl']['done'])} / {fmt.bulat(skm['rtl']['planned'])}",
            "skm.rtl",
            note=fmt.persen(skm["rtl"]["progress_pct"]) if skm["rtl"]["progress_pct"] is not None else None,
        ),
        Tile("Media publikasi", fmt.bulat(len(skm["publication"]["media"])), "skm.publication.media"),
    ]
    trend = [t for t in skm["trend"]]
    charts = [trend_chart(trend)]
    tables = [trend_table(trend)]
    if latest:
        tables.append(
            Table(
                "unsur-terlemah",
                f"Unsur terlemah ({fmt.periode(latest['period'])})",
                [
                    Column("label", "Unsur"),
                    Column("nrr", "NRR", "dec4"),
                    Column("ikm", "Nilai konversi", "dec2"),
                    Column("mutu", "Mutu"),
                ],
                latest["weakest"],
                row_key="element",
            )
        )
    tables.append(
        Table(
            "rtl",
            "Rencana tindak lanjut (RTL)",
            [
                Column("element", "Unsur"),
                Column("programme", "Program/kegiatan"),
                Column("owner", "Penanggung jawab"),
                Column("target_date", "Target", "date"),
                Column("status", "Status"),
                Column("done_at", "Selesai", "date"),
            ],
            [
                {
                    **r,
                    "element": rules.ELEMENT_LABELS.get(r["element"], r["element"]),
                    "status": RTL_LABELS.get(r["status"], r["status"]),
                }
                for r in skm["rtl_items"]
            ],
            row_key="item_id",
        )
    )
    links = [
        ("Detail SKM", f"/dasbor/unit/{card['unit_id']}/skm?periode={latest['period'] if latest else year}"),
        (
            "Laporan Hasil SKM (PDF)",
            f"/dasbor/unit/{card['unit_id']}/laporan-skm.pdf?periode={latest['period'] if latest else year}",
        ),
    ]
    secs.append(Section("Survei Kepuasan Masyarakat", tiles=tiles, charts=charts, tables=tables, id="skm"))
    if fkp.get("available"):
        p = fkp["promises"]
        ftiles = [
            Tile(
                "FKP terlaksana",
                fmt.bulat(fkp["forums_held"]),
                "fkp.forums_held",
                note=f"terakhir {fmt.tanggal(fkp['last_forum_date'])}" if fkp["last_forum_date"] else None,
            ),
            Tile("Unsur masyarakat", fmt.bulat(fkp["elements_covered_count"]), "fkp.elements_covered_count"),
            Tile("Janji terbuka", fmt.bulat(p["open"]), "fkp.promises.open"),
            Tile(
                "Janji lewat target",
                fmt.bulat(p["overdue"]),
                "fkp.promises.overdue",
                tone="warn" if p["overdue"] else None,
            ),
            Tile(
                "Janji terpenuhi",
                fmt.bulat(p["fulfilled"]),
                "fkp.promises.fulfilled",
                note=fmt.persen(fkp["fulfilment_rate_pct"]) if fkp["fulfilment_rate_pct"] is not None else None,
            ),
        ]
        secs.append(
            Section(
                "Forum Konsultasi Publik",
                tiles=ftiles,
                id="fkp",
                tables=[
                    Table(
                        "janji-lewat-target",
                        "Janji lewat target",
                        [
                            Column("description", "Janji"),
                            Column("owner", "Penanggung jawab"),
                            Column("target_date", "Target", "date"),
                            Column("days_overdue", "Hari terlambat", "int"),
                        ],
                        fkp["overdue_promises"],
                        row_key="promise_id",
                    )
                ],
            )
        )
        links.append(("Pelacak janji FKP", f"/dasbor/unit/{card['unit_id']}/fkp?tahun={year}"))
    else:
        secs.append(Section("Forum Konsultasi Publik", unavailable=UNAVAILABLE, id="fkp"))
    if comp.get("available"):
        ctiles = [
            Tile("Pengaduan", fmt.bulat(comp["complaints"]), "complaints.complaints"),
            Tile("Diselesaikan", fmt.persen(comp["resolved"]["pct"]), "complaints.resolved.pct"),
            Tile("Tunggakan", fmt.bulat(comp["backlog"]["total"]), "complaints.backlog.total"),
            Tile(
                "Tenggat terlampaui",
                fmt.bulat(comp["breaches_charged"]["total"]),
                "complaints.breaches_charged.total",
                tone="warn" if comp["breaches_charged"]["total"] else None,
            ),
        ]
        status_rows = [
            {"status": k, "label": STATUS_LABELS.get(k, k), "count": v} for k, v in comp["by_status"].items()
        ]
        secs.append(
            Section(
                "Pengaduan (SP4N-LAPOR!)",
                tiles=ctiles,
                id="pengaduan",
                tables=[
                    Table(
                        "status-pengaduan",
                        "Pengaduan menurut status",
                        [Column("label", "Status"), Column("count", "Jumlah", "int")],
                        status_rows,
                        row_key="status",
                    )
                ],
            )
        )
        links.append(("Tindak lanjut pengaduan", f"/dasbor/unit/{card['unit_id']}/pengaduan?periode={year}"))
    else:
        secs.append(Section("Pengaduan (SP4N-LAPOR!)", unavailable=UNAVAILABLE, id="pengaduan"))
    ind = [
        {"no": k, "label": INDICATORS[k], "score": v["score"], "evidence": v["evidence"], "source": v["source"]}
        for k, v in card["pekppp"].items()
    ]
    cells = [
        {"key": o_key, "label": _obligation_label(o_key), "cell": c, "evidence": c["evidence"]}
        for o_key, c in card["obligations"].items()
    ]
    secs.append(
        Section(
            "Indikator PEKPPP dan kepatuhan",
            id="pekppp",
            tables=[
                Table(
                    "pekppp",
                    "Skor indikator PEKPPP yang didukung data (0–5)",
                    [
                        Column("label", "Indikator"),
                        Column("score", "Skor", "int"),
                        Column("source", "Sumber"),
                        Column("evidence", "Bukti"),
                    ],
                    ind,
                    row_key="no",
                ),
                Table(
                    "kewajiban",
                    "Kewajiban",
                    [Column("label", "Kewajiban"), Column("cell", "Keadaan", "state"), Column("evidence", "Bukti")],
                    cells,
                    row_key="key",
                ),
            ],
        )
    )
    sub = f"{card.get('opd_name') or ''} · Tahun {year}".strip(" ·")
    return Page(card["name"], sub, secs, card["as_of"], links)


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
    return Table(
        "tren",
        "Tren IKM",
        [Column("period", "Periode", "period"), Column("respondents", "Responden", "int"),
         Column("ikm", "IKM", "dec2"), Column("mutu", "Mutu")],
        trend,
        row_key="period",
    )


def _obligation_label(key: str) -> str:
    from ..card_reports import OBLIGATIONS

    return next(o["label"] for o in OBLIGATIONS if o["key"] == key)
