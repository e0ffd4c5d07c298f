"""The unit card page (from `card_reports.unit_card`): SKM (latest period, trend, weakest unsur,
RTL), FKP promises, complaints, and the PEKPPP indicators and obligations with their evidence."""

from __future__ import annotations

from pantau.rules import ikm as rules
from pantau.rules.pekppp_instrument import instrument

from ..exports import fmt
from ..exports.tables import Table
from .labels import RTL_LABELS, STATUS_LABELS, UNAVAILABLE
from .model import Page, Section, cols, figure_count, figure_mutu, figure_tile, table_section
from .page_pekppp import ipp_tiles
from .page_skm import source_tile, trend_chart, trend_table
from .page_summaries import unit_summaries_section


def _sample_note(sample: dict) -> str:
    if sample["adequate"]:
        return "sampel memadai"
    return "sampel kurang" if sample["adequate"] is False else "populasi belum tercatat"


def skm_section(skm: dict, year: int) -> Section:
    latest, y, rtl = skm["latest"], skm["year"], skm["rtl"]
    tiles = []
    if latest:
        required = latest["sample"]["required"]
        tiles += [
            figure_mutu("skm.ikm_unit", latest["ikm"], latest["mutu"], "skm.latest.ikm",
                        note=f"mutu {latest['mutu']} ({latest['kinerja']})",
                        label=f"IKM {fmt.periode(latest['period'])}"),
            figure_tile("skm.respondents", fmt.bulat(latest["respondents"]), "skm.latest.respondents",
                        note=f"minimal {fmt.bulat(required)}" if required else None,
                        label=f"Responden {fmt.periode(latest['period'])}"),
        ]
        if latest.get("source"):
            tiles.append(source_tile(latest, "skm.latest.source"))
    else:
        tiles.append(figure_tile("skm.ikm_unit", fmt.NONE, "skm.latest.ikm", note="belum ada responden"))
    tiles += [
        figure_mutu("skm.ikm_unit", y["ikm"], y["mutu"], "skm.year.ikm", label=f"IKM tahun {year}"),
        figure_tile("skm.respondents", fmt.bulat(y["respondents"]), "skm.year.respondents",
                    note=_sample_note(y["sample"]), label=f"Responden tahun {year}"),
        figure_tile("skm.rtl_done", f"{fmt.bulat(rtl['done'])} / {fmt.bulat(rtl['planned'])}", "skm.rtl",
                    note=fmt.persen(rtl["progress_pct"]) if rtl["progress_pct"] is not None else None),
        figure_tile("skm.publication_media", fmt.bulat(len(skm["publication"]["media"])), "skm.publication.media"),
    ]
    tables = [trend_table(skm["trend"])]
    if latest:
        tables.append(Table("unsur-terlemah", f"Unsur terlemah ({fmt.periode(latest['period'])})",
                            cols(("label", "Unsur"), ("nrr", "NRR", "dec4"), ("ikm", "Nilai konversi", "dec2"),
                                 ("mutu", "Mutu")),
                            latest["weakest"], row_key="element"))
    rtl_rows = [{**r, "element": rules.ELEMENT_LABELS.get(r["element"], r["element"]),
                 "status": RTL_LABELS.get(r["status"], r["status"])} for r in skm["rtl_items"]]
    tables.append(Table("rtl", "Rencana tindak lanjut (RTL)",
                        cols(("element", "Unsur"), ("programme", "Program/kegiatan"), ("owner", "Penanggung jawab"),
                             ("target_date", "Target", "date"), ("status", "Status"), ("done_at", "Selesai", "date")),
                        rtl_rows, row_key="item_id"))
    return Section("Survei Kepuasan Masyarakat", tiles=tiles, charts=[trend_chart(skm["trend"])], tables=tables,
                   id="skm")


def fkp_section(fkp: dict) -> Section:
    if not fkp.get("available"):
        return Section("Forum Konsultasi Publik", unavailable=UNAVAILABLE, id="fkp")
    p = fkp["promises"]
    tiles = [
        figure_tile("fkp.forums_held", fmt.bulat(fkp["forums_held"]), "fkp.forums_held",
                    note=f"terakhir {fmt.tanggal(fkp['last_forum_date'])}" if fkp["last_forum_date"] else None),
        figure_tile("fkp.elements", fmt.bulat(fkp["elements_covered_count"]), "fkp.elements_covered_count",
                    note="dari 5 unsur"),
        figure_tile("fkp.promises_open", fmt.bulat(p["open"]), "fkp.promises.open"),
        figure_count("fkp.promises_overdue", p["overdue"], "fkp.promises.overdue", warn=True),
        figure_tile("fkp.promises_fulfilled", fmt.bulat(p["fulfilled"]), "fkp.promises.fulfilled",
                    note=fmt.persen(fkp["fulfilment_rate_pct"]) if fkp["fulfilment_rate_pct"] is not None else None),
    ]
    table = Table("janji-lewat-target", "Janji lewat target",
                  cols(("description", "Janji"), ("owner", "Penanggung jawab"), ("target_date", "Target", "date"),
                       ("days_overdue", "Hari terlambat", "int")),
                  fkp["overdue_promises"], row_key="promise_id", cards=True)
    return table_section("Forum Konsultasi Publik", table, id="fkp", tiles=tiles)


