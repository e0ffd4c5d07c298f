"""Exports from the running dashboard checked against the JSON API: the compliance matrix as XLSX
and CSV, the unit's "Laporan Hasil SKM" PDF and the province recapitulation PDF."""

from __future__ import annotations

import csv
import io
import subprocess
import time

import openpyxl
import pytest
import requests
from dashboard_helpers import MAIN, Y, end_of_today, login, today_local
from pypdf import PdfReader

from pantau.rules.ikm import ELEMENT_LABELS, ELEMENTS
from services.aggregator.exports import fmt
from services.aggregator.exports.tables import STATE_LABELS

pytestmark = pytest.mark.e2e


def api(platform, path: str, **params) -> dict:
    r = requests.get(
        platform.url("aggregator", path), params=params, headers=platform.headers(platform.bureau), timeout=60
    )
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture()
def bureau_page(platform, demo, new_context):
    page = new_context().new_page()
    login(page, platform.url("aggregator", ""), demo["bureau"])
    return page


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_compliance_xlsx_and_csv_equal_the_api(platform, bureau_page):
    per = today_local().isoformat()
    url = platform.url("aggregator", f"/dasbor/kepatuhan?tahun={Y}&per={per}")

    def matches():
        m = api(platform, "/v1/compliance", year=Y, as_of=end_of_today())
        x = bureau_page.request.get(url + "&format=xlsx")
        assert x.status == 200 and "spreadsheetml" in x.headers["content-type"]
        wb = openpyxl.load_workbook(io.BytesIO(x.body()))
        ws = wb["matriks"]
        header = [c.value for c in ws[1]]
        assert header[:2] == ["Unit", "Perangkat daerah"] and ws.auto_filter.ref.startswith("A1:")
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        mine = next(u for u in m["units"] if u["unit_id"] == MAIN)
        got = list(next(r for r in rows if r[0] == mine["name"])[2:])
        want = [STATE_LABELS[mine["cells"][o["key"]]["state"]] for o in m["obligations"]]
        totals = {r[0]: r[1:4] for r in wb["ringkasan"].iter_rows(min_row=2, values_only=True)}
        want_totals = {
            o["label"]: (
                m["totals"][o["key"]]["met"],
                m["totals"][o["key"]]["not_met"],
                m["totals"][o["key"]]["no_data"],
            )
            for o in m["obligations"]
        }
        assert wb["ringkasan"]["B2"].number_format == "#,##0"
        c = bureau_page.request.get(url + "&format=csv&table=matriks")
        lines = list(csv.reader(io.StringIO(c.body().decode("utf-8-sig")), delimiter=";"))
        csv_row = next(r for r in lines[1:] if r[0] == mine["name"])
        return (len(rows) == m["unit_count"] and got == want and totals == want_totals and csv_row[2:] == want) or None

    platform.wait_for(matches, timeout=60, what="compliance XLSX/CSV equal to /v1/compliance")


def test_skm_report_pdf_carries_the_ikm_api_figures(platform, bureau_page):
    ikm = api(platform, f"/v1/ikm/units/{MAIN}", period=str(Y))
    r = bureau_page.request.get(platform.url("aggregator", f"/dasbor/unit/{MAIN}/laporan-skm.pdf?periode={Y}"))
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    text = pdf_text(r.body())
    for heading in (
        "BAB I Pendahuluan",
        "BAB II Pengumpulan Data",
        "BAB III Hasil",
        "BAB IV Analisis",
        "BAB V Kesimpulan",
    ):
        assert heading in text
    assert f"IKM unit pelayanan: {fmt.angka(ikm['ikm'])}" in text
    assert f"Jumlah responden {fmt.bulat(ikm['respondents'])}" in text
    assert f"Sampel minimal (Krejcie & Morgan) {fmt.bulat(ikm['sample']['required'])}" in text
    assert f"Mutu pelayanan: {ikm['mutu']} — kinerja unit pelayanan: {ikm['kinerja']}" in text
    for i, k in enumerate(ELEMENTS, 1):
        assert f"U{i} {ELEMENT_LABELS[k]} {fmt.angka(ikm['elements'][k]['nrr'], 3)}" in text, k
    assert "Tambah petugas loket pada jam sibuk" in text and "Lembaga independen" in text


def pdftotext_pages(data: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True)
    return [" ".join(p.split()) for p in out.stdout.decode("utf-8").split("\f") if p.strip()]


