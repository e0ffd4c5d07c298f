"""Upload of digitised paper SKM questionnaires (CSV/XLSX) end to end: gunicorn survey service,
relay, Kafka, consumer and the aggregator's unit IKM."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import requests
from openpyxl import Workbook, load_workbook

pytestmark = pytest.mark.e2e

UNIT = "samsat-bontang"
PATH = "/v1/skm/paper-forms"
HEADER = ("response_id,submitted_at,persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,"
          "pengaduan,sarana,service_type,sex,age,education,occupation,suggestion")

# five paper questionnaires of November 2025 (a month no other test writes for this unit);
# `;` and Indonesian headers as Indonesian Excel saves them, dates only (→ 12:00 WITA)
CSV_NOV = (
    b"id_responden;tanggal_survei;persyaratan;prosedur;waktu;biaya;produk;kompetensi;perilaku;pengaduan;sarana;"
    b"jenis_layanan;jenis_kelamin;usia;pendidikan;pekerjaan;saran\r\n"
    b"kertas-nov-1;03/11/2025;4;4;4;4;4;4;4;4;4;pajak kendaraan bermotor tahunan;P;34;SMA;SWASTA;\r\n"
    b"kertas-nov-2;03/11/2025;3;3;3;3;3;3;3;3;3;pajak kendaraan bermotor tahunan;L;51;S1;PNS;Loket tambah\r\n"
    b"kertas-nov-3;04/11/2025;3;3;2;4;3;3;4;3;3;pengesahan STNK lima tahunan;P;29;SMP;WIRAUSAHA;\r\n"
    b"kertas-nov-4;05/11/2025;2;3;3;4;3;3;3;2;3;pajak kendaraan bermotor tahunan;L;45;SMA;LAINNYA;\r\n"
    b"kertas-nov-5;06/11/2025;4;3;3;4;4;3;4;3;3;;;;;;\r\n"
)
# by hand: row sums 36 + 27 + 28 + 26 + 31 = 148; IKM = 25 × 148 / (5 × 9) = 82.222… → 82.22, mutu B
# NRR persyaratan (4+3+3+2+4)/5 = 3.2, waktu (4+3+2+3+3)/5 = 3.0, biaya (4+3+4+4+4)/5 = 3.8,
# pengaduan (4+3+3+2+3)/5 = 3.0


def upload(platform, token: str, data: bytes, name: str = "kuesioner.csv", unit: str = UNIT,
           ctype: str = "text/csv") -> requests.Response:
    return requests.post(platform.url("survey", PATH), data={"unit_id": unit},
                         files={"file": (name, data, ctype)}, headers=platform.headers(token), timeout=30)


def ikm(platform, period: str) -> dict:
    r = requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT}?period={period}"),
                     headers=platform.headers(platform.bureau), timeout=10)
    r.raise_for_status()
    return r.json()


def events_count() -> int:
    from pantau import mongo, store
    return store.document_count(mongo.db("survey")["events"])


def problem_of(resp: requests.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and "Traceback" not in resp.text
    return body


def test_csv_upload_reaches_the_unit_ikm(platform):
    token = platform.key(UNIT)
    r = upload(platform, token, CSV_NOV)
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": ["kertas-nov-1", "kertas-nov-2", "kertas-nov-3", "kertas-nov-4", "kertas-nov-5"],
                        "count": 5, "new": 5, "duplicates": 0}
    body = platform.wait_for(lambda: (b := ikm(platform, "2025-11")) and b["respondents"] == 5 and b,
                             what="five paper responses in the unit IKM")
    assert body["ikm"] == 82.22 and body["mutu"] == "B"
    assert body["elements"]["persyaratan"]["nrr"] == 3.2
    assert body["elements"]["waktu"]["nrr"] == 3.0
    assert body["elements"]["biaya"]["nrr"] == 3.8
    assert body["elements"]["pengaduan"]["nrr"] == 3.0
    assert body["profile"]["channel"] == {"paper": 5}
    assert body["profile"]["sex"] == {"P": 2, "L": 2, "tidak_diisi": 1}
    assert body["profile"]["education"] == {"SMA": 2, "D4-S1": 1, "SMP": 1, "tidak_diisi": 1}
    # the same file again is an idempotent repeat
    again = upload(platform, token, CSV_NOV)
    assert again.status_code == 202, again.text
    assert again.json()["new"] == 0 and again.json()["duplicates"] == 5
    assert again.headers.get("Idempotent-Replay") == "true"
    # a stored id with changed content: 409, pointing at the spreadsheet row
    changed = CSV_NOV.replace(b"kertas-nov-3;04/11/2025;3;3;2", b"kertas-nov-3;04/11/2025;1;1;1")
    body409 = problem_of(upload(platform, token, changed), 409)
    assert [(e["pointer"], e["row"], e["column"]) for e in body409["errors"]] == [
        ("/rows/4/response_id", 4, "response_id")]


def test_xlsx_upload(platform):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    # numbers as spreadsheet floats, a real date-time cell and a real date cell
    ws.append(["kertas-des-1", datetime(2025, 12, 2, 9, 15), 4.0, 4.0, 3.0, 4.0, 4.0, 4.0, 4.0, 3.0, 4.0,
               "pajak kendaraan bermotor tahunan", "L", 38.0, "D4-S1", "PNS", None])
    ws.append(["kertas-des-2", date(2025, 12, 3), 3, 2, 2, 4, 3, 3, 3, 2, 3, None, "P", None, None, None,
               "Ruang tunggu panas"])
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(platform, platform.key(UNIT), buf.getvalue(), "kuesioner.xlsx",
               ctype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == ["kertas-des-1", "kertas-des-2"] and r.json()["new"] == 2
    # by hand: sums 34 + 25 = 59; IKM = 25 × 59 / 18 = 81.944… → 81.94, mutu B
    body = platform.wait_for(lambda: (b := ikm(platform, "2025-12")) and b["respondents"] == 2 and b,
                             what="two XLSX responses in the unit IKM")
    assert body["ikm"] == 81.94 and body["mutu"] == "B"
    assert body["elements"]["prosedur"]["nrr"] == 3.0  # (4 + 2) / 2
    assert body["profile"]["channel"] == {"paper": 2}


def test_one_bad_row_rejects_the_file_and_stores_nothing(platform):
    token = platform.key(UNIT)
    before = events_count()
    bad = (HEADER + "\n"
           "kertas-bad-1,2025-10-01,3,3,3,3,3,3,3,3,3,,,,,,\n"
           "kertas-bad-2,2025-10-01,3,3,5,3,3,3,3,3,3,,,,,,\n"
           "kertas-bad-3,2025-10-01,3,3,3,3,3,3,3,3,3,,,,,,\n").encode()
    body = problem_of(upload(platform, token, bad), 422)
    assert [(e["row"], e["column"], e["pointer"]) for e in body["errors"]] == [(3, "waktu", "/rows/3/waktu")]
    body = problem_of(upload(platform, token, bad.replace(b"prosedur", b"nama_petugas")), 422)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(1, "nama_petugas"), (1, "prosedur")]
    assert events_count() == before


def test_wrong_content_and_wrong_key(platform):
    token = platform.key(UNIT)
    before = events_count()
    problem_of(upload(platform, token, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "kuesioner.pdf", ctype="application/pdf"), 415)
    problem_of(upload(platform, token, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.png", ctype="image/png"), 415)
    problem_of(requests.post(platform.url("survey", PATH), data=CSV_NOV,
                             headers={**platform.headers(token), "Content-Type": "text/csv"}, timeout=10), 415)
    other = problem_of(upload(platform, platform.key("samsat-samarinda"), CSV_NOV), 403)
    assert other["errors"][0]["pointer"] == "/unit_id"
    unknown = problem_of(upload(platform, platform.bureau, CSV_NOV, unit="unit-yang-tidak-ada"), 422)
    assert unknown["errors"][0]["pointer"] == "/unit_id"
    problem_of(requests.post(platform.url("survey", PATH), data={"unit_id": UNIT},
                             files={"file": ("k.csv", CSV_NOV, "text/csv")}, timeout=10), 401)
    assert events_count() == before


def test_template_downloads(platform):
    r = requests.get(platform.url("survey", f"{PATH}/template.csv"), timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert 'filename="template-kuesioner-skm.csv"' in r.headers["Content-Disposition"]
    assert r.content.decode("utf-8-sig").splitlines()[0] == HEADER
    r = requests.get(platform.url("survey", f"{PATH}/template.xlsx"), timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="template-kuesioner-skm.xlsx"' in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Kuesioner", "Petunjuk"]
    spec = requests.get(platform.url("survey", "/openapi.json"), timeout=10).json()
    post = spec["paths"][PATH]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert f"{PATH}/template.xlsx" in spec["paths"]
