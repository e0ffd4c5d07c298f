"""The SKM summary-report pages (from `skm_summaries`): the bureau's list of reports to check
("laporan yang perlu diperiksa": each unit whose newest Laporan Hasil SKM does not add up, with
the recomputed IKM and mutu and the likely cause of each discrepancy), and the section of a unit's
card with its own reports. Beside each table of reports, a table of their report files (PDF: name,
size, pages, SHA-256), each linked to the dashboard's download route (which forwards the viewer's
session to the survey service), or "berkas laporan belum diunggah"."""

from __future__ import annotations

from ..exports import fmt
from ..exports.tables import Table
from .model import Page, Section, cols, figure_count, figure_tile

FLAG_LABELS = {
    "ikm_mismatch": "IKM tidak sesuai hitung ulang",
    "conversion_x20": "konversi × 20",
    "weights_0_111": "bobot 0,111",
    "nrr_rounded": "NRR dibulatkan",
    "mutu_mismatch": "mutu tidak sesuai IKM",
    "sample_below": "sampel kurang",
    "counts_sum": "jumlah jawaban ≠ responden",
}
BASIS_LABELS = {"counts": "jumlah jawaban", "nrr": "NRR"}
REPORT_MISSING = "berkas laporan belum diunggah"
CHECK_NOTE = ("IKM dihitung ulang dari NRR atau jumlah jawaban per unsur menurut PermenPANRB 14/2017: rata-rata "
              "NRR × 25 (bobot 1/9 persis), dibulatkan hanya pada nilai akhir; selisih lebih dari 0,01 ditandai "
              "beserta kemungkinan penyebabnya.")


def _size(n: int) -> str:
    return f"{fmt.angka(n / (1024 * 1024), 1)} MB" if n >= 1024 * 1024 else f"{fmt.bulat(max(1, round(n / 1024)))} KB"


def download_href(unit_id: str, period: str, submission_id: str) -> str:
    return f"/dasbor/skm/laporan/{unit_id}/{period}/{submission_id}/berkas.pdf"


def report_cells(unit_id: str, period: str, submission_id: str, report: dict | None) -> dict:
    """The report file's cells: its name with the download link, size, pages and SHA-256, or why not."""
    if report is None:
        return {"report_file": REPORT_MISSING, "report_href": None, "report_size": None, "report_pages": None,
                "report_sha256": None}
    return {"report_file": report.get("filename") or f"laporan-{submission_id}.pdf",
            "report_href": download_href(unit_id, period, submission_id), "report_size": _size(report["size"]),
            "report_pages": report["pages"], "report_sha256": report["sha256"]}


def _files_table(rows: list[dict], with_unit: bool, row_key: str) -> Table:
    unit = [("name", "Unit", "text", "href")] if with_unit else []
    return Table("berkas-laporan", "Berkas laporan", cols(
        *unit, ("period", "Periode", "period"), ("submission_id", "Nomor laporan"),
        ("report_file", "Berkas laporan", "text", "report_href"), ("report_size", "Ukuran"),
        ("report_pages", "Halaman", "int"), ("report_sha256", "SHA-256")), rows, row_key=row_key, cards=True,
        note="Berkas PDF yang diunggah unit untuk laporan itu (diperiksa dari isinya); unduh lewat nama berkasnya.")


def _row(unit_id: str, period: str, entry: dict, year: int) -> dict:
    c = entry["check"]
    return {**report_cells(unit_id, period, entry["submission_id"], entry.get("report")),
            "unit_id": unit_id, "period": period, "submission_id": entry["submission_id"],
            "respondents": entry["respondents"], "reported_ikm": entry["reported_ikm"],
            "reported_mutu": entry["reported_mutu"] or fmt.NONE, "ikm": c["ikm"], "mutu": c["mutu"],
            "difference": c["difference"], "basis": BASIS_LABELS[c["basis"]],
            "findings": ", ".join(FLAG_LABELS[f["code"]] for f in c["flags"]) or "sesuai",
            "explanation": " ".join(f["message"] for f in c["flags"]) or fmt.NONE,
            "recorded_at": entry["recorded_at"], "href": f"/dasbor/unit/{unit_id}?tahun={year}"}


