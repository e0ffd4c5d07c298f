"""PDF "Laporan Hasil SKM" (domain.md §1.6 outline) and the province recapitulation, read back
with pypdf and checked against the report dicts they were made from."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from card_scenario import AS_OF, YEAR, install_registry, skm_docs
from pypdf import PdfReader

from pantau.rules import ikm as rules
from pantau.units import Registry
from services.aggregator import card_reports
from services.aggregator.exports import fmt, pdf


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
    res = rules.compute_ikm(b["sums"], b["respondents"], "exact") if b["respondents"] else None
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
                    "sums"
                ],
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
    assert "Rekapitulasi Indeks Kepuasan Masyarakat" in flat and "Tahun 2026" in flat
    assert f"Rata-rata IKM unit {fmt.angka(region['ikm_mean_of_units'])} B" in flat
    assert f"Gabungan seluruh responden (resmi) {fmt.angka(region['ikm_pooled_respondents'])} B" in flat
    assert "1 UPTD Laboratorium Kesehatan Dinas Kesehatan 22 19 86,87 B dihitung" in flat
    assert "2 Rumah Sakit Mata Dinas Kesehatan 3 384 100,00 A sampel di bawah Krejcie" in flat
    assert "3 UPTD Pelabuhan Perikanan Dinas Kelautan dan Perikanan 0" in flat and "belum ada responden" in flat


def _inp():
    d = skm_docs()
    return card_reports.cut_skm(d["months"], d["settings"], d["rtl"], d["pubs"], AS_OF, "Asia/Makassar")