def test_skm_report_pdf_is_signed_by_the_settings_signatory(platform, bureau_page):
    """The unit sets its signatory in the survey settings; the PDF's kop names the province, OPD
    and unit, and its signature block the name and NIP; no API path is printed."""
    from pantau.units import Registry

    sig = {"name": "Ir. Rahmat Hidayat, M.T.", "nip": "198001012006041001", "position": "Kepala Unit Uji",
           "place": "Samarinda"}
    r = requests.put(platform.url("survey", f"/v1/skm/settings/{MAIN}/{Y}"),
                     json={"population": 40, "period_type": "quarter", "executor": "independent", "signatory": sig},
                     headers=platform.headers(platform.key(MAIN)), timeout=30)
    assert r.status_code == 200, r.text
    reg = Registry.instance()
    unit, opd = reg.get(MAIN), reg.get(reg.opd_of(MAIN))

    def signed():
        res = bureau_page.request.get(platform.url("aggregator", f"/dasbor/unit/{MAIN}/laporan-skm.pdf?periode={Y}"))
        assert res.status == 200
        pages = pdftotext_pages(res.body())
        return pages if f"{sig['name']} NIP {sig['nip']}" in pages[-1] else None

    pages = platform.wait_for(signed, timeout=60, what="the signatory in the SKM report")
    assert pages[0].startswith(f"PEMERINTAH PROVINSI KALIMANTAN TIMUR {opd.name.upper()} {unit.name.upper()}")
    assert "Samarinda, " in pages[-1] and "Kepala Unit Uji" in pages[-1]
    assert "Sangat Baik" in pages[0] and "88,31 – 100,00" in pages[0]
    assert all("/v1/" not in p for p in pages)


def test_pdf_refuses_a_malformed_periode(platform, bureau_page):
    for path in (f"/dasbor/unit/{MAIN}/laporan-skm.pdf?periode=abc", "/dasbor/rekap-skm.pdf?periode=2026&urut=x"):
        r = bureau_page.request.get(platform.url("aggregator", path), headers={"Accept": "application/pdf"})
        assert r.status == 400 and r.headers["content-type"].startswith("application/problem+json")
        assert "tidak" in r.json()["detail"]


def test_province_recap_pdf_ranked_and_grouped_by_opd(platform, bureau_page):
    from pantau.units import Registry

    reg = Registry.instance()
    prov = api(platform, "/v1/ikm/province", period=str(Y))
    ranked = bureau_page.request.get(platform.url("aggregator", f"/dasbor/rekap-skm.pdf?periode={Y}&urut=peringkat"))
    grouped = bureau_page.request.get(platform.url("aggregator", f"/dasbor/rekap-skm.pdf?periode={Y}&urut=opd"))
    assert ranked.status == grouped.status == 200
    rp, gp = pdftotext_pages(ranked.body()), pdftotext_pages(grouped.body())
    assert rp[0].startswith("PEMERINTAH PROVINSI KALIMANTAN TIMUR SEKRETARIAT DAERAH BIRO ORGANISASI")
    header = "No Peringkat Unit pelayanan Perangkat daerah Responden Sampel IKM Mutu Keterangan"
    for pages in (rp, gp):
        assert len(pages) >= 2 and all(header in p for p in pages if "dihitung" in p or "belum ada responden" in p)
        assert "Kepala Biro Organisasi" in pages[-1] and "NIP" in pages[-1]
    opds = {reg.opd_of(u["unit_id"]) for u in prov["units"]}
    text = " ".join(gp)
    assert sum(f"{reg.get(o).name} — " in text for o in opds) == len(opds)  # one group row per OPD


def test_province_recap_pdf_has_both_methods_and_every_unit(platform, bureau_page):
    from pantau.units import Registry

    names = {u.id: u.name for u in Registry.instance().upps()}
    missing: list = []

    def matches():
        prov = api(platform, "/v1/ikm/province", period=str(Y))
        r = bureau_page.request.get(platform.url("aggregator", f"/dasbor/rekap-skm.pdf?periode={Y}"))
        assert r.status == 200 and r.headers["content-type"] == "application/pdf"
        text = pdf_text(r.body())
        mine = next(u for u in prov["units"] if u["unit_id"] == MAIN)
        wanted = [
            f"Rata-rata IKM unit {fmt.angka(prov['ikm_mean_of_units'])}",
            f"Gabungan seluruh responden (resmi) {fmt.angka(prov['ikm_pooled_respondents'])}",
            f"{mine['respondents']} {fmt.bulat(mine['sample']['required'])} {fmt.angka(mine['ikm'])} {mine['mutu']} "
            "dihitung",
            # every unit is listed (a long name may wrap inside its cell: its beginning is enough)
            *[names[u["unit_id"]][:18] for u in prov["units"]],
        ]
        missing[:] = [w for w in wanted if w not in text]
        return len(prov["units"]) == len(names) and not missing

    deadline = time.monotonic() + 60
    while not matches() and time.monotonic() < deadline:  # other tests' events may still be arriving
        time.sleep(1)
    assert missing == [], missing
