"""The PDF "Hasil Evaluasi PEKPPP" and the PEKPPP recap, read back with poppler's pdftotext page by
page and checked against the evaluation dicts they were made from (pekppp_reports)."""
from __future__ import annotations

import shutil
import subprocess
from datetime import date

from services.aggregator import pekppp_reports as rep
from services.aggregator.exports import official, pekppp_pdf

MEASURED = {"6": {"score": 5, "evidence": "SKM sesuai ketentuan, dipublikasikan dan ditindaklanjuti", "source": "SKM"},
            "7": {"score": 2, "evidence": "dipublikasikan di 2 media", "source": "SKM"}}
EVAL = {n: {"score": 4, "note": "Kunjungan lapangan" if n == 1 else None, "evidence": [], "actor": "user:sri",
            "at": "2026-10-05T02:00:00+00:00"} for n in range(1, 31) if n not in (6, 7)}
KOP = official.kop("Kalimantan Timur", ["Sekretariat Daerah", "Biro Organisasi"])
SIG = official.signature("Kepala Biro Organisasi", "Dr. Siti Rahmah", "197001011995032001", "Samarinda",
                         date(2026, 12, 3))


def pages_of(data: bytes) -> list[str]:
    exe = shutil.which("pdftotext")
    assert exe, "pdftotext is missing: run `make install` (poppler-utils)"
    text = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout.decode("utf-8")
    return [" ".join(p.split()) for p in text.split("\f") if p.strip()]


def evaluation(evaluator=EVAL, self_scores=None) -> dict:
    body = rep.evaluation_from(MEASURED, evaluator, self_scores or {})
    return {"unit_id": "lab", "name": "UPTD Laboratorium Kesehatan Daerah", "opd_id": "dinkes",
            "opd_name": "Dinas Kesehatan", "year": 2026, "as_of": "2026-12-03T02:00:00+00:00", **body}


def test_unit_report_has_kop_headline_every_indicator_and_the_signature():
    ev = evaluation()
    pages = pages_of(pekppp_pdf.render_unit(pekppp_pdf.unit_data(ev, KOP, SIG)))
    text = " ".join(pages)
    assert "PEMERINTAH PROVINSI KALIMANTAN TIMUR" in pages[0] and "BIRO ORGANISASI" in pages[0]
    assert "HASIL EVALUASI PEKPPP" in pages[0] and "UPTD Laboratorium Kesehatan Daerah" in pages[0]
    ipp = f"{ev['ipp']:.2f}".replace(".", ",")
    assert ipp in pages[0] and ev["predikat"] in pages[0] and ev["label"] in pages[0]
    assert "Hasil sementara" not in text  # all 30 scored
    for a in ev["aspects"]:
        for i in a["indicators"]:
            assert i["code"] in text, i["code"]
    assert "Diukur Pantau" in text and "dipublikasikan di 2 media" in text and "Kunjungan lapangan" in text
    assert "Dr. Siti Rahmah" in pages[-1] and "197001011995032001" in pages[-1] and "Kepala Biro Organisasi" in pages[-1]
    assert "/v1/" not in text


def test_indicator_table_header_repeats_on_every_page_it_spans():
    pages = pages_of(pekppp_pdf.render_unit(pekppp_pdf.unit_data(evaluation(), KOP, SIG)))
    spanned = [p for p in pages if any(code in p for code in ("1.a.Ak", "15.c.K", "30.f.B"))]
    assert len(spanned) >= 2, "the indicator table spans pages (else this test shows nothing)"
    assert all("Rubrik skor ini" in p for p in spanned)


def test_a_provisional_evaluation_says_which_indicators_are_missing():
    partial = {n: v for n, v in EVAL.items() if n not in (29, 30)}
    ev = evaluation(partial)
    text = " ".join(pages_of(pekppp_pdf.render_unit(pekppp_pdf.unit_data(ev, KOP, SIG))))
    assert "Hasil sementara" in text and "29, 30" in text
    assert f"{ev['ipp_min']:.2f}".replace(".", ",") in text and f"{ev['ipp_max']:.2f}".replace(".", ",") in text


def test_unsigned_report_prints_blank_lines():
    blank = official.signature("Kepala Biro Organisasi", None, None, None, date(2026, 12, 3))
    last = pages_of(pekppp_pdf.render_unit(pekppp_pdf.unit_data(evaluation(), KOP, blank)))[-1]
    assert official.BLANK in last


def test_recap_ranks_complete_evaluations_and_repeats_its_header():
    ev = evaluation()
    rows = []
    for n in range(60):  # enough units to span pages
        rows.append({"unit_id": f"u{n}", "name": f"Unit {n:02d}", "opd_id": "dinkes", "opd_name": "Dinas Kesehatan",
                     **{k: ev[k] for k in ("ipp", "predikat", "label", "provisional", "ipp_min", "ipp_max", "missing",
                                          "completeness")},
                     "aspects": [{k: a[k] for k in ("key", "name", "weight_pct", "score", "scored", "total")}
                                 for a in ev["aspects"]], "self_ipp": None})
    body = {"province_id": "kaltim", "opd_id": None, "opd_name": None, "year": 2026, "as_of": ev["as_of"],
            "instrument": {"version": "F-02 2024"},
            "aspects": [{"key": a["key"], "name": a["name"], "weight_pct": a["weight_pct"]} for a in ev["aspects"]],
            **rep.province_from(rows), "units": rows}
    pages = pages_of(pekppp_pdf.render_province(pekppp_pdf.province_data(body, KOP, SIG)))
    assert "REKAPITULASI EVALUASI PEKPPP" in pages[0]
    listed = [p for p in pages if "Unit 0" in p or "Unit 5" in p]
    assert len(listed) >= 2 and all("Peringkat" in p for p in listed)
    assert "Dr. Siti Rahmah" in pages[-1]
