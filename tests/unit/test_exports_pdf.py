"""PDF "Laporan Hasil SKM" (domain.md §1.6 outline) and the province recapitulation, read back
with pypdf and with poppler's pdftotext (page by page) and checked against the report dicts they
were made from: the kop, the signature block from the unit's settings, the mutu range table, the
weight the formula line states, and the header of a long table repeated on every page it spans."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime, timezone

import pytest
from card_scenario import AS_OF, YEAR, install_registry, skm_docs
from pypdf import PdfReader

from pantau.rules import ikm as rules
from pantau.units import Registry
from services.aggregator import card_reports
from services.aggregator.exports import fmt, official, pdf
from services.aggregator.exports.recommendations import RECOMMENDATIONS

SIGNATORY = {"name": "dr. Siti Rahmawati, M.Kes.", "nip": "197805122005012003",
             "position": "Kepala UPTD Laboratorium Kesehatan", "place": "Samarinda"}
GENERATED = datetime(2026, 7, 15, 4, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    return install_registry(monkeypatch)


def text_of(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def unit_ikm(unit_id: str = "lab") -> dict:
    """The answer of reports.unit_ikm for the scenario's year (same fields, same computation)."""
    d = skm_docs()
    inp = card_reports.cut_skm(d["months"], d["settings"], d["rtl"], d["pubs"], AS_OF, "Asia/Makassar")
    b = card_reports.period_ikm(unit_id, card_reports.Period("year", YEAR), inp, "exact")
    res = rules.compute_ikm(b["compile"]["sums"], b["respondents"], "exact") if b["respondents"] else None
    return {
        "unit_id": unit_id,
        "period": str(YEAR),
        "respondents": b["respondents"],
        "as_of": AS_OF.isoformat(),
        "weight_mode": "exact",
        "sample": b["sample"],
        "ikm": b["ikm"],
        "mutu": b["mutu"],
        "kinerja": b["kinerja"],
        "weight": 1 / 9,
        "lowest_elements": res["lowest_elements"] if res else [],
        "elements": {k: {"nrr": v["nrr"], "ikm": v["ikm"], "mutu": v["mutu"]} for k, v in res["elements"].items()}
        if res
        else None,
        "ci95": b["ci95"],
        "profile": b["profile"],
        "flags": b["flags"],
    }


