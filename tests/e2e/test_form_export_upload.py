"""Exports of form services (Google Forms / Microsoft Forms style) through the paper intake, end to
end: the preview shows the mapping and stores nothing, the import goes through the same intake as
paper forms (idempotent), and the unit's IKM equals that of the same answers posted as JSON to
another unit. Bad files are problem+json and store nothing."""
from __future__ import annotations

import io
from datetime import datetime

import pytest
import requests
from openpyxl import Workbook

from pantau.rules.ikm import ELEMENTS
from services.survey.paper_layout import ANSWER_LABELS, QUESTIONS

pytestmark = pytest.mark.e2e

FORM_UNIT, JSON_UNIT = "tic-kaltim", "layanan-tata-ruang"  # reserved in tests/conftest.py
PATH = "/v1/skm/paper-forms"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORDER = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana", "pengaduan")
QUESTION_HEADERS = [f"{n}. {QUESTIONS[el]}" for n, el in enumerate(ORDER, start=1)]

# (local time of submission, answers in ORDER, sex label, education label)
MAY = [
    ("2025-05-05 08:31:07", (4, 4, 3, 4, 4, 3, 4, 3, 4), "Perempuan", "SMA/Sederajat"),
    ("2025-05-05 09:02:44", (3, 3, 3, 4, 3, 3, 3, 3, 2), "Laki-laki", "S1"),
    ("2025-05-06 10:15:00", (2, 3, 2, 4, 3, 2, 3, 2, 1), "Laki-laki", "Diploma"),
    ("2025-05-07 13:40:21", (4, 3, 4, 3, 4, 4, 4, 4, 3), "Perempuan", ""),
    ("2025-05-08 15:05:59", (3, 2, 3, 2, 3, 3, 4, 3, 3), "Perempuan", "SMP"),
    ("2025-05-09 11:11:11", (1, 2, 2, 4, 2, 3, 3, 2, 2), "Laki-laki", "Pesantren"),
]
JUNE = [
    ("2025-06-02 08:00:00", (4, 4, 4, 4, 4, 4, 4, 4, 4), "Perempuan", "S2"),
    ("2025-06-03 09:30:00", (3, 4, 3, 4, 3, 3, 3, 3, 3), "Laki-laki", "SMA"),
    ("2025-06-03 10:45:00", (2, 2, 3, 1, 3, 3, 2, 3, 2), "Perempuan", "S1"),
    ("2025-06-04 14:20:00", (3, 3, 3, 3, 4, 4, 4, 3, 4), "Laki-laki", "SMA/SMK"),
]
SEX = {"Perempuan": "P", "Laki-laki": "L"}
EDUCATION = {"SMA/Sederajat": "SMA", "S1": "D4-S1", "Diploma": "D1-D3", "SMP": "SMP", "S2": "S2", "SMA": "SMA",
             "SMA/SMK": "SMA"}


def label(el: str, score: int) -> str:
    return ANSWER_LABELS[el][score - 1]


