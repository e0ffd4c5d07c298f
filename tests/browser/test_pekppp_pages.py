"""The PEKPPP pages in Chromium at 1366 px and 390 px (issue 16): the province's units × aspects,
a unit's 30 indicators with their rubric and evidence, and the scoring form an evaluator fills in
as themselves (the dashboard forwards it to the survey service with the person's session, so the
score and its audit entry name the account). Screenshots go to test-artifacts/screenshots/
(pekppp-*)."""
from __future__ import annotations

import uuid

import pytest
import requests
from dashboard_helpers import login_account, open_page, shot

from pantau import accounts, audit

pytestmark = pytest.mark.e2e
PASSWORD = "Tepian-Mahakam-2026"
UNIT = "smkn-1-balikpapan"


@pytest.fixture(scope="module")
def evaluator(platform):
    return accounts.create(f"eval{uuid.uuid4().hex[:6]}", "Sri Wahyuni", "evaluator", PASSWORD)


def _row(page, table: str, n: int):
    return page.locator(f'table[data-table="{table}"] tr[data-row="{n}"]')


def test_an_evaluator_scores_from_the_form_and_sees_it_on_the_unit_page(platform, new_context, evaluator):
    url, ctx, page, errors = open_page(platform, new_context, 1366)
    login_account(page, url, evaluator.username, PASSWORD)

    page.goto(url + f"/dasbor/unit/{UNIT}/pekppp/nilai?tahun=2026")
    box = page.locator("#ind-12")
    assert "12.b.Ak" in box.inner_text() and "Tersedia 4 jenis mekanisme" in box.inner_text()  # rubric beside input
    shot(page, "pekppp-form-1366")
    # a measured indicator without a reason is refused on the form, and nothing is stored
    page.check('input[name="s7"][value="1"]')
    page.click("form.score-form button[type=submit]")
    assert "alasan" in page.locator(".error").inner_text()
    assert [e for e in errors if "422" not in e] == []  # the refusal is a 422 page, which Chromium logs
    errors.clear()
    page.check('input[name="s7"][value=""]')  # back to "tidak diubah"
    page.check('input[name="s12"][value="4"]')
    page.fill("#note", "Dokumen program konseling dan capacity building diperiksa.")
    page.click("form.score-form button[type=submit]")
    page.wait_for_url(f"**/dasbor/unit/{UNIT}/pekppp?tahun=2026&tersimpan=1")

    def shown():
        page.reload()
        row = _row(page, "aspek-sdm", 12)
        return row.count() and "Evaluator" in row.inner_text() and "4" in row.locator('td[data-col="score"]').inner_text()
    platform.wait_for(shown, what="the evaluator's score on the unit page")
    assert evaluator.username in _row(page, "aspek-sdm", 12).inner_text()
    assert "sementara" in page.locator("h1 + p.sub").inner_text().lower()
    shot(page, "pekppp-unit-1366")
    entry = platform.wait_for(lambda: next((e for e in audit.entries(action="pekppp.scores")
                                            if e["actor"] == f"user:{evaluator.username}"), None),
                              what="the audit entry of the person's score")
    assert entry["target"] == f"{UNIT}/2026"
    # the same evaluation as the JSON API gives
    api = requests.get(platform.url("aggregator", f"/v1/pekppp/units/{UNIT}?year=2026"),
                       headers=platform.headers(platform.bureau)).json()
    twelve = next(i for a in api["aspects"] for i in a["indicators"] if i["number"] == 12)
    assert (twelve["score"], twelve["source"], twelve["evaluator"]["actor"]) == (4, "evaluator",
                                                                                f"user:{evaluator.username}")
    assert api["aspects"][1]["score"] == 4.0  # sdm: only 12 scored, renormalised
    assert errors == [], errors


@pytest.mark.parametrize("width", [1366, 390])
def test_the_province_and_unit_pages_at_laptop_and_phone_width(platform, new_context, evaluator, width):
    url, ctx, page, errors = open_page(platform, new_context, width)
    login_account(page, url, evaluator.username, PASSWORD)
    page.goto(url + "/dasbor/pekppp?tahun=2026")
    assert page.locator("h1").inner_text() == "Evaluasi PEKPPP"
    heat = page.locator('table[data-table="unit-aspek"]')
    assert heat.count() == 1 and "Kebijakan pelayanan" in heat.locator("thead").inner_text()
    complete = requests.get(platform.url("aggregator", "/v1/pekppp/province?year=2026"),
                            headers=platform.headers(platform.bureau)).json()["units_complete"]
    if complete:  # the distribution chart, once some unit is completely evaluated; before, a note says so
        assert page.locator("canvas#chart-predikat").count() == 1
    else:
        assert page.locator("canvas#chart-predikat").count() == 0
        assert "Sebaran predikat tampil setelah ada unit" in page.locator("#ringkasan").inner_text()
    assert "Pelayanan Prima ≥ 4,51" in page.content()  # the bands, explained
    shot(page, f"pekppp-provinsi-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(url + f"/dasbor/unit/{UNIT}/pekppp?tahun=2026")
    assert page.locator('table[data-table="aspek-kebijakan"] tr[data-row="6"]').count() == 1
    assert page.locator("a", has_text="Isi atau ubah skor").count() == 1
    shot(page, f"pekppp-unit-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    csv = ctx.request.get(url + "/dasbor/pekppp?tahun=2026&format=csv&table=unit-aspek")
    assert csv.status == 200 and csv.text().lstrip("\ufeff").splitlines()[0].startswith("Unit;Perangkat daerah;IPP")
    assert errors == [], errors
