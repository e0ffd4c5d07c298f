"""The paper-form upload deadline, in-process against the real store: a parse that outlives
`PANTAU_UPLOAD_DEADLINE_S` answers 503 problem+json with Retry-After, and nothing is stored."""
from __future__ import annotations

import csv
import io
import time

import pytest

pytestmark = pytest.mark.infra

UNIT = "samsat-penajam"
PATH = "/v1/skm/paper-forms"
HEADER = ("response_id,submitted_at,persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,"
          "pengaduan,sarana,service_type,sex,age,education,occupation,suggestion").split(",")


def five_thousand_rows(last_answer: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for i in range(5000):
        w.writerow([f"batas-{i:05d}", "2026-03-10", 3, 4, 3, 2, 3, 3, 4, 3, last_answer if i == 4999 else 3,
                    "Pengesahan STNK", "L", 34, "SMA", "SWASTA", f"Saran nomor {i}"])
    return buf.getvalue().encode()


@pytest.fixture
def client(infra):
    from pantau import units
    from pantau.web import create_app
    from pantau_platform.infra.procs import ROOT
    from services.survey.paper_api import blp
    units.import_units(units.load_file(ROOT / "deploy" / "registry" / "kaltim.yaml"))
    return create_app("survey", [blp], title="t").test_client()


def test_a_parse_past_the_deadline_is_a_503_and_stores_nothing(client, monkeypatch):
    from pantau import auth, mongo, store
    headers = {"Authorization": f"Bearer {auth.issue('unit', UNIT, note='deadline test')}"}
    events = mongo.db("survey")["events"]
    before = store.document_count(events)

    def post(data: bytes):
        start = time.monotonic()
        r = client.post(PATH, data={"unit_id": UNIT, "file": (io.BytesIO(data), "kuesioner.csv", "text/csv")},
                        headers=headers, content_type="multipart/form-data")
        return r, time.monotonic() - start

    monkeypatch.setenv("PANTAU_UPLOAD_DEADLINE_S", "0.05")
    r, elapsed = post(five_thousand_rows(last_answer=3))
    print(f"\n5000-row CSV with a 0.05 s deadline: HTTP {r.status_code} after {elapsed:.2f} s")
    assert r.status_code == 503 and r.mimetype == "application/problem+json", r.get_data(as_text=True)[:300]
    assert 29 <= int(r.headers["Retry-After"]) <= 30  # 30 s, restated by flask-limiter from an absolute time
    assert r.get_json()["detail"].startswith("Berkas tidak selesai dibaca dalam 0.05 detik; tidak ada yang disimpan.")
    assert elapsed < 2.0  # the parse stopped at the deadline instead of running its 1-2 s
    assert store.document_count(events) == before

    # with room to finish, the same file is read to its last row (a bad answer there: 422, still nothing stored)
    monkeypatch.setenv("PANTAU_UPLOAD_DEADLINE_S", "120")
    r, elapsed = post(five_thousand_rows(last_answer=5))
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert [(e["row"], e["column"]) for e in r.get_json()["errors"]] == [(5001, "sarana")]
    assert store.document_count(events) == before
