"""The citizen's pages in Chromium at 1366 px and 390 px (issue 14): plain Indonesian, the
"Indeks Kepuasan Masyarakat (IKM)" spelled out with its grade and meaning, no jargon, inadequate
samples listed but not graded, and complaint tracking by number (no personal data).
Screenshots go to test-artifacts/screenshots/ (publik-*)."""
from __future__ import annotations

import pytest
import requests
from dashboard_helpers import MAIN, open_page, shot

pytestmark = pytest.mark.e2e
JARGON = ("Krejcie", "NRR", "API", "×", "pooled", "Angka mengikuti")


@pytest.fixture(scope="module")
def complaint(platform):
    r = requests.post(platform.url("complaints", "/v1/complaints"), headers=platform.headers(platform.bureau), json={
        "unit_id": MAIN, "channel": "web", "classification": "pengaduan", "subject": "Antrean pendaftaran terlalu lama",
        "description": "Saya menunggu tiga jam.", "reporter": {"name": "Warga Uji", "phone": "081234567890"}})
    assert r.status_code == 201, r.text
    return r.json()["tracking_id"]


@pytest.mark.parametrize("width", [1366, 390])
def test_public_pages_speak_plainly_and_lead_to_complaint_tracking(platform, new_context, complaint, width):
    url, ctx, page, errors = open_page(platform, new_context, width)
    for path, name in (("/publik/skm?periode=2026", "provinsi"), (f"/publik/skm/{MAIN}?periode=2026", "unit")):
        page.goto(url + path)
        body = page.locator("main").inner_text()
        assert "Indeks Kepuasan Masyarakat (IKM)" in body and "skala 25 sampai 100" in body
        assert not [j for j in JARGON if j in body], [j for j in JARGON if j in body]
        assert page.locator("a", has_text="Lacak pengaduan").count() >= 1
        shot(page, f"publik-{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(url + "/publik/skm?periode=2026")
    for row in page.locator('table[data-table="ikm-unit"] tbody tr').all():  # not graded ⇔ no IKM shown
        if "belum dinilai" in row.inner_text():
            assert row.locator('td[data-col="ikm"]').inner_text().strip() == "–"

    page.click("a:has-text('Lacak pengaduan') >> nth=0")
    page.fill("input[name=nomor]", complaint)
    page.click("form button[type=submit]")
    assert complaint in page.locator("#status h2").inner_text()
    text = page.locator("main").inner_text()
    assert "Diterima" in text and "Antrean pendaftaran terlalu lama" in text
    assert "Warga Uji" not in text and "081234567890" not in text and "tiga jam" not in text
    shot(page, f"publik-lacak-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert errors == [], errors


def test_tracking_an_unknown_or_malformed_number(platform):
    base = f"http://127.0.0.1:{platform.profile.http_ports['aggregator']}/publik/pengaduan"
    assert requests.get(base, timeout=30).status_code == 200  # the empty form
    assert requests.get(base, params={"nomor": "TIDAK-ADA-0000"}, timeout=30).status_code == 404
    bad = requests.get(base, params={"nomor": "../../v1/audit"}, timeout=30)
    assert bad.status_code == 400 and "Nomor pelacakan" in bad.text


def test_a_mistyped_address_gives_a_page_to_a_person_and_problem_json_to_a_client(platform, new_context):
    url, ctx, page, errors = open_page(platform, new_context, 390)
    page.goto(url + "/publik")  # the short address a citizen types leads to the public results
    assert page.url.endswith("/publik/skm")
    answer = page.goto(url + "/dasbor/tidak-ada")
    assert answer.status == 404 and page.locator("h1").inner_text() == "Tidak ditemukan"
    assert page.locator("a", has_text="Kembali ke beranda").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for path, accept in (("/dasbor/tidak-ada", "application/json"), ("/v1/tidak-ada", "text/html")):
        r = requests.get(url + path, headers={"Accept": accept}, timeout=30)
        assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json", (path, r.headers)
    assert [e for e in errors if "404" not in e] == [], errors