def _columns(with_unit: bool):
    # what to check first (the findings and their explanation, which quotes the figures), then the
    # figures, then where the report comes from: a reviewer reads the left part without scrolling
    unit = [("name", "Unit", "text", "href")] if with_unit else []
    return cols(*unit, ("period", "Periode", "period"), ("findings", "Temuan"), ("explanation", "Penjelasan"),
                ("reported_ikm", "IKM dilaporkan", "dec2"), ("ikm", "IKM hitung ulang", "dec2"),
                ("difference", "Selisih", "dec2"), ("reported_mutu", "Mutu dilaporkan"),
                ("mutu", "Mutu hitung ulang"), ("respondents", "Responden", "int"),
                ("submission_id", "Nomor laporan"), *([("opd_name", "Perangkat daerah")] if with_unit else []))


def flagged_page(rep: dict) -> Page:
    year = int(rep["period"][:4])
    rows = []
    for r in rep["units"]:
        rows.append({**r, **report_cells(r["unit_id"], r["period"], r["submission_id"], r.get("report")),
                     "reported_mutu": r["reported_mutu"] or fmt.NONE,
                     "findings": ", ".join(FLAG_LABELS[c] for c in r["flags"]), "explanation": " ".join(r["messages"]),
                     "href": f"/dasbor/unit/{r['unit_id']}?tahun={year}", "row": f"{r['unit_id']}/{r['period']}"})
    table = Table("laporan-diperiksa", "Laporan yang perlu diperiksa", _columns(True), rows,
                  row_key="row", cards=True,
                  empty="Tidak ada laporan hasil SKM dengan selisih pada periode ini.")
    tiles = [figure_count("skm.summaries", rep["summaries"], "summaries"),
             figure_count("skm.summaries_flagged", rep["flagged_count"], "flagged", warn=True),
             figure_count("skm.summaries_without_report", rep["without_report_count"], "without_report", warn=True)]
    return Page("Laporan hasil SKM yang perlu diperiksa", f"Provinsi — {fmt.periode(rep['period'])}", [
        Section("Ringkasan", tiles=tiles, id="ringkasan", note=CHECK_NOTE),
        Section("Laporan yang perlu diperiksa", id="laporan-diperiksa",
                tables=[table, *([_files_table(rows, True, "row")] if rows else [])],
                note="Hanya laporan terbaru setiap unit dan periode yang diperiksa; laporan yang "
                     "digantikannya tetap tercatat sebagai riwayat."),
    ], rep["as_of"])


def unit_summaries_section(rep: dict, year: int) -> Section | None:
    """The unit card's section on its own summary reports (None when it sent none this year)."""
    if not rep["periods"]:
        return None
    rows = [_row(rep["unit_id"], p["period"], p["current"], year) for p in rep["periods"]]
    flagged = sum(1 for p in rep["periods"] if p["current"]["check"]["flagged"])
    tiles = [figure_count("skm.summaries", len(rows), "summaries.count"),
             figure_count("skm.summaries_flagged", flagged, "summaries.flagged", warn=True,
                          note="perlu diperiksa" if flagged else "aritmetika sesuai")]
    missing = sum(1 for p in rep["periods"] if p["current"].get("report") is None)
    tiles.append(figure_count("skm.summaries_without_report", missing, "summaries.without_report", warn=True,
                              note=REPORT_MISSING if missing else "berkas laporan lengkap"))
    older = sum(len(p["history"]) for p in rep["periods"])
    if older:
        tiles.append(figure_tile("skm.summaries_superseded", fmt.bulat(older), "summaries.superseded"))
    table = Table("laporan-hasil-skm", "Laporan hasil SKM yang berlaku", _columns(False), rows, row_key="period",
                  cards=True)
    return Section("Laporan hasil SKM dari unit", id="laporan-skm", tiles=tiles, note=CHECK_NOTE,
                   tables=[table, _files_table(rows, False, "period")])