def google_csv(rows) -> bytes:
    """Google Forms' CSV download: Timestamp as D/M/YYYY H.MM.SS (Indonesian locale), labels, extra columns."""
    def q(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v
    head = ["Timestamp", "Alamat email", *QUESTION_HEADERS, "Jenis Kelamin", "Pendidikan Terakhir", "Kota"]
    lines = [",".join(q(h) for h in head)]
    for ts, answers, sex, edu in rows:
        d = datetime.fromisoformat(ts)
        stamp = f"{d.day:02d}/{d.month:02d}/{d.year} {d.hour:02d}.{d.minute:02d}.{d.second:02d}"
        cells = [stamp, "warga@example.org", *(label(el, a).upper() if i % 2 else label(el, a)
                                                for i, (el, a) in enumerate(zip(ORDER, answers, strict=True))),
                 sex, edu, "Samarinda"]
        lines.append(",".join(q(c) for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def ms_forms_xlsx(rows) -> bytes:
    """Microsoft Forms' Excel export: ID, Start time, Completion time (date-time cells), Email, Name,
    one question reworded by the unit (mapped by a mapping file), labels behind option letters."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    questions = list(QUESTION_HEADERS)
    questions[2] = "Seberapa cepat petugas kami menyelesaikan layanan Anda?"
    ws.append(["ID", "Start time", "Completion time", "Email", "Name", *questions, "Jenis kelamin", "Pendidikan"])
    for n, (ts, answers, sex, edu) in enumerate(rows, start=1):
        done = datetime.fromisoformat(ts)
        ws.append([n, done.replace(minute=max(done.minute - 3, 0)), done, "anonymous", None,
                   *(f"{'abcd'[a - 1]}. {label(el, a)}" for el, a in zip(ORDER, answers, strict=True)), sex, edu or None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


MAPPING = b"""
version: 1
unit_id: tic-kaltim
columns:
  "Seberapa cepat petugas kami menyelesaikan layanan Anda?": waktu
"""


def post(platform, path: str, data: bytes, name: str, ctype: str, unit: str = FORM_UNIT, **extra) -> requests.Response:
    files = {"file": (name, data, ctype)}
    if "mapping" in extra:
        files["mapping"] = ("pemetaan.yaml", extra.pop("mapping"), "application/yaml")
    return requests.post(platform.url("survey", path), data={"unit_id": unit, **extra}, files=files,
                         headers=platform.headers(platform.key(unit)), timeout=60)


def ikm(platform, unit: str, period: str) -> dict:
    r = requests.get(platform.url("aggregator", f"/v1/ikm/units/{unit}?period={period}"),
                     headers=platform.headers(platform.bureau), timeout=10)
    r.raise_for_status()
    return r.json()


def events_count() -> int:
    from pantau import mongo
    return mongo.db("survey")["events"].count_documents({})


def problem_of(resp: requests.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text[:2000]
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and "Traceback" not in resp.text
    return body


def as_json(rows, prefix: str) -> list[dict]:
    out = []
    for n, (ts, answers, sex, edu) in enumerate(rows, start=1):
        respondent = {"sex": SEX[sex]}
        if edu in EDUCATION:
            respondent["education"] = EDUCATION[edu]
        out.append({"unit_id": JSON_UNIT, "response_id": f"{prefix}-{n}", "submitted_at": ts.replace(" ", "T") + "+08:00",
                    "answers": dict(zip(ORDER, answers, strict=True)), "channel": "web", "respondent": respondent})
    return out


def comparable(body: dict) -> dict:
    return {"respondents": body["respondents"], "ikm": body["ikm"], "mutu": body["mutu"],
            "nrr": {el: body["elements"][el]["nrr"] for el in ELEMENTS},
            "sex": body["profile"]["sex"], "channel": body["profile"]["channel"]}


def test_form_exports_preview_import_and_equal_the_json_ikm(platform):
    before = events_count()
    csv = google_csv(MAY)

    # ---- preview of the Google Forms CSV: the mapping, nothing stored
    r = post(platform, PATH + "/preview", csv, "Survei SKM (Responses).csv", "text/csv")
    assert r.status_code == 200, r.text[:2000]
    p = r.json()
    assert p["stored"] is False and p["layout"] == "form" and p["format"] == "csv" and p["rows"] == 6
    assert p["elements"] == {"persyaratan": "C", "prosedur": "D", "waktu": "E", "biaya": "F", "produk": "G",
                             "kompetensi": "H", "perilaku": "I", "sarana": "J", "pengaduan": "K"}
    assert p["timestamp_column"] == {"column": "A", "header": "Timestamp", "matched_by": "default"}
    assert p["unmatched_columns"] == [{"column": "N", "header": "Kota"}]
    assert p["ignored_columns"] == [{"column": "B", "header": "Alamat email", "reason": "mapping"}]
    assert {c["header"]: c["target"] for c in p["columns"]}["Pendidikan Terakhir"] == "education"
    assert p["labels"]["pengaduan"] == {"Dikelola dengan baik": 4, "Ada tetapi tidak berfungsi": 2,
                                        "Tidak ada": 1, "Berfungsi kurang maksimal": 3}
    assert p["unrecognised_values"] == {"education": {"Pesantren": 1}}
    assert [s["answers"] for s in p["sample"]] == [dict(zip(ORDER, row[1], strict=True)) for row in MAY[:5]]
    assert p["sample"][0]["submitted_at"] == "2025-05-05T08:31:07+08:00"
    assert events_count() == before

    # ---- import: the same intake as paper forms, idempotent
    r = post(platform, PATH, csv, "Survei SKM (Responses).csv", "text/csv")
    assert r.status_code == 202, r.text[:2000]
    a = r.json()
    assert a["count"] == 6 and a["new"] == 6 and a["duplicates"] == 0 and a["layout"] == "form"
    assert a["accepted"][:5] == [s["response_id"] for s in p["sample"]]
    assert a["unmatched_columns"] == [{"column": "N", "header": "Kota"}]
    again = post(platform, PATH, csv, "Survei SKM (Responses).csv", "text/csv")
    assert again.status_code == 202 and again.json()["new"] == 0 and again.json()["duplicates"] == 6
    assert again.headers.get("Idempotent-Replay") == "true"

    # ---- Microsoft Forms XLSX with a reworded question: refused without the mapping file, taken with it
    xlsx = ms_forms_xlsx(JUNE)
    body = problem_of(post(platform, PATH + "/preview", xlsx, "SKM.xlsx", XLSX_TYPE), 422)
    assert [(e["pointer"], e["row"]) for e in body["errors"]] == [("/rows/1/waktu", 1)]
    assert body["preview"]["unmatched_columns"] == [
        {"column": "H", "header": "Seberapa cepat petugas kami menyelesaikan layanan Anda?"}]
    r = post(platform, PATH + "/preview", xlsx, "SKM.xlsx", XLSX_TYPE, mapping=MAPPING)
    assert r.status_code == 200, r.text[:2000]
    p = r.json()
    assert p["format"] == "xlsx" and p["mapping"] == "default+file" and p["rows"] == 4
    assert p["elements"]["waktu"] == "H"
    assert {c["target"]: c["matched_by"] for c in p["columns"]}["waktu"] == "file"
    assert p["timestamp_column"]["header"] == "Completion time" and p["response_id_column"]["header"] == "ID"
    assert {"column": "B", "header": "Start time", "reason": "another_timestamp"} in p["ignored_columns"]
    assert p["sample"][1]["submitted_at"] == "2025-06-03T09:30:00+08:00"
    r = post(platform, PATH, xlsx, "SKM.xlsx", XLSX_TYPE, mapping=MAPPING)
    assert r.status_code == 202, r.text[:2000]
    assert r.json()["new"] == 4

    # ---- the same answers posted as JSON to another unit
    for rows, prefix in ((MAY, "fe-may"), (JUNE, "fe-jun")):
        r = requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": as_json(rows, prefix)},
                          headers=platform.headers(platform.key(JSON_UNIT)), timeout=30)
        assert r.status_code == 202, r.text[:2000]

    for period, rows in (("2025-05", MAY), ("2025-06", JUNE)):
        n = len(rows)
        form = platform.wait_for(lambda p=period, n=n: (b := ikm(platform, FORM_UNIT, p))["respondents"] == n and b,
                                 what=f"the form export's {period} responses in the unit IKM")
        json_ = platform.wait_for(lambda p=period, n=n: (b := ikm(platform, JSON_UNIT, p))["respondents"] == n and b,
                                  what=f"the JSON {period} responses in the unit IKM")
        assert comparable(form) == comparable(json_)
        total = sum(sum(r[1]) for r in rows)
        assert form["ikm"] == round(25 * total / (n * 9) + 1e-9, 2)  # by hand: 25 × Σ answers / (n × 9)
        assert form["profile"]["channel"] == {"web": n}
    may = ikm(platform, FORM_UNIT, "2025-05")
    assert may["profile"]["education"] == {"SMA": 1, "D4-S1": 1, "D1-D3": 1, "SMP": 1, "tidak_diisi": 2}


def test_bad_form_exports_are_problems_and_store_nothing(platform):
    before = events_count()
    csv = google_csv(MAY[:3])
    # an unknown label: row and cell
    bad = csv.replace(b"Kurang sesuai", b"Lumayan", 1)
    body = problem_of(post(platform, PATH, bad, "f.csv", "text/csv"), 422)
    assert [(e["row"], e["column"], e["cell"]) for e in body["errors"]] == [(4, "persyaratan", "C4")]
    assert "Lumayan" in body["errors"][0]["message"] and body["errors"][0]["header"] == QUESTION_HEADERS[0]
    en = requests.post(platform.url("survey", PATH), data={"unit_id": FORM_UNIT},
                       files={"file": ("f.csv", bad, "text/csv")},
                       headers={**platform.headers(platform.key(FORM_UNIT)), "Accept-Language": "en"}, timeout=30)
    assert problem_of(en, 422)["detail"] == "Check the rows and columns listed; nothing was stored."
    # a missing unsur (one question left out of the form)
    lines = csv.decode("utf-8-sig").splitlines()
    dropped = "\r\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 10) for line in lines).encode()
    body = problem_of(post(platform, PATH + "/preview", dropped, "f.csv", "text/csv"), 422)
    assert [e["pointer"] for e in body["errors"]] == ["/rows/1/pengaduan"]
    # unparseable files
    problem_of(post(platform, PATH, b"%PDF-1.7\n%\xe2\xe3", "f.pdf", "application/pdf"), 415)
    body = problem_of(post(platform, PATH, b"PK\x03\x04garbage", "f.xlsx", XLSX_TYPE), 422)
    assert body["errors"][0]["pointer"] == "/file"
    # a bad mapping file, a mapping with the template layout, an unknown layout
    body = problem_of(post(platform, PATH, csv, "f.csv", "text/csv", mapping=b"columns: {'x': U9}\n"), 422)
    assert body["errors"][0]["pointer"] == "/mapping/columns/x"
    body = problem_of(post(platform, PATH, csv, "f.csv", "text/csv", mapping=b"a: &x [1]\nb: *x\n"), 422)
    assert body["errors"][0]["pointer"] == "/mapping"
    body = problem_of(post(platform, PATH, csv, "f.csv", "text/csv", layout="template", mapping=b"{}"), 422)
    assert body["errors"][0]["pointer"] == "/mapping"
    body = problem_of(post(platform, PATH, csv, "f.csv", "text/csv", layout="kobo"), 422)
    assert body["errors"][0]["pointer"] == "/layout"
    # hostile cells: a formula in an answer, huge and NUL-bearing headers, store syntax in headers
    hostile = csv.replace(b"Kota", b"$set.a.b", 1).replace(b"Samarinda", b"=cmd|' /C calc'!A0", 1)
    r = post(platform, PATH + "/preview", hostile, "f.csv", "text/csv")
    assert r.status_code == 200 and r.json()["unmatched_columns"] == [{"column": "N", "header": "$set.a.b"}]
    formula = csv.replace(b"Sangat sesuai", b"=1+1", 1)
    body = problem_of(post(platform, PATH, formula, "f.csv", "text/csv"), 422)
    assert body["errors"][0]["column"] == "persyaratan" and "'=1+1'" in body["errors"][0]["message"]
    huge = csv.replace(b"Kota", b"K" * 40_000, 1)
    body = problem_of(post(platform, PATH, huge, "f.csv", "text/csv"), 422)
    assert body["errors"][0]["pointer"] == "/file"
    # another unit's key
    r = requests.post(platform.url("survey", PATH + "/preview"), data={"unit_id": FORM_UNIT},
                      files={"file": ("f.csv", csv, "text/csv")}, headers=platform.headers(platform.key(JSON_UNIT)),
                      timeout=30)
    problem_of(r, 403)
    assert events_count() == before