def complaints_section(comp: dict) -> Section:
    if not comp.get("available"):
        return Section("Pengaduan (SP4N-LAPOR!)", unavailable=UNAVAILABLE, id="pengaduan")
    tiles = [
        figure_tile("complaints.total", fmt.bulat(comp["complaints"]), "complaints.complaints"),
        figure_tile("complaints.resolved_pct", fmt.persen(comp["resolved"]["pct"]), "complaints.resolved.pct"),
        figure_tile("complaints.backlog", fmt.bulat(comp["backlog"]["total"]), "complaints.backlog.total"),
        figure_count("complaints.overdue_now", comp["overdue"]["total"], "complaints.overdue.total", warn=True),
        figure_count("complaints.breaches", comp["breaches"]["total"], "complaints.breaches.total", warn=True),
        figure_count("complaints.breaches_charged", comp["breaches_charged"]["total"],
                     "complaints.breaches_charged.total", warn=True),
    ]
    rows = [{"status": k, "label": STATUS_LABELS.get(k, k), "count": v} for k, v in comp["by_status"].items()]
    table = Table("status-pengaduan", "Pengaduan menurut status", cols(("label", "Status"), ("count", "Jumlah", "int")),
                  rows, row_key="status")
    return table_section("Pengaduan (SP4N-LAPOR!)", table, id="pengaduan", tiles=tiles)


PEKPPP_NOTE_NO_IPP = "Evaluasi lengkap (30 indikator, per aspek, dengan bukti): halaman Evaluasi PEKPPP unit ini."
PEKPPP_NOTE = ("IPP dan predikat memakai skor evaluator; untuk indikator yang diukur Pantau (tabel pertama) "
               "skor dari data dipakai, kecuali evaluator menggantinya dengan catatan. "
               "Rincian 30 indikator per aspek dengan buktinya: halaman Evaluasi PEKPPP unit ini.")


def pekppp_section(card: dict, evaluation: dict | None = None) -> Section:
    """The indicators Pantau measures and the obligations; with `evaluation`
    (pekppp_reports.evaluation_of_card) also the year's IPP, predikat and completeness, the same
    tiles as the unit's PEKPPP page."""
    from ..card_reports import OBLIGATIONS

    labels = {o["key"]: o["label"] for o in OBLIGATIONS}
    inst = instrument()

    def label(k: str) -> str:
        i = inst.indicator(int(k))
        assert i is not None, k  # the card lists the instrument's own indicators
        return f"{i.code} {i.text}"

    ind = [{"no": k, "label": label(k), "score": v["score"],
            "evidence": v["evidence"], "source": v["source"]} for k, v in card["pekppp"].items()]
    cells = [{"key": k, "label": labels[k], "cell": c, "evidence": c["evidence"]}
             for k, c in card["obligations"].items()]
    return Section("Indikator PEKPPP dan kepatuhan", id="pekppp",
                   tiles=ipp_tiles(evaluation) if evaluation is not None else [],
                   note=PEKPPP_NOTE if evaluation is not None else PEKPPP_NOTE_NO_IPP, tables=[
        Table("pekppp", "Skor indikator PEKPPP yang didukung data (0–5)",
              cols(("label", "Indikator"), ("score", "Skor", "int"), ("source", "Sumber"), ("evidence", "Bukti")),
              ind, row_key="no"),
        Table("kewajiban", "Kewajiban",
              cols(("label", "Kewajiban"), ("cell", "Keadaan", "state"), ("evidence", "Bukti")), cells, row_key="key"),
    ])


def unit_page(card: dict, summaries: dict | None = None, evaluation: dict | None = None) -> Page:
    """`summaries`: the unit's SKM summary reports of the year (`skm_summaries.unit_summaries`), if
    any; `evaluation`: its PEKPPP evaluation of the year (pekppp_reports.evaluation_of_card)."""
    skm, year, unit = card["skm"], card["year"], card["unit_id"]
    period = skm["latest"]["period"] if skm["latest"] else year
    links = [
        ("Detail SKM", f"/dasbor/unit/{unit}/skm?periode={period}"),
        ("Laporan Hasil SKM (PDF)", f"/dasbor/unit/{unit}/laporan-skm.pdf?periode={period}"),
    ]
    links.append(("Evaluasi PEKPPP", f"/dasbor/unit/{unit}/pekppp?tahun={year}"))
    if card["fkp"].get("available"):
        links.append(("Pelacak janji FKP", f"/dasbor/unit/{unit}/fkp?tahun={year}"))
    if card["complaints"].get("available"):
        links.append(("Tindak lanjut pengaduan", f"/dasbor/unit/{unit}/pengaduan?periode={year}"))
    secs = [skm_section(skm, year), fkp_section(card["fkp"]), complaints_section(card["complaints"]),
            pekppp_section(card, evaluation)]
    summary_section = unit_summaries_section(summaries, year) if summaries else None
    if summary_section is not None:
        secs.insert(1, summary_section)
    sub = f"{card.get('opd_name') or ''} · Tahun {year}".strip(" ·")
    return Page(card["name"], sub, secs, card["as_of"], links)