def pages_of(data: bytes) -> list[str]:
    """pdftotext's text of each page, whitespace collapsed (pages are split at form feeds)."""
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext is missing: run `make install` (poppler-utils)"
    out = subprocess.run([exe, "-layout", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    pages = out.stdout.decode("utf-8").split("\f")
    return [" ".join(p.split()) for p in pages if p.strip()]


def lab_report(settings_doc=..., rtl=None, ikm=None, **kw) -> dict:
    d = skm_docs()
    ikm = ikm or unit_ikm()
    doc = dict(d["settings"][0], signatory=SIGNATORY) if settings_doc is ... else settings_doc
    trend = [{"period": str(YEAR), "ikm": ikm["ikm"], "mutu": ikm["mutu"], "respondents": ikm["respondents"]}]
    return pdf.skm_report_data(ikm, Registry.instance().get("lab"), Registry.instance().get("dinkes"), doc,
                               d["rtl"] if rtl is None else rtl, d["pubs"][:2], trend, GENERATED, **kw)


def test_skm_report_has_the_kop_cover_data_and_mutu_ranges_on_page_one(registry):
    ikm = unit_ikm()
    data = lab_report(survey={"first_month": "2026-02", "last_month": "2026-05",
                              "last_response": "2026-05-10T10:00:00+08:00"})
    pages = pages_of(pdf.render_skm_report(data))
    first = pages[0]
    assert first.startswith("PEMERINTAH PROVINSI KALIMANTAN TIMUR DINAS KESEHATAN UPTD LABORATORIUM KESEHATAN")
    assert "LAPORAN HASIL SURVEI KEPUASAN MASYARAKAT" in first
    for cover in ("Unit pelayanan UPTD Laboratorium Kesehatan", "Perangkat daerah Dinas Kesehatan",
                  "Pelaksana SKM Tim internal unit", "Februari 2026 – Mei 2026; respons terakhir 10 Mei 2026",
                  "Jumlah responden 22", "Populasi (N) 20"):
        assert cover in first, cover
    assert f"{fmt.angka(ikm['ikm'])} B Baik" in first  # the headline: IKM, mutu, kinerja
    for mutu, kinerja, low, high in rules.mutu_ranges():  # the interval table, from the rules module
        assert f"{fmt.angka(low)} – {fmt.angka(high)} {mutu} {kinerja}" in first, mutu
    assert "BAB I Pendahuluan" in first  # page 1 is full, not a cover with 40 % blank


def test_skm_report_signature_block_carries_the_settings_signatory(registry):
    pages = pages_of(pdf.render_skm_report(lab_report()))
    last = pages[-1]
    assert "Samarinda, 15 Juli 2026 Kepala UPTD Laboratorium Kesehatan" in last
    assert "dr. Siti Rahmawati, M.Kes. NIP 197805122005012003" in last
    assert all("/v1/" not in p and "?period=" not in p for p in pages)  # no API paths in a document


def test_skm_report_without_signatory_prints_blank_lines(registry):
    d = skm_docs()
    last = pages_of(pdf.render_skm_report(lab_report(settings_doc=d["settings"][0])))[-1]
    blank = official.BLANK
    assert f"{blank}, 15 Juli 2026 Kepala UPTD Laboratorium Kesehatan" in last
    assert f"{blank} NIP {blank}" in last
    with_place = pages_of(pdf.render_skm_report(lab_report(settings_doc=None, default_place="Samarinda")))[-1]
    assert "Samarinda, 15 Juli 2026" in with_place and f"NIP {blank}" in with_place


def test_skm_report_states_the_weight_actually_used(registry):
    exact = " ".join(pages_of(pdf.render_skm_report(lab_report())))
    assert "dengan bobot 1/9 (eksak" in exact and "bobot 0,111" not in exact
    printed = {**unit_ikm(), "weight_mode": "printed_0_111", "weight": 0.111}
    text = " ".join(pages_of(pdf.render_skm_report(lab_report(ikm=printed))))
    assert "dengan bobot 0,111 untuk setiap unsur" in text and "1/9" not in text


def test_skm_report_has_the_chart_and_recommendations_for_the_weakest_unsur(registry):
    ikm = unit_ikm()
    data = lab_report()
    assert data["chart"].count("<rect") == len(rules.ELEMENTS)  # one bar per unsur
    text = " ".join(pages_of(pdf.render_skm_report(data)))
    assert "Grafik NRR per unsur" in text
    for k in ikm["lowest_elements"]:
        assert RECOMMENDATIONS[k][0] in text, k
    # the unit's RTL item for its weakest unsur (biaya) is printed under it
    assert "U4 Biaya/Tarif — NRR" in text and "RTL unit untuk unsur ini: Papan informasi tarif" in text


def test_every_unsur_has_recommendations():
    assert set(RECOMMENDATIONS) == set(rules.ELEMENTS) and all(len(v) >= 2 for v in RECOMMENDATIONS.values())


def test_a_long_rtl_table_repeats_its_header_on_every_page(registry):
    base = skm_docs()["rtl"][0]
    rtl = [{**base, "item_id": f"r{i:02d}", "programme": f"Program perbaikan nomor {i:02d} dengan uraian yang "
            "cukup panjang agar baris tabel memakan tempat", "target_date": f"{YEAR}-06-{1 + i % 28:02d}"}
           for i in range(70)]
    pages = pages_of(pdf.render_skm_report(lab_report(rtl=rtl)))
    header = "No Prioritas Program/kegiatan Waktu Penanggung Status"  # its first line (cells wrap)
    spanned = [p for p in pages if "Kepala Seksi" in p]  # the owner column: only in the table
    assert len(spanned) >= 3
    assert all(header in p for p in spanned), [p[:200] for p in spanned if header not in p]
    # the NRR and other long tables carry a header group too (WeasyPrint repeats a <thead>)
    html = pdf._env.get_template("laporan_skm.html").render(d=lab_report())
    assert html.count("<thead>") >= 5


def test_skm_report_follows_the_outline_and_carries_the_api_figures(registry):
    ikm = unit_ikm()
    d = skm_docs()
    trend = [
        {"period": str(YEAR - 1), "ikm": 50.0, "mutu": "D", "respondents": 8},
        {"period": str(YEAR), "ikm": ikm["ikm"], "mutu": ikm["mutu"], "respondents": ikm["respondents"]},
    ]
    data = pdf.skm_report_data(
        ikm,
        registry.get("lab"),
        registry.get("dinkes"),
        d["settings"][0],
        d["rtl"],
        d["pubs"][:2],
        trend,
        datetime(2026, 7, 15, 4, 0, tzinfo=timezone.utc),
    )
    text = text_of(pdf.render_skm_report(data))
    flat = " ".join(text.split())
    for heading in (
        "BAB I Pendahuluan",
        "BAB II Pengumpulan Data",
        "BAB III Hasil",
        "BAB IV Analisis",
        "BAB V Kesimpulan",
        "Rencana Tindak Lanjut",
        "Profil responden",
    ):
        assert heading in flat, heading
    assert "UPTD Laboratorium Kesehatan" in flat and "Tahun 2026 (1 Januari 2026 – 31 Desember 2026)" in flat
    assert f"IKM unit pelayanan: {fmt.angka(ikm['ikm'])}" in flat and "86,87" in flat
    assert "Mutu pelayanan: B — kinerja unit pelayanan: Baik" in flat
    assert "Jumlah responden 22" in flat and "Sampel minimal (Krejcie & Morgan) 19" in flat
    assert "Tim internal unit" in flat
    for i, k in enumerate(rules.ELEMENTS, 1):  # NRR per unsur, 3 decimals, and the converted value
        e = ikm["elements"][k]
        assert f"U{i} {rules.ELEMENT_LABELS[k]} {fmt.angka(e['nrr'], 3)}" in flat, k
        assert fmt.angka(e["ikm"]) in flat
    assert "Biaya/Tarif (68,18, mutu C)" in flat  # weakest unsur first
    assert "Tambah loket pada jam sibuk" in flat and "Kepala Seksi Pelayanan" in flat
    assert "Laki-laki 11 50,0%" in flat
    assert "website" in flat and "papan_pengumuman" in flat


def test_skm_report_without_respondents_says_so(registry):
    ikm = unit_ikm("pelabuhan")
    data = pdf.skm_report_data(
        ikm, registry.get("pelabuhan"), registry.get("dkp"), None, [], [], [], datetime.now(timezone.utc)
    )
    flat = " ".join(text_of(pdf.render_skm_report(data)).split())
    assert "Belum ada responden pada periode ini" in flat and "SKM belum dilaksanakan" in flat


def test_province_recap_lists_every_unit_and_both_methods(registry: Registry):
    units = [unit_ikm(u) for u in ("lab", "rs", "pelabuhan")]
    region = rules.compile_region(
        [
            {
                "unit_id": u["unit_id"],
                "respondents": u["respondents"],
                "sums": card_reports.period_ikm(u["unit_id"], card_reports.Period("year", YEAR), _inp(), "exact")[
                    "compile"
                ]["sums"],
                "adequate": u["sample"]["adequate"],
            }
            for u in units
        ]
    )
    group = {
        "province_id": "kaltim",
        "period": str(YEAR),
        "as_of": AS_OF.isoformat(),
        "official_method": "ikm_pooled_respondents",
        "ikm": region["ikm_pooled_respondents"],
        **region,
        "units": [
            {
                "unit_id": u["unit_id"],
                "respondents": u["respondents"],
                "ikm": u["ikm"],
                "mutu": u["mutu"],
                "sample": u["sample"],
            }
            for u in units
        ],
        "units_without_responses": ["pelabuhan"],
    }
    data = pdf.province_recap_data(group, registry, "Pemerintah Provinsi Kalimantan Timur", datetime.now(timezone.utc))
    flat = " ".join(text_of(pdf.render_province_recap(data)).split())
    assert "REKAPITULASI INDEKS KEPUASAN MASYARAKAT" in flat and "Tahun 2026" in flat
    assert f"Rata-rata IKM unit {fmt.angka(region['ikm_mean_of_units'])} B" in flat
    assert f"Gabungan seluruh responden (resmi) {fmt.angka(region['ikm_pooled_respondents'])} B" in flat
    # No, rank (only for the units counted), then the unit's row
    assert "1 1 UPTD Laboratorium Kesehatan Dinas Kesehatan 22 19 86,87 B dihitung" in flat
    assert "2 – Rumah Sakit Mata Dinas Kesehatan 3 384 100,00 – sampel di bawah Krejcie" in flat  # not graded
    assert "3 – UPTD Pelabuhan Perikanan Dinas Kelautan dan Perikanan 0" in flat and "belum ada responden" in flat
    assert "/v1/" not in flat


def _inp():
    d = skm_docs()
    return card_reports.cut_skm(d["months"], d["settings"], d["rtl"], d["pubs"], AS_OF, "Asia/Makassar")


def big_province(monkeypatch, n: int = 75) -> tuple[Registry, dict]:
    """A registry of 3 OPDs and n UPPs, and a `reports.group_ikm`-shaped answer for them: IKM
    spread over every grade, every fifth unit with too small a sample."""
    from card_scenario import UNITS

    from pantau.units import Unit

    opds = [Unit(f"opd{j}", name, "opd", "provinsi", "kaltim") for j, name in
            enumerate(("Dinas Pendidikan", "Badan Pendapatan Daerah", "Dinas Kesehatan Hewan"))]
    upps = [Unit(f"u{i:02d}", f"UPTD Layanan Nomor {i:02d}", "upp", "provinsi", f"opd{i % 3}", 500, ("layanan",))
            for i in range(n)]
    reg = Registry(ttl=1e12)
    reg._units = {u.id: u for u in [*UNITS, *opds, *upps]}
    reg._loaded = float("inf")
    monkeypatch.setattr(Registry, "_instance", reg)
    units, included, flagged = [], [], []
    for i, u in enumerate(upps):
        ikm = round(60 + (i * 7.31) % 40, 2)
        adequate = i % 5 != 4
        units.append({"unit_id": u.id, "respondents": 217 if adequate else 40, "ikm": ikm,
                      "mutu": rules.classify(ikm)[0], "sample": {"required": 217, "adequate": adequate}})
        (included if adequate else flagged).append(u.id)
    group = {"province_id": "kaltim", "period": str(YEAR), "as_of": AS_OF.isoformat(),
             "official_method": "ikm_mean_of_units", "ikm": 80.0, "ikm_mean_of_units": 80.0,
             "mutu_mean_of_units": "B", "kinerja_mean_of_units": "Baik", "ikm_pooled_respondents": 79.5,
             "mutu_pooled_respondents": "B", "kinerja_pooled_respondents": "Baik", "unit_count": len(included),
             "respondent_count": 217 * len(included), "units_included": included, "units": units,
             "flagged_units": [{"unit_id": x, "reason": "inadequate_sample"} for x in flagged]}
    return reg, group


RECAP_HEADER = "No Peringkat Unit pelayanan Perangkat daerah Responden Sampel IKM Mutu Keterangan"  # first line


def test_province_recap_is_ranked_with_its_header_on_every_page_and_signed(monkeypatch):
    reg, group = big_province(monkeypatch)
    sig = {"name": "Dr. H. Andi Pratama, S.STP., M.Si.", "nip": "197501011995031002",
           "position": "Kepala Biro Organisasi", "place": "Samarinda"}
    data = pdf.province_recap_data(group, reg, "Pemerintah Provinsi Kalimantan Timur", GENERATED,
                                   "peringkat", signatory=sig)
    ranked = [r for r in data["rows"] if r["rank"]]
    assert [r["ikm"] for r in ranked] == sorted((r["ikm"] for r in ranked), reverse=True)
    assert len(ranked) == len(group["units_included"]) and all(not r["included"] for r in data["rows"][len(ranked):])
    pages = pages_of(pdf.render_province_recap(data))
    assert pages[0].startswith("PEMERINTAH PROVINSI KALIMANTAN TIMUR SEKRETARIAT DAERAH BIRO ORGANISASI")
    spanned = [p for p in pages if "UPTD Layanan Nomor" in p]
    assert len(spanned) >= 2 and all(RECAP_HEADER in p for p in spanned)
    top = ranked[0]
    assert f"1 1 {top['name']} {top['opd']} 217 217 {fmt.angka(top['ikm'])} {top['mutu']} dihitung" in pages[0], pages[0]
    for mutu, kinerja, low, high in rules.mutu_ranges():
        assert f"{fmt.angka(low)} – {fmt.angka(high)} {mutu} {kinerja}" in pages[0]
    assert "IKM rata-rata unit" in pages[0] and "IKM gabungan responden" in pages[0]  # both methods, glossary names
    last = pages[-1]
    assert "Samarinda, 15 Juli 2026 Kepala Biro Organisasi" in last
    assert "Dr. H. Andi Pratama, S.STP., M.Si. NIP 197501011995031002" in last


def test_province_recap_grouped_by_opd_and_unsigned_leaves_blank_lines(monkeypatch):
    reg, group = big_province(monkeypatch)
    data = pdf.province_recap_data(group, reg, "Pemerintah Provinsi Kalimantan Timur", GENERATED, "opd")
    assert [g["opd"] for g in data["groups"]] == sorted(g["opd"] for g in data["groups"])
    for g in data["groups"]:  # ranked inside each OPD
        ikms = [r["ikm"] for r in g["rows"] if r["rank"]]
        assert ikms == sorted(ikms, reverse=True) and {r["opd"] for r in g["rows"]} == {g["opd"]}
    text = " ".join(pages_of(pdf.render_province_recap(data)))
    assert "Badan Pendapatan Daerah — 25 unit, 20 dihitung" in text
    assert text.index("Badan Pendapatan Daerah — 25") < text.index("Dinas Kesehatan Hewan — 25")
    assert f"{official.BLANK} NIP {official.BLANK}" in text
    with pytest.raises(ValueError):
        pdf.province_recap_data(group, reg, "Pemerintah Provinsi Kalimantan Timur", GENERATED, "acak")


def test_logo_is_embedded_only_when_configured_and_usable(tmp_path, registry):
    assert official.logo_data_uri("") is None  # none shipped: no logo by default
    assert official.logo_data_uri(str(tmp_path / "missing.png")) is None
    bad = tmp_path / "logo.txt"
    bad.write_text("not an image")
    assert official.logo_data_uri(str(bad)) is None
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18"/></svg>')
    uri = official.logo_data_uri(str(svg))
    assert uri and uri.startswith("data:image/svg+xml;base64,")
    data = pdf.render_skm_report(lab_report(logo=uri))  # renders (the data: URI is the one thing read)
    assert pages_of(data)[0].startswith("PEMERINTAH PROVINSI KALIMANTAN TIMUR")
    with pytest.raises(ValueError):  # any other URL is refused: the renderer fetches nothing
        pdf._fetcher().fetch("http://127.0.0.1:9/logo.png")
    assert official.government_line("Kalimantan Timur") == "PEMERINTAH PROVINSI KALIMANTAN TIMUR"
    assert official.government_line("Provinsi Kalimantan Timur") == "PEMERINTAH PROVINSI KALIMANTAN TIMUR"


def test_a_result_from_the_units_summary_report_says_so_with_its_executor_and_dates(registry):
    own = lab_report(settings_doc=None)
    assert own["from_summary"] is None
    assert "Sumber hasil Kuesioner yang tercatat di Pantau" in " ".join(pages_of(pdf.render_skm_report(own)))
    sub = {"period": str(YEAR), "submission_id": "LHS-7", "respondents": 120, "recorded_at": AS_OF.isoformat(),
           "reported_ikm": 80.0, "reported_mutu": "B", "basis": "counts", "executor": "independent",
           "survey_start": f"{YEAR}-02-03", "survey_end": f"{YEAR}-03-28"}
    ikm = dict(unit_ikm(), source="summary", summary={"submissions": [sub], "respondents": 120, "basis": "counts"})
    data = lab_report(settings_doc=None, ikm=ikm)
    assert data["executor"] == "Lembaga independen"  # the settings have none: the report's
    text = " ".join(pages_of(pdf.render_skm_report(data)))
    assert "Laporan hasil SKM unit (LHS-7), dihitung ulang oleh Pantau dari jumlah jawaban 1–4 per unsur" in text
    assert f"3 Februari {YEAR} – 28 Maret {YEAR} (menurut laporan unit)" in text
    assert "dilaporkan kepada Biro Organisasi" in text
    with_settings = lab_report(settings_doc={"executor": "internal"}, ikm=ikm)
    assert with_settings["executor"] == "Tim internal unit"  # the unit's settings come first
