"""The public SKM pages, for the province and per unit (a PEKPPP publication medium): in plain
Indonesian for citizens, one headline figure with its grade and what it means, a short "tentang
angka ini", the way to track a complaint; IKM and unsur only, no personal data, no login (from
`reports.group_ikm` / `unit_ikm`). A unit whose respondents are too few to speak for its users is
listed but not graded, here as on every other page."""

from __future__ import annotations

from pantau.rules import ikm as rules

from ..exports import fmt
from ..exports.tables import Table
from .labels import MUTU_COLORS, PALETTE
from .model import Page, Section, Tile, bar, cols, ikm_bars, table_section
from .page_skm import element_rows

TRACK_URL = "/publik/pengaduan"
MEANING = {m: kinerja for m, kinerja, _, _ in rules.mutu_ranges()}


def about_text() -> str:
    """"Tentang angka ini": what the IKM is, its scale and grades, why some units are not graded."""
    grades = "; ".join(f"{m} ({k}) {fmt.angka(lo)}–{fmt.angka(hi)}" for m, k, lo, hi in rules.mutu_ranges())
    unsur = ", ".join(rules.ELEMENT_LABELS[k].lower() for k in rules.ELEMENTS)
    return ("Indeks Kepuasan Masyarakat (IKM) menunjukkan seberapa puas pengguna layanan, pada skala 25 sampai 100. "
            f"Setiap pengguna menilai sembilan hal ({unsur}) dengan nilai 1 sampai 4; rata-ratanya diubah ke skala "
            f"25–100. Nilai mutu: {grades}. Unit yang penggunanya belum cukup banyak mengisi survei belum diberi "
            "nilai, karena hasilnya belum dapat mewakili semua penggunanya.")


def _track_section() -> Section:
    return Section("Punya keluhan?", id="pengaduan",
                   note="Sampaikan pengaduan melalui SP4N-LAPOR! atau langsung ke unit layanan. Sudah punya nomor "
                        "pelacakan? Lihat perkembangannya di halaman Lacak pengaduan.")


def _row_note(u: dict, group: dict) -> str:
    if u["unit_id"] in group["units_included"]:
        return f"{u['mutu']} — {MEANING.get(u['mutu'], '')}" if u["mutu"] else fmt.NONE
    return "belum dinilai: responden belum cukup"


def public_province_page(group: dict, names: dict[str, str], province: str) -> Page:
    rows = [
        {"unit_id": u["unit_id"], "name": names.get(u["unit_id"], u["unit_id"]), "respondents": u["respondents"],
         "ikm": u["ikm"] if u["unit_id"] in group["units_included"] else None, "grade": _row_note(u, group),
         "href": f"/publik/skm/{u['unit_id']}?periode={group['period']}"}
        for u in group["units"]
        if u["respondents"]
    ]
    rows.sort(key=lambda r: (r["ikm"] is None, -(r["ikm"] or 0), r["name"]))
    pooled = group["official_method"] == "ikm_pooled_respondents"
    mutu = group["mutu_pooled_respondents"] if pooled else group["mutu_mean_of_units"]
    headline = Tile("Indeks Kepuasan Masyarakat (IKM) provinsi",
                    fmt.angka(group["ikm"]) if group["ikm"] is not None else fmt.NONE, "ikm",
                    note=(f"mutu {mutu} — {MEANING.get(mutu, '')}; dari {fmt.bulat(group['unit_count'])} unit "
                          f"dan {fmt.bulat(group['respondent_count'])} pengguna yang mengisi survei")
                    if group["ikm"] is not None else "belum ada unit yang cukup respondennya", tone=mutu)
    graded = [r for r in rows if r["ikm"] is not None]
    chart = ikm_bars("chart-ikm-unit", "IKM unit pelayanan yang sudah dinilai", graded,
                     [MUTU_COLORS.get(next(u["mutu"] for u in group["units"] if u["unit_id"] == r["unit_id"]),
                                      PALETTE[0]) for r in graded], 180, 26)
    table = Table("ikm-unit", "IKM setiap unit pelayanan",
                  cols(("name", "Unit pelayanan", "text", "href"), ("ikm", "IKM", "dec2"), ("grade", "Mutu"),
                       ("respondents", "Pengguna yang mengisi", "int")),
                  rows, row_key="unit_id", cards=True,
                  empty="Belum ada unit yang hasil surveinya tercatat untuk periode ini.")
    return Page(
        f"Hasil Survei Kepuasan Masyarakat — {province}",
        fmt.periode(group["period"]),
        [
            Section("Hasil provinsi", tiles=[headline], id="provinsi", note=about_text()),
            table_section("Setiap unit pelayanan", table, id="unit", charts=[chart] if graded else []),
            _track_section(),
        ],
        group["as_of"],
        links=[("Lacak pengaduan", TRACK_URL)],
    )


def public_unit_page(ikm: dict, unit_name: str) -> Page:
    s = ikm["sample"]
    graded = ikm["mutu"] is not None and s["adequate"] is not False
    if not ikm["respondents"]:
        note = "belum ada pengguna yang mengisi survei pada periode ini"
    elif not graded:
        note = (f"belum dinilai: {fmt.bulat(ikm['respondents'])} pengguna mengisi, "
                f"perlu sedikitnya {fmt.bulat(s['required'])} agar mewakili semua penggunanya")
    else:
        note = f"mutu {ikm['mutu']} — {MEANING.get(ikm['mutu'], '')}"
    tiles = [Tile("Indeks Kepuasan Masyarakat (IKM)", fmt.angka(ikm["ikm"]) if ikm["ikm"] is not None else fmt.NONE,
                  "ikm", note=note, tone=ikm["mutu"] if graded else None),
             Tile("Pengguna yang mengisi survei", fmt.bulat(ikm["respondents"]), "respondents")]
    secs = [Section("Hasil", tiles=tiles, id="hasil", note=about_text())]
    if ikm["respondents"]:
        rows = element_rows(ikm)
        chart = bar("chart-unsur", "Nilai setiap unsur pelayanan (skala 25–100)", [r["label"] for r in rows],
                    [rules.round_half_up(r["ikm"], 2) for r in rows], "Nilai",
                    [MUTU_COLORS.get(r["mutu"], PALETTE[0]) for r in rows], horizontal=True, y_max=100, height=320)
        table = Table("unsur", "Nilai setiap unsur pelayanan",
                      cols(("label", "Unsur pelayanan"), ("ikm", "Nilai (25–100)", "dec2"), ("mutu", "Mutu")),
                      rows, row_key="key")
        secs.append(Section("Yang dinilai pengguna", charts=[chart], tables=[table], id="unsur"))
    secs.append(_track_section())
    return Page(f"Hasil Survei Kepuasan Masyarakat — {unit_name}", fmt.periode(ikm["period"]), secs, ikm["as_of"],
                links=[("Lacak pengaduan", TRACK_URL)])
