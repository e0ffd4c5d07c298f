"""The report file of an SKM summary submission end to end (issue 18): a unit posts its Laporan
Hasil SKM, the aggregator says its file is missing (an informational note, not a flag), the unit
attaches the PDF (checked by content), the aggregator shows its name, size and SHA-256, and the
file downloads back byte-identical from the survey service and through the dashboard. What is not
a PDF, is empty, too large, or for an unknown submission is refused with problem+json and stores
nothing; a second, different file for the same submission is a 409."""
from __future__ import annotations

import hashlib
import re

import pytest
import requests

from pantau import mongo

pytestmark = pytest.mark.e2e
UNIT, OTHER = "layanan-penghubung-jakarta", "perpustakaan-kaltim"
PERIOD, SID = "2026-Q2", "lhs-berkas-1"
NRR = {"persyaratan": 3.2, "prosedur": 3.1, "waktu": 2.9, "biaya": 3.8, "produk": 3.3, "kompetensi": 3.4,
       "perilaku": 3.5, "pengaduan": 3.0, "sarana": 3.15}  # exact IKM 81.53; 65.22 is the × 20 mistake


def real_pdf(title: str) -> bytes:
    import weasyprint
    return weasyprint.HTML(string=f"<h1>{title}</h1><p>IKM 65,22 (C). Responden 120.</p>").write_pdf()


def _upload(platform, token: str, data: bytes, name: str = "laporan-hasil-skm.pdf", ctype: str = "application/pdf",
            sid: str = SID, unit: str = UNIT):
    return requests.put(platform.url("survey", f"/v1/skm/summaries/{unit}/{PERIOD}/{sid}/report"),
                        files={"file": (name, data, ctype)}, headers=platform.headers(token), timeout=60)


def _problem(r, status: int) -> dict:
    assert r.status_code == status, (r.status_code, r.text[:400])
    assert r.headers["Content-Type"].startswith("application/problem+json"), r.headers["Content-Type"]
    return r.json()


def _stored() -> tuple[int, int]:
    db = mongo.db("survey")
    return (db["events"].count_documents({"_id": {"$regex": f"^skm-summary:{UNIT}:{PERIOD}:{SID}:"}}),
            db["documents"].count_documents({}))


def _current(platform, token: str) -> dict:
    rep = requests.get(platform.url("aggregator", f"/v1/skm/summaries/units/{UNIT}?period={PERIOD}"),
                       headers=platform.headers(token), timeout=30).json()
    return rep["periods"][0]["current"] if rep["periods"] else {}


