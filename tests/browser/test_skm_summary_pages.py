"""The bureau's list of SKM summary reports to check ("laporan yang perlu diperiksa") and a unit
card's section on its own reports, with the report file (PDF) the unit attached and its download
link, in Chromium at 1366 px and 390 px (issue 18). Screenshots go to test-artifacts/screenshots/
(laporan-skm-*)."""
from __future__ import annotations

import pytest
import requests
from dashboard_helpers import login, open_page, shot

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
UNIT = "lpse-kaltim"
# NRR 3.3, biaya 327/99 (exact IKM 82.51, B); the report used 0,111 weights (82.42), says A, and biaya has 99 answers
COUNTS = {k: {"1": 0, "2": 10, "3": 50, "4": 40} for k in ELEMENTS}
COUNTS["biaya"] = {"1": 0, "2": 10, "3": 49, "4": 40}
REPORT_NAME = "laporan-hasil-skm-lpse-2026-q2.pdf"


@pytest.fixture(scope="module")
def flagged_summary(platform):
    r = requests.post(platform.url("survey", "/v1/skm/summaries"), json={
        "unit_id": UNIT, "period": "2026-Q2", "submission_id": "lhs-browser", "respondents": 100, "counts": COUNTS,
        "reported_ikm": 82.42, "reported_mutu": "A", "executor": "internal"},
        headers=platform.headers(platform.key(UNIT)))
    assert r.status_code in (200, 201), r.text
    import weasyprint
    pdf = weasyprint.HTML(string="<h1>Laporan Hasil SKM LPSE 2026 Triwulan II</h1>").write_pdf()
    r = requests.put(platform.url("survey", f"/v1/skm/summaries/{UNIT}/2026-Q2/lhs-browser/report"),
                     files={"file": (REPORT_NAME, pdf, "application/pdf")}, headers=platform.headers(platform.key(UNIT)))
    assert r.status_code in (200, 201), r.text
    platform.wait_for(lambda: any(u["unit_id"] == UNIT and u["report"] for u in requests.get(
        platform.url("aggregator", "/v1/skm/summaries/flagged?period=2026"),
        headers=platform.headers(platform.bureau)).json()["units"]), what="the flagged summary with its file")
    return pdf


@pytest.mark.parametrize("width", [1366, 390])
def test_the_flagged_list_and_the_unit_card_at_laptop_and_phone_width(platform, new_context, flagged_summary, width):
    url, ctx, page, errors = open_page(platform, new_context, width)
    login(page, url, platform.bureau)
    page.goto(url + "/dasbor/skm/laporan-diperiksa?periode=2026")
    assert page.locator("h1").inner_text() == "Laporan hasil SKM yang perlu diperiksa"
    row = page.locator(f'table[data-table="laporan-diperiksa"] tr[data-row="{UNIT}/2026-Q2"]')
    assert row.count() == 1
    text = row.inner_text()
    for finding in ("bobot 0,111", "mutu tidak sesuai IKM", "jumlah jawaban ≠ responden", "82,42", "82,51"):
        assert finding in text, (finding, text)
    assert page.locator('[data-figure="flagged"]').count() == 1
    file_row = page.locator(f'table[data-table="berkas-laporan"] tr[data-row="{UNIT}/2026-Q2"]')
    link = file_row.locator(f'a[href="/dasbor/skm/laporan/{UNIT}/2026-Q2/lhs-browser/berkas.pdf"]')
    assert link.count() == 1 and link.inner_text() == REPORT_NAME
    assert " KB" in file_row.inner_text() and len(file_row.locator("td[data-col=report_sha256]").inner_text()) == 64
    got = ctx.request.get(url + link.get_attribute("href"))
    assert got.status == 200 and got.body() == flagged_summary
    shot(page, f"laporan-skm-diperiksa-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    csv = ctx.request.get(url + "/dasbor/skm/laporan-diperiksa?periode=2026&format=csv&table=laporan-diperiksa")
    assert csv.status == 200 and csv.text().lstrip("\ufeff").splitlines()[0].startswith("Unit;Periode;Temuan;Penjelasan")
    # the unit's own card shows the report and its findings
    page.goto(url + f"/dasbor/unit/{UNIT}?tahun=2026")
    section = page.locator("#laporan-skm")
    assert section.count() == 1 and "bobot 0,111" in section.inner_text() and REPORT_NAME in section.inner_text()
    assert "Laporan unit" in page.locator('.tile:has([data-figure="skm.latest.source"])').inner_text()
    shot(page, f"laporan-skm-unit-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # the unit's SKM page: the IKM is the report's (no responses), its source and the interval it allows
    page.goto(url + f"/dasbor/unit/{UNIT}/skm?periode=2026-Q2")
    tile = lambda key: page.locator(f'.tile:has([data-figure="{key}"])').inner_text()  # noqa: E731
    source = tile("source")
    assert "Laporan unit" in source and "lhs-browser" in source and "jumlah jawaban" in source, source
    assert page.locator('[data-figure="ikm"]').inner_text() == "82,51"
    assert "batas aman" in tile("ci95")
    # a report without profile counts: the profile section says so instead of an empty table
    assert "tidak memuat profil responden" in page.locator("#profil").inner_text()
    shot(page, f"laporan-skm-sumber-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == [], errors