def test_a_summary_gets_its_report_file_checked_by_content(platform):
    unit_key, bureau = platform.key(UNIT), platform.bureau
    summary = {"unit_id": UNIT, "period": PERIOD, "submission_id": SID, "respondents": 120, "nrr": NRR,
               "reported_ikm": 65.22, "reported_mutu": "C"}
    post = lambda: requests.post(platform.url("survey", "/v1/skm/summaries"), json=summary,  # noqa: E731
                                 headers=platform.headers(unit_key), timeout=30)
    assert post().status_code == 201
    cur = platform.wait_for(lambda: _current(platform, unit_key), what="the summary in the aggregator")
    assert cur["report"] is None and cur["check"]["notes"][0]["code"] == "report_missing"
    assert cur["check"]["flagged"] is True and "report_missing" not in [f["code"] for f in cur["check"]["flags"]]

    # ---- refused, nothing stored
    before = _stored()
    assert before[0] == 1
    for data, name, ctype in ((b"<!DOCTYPE html><html><body>Laporan</body></html>", "laporan.pdf", "application/pdf"),
                              (b"PK\x03\x04" + b"\x00" * 200, "laporan.pdf", "application/pdf"),
                              (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "laporan.png", "image/png")):
        assert "PDF" in _problem(_upload(platform, unit_key, data, name, ctype), 415)["detail"]
    fake = _problem(_upload(platform, unit_key, b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\n%%EOF\n"), 422)
    assert fake["errors"][0]["pointer"] == "/file" and "rusak" in fake["detail"]
    _problem(_upload(platform, unit_key, b""), 422)
    _problem(_upload(platform, unit_key, b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)), 413)
    raw = requests.put(platform.url("survey", f"/v1/skm/summaries/{UNIT}/{PERIOD}/{SID}/report"),
                       data=real_pdf("mentah"), headers={**platform.headers(unit_key), "Content-Type": "application/pdf"})
    assert "multipart" in _problem(raw, 415)["detail"]
    pdf = real_pdf("Laporan Hasil SKM UPTD Tahura Bukit Soeharto")
    _problem(_upload(platform, unit_key, pdf, sid="lhs-tidak-ada"), 404)
    _problem(_upload(platform, platform.key(OTHER), pdf), 403)  # another unit's key
    _problem(requests.get(platform.url("survey", f"/v1/skm/summaries/{UNIT}/{PERIOD}/{SID}/report"),
                          headers=platform.headers(bureau)), 404)  # nothing attached yet
    assert _stored() == before

    # ---- attached; the same bytes again are a replay, other bytes a conflict
    r = _upload(platform, unit_key, pdf)
    assert r.status_code == 201, r.text
    sha = hashlib.sha256(pdf).hexdigest()
    body = r.json()
    assert (body["sha256"], body["size"], body["pages"], body["filename"]) == (sha, len(pdf), 1, "laporan-hasil-skm.pdf")
    again = _upload(platform, bureau, pdf, name="nama-lain.pdf")
    assert again.status_code == 200 and again.headers.get("Idempotent-Replay") == "true"
    assert again.json()["filename"] == "laporan-hasil-skm.pdf"
    conflict = _problem(_upload(platform, unit_key, real_pdf("Laporan yang lain")), 409)
    assert conflict["sha256"] == sha
    assert post().headers.get("Idempotent-Replay") == "true"  # the submission itself is still a replay
    assert _stored()[0] == 2

    # ---- the aggregator shows it; it downloads back byte-identical
    cur = platform.wait_for(lambda: (c := _current(platform, bureau)).get("report") and c, what="the report file")
    rep = cur["report"]
    assert (rep["filename"], rep["size"], rep["sha256"], rep["pages"]) == ("laporan-hasil-skm.pdf", len(pdf), sha, 1)
    assert rep["download"] == f"/v1/skm/summaries/{UNIT}/{PERIOD}/{SID}/report" and cur["check"]["notes"] == []
    for token in (bureau, unit_key):
        got = requests.get(platform.url("survey", rep["download"]), headers=platform.headers(token), timeout=30)
        assert got.status_code == 200 and got.headers["Content-Type"] == "application/pdf"
        assert got.content == pdf and got.headers["X-Content-SHA256"] == sha
    _problem(requests.get(platform.url("survey", rep["download"]), headers=platform.headers(platform.key(OTHER))), 403)
    flagged = requests.get(platform.url("aggregator", f"/v1/skm/summaries/flagged?period={PERIOD}"),
                           headers=platform.headers(bureau)).json()
    row = next(u for u in flagged["units"] if u["unit_id"] == UNIT)
    assert row["report"]["sha256"] == sha and row["notes"] == []

    # ---- the dashboard: the file on the bureau's list and on the unit card, downloadable
    web = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', web.get(platform.url("aggregator", "/masuk")).text)
    assert web.post(platform.url("aggregator", "/masuk"), data={"csrf_token": token.group(1), "api_key": bureau}).ok
    link = f"/dasbor/skm/laporan/{UNIT}/{PERIOD}/{SID}/berkas.pdf"
    listing = web.get(platform.url("aggregator", "/dasbor/skm/laporan-diperiksa"), params={"periode": PERIOD}).text
    card = web.get(platform.url("aggregator", f"/dasbor/unit/{UNIT}"), params={"tahun": "2026"}).text
    for html in (listing, card):
        assert link in html and "laporan-hasil-skm.pdf" in html and sha in html
    got = web.get(platform.url("aggregator", link))
    assert got.status_code == 200 and got.content == pdf and got.headers["X-Content-SHA256"] == sha


def test_a_summary_without_its_file_says_so_on_the_dashboard(platform):
    unit_key = platform.key(OTHER)
    r = requests.post(platform.url("survey", "/v1/skm/summaries"), headers=platform.headers(unit_key), json={
        "unit_id": OTHER, "period": PERIOD, "submission_id": "lhs-tanpa-berkas", "respondents": 120, "nrr": NRR,
        "reported_ikm": 81.53, "reported_mutu": "B"})
    assert r.status_code == 201, r.text
    url = platform.url("aggregator", f"/v1/skm/summaries/units/{OTHER}?period={PERIOD}")
    rep = platform.wait_for(lambda: (x := requests.get(url, headers=platform.headers(unit_key)).json())["periods"]
                            and x, what="the summary without its file")
    cur = rep["periods"][0]["current"]
    assert cur["report"] is None and rep["flagged"] is False  # a missing file is a note, not a flag
    assert [n["code"] for n in cur["check"]["notes"]] == ["report_missing"]
    web = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', web.get(platform.url("aggregator", "/masuk")).text)
    assert web.post(platform.url("aggregator", "/masuk"), data={"csrf_token": token.group(1), "api_key": unit_key}).ok
    html = web.get(platform.url("aggregator", f"/dasbor/unit/{OTHER}"), params={"tahun": "2026"}).text
    assert "berkas laporan belum diunggah" in html
    assert web.get(platform.url("aggregator", f"/dasbor/skm/laporan/{OTHER}/{PERIOD}/lhs-tanpa-berkas/berkas.pdf"),
                   allow_redirects=False).status_code == 404
